package packet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"govs.dev/govs/packet/header"
)

func bigPayload(n int) gopacket.Payload {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// partialize turns a packet with a valid L4 checksum at l4+csumOff into a
// checksum-partial one as a kernel hands it over: the field holds the
// pseudo-header sum, folded and not inverted.
func partialize(t *testing.T, b []byte, l3, l4, csumOff int, proto uint8, v6 bool) {
	t.Helper()
	var pseudo uint32
	if v6 {
		ip := header.IPv6(b[l3:])
		pseudo = ip.PseudoHeaderSum(proto, uint32(len(b)-l4))
	} else {
		ip := header.IPv4(b[l3:])
		pseudo = ip.PseudoHeaderSum(proto, uint16(len(b)-l4))
	}
	binary.BigEndian.PutUint16(b[l4+csumOff:], header.Fold(pseudo))
}

func TestCompleteChecksum(t *testing.T) {
	pool := newTestPool(t, PoolConfig{Buffers: 8})
	c := pool.NewCache()
	tests := []struct {
		name    string
		data    []byte
		l3, l4  int
		csumOff int
		proto   uint8
		v6      bool
	}{
		{"tcp4", ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2, ACK: true}, bigPayload(999)),
			14, 34, 16, ProtoTCP, false},
		{"udp4", ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, bigPayload(100)),
			14, 34, 6, ProtoUDP, false},
		{"tcp6", ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2, SYN: true}, bigPayload(1)),
			14, 54, 16, ProtoTCP, true},
		{"udp6", ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 9, DstPort: 2}, bigPayload(1400)),
			14, 54, 6, ProtoUDP, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			orig := append([]byte(nil), tc.data...)
			partialize(t, tc.data, tc.l3, tc.l4, tc.csumOff, tc.proto, tc.v6)
			p := c.Alloc(0)
			defer c.Free(p)
			if err := p.SetData(tc.data); err != nil {
				t.Fatal(err)
			}
			p.Meta.CsumPartial, p.Meta.CsumStart, p.Meta.CsumOffset = true, uint16(tc.l4), uint16(tc.csumOff)
			if err := CompleteChecksum(p); err != nil {
				t.Fatal(err)
			}
			if p.Meta.CsumPartial {
				t.Error("still partial")
			}
			checkChecksums(t, p.Data())
			got := binary.BigEndian.Uint16(p.Data()[tc.l4+tc.csumOff:])
			want := binary.BigEndian.Uint16(orig[tc.l4+tc.csumOff:])
			if got != want && !(want == 0 && got == 0xffff) {
				t.Errorf("checksum %04x, gopacket %04x", got, want)
			}
			if err := CompleteChecksum(p); err != nil {
				t.Errorf("second completion: %v", err)
			}
		})
	}
	t.Run("bad-offsets", func(t *testing.T) {
		p := c.Alloc(40)
		defer c.Free(p)
		for _, m := range []Meta{{CsumPartial: true, CsumStart: 39, CsumOffset: 0},
			{CsumPartial: true, CsumStart: 41}, {CsumPartial: true, CsumStart: 30, CsumOffset: 0xffff}} {
			p.Meta = m
			if err := CompleteChecksum(p); !errors.Is(err, ErrBadOffload) {
				t.Errorf("%+v: %v", m, err)
			}
		}
	})
}

