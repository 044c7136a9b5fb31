package header

import (
	"bytes"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

var (
	macA = net.HardwareAddr{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	macB = net.HardwareAddr{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}
	ip4A = net.IP{192, 168, 0, 1}
	ip4B = net.IP{10, 1, 2, 3}
	ip6A = net.ParseIP("fe80::1")
	ip6B = net.ParseIP("2001:db8::42")
)

func ser(t *testing.T, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	for _, l := range ls {
		var nl gopacket.NetworkLayer
		for _, x := range ls {
			if n, ok := x.(gopacket.NetworkLayer); ok {
				nl = n
			}
		}
		switch l4 := l.(type) {
		case *layers.TCP:
			l4.SetNetworkLayerForChecksum(nl)
		case *layers.UDP:
			l4.SetNetworkLayerForChecksum(nl)
		case *layers.ICMPv6:
			l4.SetNetworkLayerForChecksum(nl)
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func check(t *testing.T, name string, got, want any) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

func TestEthernetVLANARP(t *testing.T) {
	b := ser(t, &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{Priority: 5, DropEligible: true, VLANIdentifier: 100, Type: layers.EthernetTypeARP},
		&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 2,
			SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: macB, DstProtAddress: ip4B})
	e := Ethernet(b)
	check(t, "eth valid", e.IsValid(), true)
	check(t, "dst", e.Dst(), [6]byte(macB))
	check(t, "src", e.Src(), [6]byte(macA))
	check(t, "type", e.Type(), uint16(TPID8021Q))
	v := VLAN(e.Payload())
	check(t, "vlan valid", v.IsValid(), true)
	check(t, "pcp", v.PCP(), uint8(5))
	check(t, "dei", v.DEI(), true)
	check(t, "vid", v.VID(), uint16(100))
	check(t, "inner type", v.Type(), uint16(0x0806))
	a := ARP(e.Payload()[VLANSize:])
	check(t, "arp valid", a.IsValid(), true)
	check(t, "op", a.Op(), uint16(ARPReply))
	check(t, "sha", a.SHA(), [6]byte(macA))
	check(t, "spa", a.SPA(), uint32(0xc0a80001))
	check(t, "tha", a.THA(), [6]byte(macB))
	check(t, "tpa", a.TPA(), uint32(0x0a010203))

	// Setters write what the getters read, and gopacket agrees.
	out := make([]byte, 14+4+28)
	e = Ethernet(out)
	e.SetDst([6]byte(macA))
	e.SetSrc([6]byte(macB))
	e.SetType(TPID8021AD)
	v = VLAN(out[14:])
	v.SetTCI(0xe00a)
	v.SetType(0x0806)
	a = ARP(out[18:])
	a.SetIPv4OverEthernet()
	a.SetOp(ARPRequest)
	a.SetSHA([6]byte(macB))
	a.SetSPA(1)
	a.SetTHA([6]byte(macA))
	a.SetTPA(2)
	pkt := gopacket.NewPacket(out, layers.LayerTypeEthernet, gopacket.Default)
	arp, ok := pkt.Layer(layers.LayerTypeARP).(*layers.ARP)
	if !ok {
		t.Fatalf("gopacket does not see ARP: %v", pkt)
	}
	check(t, "gopacket op", arp.Operation, uint16(1))
	check(t, "gopacket tpa", net.IP(arp.DstProtAddress).String(), "0.0.0.2")
	vl := pkt.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q)
	check(t, "gopacket vid", vl.VLANIdentifier, uint16(10))
	check(t, "gopacket pcp", vl.Priority, uint8(7))

	check(t, "short eth", Ethernet(b[:13]).IsValid(), false)
	check(t, "short arp", ARP(b[18:45]).IsValid(), false)
	bad := append([]byte(nil), b[18:46]...)
	bad[4] = 8
	check(t, "arp hln 8", ARP(bad).IsValid(), false)
}

func TestIPv4(t *testing.T) {
	b := ser(t, &layers.IPv4{Version: 4, IHL: 6, TOS: 0xb9, Id: 77, Flags: layers.IPv4DontFragment | layers.IPv4MoreFragments,
		FragOffset: 3, TTL: 9, Protocol: layers.IPProtocolUDP, SrcIP: ip4A, DstIP: ip4B,
		Options: []layers.IPv4Option{{OptionType: 0x94, OptionLength: 4, OptionData: []byte{0, 0}}}},
		gopacket.Payload([]byte("12345678")))
	ip := IPv4(b)
	check(t, "valid", ip.IsValid(), true)
	check(t, "version", ip.Version(), uint8(4))
	check(t, "hl", ip.HeaderLength(), 24)
	check(t, "tos", ip.TOS(), uint8(0xb9))
	check(t, "len", ip.TotalLength(), uint16(32))
	check(t, "id", ip.ID(), uint16(77))
	check(t, "mf", ip.MoreFragments(), true)
	check(t, "frag", ip.IsFragment(), true)
	check(t, "off", ip.FragmentOffset(), 24)
	check(t, "ttl", ip.TTL(), uint8(9))
	check(t, "proto", ip.Protocol(), uint8(17))
	check(t, "src", ip.Src(), uint32(0xc0a80001))
	check(t, "dst", ip.Dst(), uint32(0x0a010203))
	check(t, "options", len(ip.Options()), 4)
	check(t, "payload", string(ip.Payload()), "12345678")
	check(t, "checksum", ip.CalculateChecksum(), ip.Checksum())

	ip.SetTTL(8)
	ip.SetSrc(0x01020304)
	ip.SetDst(0x05060708)
	ip.SetTOS(1)
	ip.SetID(5)
	ip.SetFlagsFragmentOffset(0)
	ip.SetProtocol(6)
	ip.UpdateChecksum()
	pkt := gopacket.NewPacket(b, layers.LayerTypeIPv4, gopacket.Default)
	g := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if err, r := g.VerifyChecksum(); err != nil || !r.Valid {
		t.Errorf("gopacket rejects the checksum: %v %+v", err, r)
	}
	check(t, "gopacket src", g.SrcIP.String(), "1.2.3.4")
	check(t, "gopacket ttl", g.TTL, uint8(8))

	for _, tc := range []struct {
		name string
		mod  func(b []byte) []byte
	}{
		{"short", func(b []byte) []byte { return b[:19] }},
		{"version", func(b []byte) []byte { b[0] = 0x66; return b }},
		{"ihl", func(b []byte) []byte { b[0] = 0x44; return b }},
		{"totlen", func(b []byte) []byte { b[3] = 200; return b }},
		{"totlen-below-ihl", func(b []byte) []byte { b[3] = 20; return b }},
	} {
		c := tc.mod(append([]byte(nil), b...))
		if IPv4(c).IsValid() {
			t.Errorf("%s: IsValid", tc.name)
		}
	}
}

func TestIPv6AndFragment(t *testing.T) {
	b := ser(t, &layers.IPv6{Version: 6, TrafficClass: 0xb8, FlowLabel: 0xabcde, HopLimit: 3, NextHeader: 44, SrcIP: ip6A, DstIP: ip6B},
		gopacket.Payload([]byte{17, 0, 0x05, 0x09, 0, 0, 0, 42, 1, 2, 3, 4}))
	ip := IPv6(b)
	check(t, "valid", ip.IsValid(), true)
	check(t, "tc", ip.TrafficClass(), uint8(0xb8))
	check(t, "label", ip.FlowLabel(), uint32(0xabcde))
	check(t, "plen", ip.PayloadLength(), uint16(12))
	check(t, "next", ip.NextHeader(), uint8(44))
	check(t, "hlim", ip.HopLimit(), uint8(3))
	check(t, "src", ip.Src(), [16]byte(ip6A.To16()))
	check(t, "dst", ip.Dst(), [16]byte(ip6B.To16()))
	f := IPv6Fragment(ip.Payload())
	check(t, "frag valid", f.IsValid(), true)
	check(t, "frag next", f.NextHeader(), uint8(17))
	check(t, "frag off", f.FragmentOffset(), 0x508)
	check(t, "frag more", f.More(), true)
	check(t, "frag id", f.ID(), uint32(42))
	f.Set(6, 16, false, 7)
	pkt := gopacket.NewPacket(b, layers.LayerTypeIPv6, gopacket.Default)
	gf, ok := pkt.Layer(layers.LayerTypeIPv6Fragment).(*layers.IPv6Fragment)
	if !ok {
		t.Fatal("gopacket sees no fragment header")
	}
	check(t, "gopacket frag off", gf.FragmentOffset, uint16(2))
	check(t, "gopacket frag id", gf.Identification, uint32(7))
	ip.SetTrafficClass(0x11)
	ip.SetFlowLabel(0x12345)
	check(t, "tc after set", ip.TrafficClass(), uint8(0x11))
	check(t, "label after set", ip.FlowLabel(), uint32(0x12345))
	ip.SetVersionTrafficClassFlowLabel(2, 3)
	check(t, "first word", ip.Version()<<4|ip.TrafficClass()>>4, uint8(0x60))
	check(t, "short", IPv6(b[:39]).IsValid(), false)
	check(t, "plen too big", IPv6(b[:50]).IsValid(), false)
}

func TestTransport(t *testing.T) {
	tb := ser(t, &layers.IPv4{Version: 4, IHL: 5, TTL: 1, Protocol: 6, SrcIP: ip4A, DstIP: ip4B},
		&layers.TCP{SrcPort: 1, DstPort: 2, Seq: 3, Ack: 4, SYN: true, ACK: true, NS: true, Window: 5, Urgent: 6,
			Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{5, 0xb4}}}},
		gopacket.Payload([]byte("xyz")))
	ip := IPv4(tb)
	tcp := TCP(ip.Payload())
	check(t, "tcp valid", tcp.IsValid(), true)
	check(t, "sport", tcp.SrcPort(), uint16(1))
	check(t, "dport", tcp.DstPort(), uint16(2))
	check(t, "seq", tcp.Seq(), uint32(3))
	check(t, "ack", tcp.Ack(), uint32(4))
	check(t, "doff", tcp.DataOffset(), 24)
	check(t, "flags", tcp.Flags(), uint16(TCPFlagSyn|TCPFlagAck|TCPFlagNs))
	check(t, "window", tcp.Window(), uint16(5))
	check(t, "urgent", tcp.UrgentPointer(), uint16(6))
	check(t, "options", len(tcp.Options()), 4)
	check(t, "payload", string(tcp.Payload()), "xyz")
	check(t, "checksum ok", Checksum(tcp, ip.PseudoHeaderSum(6, uint16(len(tcp)))), uint16(0))
	tcp.SetFlags(TCPFlagFin)
	check(t, "doff kept", tcp.DataOffset(), 24)
	tcp.SetChecksum(0)
	tcp.SetChecksum(Checksum(tcp, ip.PseudoHeaderSum(6, uint16(len(tcp)))))
	g := gopacket.NewPacket(tb, layers.LayerTypeIPv4, gopacket.Default).Layer(layers.LayerTypeTCP).(*layers.TCP)
	g.SetNetworkLayerForChecksum(gopacket.NewPacket(tb, layers.LayerTypeIPv4, gopacket.Default).NetworkLayer())
	if err, r := g.VerifyChecksum(); err != nil || !r.Valid || !g.FIN || g.SYN {
		t.Errorf("gopacket: %v %+v fin %v", err, r, g.FIN)
	}
	bad := append([]byte(nil), tcp...)
	bad[12] = 0x40
	check(t, "tcp doff 16", TCP(bad).IsValid(), false)
	check(t, "tcp short", TCP(tcp[:19]).IsValid(), false)

	ub := ser(t, &layers.IPv6{Version: 6, NextHeader: 17, HopLimit: 1, SrcIP: ip6A, DstIP: ip6B},
		&layers.UDP{SrcPort: 53, DstPort: 5353}, gopacket.Payload([]byte("hello")))
	ip6 := IPv6(ub)
	udp := UDP(ip6.Payload())
	check(t, "udp valid", udp.IsValid(), true)
	check(t, "udp sport", udp.SrcPort(), uint16(53))
	check(t, "udp dport", udp.DstPort(), uint16(5353))
	check(t, "udp len", udp.Length(), uint16(13))
	check(t, "udp payload", string(udp.Payload()), "hello")
	check(t, "udp checksum ok", Checksum(udp, ip6.PseudoHeaderSum(17, uint32(len(udp)))), uint16(0))
	check(t, "udp short len", UDP(udp[:12]).IsValid(), false)

	s := SCTP(make([]byte, SCTPSize))
	s.SetSrcPort(1)
	s.SetDstPort(2)
	s.SetVerificationTag(3)
	s.SetChecksum(0x04030201)
	check(t, "sctp", [4]uint32{uint32(s.SrcPort()), uint32(s.DstPort()), s.VerificationTag(), s.Checksum()}, [4]uint32{1, 2, 3, 0x04030201})
	check(t, "sctp wire order", s[8], byte(1))
	check(t, "sctp valid", SCTP(s[:11]).IsValid(), false)
}

func TestICMP(t *testing.T) {
	b := ser(t, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 9, Seq: 10}, gopacket.Payload([]byte("ping")))
	ic := ICMPv4(b)
	check(t, "valid", ic.IsValid(), true)
	check(t, "type", ic.Type(), uint8(ICMPv4EchoRequest))
	check(t, "code", ic.Code(), uint8(0))
	check(t, "id", ic.Ident(), uint16(9))
	check(t, "seq", ic.Seq(), uint16(10))
	check(t, "checksum ok", Checksum(ic, 0), uint16(0))
	ic.SetType(0)
	ic.SetCode(0)
	ic.SetIdent(1)
	ic.SetSeq(2)
	ic.SetChecksum(0)
	ic.SetChecksum(Checksum(ic, 0))
	g := gopacket.NewPacket(b, layers.LayerTypeICMPv4, gopacket.Default).Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
	if err, r := g.VerifyChecksum(); err != nil || !r.Valid || g.Id != 1 {
		t.Errorf("gopacket: %v %+v", err, r)
	}

	nb := ser(t, &layers.IPv6{Version: 6, NextHeader: 58, HopLimit: 255, SrcIP: ip6A, DstIP: ip6B},
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(136, 0)},
		&layers.ICMPv6NeighborAdvertisement{Flags: 0x60, TargetAddress: ip6B,
			Options: layers.ICMPv6Options{{Type: layers.ICMPv6OptTargetAddress, Data: macA}}})
	ip6 := IPv6(nb)
	n := ICMPv6(ip6.Payload())
	check(t, "nd", n.IsND(), true)
	check(t, "type", n.Type(), uint8(ICMPv6NeighborAdvert))
	check(t, "reserved", n.Reserved(), uint32(0x60000000))
	check(t, "target", n.NDTarget(), [16]byte(ip6B.To16()))
	check(t, "options", bytes.Equal(n.NDOptions(), append([]byte{NDOptTargetLinkAddress, 1}, macA...)), true)
	check(t, "checksum ok", Checksum(n, ip6.PseudoHeaderSum(58, uint32(len(n)))), uint16(0))
	n.SetNDTarget([16]byte(ip6A.To16()))
	n.SetReserved(0)
	n.SetType(ICMPv6NeighborSolicit)
	n.SetCode(0)
	n.SetChecksum(0)
	n.SetChecksum(Checksum(n, ip6.PseudoHeaderSum(58, uint32(len(n)))))
	pkt := gopacket.NewPacket(nb, layers.LayerTypeIPv6, gopacket.Default)
	ns, ok := pkt.Layer(layers.LayerTypeICMPv6NeighborSolicitation).(*layers.ICMPv6NeighborSolicitation)
	if !ok || !ns.TargetAddress.Equal(ip6A) {
		t.Errorf("gopacket NS: %v", pkt)
	}
	check(t, "not nd (echo)", ICMPv6([]byte{128, 0, 0, 0, 0, 0, 0, 0}).IsND(), false)
	check(t, "short nd", ICMPv6(n[:23]).IsND(), false)
}

func TestVirtioNetHdrView(t *testing.T) {
	h := VirtioNetHdr(make([]byte, VirtioNetHdrMrgRxBufsSize))
	h.SetFlags(VirtioNetHdrFNeedsCsum)
	h.SetGSOType(VirtioNetHdrGSOTCPv4)
	h.SetHdrLen(66)
	h.SetGSOSize(1448)
	h.SetCsumStart(34)
	h.SetCsumOffset(16)
	h.SetNumBuffers(1)
	want := []byte{1, 1, 66, 0, 0xa8, 5, 34, 0, 16, 0, 1, 0}
	if !bytes.Equal(h, want) {
		t.Fatalf("%x, want %x", []byte(h), want)
	}
	check(t, "fields", [7]uint16{uint16(h.Flags()), uint16(h.GSOType()), h.HdrLen(), h.GSOSize(), h.CsumStart(), h.CsumOffset(), h.NumBuffers()},
		[7]uint16{1, 1, 66, 1448, 34, 16, 1})
	check(t, "valid", h.IsValid(), true)
	check(t, "short", VirtioNetHdr(h[:9]).IsValid(), false)
}
