package packet

import (
	"encoding/binary"
	"math/rand"
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"govs.dev/govs/flow"
)

var (
	macA = net.HardwareAddr{0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	macB = net.HardwareAddr{0x01, 0x02, 0x03, 0x04, 0x05, 0x06}
	ip4A = net.IP{192, 168, 0, 1}
	ip4B = net.IP{10, 1, 2, 3}
	ip6A = net.ParseIP("fe80::1")
	ip6B = net.ParseIP("2001:db8::42")
)

// ser serializes layers with lengths and checksums fixed, like a real stack.
func ser(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	for _, l := range ls {
		switch l4 := l.(type) {
		case *layers.TCP:
			l4.SetNetworkLayerForChecksum(netLayer(ls))
		case *layers.UDP:
			l4.SetNetworkLayerForChecksum(netLayer(ls))
		case *layers.ICMPv6:
			l4.SetNetworkLayerForChecksum(netLayer(ls))
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func netLayer(ls []gopacket.SerializableLayer) gopacket.NetworkLayer {
	for _, l := range ls {
		if n, ok := l.(gopacket.NetworkLayer); ok {
			return n
		}
	}
	return nil
}

func ethL(t layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: t}
}

func ip4L(p layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, TOS: 0xb9, Id: 7, Protocol: p, SrcIP: ip4A, DstIP: ip4B}
}

func ip6L(p layers.IPProtocol) *layers.IPv6 {
	return &layers.IPv6{Version: 6, TrafficClass: 0x2d, FlowLabel: 0xabcde, HopLimit: 255, NextHeader: p, SrcIP: ip6A, DstIP: ip6B}
}

var payload = gopacket.Payload([]byte("0123456789abcdefghijklmnopqrstuv"))

type extractCase struct {
	name  string
	build func(t testing.TB) []byte
	check func(t *testing.T, k *flow.Key, m *Meta)
}

func ndOpt(typ uint8, mac net.HardwareAddr) layers.ICMPv6Option {
	return layers.ICMPv6Option{Type: layers.ICMPv6Opt(typ), Data: mac}
}

func extractCases() []extractCase {
	tcpL := func() *layers.TCP {
		return &layers.TCP{SrcPort: 12345, DstPort: 80, Seq: 1000, SYN: true, ACK: true, ECE: true, Window: 100,
			Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{5, 0xb4}}}}
	}
	udpL := func() *layers.UDP { return &layers.UDP{SrcPort: 5353, DstPort: 53} }
	raw := func(b ...byte) gopacket.Payload { return gopacket.Payload(b) }
	ext := func(next, lenUnits byte, total int) []byte { // generic 8n-byte extension header
		h := make([]byte, total)
		h[0], h[1] = next, lenUnits
		return h
	}
	udpRaw := []byte{0x13, 0x88, 0x00, 0x35, 0, 8, 0, 0}
	return []extractCase{
		{name: "eth-only", build: func(t testing.TB) []byte {
			return ser(t, ethL(0x88b5), payload)
		}},
		{name: "too-short", build: func(t testing.TB) []byte { return []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13} },
			check: func(t *testing.T, k *flow.Key, m *Meta) {
				if m.L2Ofs != OffsetNone || k.DlType != 0 {
					t.Errorf("short frame: L2Ofs %d dl_type %x", m.L2Ofs, k.DlType)
				}
			}},
		{name: "llc-no-snap", build: func(t testing.TB) []byte {
			return ser(t, &layers.Ethernet{SrcMAC: macA, DstMAC: macB, EthernetType: layers.EthernetTypeLLC, Length: 35},
				&layers.LLC{DSAP: 0x42, SSAP: 0x42, Control: 3}, payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.DlType != DlTypeNone {
				t.Errorf("dl_type %x", k.DlType)
			}
		}},
		{name: "snap-ipv4", build: func(t testing.TB) []byte {
			ip := ser(t, ip4L(layers.IPProtocolUDP), udpL(), payload)
			b := append([]byte{}, macB...)
			b = append(b, macA...)
			b = binary.BigEndian.AppendUint16(b, uint16(8+len(ip)))
			b = append(b, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00)
			return append(b, ip...)
		}},
		{name: "snap-short-type", build: func(t testing.TB) []byte {
			b := append([]byte{}, macB...)
			b = append(b, macA...)
			return append(b, 0, 20, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x01, 0x00, 1, 2, 3, 4)
		}},
		{name: "llc-truncated", build: func(t testing.TB) []byte {
			b := append([]byte{}, macB...)
			b = append(b, macA...)
			return append(b, 0, 20, 0xaa, 0xaa, 0x03)
		}},
		{name: "vlan", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeDot1Q),
				&layers.Dot1Q{Priority: 5, VLANIdentifier: 100, Type: layers.EthernetTypeIPv4},
				ip4L(layers.IPProtocolUDP), udpL(), payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.VLANs[0] != (flow.VLAN{TPID: 0x8100, TCI: 5<<13 | flow.VLANCFI | 100}) || m.L3Ofs != 18 || m.L4Ofs != 38 {
				t.Errorf("vlan %+v L3 %d L4 %d", k.VLANs, m.L3Ofs, m.L4Ofs)
			}
		}},
		{name: "vlan-dei-vid0", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeDot1Q),
				&layers.Dot1Q{DropEligible: true, Type: layers.EthernetTypeARP},
				&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 2,
					SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: macB, DstProtAddress: ip4B})
		}},
		{name: "qinq", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeQinQ),
				&layers.Dot1Q{Priority: 1, VLANIdentifier: 10, Type: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{Priority: 7, VLANIdentifier: 4095, Type: layers.EthernetTypeIPv6},
				ip6L(layers.IPProtocolUDP), udpL(), payload)
		}},
		{name: "three-vlans", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeQinQ),
				&layers.Dot1Q{VLANIdentifier: 1, Type: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{VLANIdentifier: 2, Type: layers.EthernetTypeDot1Q},
				&layers.Dot1Q{VLANIdentifier: 3, Type: layers.EthernetTypeIPv4},
				ip4L(layers.IPProtocolUDP), udpL(), payload)
		}},
		{name: "vlan-truncated", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeDot1Q))
			return append(b, 0x20, 0x01, 0x08)
		}},
		{name: "arp-request", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeARP),
				&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 1,
					SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: make(net.HardwareAddr, 6), DstProtAddress: ip4B})
		}},
		{name: "arp-big-op", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeARP),
				&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 0x102,
					SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: macB, DstProtAddress: ip4B})
		}},
		{name: "rarp", build: func(t testing.TB) []byte {
			return ser(t, ethL(0x8035),
				&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 3,
					SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: macB, DstProtAddress: ip4B})
		}},
		{name: "arp-bad-hln", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeARP),
				&layers.ARP{AddrType: 1, Protocol: 0x800, HwAddressSize: 6, ProtAddressSize: 4, Operation: 1,
					SourceHwAddress: macA, SourceProtAddress: ip4A, DstHwAddress: macB, DstProtAddress: ip4B})
			b[14+4] = 8
			return b
		}},
		{name: "ipv4-udp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), udpL(), payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if !m.L3OK || !m.L4OK || m.L3Ofs != 14 || m.L4Ofs != 34 || m.L2Pad != 0 {
				t.Errorf("meta %+v", m)
			}
		}},
		{name: "ipv4-udp-padded", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), udpL(), raw(1, 2))
			return append(b, make([]byte, 60-len(b))...)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if m.L2Pad != 60-44 {
				t.Errorf("L2Pad %d", m.L2Pad)
			}
		}},
		{name: "ipv4-tcp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), tcpL(), payload)
		}},
		{name: "ipv4-tcp-all-flags", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), tcpL(), payload)
			b[34+12] |= 0x0f
			b[34+13] = 0xff
			return b
		}},
		{name: "ipv4-tcp-bad-offset", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), tcpL())
			b[34+12] = 0xf0
			return b
		}},
		{name: "ipv4-tcp-truncated", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), raw(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
			return b
		}},
		{name: "ipv4-options", build: func(t testing.TB) []byte {
			ip := ip4L(layers.IPProtocolUDP)
			ip.Options = []layers.IPv4Option{{OptionType: 0x94, OptionLength: 4, OptionData: []byte{0, 0}}}
			return ser(t, ethL(layers.EthernetTypeIPv4), ip, udpL(), payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if m.L4Ofs != 38 || k.TpDst != 53 {
				t.Errorf("L4 %d tp_dst %d", m.L4Ofs, k.TpDst)
			}
		}},
		{name: "ipv4-icmp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolICMPv4),
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 13)}, payload)
		}},
		{name: "ipv4-igmp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolIGMP),
				raw(0x16, 0, 0, 0, 224, 1, 2, 3))
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.TpSrc != 0x16 || k.NDReserved != 0xe0010203 {
				t.Errorf("igmp type %x group %x", k.TpSrc, k.NDReserved)
			}
		}},
		{name: "ipv4-sctp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolSCTP),
				&layers.SCTP{SrcPort: 3868, DstPort: 2905, VerificationTag: 1})
		}},
		{name: "ipv4-first-fragment", build: func(t testing.TB) []byte {
			ip := ip4L(layers.IPProtocolUDP)
			ip.Flags = layers.IPv4MoreFragments
			return ser(t, ethL(layers.EthernetTypeIPv4), ip, udpL(), payload)
		}},
		{name: "ipv4-later-fragment", build: func(t testing.TB) []byte {
			ip := ip4L(layers.IPProtocolUDP)
			ip.FragOffset = 100
			return ser(t, ethL(layers.EthernetTypeIPv4), ip, udpL(), payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.TpSrc != 0 || k.NwFrag != flow.FragAny|flow.FragLater || m.L4OK {
				t.Errorf("later fragment: tp_src %d frag %d", k.TpSrc, k.NwFrag)
			}
		}},
		{name: "ipv4-df", build: func(t testing.TB) []byte {
			ip := ip4L(layers.IPProtocolUDP)
			ip.Flags = layers.IPv4DontFragment
			return ser(t, ethL(layers.EthernetTypeIPv4), ip, udpL(), payload)
		}},
		{name: "ipv4-totlen-too-big", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), udpL(), payload)
			b[16] = 0x7f
			return b
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if m.L3OK || m.L3Ofs != 14 || k.NwSrc != 0 {
				t.Errorf("meta %+v nw_src %x", m, k.NwSrc)
			}
		}},
		{name: "ipv4-ihl-small", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), udpL(), payload)
			b[14] = 0x44
			return b
		}},
		{name: "ipv4-truncated", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv4), raw(0x45, 0, 0, 20, 0, 0))
		}},
		{name: "ipv6-udp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolUDP), udpL(), payload)
		}},
		{name: "ipv6-tcp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolTCP), tcpL(), payload)
		}},
		{name: "ipv6-sctp", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolSCTP), &layers.SCTP{SrcPort: 1, DstPort: 2})
		}},
		{name: "icmpv6-echo", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}, &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 2}, payload)
		}},
		{name: "icmpv6-ns-sll", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)},
				&layers.ICMPv6NeighborSolicitation{TargetAddress: ip6B, Options: layers.ICMPv6Options{ndOpt(1, macA)}})
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.TCPFlags != 1 || k.ArpSHA != [6]byte(macA) {
				t.Errorf("nd options type %d sll %x", k.TCPFlags, k.ArpSHA)
			}
		}},
		{name: "icmpv6-na-tll", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(136, 0)},
				&layers.ICMPv6NeighborAdvertisement{Flags: 0xe0, TargetAddress: ip6B,
					Options: layers.ICMPv6Options{{Type: 5, Data: []byte{0, 0, 0, 0, 5, 0xdc}}, ndOpt(2, macB)}})
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.TCPFlags != 2 || k.NDReserved != 0xe0000000 {
				t.Errorf("nd options type %d reserved %x", k.TCPFlags, k.NDReserved)
			}
		}},
		{name: "icmpv6-ns-dup-sll", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)},
				&layers.ICMPv6NeighborSolicitation{TargetAddress: ip6B, Options: layers.ICMPv6Options{ndOpt(1, macA), ndOpt(1, macB)}})
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.NDTarget != [16]byte{} || k.ArpSHA != [6]byte{} || k.TCPFlags != 1 {
				t.Errorf("dup option: target %x sll %x opt %d", k.NDTarget, k.ArpSHA, k.TCPFlags)
			}
		}},
		{name: "icmpv6-ns-short", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)}, raw(0, 0, 0, 0, 1, 2, 3))
		}},
		{name: "icmpv6-ns-zero-len-opt", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolICMPv6),
				&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(135, 0)}, raw(append(make([]byte, 20), 1, 0, 1, 2, 3, 4, 5, 6)...))
		}},
		{name: "ipv6-hop-dst-routing", build: func(t testing.TB) []byte {
			b := ext(60, 0, 8)
			b = append(b, ext(43, 1, 16)...)
			b = append(b, ext(17, 0, 8)...)
			b = append(b, udpRaw...)
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(0), raw(b...))
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.NwProto != 17 || k.TpSrc != 5000 || m.L4Ofs != 14+40+32 {
				t.Errorf("proto %d tp_src %d L4 %d", k.NwProto, k.TpSrc, m.L4Ofs)
			}
		}},
		{name: "ipv6-ah", build: func(t testing.TB) []byte {
			b := ext(17, 4, 24)
			b = append(b, udpRaw...)
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(51), raw(b...))
		}},
		{name: "ipv6-ext-truncated", build: func(t testing.TB) []byte {
			b := ext(17, 3, 16)
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(0), raw(b...))
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.NwTTL != 0 || k.IPv6Label != 0 || k.IPv6Src == [16]byte{} {
				t.Errorf("truncated ext: ttl %d label %x", k.NwTTL, k.IPv6Label)
			}
		}},
		{name: "ipv6-first-fragment", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(44), raw(17, 0, 0, 1, 0, 0, 0, 9), raw(udpRaw...))
		}},
		{name: "ipv6-later-fragment", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(44), raw(17, 0, 0x05, 0x08, 0, 0, 0, 9), raw(udpRaw...))
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.NwProto != ProtoIPv6Frag || k.NwFrag != flow.FragAny|flow.FragLater {
				t.Errorf("proto %d frag %d", k.NwProto, k.NwFrag)
			}
		}},
		{name: "ipv6-atomic-fragment", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeIPv6), ip6L(44), raw(17, 0, 0, 0, 0, 0, 0, 9), raw(udpRaw...))
		}},
		{name: "ipv6-plen-too-big", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolUDP), udpL(), payload)
			b[18] = 0x10
			return b
		}},
		{name: "ipv6-padded", build: func(t testing.TB) []byte {
			b := ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolUDP), udpL(), payload)
			return append(b, 0xee, 0xee, 0xee)
		}},
		{name: "mpls-one", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeMPLSUnicast), &layers.MPLS{Label: 20, TrafficClass: 3, StackBottom: true, TTL: 64},
				ip4L(layers.IPProtocolUDP), udpL())
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if m.L2_5Ofs != 14 || m.L3Ofs != 18 || k.NwSrc != 0 {
				t.Errorf("mpls offsets %d %d", m.L2_5Ofs, m.L3Ofs)
			}
		}},
		{name: "mpls-four", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeMPLSMulticast),
				&layers.MPLS{Label: 1, TTL: 1}, &layers.MPLS{Label: 2, TTL: 2},
				&layers.MPLS{Label: 3, TTL: 3}, &layers.MPLS{Label: 4, StackBottom: true, TTL: 4}, payload)
		}, check: func(t *testing.T, k *flow.Key, m *Meta) {
			if k.MPLS[2]>>12 != 3 || m.L3Ofs != 30 {
				t.Errorf("mpls %x L3 %d", k.MPLS, m.L3Ofs)
			}
		}},
		{name: "mpls-truncated", build: func(t testing.TB) []byte {
			return ser(t, ethL(layers.EthernetTypeMPLSUnicast), raw(0, 1, 0x40))
		}},
	}
}

