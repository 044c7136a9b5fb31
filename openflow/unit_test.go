package openflow

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"
)

func TestReader(t *testing.T) {
	hello := []byte{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x12}
	cases := []struct {
		name    string
		in      []byte
		maxLen  int
		wantN   int
		wantErr error
	}{
		{"hello16", hello, 0, 1, io.EOF},
		{"two", append(append([]byte{}, hello...), hello...), 0, 2, io.EOF},
		{"short-header", hello[:5], 0, 0, ErrShortRead},
		{"short-body", hello[:12], 0, 0, ErrShortRead},
		{"len-below-header", []byte{1, 0, 0, 7, 0, 0, 0, 0}, 0, 0, ErrOFPBRCBadLen},
		{"len-zero", []byte{1, 0, 0, 0, 0, 0, 0, 0}, 0, 0, ErrOFPBRCBadLen},
		{"too-long", []byte{1, 0, 0x10, 0, 0, 0, 0, 0}, 1024, 0, ErrOFPBRCBadLen},
		{"empty", nil, 0, 0, io.EOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				r := NewReader(bytes.NewReader(tc.in), tc.maxLen)
				n := 0
				for {
					msg, err := r.Next()
					if err != nil {
						if !errors.Is(err, tc.wantErr) {
							t.Errorf("err = %v, want %v", err, tc.wantErr)
						}
						break
					}
					if !bytes.Equal(msg, hello) {
						t.Errorf("message %x", msg)
					}
					n++
				}
				if n != tc.wantN {
					t.Errorf("%d messages, want %d", n, tc.wantN)
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Reader hung")
			}
		})
	}
}

// TestHello16 decodes the 16-byte HELLO that hangs other Go libraries.
func TestHello16(t *testing.T) {
	m, err := Decode([]byte{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 8, 0, 0, 0, 0x12})
	if err != nil {
		t.Fatal(err)
	}
	h := m.(*Hello)
	if !reflect.DeepEqual(h.Versions, []uint8{1, 4}) {
		t.Errorf("versions %v", h.Versions)
	}
	// Malformed elements are ignored, never looped on.
	for _, b := range [][]byte{
		{4, 0, 0, 12, 0, 0, 0, 1, 0, 1, 0, 0},
		{4, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 0xff, 0, 0, 0, 0x12},
		{0x7f, 0, 0, 8, 0, 0, 0, 1},
	} {
		if _, err := Decode(b); err != nil {
			t.Errorf("Decode(%x): %v", b, err)
		}
	}
}