func TestVirtioNetHdr(t *testing.T) {
	tests := []struct {
		name string
		hdr  []byte
		want Meta
		err  bool
	}{
		{"none", make([]byte, 10), Meta{}, false},
		{"csum", []byte{1, 0, 0, 0, 0, 0, 34, 0, 16, 0}, Meta{CsumPartial: true, CsumStart: 34, CsumOffset: 16}, false},
		{"valid", []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, Meta{CsumVerified: true}, false},
		{"tso4", []byte{1, 1, 66, 0, 0xa8, 5, 34, 0, 16, 0, 0, 0}, Meta{CsumPartial: true, CsumStart: 34, CsumOffset: 16, GSOType: GSOTCPv4, GSOSize: 1448}, false},
		{"tso6-ecn", []byte{1, 0x84, 74, 0, 0xa0, 5, 54, 0, 16, 0}, Meta{CsumPartial: true, CsumStart: 54, CsumOffset: 16, GSOType: GSOTCPv6, GSOSize: 1440}, false},
		{"ufo-refused", []byte{0, 3, 0, 0, 1, 0, 0, 0, 0, 0}, Meta{}, true},
		{"gso-size-0", []byte{0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, Meta{}, true},
		{"short", []byte{0, 0, 0}, Meta{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Meta
			err := m.SetFromVirtioNetHdr(header.VirtioNetHdr(tc.hdr))
			if (err != nil) != tc.err {
				t.Fatalf("error %v", err)
			}
			if err != nil {
				return
			}
			if m != tc.want {
				t.Fatalf("meta %+v, want %+v", m, tc.want)
			}
			out := make(header.VirtioNetHdr, len(tc.hdr))
			hl := binary.LittleEndian.Uint16(tc.hdr[2:])
			m.PutVirtioNetHdr(out, hl)
			want := append([]byte(nil), tc.hdr...)
			want[1] &^= header.VirtioNetHdrGSOECN
			if !bytes.Equal(out, want) {
				t.Errorf("round trip %x, want %x", []byte(out), want)
			}
		})
	}
}

type tsoCase struct {
	name    string
	build   func(t testing.TB, n int, tcp *layers.TCP) []byte
	gso     uint8
	v6      bool
	payload int
	mss     uint16
}

func tsoCases() []tsoCase {
	v4 := func(t testing.TB, n int, tcp *layers.TCP) []byte {
		ip := ip4L(layers.IPProtocolTCP)
		ip.Flags = layers.IPv4DontFragment
		ip.Id = 0xfffe
		return ser(t, ethL(layers.EthernetTypeIPv4), ip, tcp, bigPayload(n))
	}
	v6vlan := func(t testing.TB, n int, tcp *layers.TCP) []byte {
		return ser(t, ethL(layers.EthernetTypeDot1Q), &layers.Dot1Q{VLANIdentifier: 7, Type: layers.EthernetTypeIPv6},
			ip6L(layers.IPProtocolTCP), tcp, bigPayload(n))
	}
	return []tsoCase{
		{"ipv4", v4, GSOTCPv4, false, 5000, 1448},
		{"ipv4-exact", v4, GSOTCPv4, false, 2896, 1448},
		{"ipv4-one", v4, GSOTCPv4, false, 100, 1448},
		{"ipv4-empty", v4, GSOTCPv4, false, 0, 1448},
		{"ipv6-vlan", v6vlan, GSOTCPv6, true, 10000, 1000},
	}
}

func TestSegment(t *testing.T) {
	pool := newTestPool(t, PoolConfig{Buffers: 64, BigBuffers: 2})
	c := pool.NewCache()
	for _, tc := range tsoCases() {
		t.Run(tc.name, func(t *testing.T) {
			tcp := &layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 0xfffff000, Ack: 5, ACK: true, PSH: true, FIN: true, CWR: true, Window: 500,
				Options: []layers.TCPOption{{OptionType: layers.TCPOptionKindNop}, {OptionType: layers.TCPOptionKindNop},
					{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)}}}
			data := tc.build(t, tc.payload, tcp)
			p := c.Alloc(len(data))
			defer c.Free(p)
			copy(p.Data(), data)
			p.Meta.GSOType, p.Meta.GSOSize, p.Meta.InPort = tc.gso, tc.mss, 3
			var out Batch
			if err := Segment(p, c, &out); err != nil {
				t.Fatal(err)
			}
			defer c.FreeBatch(&out)
			want := max(1, (tc.payload+int(tc.mss)-1)/int(tc.mss))
			if out.N != want {
				t.Fatalf("%d segments, want %d", out.N, want)
			}
			var all []byte
			for i, s := range out.Slice() {
				checkChecksums(t, s.Data())
				pkt := gopacket.NewPacket(s.Data(), layers.LayerTypeEthernet, gopacket.Default)
				st := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP)
				pl := st.Payload
				if len(pl) > int(tc.mss) || i < out.N-1 && len(pl) != int(tc.mss) {
					t.Errorf("segment %d: %d payload bytes", i, len(pl))
				}
				if st.Seq != tcp.Seq+uint32(i)*uint32(tc.mss) || st.Ack != 5 || st.Window != 500 || len(st.Options) != 3 {
					t.Errorf("segment %d: seq %x ack %d window %d", i, st.Seq, st.Ack, st.Window)
				}
				last := i == out.N-1
				if st.FIN != last || st.PSH != last || st.CWR != (i == 0) || !st.ACK {
					t.Errorf("segment %d: fin %v psh %v cwr %v", i, st.FIN, st.PSH, st.CWR)
				}
				if tc.v6 {
					ip := pkt.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
					if int(ip.Length) != len(st.Contents)+len(pl) {
						t.Errorf("segment %d: ipv6 payload length %d", i, ip.Length)
					}
				} else {
					ip := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
					if ip.Id != uint16(0xfffe+i) || ip.Flags != layers.IPv4DontFragment || int(ip.Length) != len(s.Data())-14 {
						t.Errorf("segment %d: id %x flags %v len %d", i, ip.Id, ip.Flags, ip.Length)
					}
				}
				if s.Meta.GSOType != GSONone || s.Meta.InPort != 3 || s.Meta.CsumPartial {
					t.Errorf("segment %d meta %+v", i, s.Meta)
				}
				all = append(all, pl...)
			}
			if !bytes.Equal(all, bigPayload(tc.payload)) {
				t.Error("segments do not carry the original payload")
			}
		})
	}
}