func TestExtract(t *testing.T) {
	needOVS(t)
	for _, tc := range extractCases() {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.build(t)
			var m Meta
			var k flow.Key
			ExtractBytes(data, &m, &k)
			compareWithOVS(t, data, &k)
			if tc.check != nil {
				tc.check(t, &k, &m)
			}
		})
	}
}

// TestExtractMutations compares Extract with OVS on randomly damaged
// packets: truncations and byte changes in the headers.
func TestExtractMutations(t *testing.T) {
	needOVS(t)
	rng := rand.New(rand.NewSource(1))
	var seeds [][]byte
	for _, c := range extractCases() {
		seeds = append(seeds, c.build(t))
	}
	for _, k := range roundTripKeys() {
		seeds = append(seeds, Compose(&k, 8))
	}
	n := 400
	if testing.Short() {
		n = 30
	}
	for i := range n {
		data := append([]byte(nil), seeds[rng.Intn(len(seeds))]...)
		switch rng.Intn(3) {
		case 0:
			data = data[:rng.Intn(len(data)+1)]
		case 1:
			for range 1 + rng.Intn(3) {
				if len(data) > 0 {
					data[rng.Intn(min(len(data), 100))] = byte(rng.Intn(256))
				}
			}
		case 2:
			if len(data) > 14 {
				j := 12 + rng.Intn(min(len(data), 100)-12)
				data[j] ^= 1 << rng.Intn(8)
			}
		}
		var m Meta
		var k flow.Key
		ExtractBytes(data, &m, &k)
		compareWithOVS(t, data, &k)
		if t.Failed() {
			t.Fatalf("mutation %d failed", i)
		}
	}
}