func TestNegotiateVersion(t *testing.T) {
	all := []uint8{1, 4, 5, 6}
	cases := []struct {
		name string
		ours []uint8
		peer Hello
		want uint8
		ok   bool
	}{
		{"bitmap-highest", all, Hello{Header: Header{Version: 6}, Versions: []uint8{1, 4}}, 4, true},
		{"bitmap-none", []uint8{4}, Hello{Header: Header{Version: 6}, Versions: []uint8{1}}, 0, false},
		{"no-bitmap-lower", all, Hello{Header: Header{Version: 4}}, 4, true},
		{"no-bitmap-higher", all, Hello{Header: Header{Version: 9}}, 6, true},
		{"no-bitmap-unsupported", all, Hello{Header: Header{Version: 2}}, 2, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := NegotiateVersion(tc.ours, &tc.peer)
			if v != tc.want && tc.ok || ok != tc.ok {
				t.Errorf("got %d %v, want %d %v", v, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestMatch10Conversion(t *testing.T) {
	cases := []struct {
		name string
		m    Match10
		n    int // fields expected
	}{
		{"all-wild", Match10{Wildcards: 0x3820ff}, 0},
		{"in_port", Match10{Wildcards: 0x3820fe, InPort: 3}, 1},
		{"ip-cidr", Match10{Wildcards: 0x3820ff&^ofpfwDlType&^(0x3f<<8) | 8<<8, DlType: 0x800, NwSrc: 0x0a000000}, 2},
		{"tcp-ports", Match10{Wildcards: 0x3820ff &^ (ofpfwDlType | ofpfwNwProto | ofpfwTpDst), DlType: 0x800, NwProto: 6, TpDst: 80}, 3},
		{"vlan-none", Match10{Wildcards: 0x3820ff &^ ofpfwDlVLAN, DlVLAN: 0xffff}, 1},
		{"pcp-only", Match10{Wildcards: 0x3820ff &^ ofpfwDlVLANPCP, DlVLANPCP: 5}, 1},
		{"tp-without-proto-dropped", Match10{Wildcards: 0x3820ff &^ (ofpfwDlType | ofpfwTpDst), DlType: 0x800, TpDst: 80}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.m.ToFields()
			if len(f.Fields) != tc.n {
				t.Fatalf("fields %+v", f.Fields)
			}
			back, err := Match10FromFields(&f)
			if err != nil {
				t.Fatal(err)
			}
			again := back.ToFields()
			if !reflect.DeepEqual(f, again) {
				t.Errorf("round trip %+v != %+v", f, again)
			}
		})
	}
	bad := Match{Fields: []MatchField{{Header: NXMReg(0), Value: u32b(1)}}}
	if _, err := Match10FromFields(&bad); !errors.Is(err, ErrOFPBMCBadField) {
		t.Errorf("reg0 in OF1.0 match: %v", err)
	}
	nonCIDR := Match{Fields: []MatchField{{Header: NXMEthType, Value: u16b(0x800)}, {Header: NXMIPSrc, Value: u32b(0x0a000001), Mask: u32b(0xff0000ff)}}}
	if _, err := Match10FromFields(&nonCIDR); !errors.Is(err, ErrOFPBMCBadNwAddrMask) {
		t.Errorf("non-CIDR mask: %v", err)
	}
}

func TestRegLoadConversion(t *testing.T) {
	cases := []struct {
		name       string
		header     uint64
		ofs, nbits int
		v          uint64
		value      []byte
		mask       []byte
	}{
		{"reg0[3..7]", NXMReg(0), 3, 5, 5, []byte{0, 0, 0, 0x28}, []byte{0, 0, 0, 0xf8}},
		{"reg1[]", NXMReg(1), 0, 32, 0xdeadbeef, []byte{0xde, 0xad, 0xbe, 0xef}, []byte{0xff, 0xff, 0xff, 0xff}},
		{"eth_dst[40..47]", NXMEthDst, 40, 8, 1, []byte{1, 0, 0, 0, 0, 0}, []byte{0xff, 0, 0, 0, 0, 0}},
		{"tun_id[]", NXMTunID, 0, 64, ^uint64(0), bytes.Repeat([]byte{0xff}, 8), bytes.Repeat([]byte{0xff}, 8)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, err := regLoadToSetField(tc.header, tc.ofs, tc.nbits, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			sf := a.(SetField)
			if !bytes.Equal(sf.Value, tc.value) || !bytes.Equal(sf.Mask, tc.mask) {
				t.Fatalf("value %x mask %x", sf.Value, sf.Mask)
			}
			ofs, nbits, v, ok := setFieldToRegLoad(sf)
			if !ok || ofs != tc.ofs || nbits != tc.nbits || v != tc.v {
				t.Errorf("back: %d %d %#x %v", ofs, nbits, v, ok)
			}
		})
	}
	if _, err := regLoadToSetField(NXMReg(0), 30, 4, 1); !errors.Is(err, ErrOFPBACBadSetLen) {
		t.Errorf("out of range: %v", err)
	}
	if _, err := regLoadToSetField(NXMReg(0), 0, 2, 4); !errors.Is(err, ErrOFPBACBadArgument) {
		t.Errorf("value too wide: %v", err)
	}
}

func TestEncodeErrors(t *testing.T) {
	cases := []struct {
		name string
		m    Message
		want Error
	}{
		{"goto-in-of10", &FlowMod{Header: Header{Version: Version10}, Actions: []Action{GotoTable{Table: 1}}}, ErrOFPBICUnsupInst},
		{"meter-in-of10", &FlowMod{Header: Header{Version: Version10}, Actions: []Action{Meter{ID: 1}}}, ErrOFPBICUnsupInst},
		{"reg-in-of10-match", &FlowMod{Header: Header{Version: Version10}, Match: Match{Fields: []MatchField{{Header: NXMReg(0), Value: u32b(1)}}}}, ErrOFPBMCBadField},
		{"bad-field-len", &FlowMod{Header: Header{Version: Version13}, Match: Match{Fields: []MatchField{{Header: NXMReg(0), Value: []byte{1}}}}}, ErrOFPBMCBadLen},
		{"unknown-other-version", &FlowMod{Header: Header{Version: Version13}, Actions: []Action{Unknown{Name: "learn", Err: ErrOFPBACBadVendorType, Raw: make([]byte, 8), Version: Version10}}}, ErrOFPBACBadVendorType},
		{"bad-version", &EchoRequest{Header: Header{Version: 9}}, ErrOFPBRCBadVersion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Encode(tc.m)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %s", err, tc.want.Name())
			}
		})
	}
}

// BenchmarkReaderNext measures splitting a stream of small messages.
func BenchmarkReaderNext(b *testing.B) {
	msg := []byte{4, 2, 0, 16, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}
	stream := bytes.Repeat(msg, 1024)
	src := bytes.NewReader(stream)
	r := NewReader(src, MaxMessageLen)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := r.Next(); err != nil {
			src.Reset(stream)
			if _, err := r.Next(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func TestReaderNextAllocs(t *testing.T) {
	msg := []byte{4, 2, 0, 16, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}
	stream := bytes.Repeat(msg, 200)
	src := bytes.NewReader(stream)
	r := NewReader(src, MaxMessageLen)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Reader.Next allocates %.1f times per message", allocs)
	}
}

func TestEncodeStatsRepliesSplits(t *testing.T) {
	var flows []FlowStats
	for i := 0; i < 3000; i++ {
		flows = append(flows, FlowStats{Priority: uint16(i), Match: Match{Fields: []MatchField{reg(0, uint32(i))}},
			Actions: []Action{Output{Port: Port(i%100 + 1)}, Resubmit{InPort: PortInPort, Table: 3}}})
	}
	for _, tc := range []struct {
		v  uint8
		nx bool
	}{{Version10, true}, {Version13, false}, {Version15, false}} {
		m := &StatsReply{Header: Header{Version: tc.v, XID: 9}, Kind: StatsFlow, NX: tc.nx, Flows: flows}
		msgs, err := EncodeStatsReplies(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) < 2 {
			t.Fatalf("v%d: %d messages", tc.v, len(msgs))
		}
		total := 0
		for i, b := range msgs {
			if len(b) > MaxMessageLen {
				t.Fatalf("message %d is %d bytes", i, len(b))
			}
			d, err := Decode(b)
			if err != nil {
				t.Fatalf("v%d message %d: %v", tc.v, i, err)
			}
			r := d.(*StatsReply)
			if more := r.Flags&StatsMore != 0; more != (i < len(msgs)-1) {
				t.Errorf("message %d more=%v", i, more)
			}
			if r.XID != 9 {
				t.Errorf("xid %d", r.XID)
			}
			total += len(r.Flows)
		}
		if total != len(flows) {
			t.Errorf("v%d: %d flows after split, want %d", tc.v, total, len(flows))
		}
	}
	one, err := EncodeStatsReplies(&StatsReply{Header: Header{Version: Version13}, Kind: StatsDesc}, 0)
	if err != nil || len(one) != 1 {
		t.Fatalf("desc: %v %d", err, len(one))
	}
}

// TestMatch10FromOXM checks that OXM-headed fields (as decoded from OF1.2+)
// convert to an OF1.0 match like their NXM equivalents.
func TestMatch10FromOXM(t *testing.T) {
	nxm := Match{Fields: []MatchField{
		{Header: NXMInPort, Value: u16b(3)}, {Header: NXMEthType, Value: u16b(0x800)},
		{Header: NXMIPProto, Value: []byte{6}}, {Header: NXMIPSrc, Value: u32b(0x0a000000), Mask: u32b(0xff000000)},
		{Header: NXMTCPDst, Value: u16b(80)},
	}}
	oxm := Match{Fields: []MatchField{
		{Header: OXMInPort, Value: u32b(3)}, {Header: oxmEthType, Value: u16b(0x800)},
		{Header: oxmIPProto, Value: []byte{6}}, {Header: oxmIPv4Src, Value: u32b(0x0a000000), Mask: u32b(0xff000000)},
		{Header: oxmTCPDst, Value: u16b(80)},
	}}
	a, err1 := Match10FromFields(&nxm)
	b, err2 := Match10FromFields(&oxm)
	if err1 != nil || err2 != nil || a != b {
		t.Errorf("NXM %+v (%v) != OXM %+v (%v)", a, err1, b, err2)
	}
}

func benchMessages(b *testing.B) [][]byte {
	fm := &FlowMod{Header: Header{Version: Version13, XID: 1}, Command: FlowAdd, Priority: 100, BufferID: NoBuffer,
		OutPort: PortNone, OutGroup: GroupAny, CookieMask: ^uint64(0),
		Match: Match{Fields: []MatchField{{Header: OXMInPort, Value: u32b(1)}, {Header: oxmEthType, Value: u16b(0x800)},
			{Header: oxmIPv4Dst, Value: u32b(0x0a000000), Mask: u32b(0xff000000)}, reg(0, 5)}},
		Actions: []Action{SetField{Header: NXMReg(1), Value: u32b(7), Mask: u32b(0xffffffff)}, Resubmit{InPort: PortInPort, Table: 3}, Output{Port: 2}, GotoTable{Table: 4}}}
	pi := &PacketIn{Header: Header{Version: Version13}, Format: PacketInNX2, BufferID: NoBuffer, TotalLen: uint16(len(testPacket)),
		Match: Match{Fields: []MatchField{{Header: OXMInPort, Value: u32b(1)}, reg(0, 5)}}, Data: testPacket, UserData: []byte{1, 2, 3}}
	var out [][]byte
	for _, m := range []Message{fm, pi} {
		e, err := Encode(m)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// BenchmarkDecode measures decoding a typical OF1.3 flow_mod and
// NXT_PACKET_IN2 (controller-channel work, not the packet fast path).
func BenchmarkDecode(b *testing.B) {
	msgs := benchMessages(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode measures encoding the same messages.
func BenchmarkEncode(b *testing.B) {
	msgs := benchMessages(b)
	var ms []Message
	for _, raw := range msgs {
		m, err := Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		ms = append(ms, m)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if buf, err = AppendEncode(buf[:0], ms[i%len(ms)]); err != nil {
			b.Fatal(err)
		}
	}
}