func TestSegmentFrom(t *testing.T) {
	pool := newTestPool(t, PoolConfig{Buffers: 128, BigBuffers: 1})
	c := pool.NewCache()
	data := tsoCases()[0].build(t, 60000, &layers.TCP{SrcPort: 1, DstPort: 2, ACK: true})
	p := c.Alloc(len(data))
	defer c.Free(p)
	copy(p.Data(), data)
	p.Meta.GSOType, p.Meta.GSOSize = GSOTCPv4, 1000
	var out Batch
	if err := Segment(p, c, &out); !errors.Is(err, ErrBatchFull) || out.N != 0 {
		t.Fatalf("Segment of 60 segments: %v, %d added", err, out.N)
	}
	next, total := 0, 0
	for next < 60 {
		var err error
		if next, err = SegmentFrom(p, c, &out, next); err != nil {
			t.Fatal(err)
		}
		total += out.N
		for _, s := range out.Slice() {
			checkChecksums(t, s.Data())
		}
		c.FreeBatch(&out)
	}
	if total != 60 {
		t.Errorf("%d segments, want 60", total)
	}
}

func TestSegmentErrors(t *testing.T) {
	pool := newTestPool(t, PoolConfig{Buffers: 8, BigBuffers: 1})
	c := pool.NewCache()
	udp := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, bigPayload(3000))
	tcp6 := ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, bigPayload(3000))
	tests := []struct {
		name string
		data []byte
		gso  uint8
		mss  uint16
		err  error
	}{
		{"no-gso", udp, GSONone, 0, ErrBadOffload},
		{"udp-as-tcp", udp, GSOTCPv4, 1000, ErrBadOffload},
		{"v6-as-v4", tcp6, GSOTCPv4, 1000, ErrBadOffload},
		{"mss-0", tcp6, GSOTCPv6, 0, ErrBadOffload},
		{"pool-exhausted", tcp6, GSOTCPv6, 100, ErrNoBuffers},
		{"garbage", []byte{1, 2, 3}, GSOTCPv4, 100, ErrBadOffload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := c.Alloc(len(tc.data))
			defer c.Free(p)
			copy(p.Data(), tc.data)
			p.Meta.GSOType, p.Meta.GSOSize = tc.gso, tc.mss
			var out Batch
			_, err := SegmentFrom(p, c, &out, 0)
			if !errors.Is(err, tc.err) || out.N != 0 {
				t.Errorf("error %v, want %v; %d segments left", err, tc.err, out.N)
			}
		})
	}
}

func TestSegmentUDP(t *testing.T) {
	pool := newTestPool(t, PoolConfig{Buffers: 64, BigBuffers: 2})
	c := pool.NewCache()
	tests := []struct {
		name    string
		data    []byte
		v6      bool
		payload int
		mss     uint16
	}{
		{"ipv4", ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, bigPayload(3500)), false, 3500, 1000},
		{"ipv6", ser(t, ethL(layers.EthernetTypeIPv6), ip6L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, bigPayload(2000)), true, 2000, 1000},
		{"ipv4-small", ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolUDP), &layers.UDP{SrcPort: 1, DstPort: 2}, bigPayload(10)), false, 10, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := c.Alloc(len(tc.data))
			defer c.Free(p)
			copy(p.Data(), tc.data)
			p.Meta.GSOType, p.Meta.GSOSize = GSOUDPL4, tc.mss
			var out Batch
			if err := Segment(p, c, &out); err != nil {
				t.Fatal(err)
			}
			defer c.FreeBatch(&out)
			if want := (tc.payload + int(tc.mss) - 1) / int(tc.mss); out.N != want {
				t.Fatalf("%d segments, want %d", out.N, want)
			}
			var all []byte
			for i, s := range out.Slice() {
				checkChecksums(t, s.Data())
				pkt := gopacket.NewPacket(s.Data(), layers.LayerTypeEthernet, gopacket.Default)
				u := pkt.Layer(layers.LayerTypeUDP).(*layers.UDP)
				if int(u.Length) != 8+len(u.Payload) || u.Checksum == 0 {
					t.Errorf("segment %d: udp length %d checksum %x", i, u.Length, u.Checksum)
				}
				if !tc.v6 {
					ip := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
					if ip.Id != uint16(7+i) {
						t.Errorf("segment %d: id %d", i, ip.Id)
					}
				}
				all = append(all, u.Payload...)
			}
			if !bytes.Equal(all, bigPayload(tc.payload)) {
				t.Error("segments do not carry the original payload")
			}
		})
	}
	tcp := ser(t, ethL(layers.EthernetTypeIPv4), ip4L(layers.IPProtocolTCP), &layers.TCP{SrcPort: 1, DstPort: 2}, bigPayload(3000))
	p := c.Alloc(len(tcp))
	defer c.Free(p)
	copy(p.Data(), tcp)
	p.Meta.GSOType, p.Meta.GSOSize = GSOUDPL4, 1000
	var out Batch
	if err := Segment(p, c, &out); !errors.Is(err, ErrBadOffload) {
		t.Errorf("UDP GSO of a TCP packet: %v", err)
	}
}