func TestExtractMetadata(t *testing.T) {
	data := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, payload)
	tests := []struct {
		name  string
		meta  Meta
		check func(k *flow.Key) bool
	}{
		{"plain", Meta{InPort: 3, RecircID: 9, DpHash: 0x55, SkbPriority: 2, PktMark: 7}, func(k *flow.Key) bool {
			return k.InPort == 3 && k.RecircID == 9 && k.DpHash == 0x55 && k.SkbPriority == 2 && k.PktMark == 7
		}},
		{"ct-ignored-without-state", Meta{CtZone: 5, CtMark: 6}, func(k *flow.Key) bool {
			return k.CtZone == 0 && k.CtMark == 0
		}},
		{"ct", Meta{CtState: flow.CtTracked | flow.CtNew, CtZone: 5, CtMark: 6, CtLabel: [16]byte{1},
			CtNwProto: 6, CtNwSrc: 1, CtNwDst: 2, CtTpSrc: 3, CtTpDst: 4}, func(k *flow.Key) bool {
			return k.CtState == flow.CtTracked|flow.CtNew && k.CtZone == 5 && k.CtMark == 6 && k.CtLabel[0] == 1 &&
				k.CtNwProto == 6 && k.CtNwSrc == 1 && k.CtNwDst == 2 && k.CtTpSrc == 3 && k.CtTpDst == 4
		}},
		{"ct-orig-ipv6-on-ipv4", Meta{CtState: flow.CtTracked, CtOrigIPv6: true, CtNwProto: 6, CtTpSrc: 3}, func(k *flow.Key) bool {
			return k.CtNwProto == 0 && k.CtTpSrc == 0
		}},
		{"tunnel", Meta{TunID: 42, TunDst: [16]byte{10: 0xff, 11: 0xff, 12: 1}, TunTTL: 9}, func(k *flow.Key) bool {
			return k.TunID == 42 && k.TunTTL == 9 && k.TunDst[12] == 1
		}},
		{"tunnel-unset", Meta{TunID: 42, TunDst: [16]byte{10: 0xff, 11: 0xff}}, func(k *flow.Key) bool {
			return k.TunID == 0
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var k flow.Key
			m := tc.meta
			ExtractBytes(data, &m, &k)
			if !tc.check(&k) {
				t.Errorf("key %+v", k)
			}
		})
	}
}

func TestVLANLimit(t *testing.T) {
	defer SetVLANLimit(0)
	data := ser(t, ethL(layers.EthernetTypeQinQ),
		&layers.Dot1Q{VLANIdentifier: 10, Type: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{VLANIdentifier: 20, Type: layers.EthernetTypeIPv4},
		ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2})
	SetVLANLimit(1)
	var m Meta
	var k flow.Key
	ExtractBytes(data, &m, &k)
	if k.DlType != EthTypeVLAN || k.VLANs[1].TCI != 0 || k.VLANs[0].TCI != flow.VLANCFI|10 {
		t.Errorf("limit 1: dl_type %x vlans %+v", k.DlType, k.VLANs)
	}
	SetVLANLimit(0)
	ExtractBytes(data, &m, &k)
	if k.DlType != EthTypeIPv4 || k.VLANs[1].TCI != flow.VLANCFI|20 {
		t.Errorf("limit 2: dl_type %x vlans %+v", k.DlType, k.VLANs)
	}
}

func TestExtractAllocs(t *testing.T) {
	pool, err := NewPool(PoolConfig{Buffers: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	data := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, payload)
	p := c.Alloc(0)
	if err := p.SetData(data); err != nil {
		t.Fatal(err)
	}
	var k flow.Key
	if n := testing.AllocsPerRun(100, func() { Extract(p, &k) }); n != 0 {
		t.Errorf("Extract allocates %v times", n)
	}
}

func BenchmarkExtract(b *testing.B) {
	cases := []struct {
		name string
		data []byte
	}{
		{"udp4", ser(b, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, payload)},
		{"tcp6", ser(b, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, payload)},
		{"vlan-tcp4", ser(b, ethL(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 5, Type: layers.EthernetTypeIPv4},
			ip4L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, payload)},
	}
	pool, err := NewPool(PoolConfig{Buffers: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			p := c.Alloc(0)
			defer c.Free(p)
			if err := p.SetData(tc.data); err != nil {
				b.Fatal(err)
			}
			var k flow.Key
			b.ReportAllocs()
			for b.Loop() {
				Extract(p, &k)
			}
		})
	}
}

func TestExtractL3PacketType(t *testing.T) {
	full := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, payload)
	var want flow.Key
	var m Meta
	ExtractBytes(full, &m, &want)
	want.DlSrc, want.DlDst = [6]byte{}, [6]byte{}
	want.PacketType = PacketTypeIPv4

	m = Meta{PacketType: PacketTypeIPv4}
	var k flow.Key
	ExtractBytes(full[14:], &m, &k)
	if k != want {
		t.Errorf("L3 IPv4 packet:\n got %+v\nwant %+v", k, want)
	}
	if m.L2Ofs != OffsetNone || m.L3Ofs != 0 || m.L4Ofs != 20 || !m.L4OK {
		t.Errorf("offsets %+v", m)
	}

	mpls := []byte{0, 0x14, 0x11, 0x40, 0x45}
	m = Meta{PacketType: PacketTypeMPLS}
	ExtractBytes(mpls, &m, &k)
	if k.DlType != EthTypeMPLS || k.MPLS[0] != 0x00141140 || m.L2_5Ofs != 0 || m.L3Ofs != 4 {
		t.Errorf("L3 MPLS packet: %+v %+v", k, m)
	}
}

// metaVariants are packet metadata that make Extract fill the metadata
// fields of the key: none, tunnel, conntrack with an IPv4 or IPv6 tuple,
// marks and recirculation, and a bare L3 packet type.
func metaVariants() map[string]Meta {
	tun := Meta{TunID: 7, TunTTL: 64, TunFlags: 1, TunTpSrc: 5, TunTpDst: 4789}
	tun.TunDst[15], tun.TunSrc[15] = 2, 1
	tun.TunDst[10], tun.TunDst[11] = 0xff, 0xff
	ct4 := Meta{CtState: 0x21, CtZone: 3, CtMark: 9, CtNwProto: 6, CtNwSrc: 1, CtNwDst: 2, CtTpSrc: 3, CtTpDst: 4}
	ct4.CtLabel[15] = 1
	ct6 := Meta{CtState: 0x21, CtOrigIPv6: true, CtNwProto: 17, CtTpSrc: 3, CtTpDst: 4}
	ct6.CtIPv6Src[15], ct6.CtIPv6Dst[0] = 1, 0xfe
	return map[string]Meta{
		"plain": {InPort: 1},
		"tun":   tun,
		"ct4":   ct4,
		"ct6":   ct6,
		"marks": {InPort: 2, RecircID: 5, DpHash: 6, SkbPriority: 7, PktMark: 8},
		"l3":    {InPort: 1, PacketType: PacketTypeIPv4},
	}
}

// checkWordMap fails unless every nonzero word of k is in the word map wm.
func checkWordMap(t *testing.T, name string, k *flow.Key, wm uint64) {
	t.Helper()
	for i, w := range k.Words() {
		if w != 0 && wm&(1<<i) == 0 {
			t.Errorf("%s: word %d = %#x is not in the word map %#x", name, i, w, wm)
		}
	}
	if wm>>flow.KeyWords != 0 {
		t.Errorf("%s: word map %#x names words beyond the key", name, wm)
	}
}

func TestExtractMap(t *testing.T) {
	pool, err := NewPool(PoolConfig{Buffers: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	p := c.Alloc(0)
	defer c.Free(p)
	var frames [][]byte
	var names []string
	for _, tc := range extractCases() {
		frames, names = append(frames, tc.build(t)), append(names, tc.name)
	}
	for name, k := range roundTripKeys() {
		frames, names = append(frames, Compose(&k, 5)), append(names, "compose-"+name)
	}
	for i, data := range frames {
		for mname, meta := range metaVariants() {
			name := names[i] + "/" + mname
			if err := p.SetData(data); err != nil {
				t.Fatal(err)
			}
			p.Meta = meta
			var k, want flow.Key
			wm := ExtractMap(p, &k)
			m := meta
			ExtractBytes(data, &m, &want)
			if k != want || p.Meta != m {
				t.Errorf("%s: ExtractMap and ExtractBytes disagree", name)
			}
			checkWordMap(t, name, &k, wm)
		}
	}
}

func TestExtractMapAllocs(t *testing.T) {
	pool, err := NewPool(PoolConfig{Buffers: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	p := c.Alloc(0)
	defer c.Free(p)
	if err := p.SetData(ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, payload)); err != nil {
		t.Fatal(err)
	}
	var k flow.Key
	if n := testing.AllocsPerRun(100, func() { ExtractMap(p, &k) }); n != 0 {
		t.Errorf("ExtractMap allocates %v times", n)
	}
}
