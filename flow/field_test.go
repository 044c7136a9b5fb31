package flow

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// copyFieldHex encodes an OpenFlow 1.5 copy_field action moving bit 0 of
// the field with header src to bit 0 of NXM_NX_REG0.
func copyFieldHex(src uint64) string {
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 28) // OFPAT_COPY_FIELD
	b = binary.BigEndian.AppendUint16(b, 0)  // length, below
	b = binary.BigEndian.AppendUint16(b, 1)  // n_bits
	b = append(b, 0, 0, 0, 0, 0, 0)          // src_ofs, dst_ofs, pad
	if src>>32 != 0 {
		b = binary.BigEndian.AppendUint64(b, src)
	} else {
		b = binary.BigEndian.AppendUint32(b, uint32(src))
	}
	b = binary.BigEndian.AppendUint32(b, 0x00010004) // NXM_NX_REG0
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	return hex.EncodeToString(b)
}

// TestHeadersAgainstOVS decodes, with stock ovs-ofctl, an action that names
// each code point of each field and checks that OVS prints the field's
// RefName: the header numbers are OVS's.
func TestHeadersAgainstOVS(t *testing.T) {
	if _, err := exec.LookPath("ovs-ofctl"); err != nil {
		t.Skip("ovs-ofctl not installed")
	}
	type item struct {
		f *Field
		a Assignment
	}
	var items []item
	var in strings.Builder
	for _, f := range Fields() {
		for _, a := range f.Assignments {
			items = append(items, item{f, a})
			in.WriteString(copyFieldHex(a.Header) + "\n")
		}
	}
	cmd := exec.Command("ovs-ofctl", "parse-actions", "OpenFlow15")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ovs-ofctl: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "actions=") {
			lines = append(lines, l)
		}
	}
	if len(lines) != len(items) {
		t.Fatalf("got %d lines for %d headers:\n%s", len(lines), len(items), out)
	}
	for i, it := range items {
		bit := "[0]"
		if it.f.Bits == 1 {
			bit = "[]"
		}
		want := fmt.Sprintf("actions=move:%s%s->NXM_NX_REG0[0]", it.f.RefName, bit)
		if lines[i] != want {
			t.Errorf("%s (%s %#x): ovs says %q, want %q", it.f.Name, it.a.Name, it.a.Header, lines[i], want)
		}
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		hdr  uint64
		want string
	}{
		{"in_port", 0x00000002, "in_port"},
		{"in_port_oxm", 0x80000004, "in_port_oxm"},
		{"nw_src", 0x00000e04, "ip_src"},
		{"ip_src", 0x80001604, "ip_src"},
		{"dl_src", 0x00000406, "eth_src"},
		{"tunnel_id", 0x00012008, "tun_id"},
		{"reg3", 0x00010604, "reg3"},
		{"xxreg1", 0x0001e010, "xxreg1"},
		{"dp_hash", 0xffff000800002320, "dp_hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := LookupName(tt.name)
			if f == nil || f.Name != tt.want {
				t.Fatalf("LookupName(%q) = %v", tt.name, f)
			}
			if g := LookupHeader(tt.hdr); g != f {
				t.Errorf("LookupHeader(%#x) = %v, want %s", tt.hdr, g, f.Name)
			}
		})
	}
	if f := LookupHeader(0x00010708); f == nil || f.Name != "reg3" {
		t.Errorf("masked header: %v", f)
	}
	if f := LookupHeader(0x00010605); f != nil {
		t.Errorf("bad length accepted: %v", f)
	}
	if f := LookupHeader(0xffff010c00002320); f == nil || f.Name != "dp_hash" {
		t.Errorf("masked experimenter header: %v", f)
	}
	if LookupName("NW_SRC") != nil {
		t.Error("names are case-sensitive")
	}
	if f := LookupRefName("OXM_OF_METADATA"); f == nil || f.Name != "metadata" {
		t.Errorf("LookupRefName: %v", f)
	}
	for _, f := range Fields() {
		if FieldByID(f.ID) != f {
			t.Errorf("FieldByID(%d) != %s", f.ID, f.Name)
		}
	}
}

func TestParseFormatValue(t *testing.T) {
	tests := []struct {
		field, in, out string
		err            string
	}{
		{"reg0", "5", "0x5", ""},
		{"reg0", "0x5/0xf", "0x5/0xf", ""},
		{"reg0", "0x100000000", "", "0x100000000: value too large for 4-byte field reg0"},
		{"reg0", "0x00000000001", "0x1", ""},
		{"reg0", "010", "0x8", ""},
		{"reg0", "abc", "", "abc: bad syntax for reg0 value"},
		{"reg0", "1/x", "", "1/x: bad syntax for reg0 mask"},
		{"tp_dst", "80", "80", ""},
		{"tp_dst", "0x50/0xfff0", "80/0xfff0", ""},
		{"nw_ttl", "0x1/0x1", "", "0x1/0x1: invalid mask for field nw_ttl"},
		{"nw_src", "10.0.0.0/8", "10.0.0.0/8", ""},
		{"nw_src", "10.0.0.1/255.0.255.0", "10.0.0.1/255.0.255.0", ""},
		{"nw_src", "10.0.0.1/33", "", "10.0.0.1/33: IPv4 network prefix bits not between 0 and 32, inclusive"},
		{"nw_src", "10.0.0", "", "10.0.0: invalid IP address"},
		{"ipv6_src", "2001:db8::1/64", "2001:db8::1/64", ""},
		{"ipv6_src", "::1.2.3.4", "::1.2.3.4", ""},
		{"ipv6_src", "zz", "", "zz: invalid IPv6 address"},
		{"dl_src", "00:11:22:33:44:55", "00:11:22:33:44:55", ""},
		{"dl_dst", "01:00:00:00:00:00/01:00:00:00:00:00", "01:00:00:00:00:00/01:00:00:00:00:00", ""},
		{"dl_dst", "01:00:00:00:00", "", "01:00:00:00:00: invalid Ethernet address"},
		{"in_port", "LOCAL", "LOCAL", ""},
		{"in_port", "in_port", "IN_PORT", ""},
		{"in_port", "7", "7", ""},
		{"in_port", "foo", "", "foo: invalid or unknown port for in_port"},
		{"in_port_oxm", "4294967294", "LOCAL", ""},
		{"actset_output", "CONTROLLER", "CONTROLLER", ""},
		{"nw_frag", "later", "later", ""},
		{"nw_frag", "not_later", "not_later", ""},
		{"nw_frag", "maybe", "", "maybe: unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", \"not_later\""},
		{"tcp_flags", "+syn-ack", "+syn-ack", ""},
		{"tcp_flags", "syn|ack", "syn|ack", ""},
		{"tcp_flags", "0x2/0x12", "+syn-ack", ""},
		{"tcp_flags", "+syn+syn", "", "syn: Each TCP flag can be specified only once"},
		{"tcp_flags", "+foo", "", "foo: unknown TCP flag(s)"},
		{"ct_state", "+trk+new", "+new+trk", ""},
		{"ct_state", "trk|est", "est|trk", ""},
		{"tun_flags", "+oam", "oam", ""},
		{"packet_type", "(1,0x800)", "(1,0x800)", ""},
		{"packet_type", "(1,0x800", "", "0x800: bad syntax for packet type missing ')'"},
		{"metadata", "*", "ANY", ""},
		{"ct_label", "0x1/0xff", "0x1/0xff", ""},
		{"tun_id", "0x0", "0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.field+"="+tt.in, func(t *testing.T) {
			f := LookupName(tt.field)
			v, m, err := f.ParseValue(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.FormatValueMasked(v, m); got != tt.out {
				t.Errorf("got %q, want %q", got, tt.out)
			}
		})
	}
}

func TestGetSetRoundTrip(t *testing.T) {
	for _, f := range Fields() {
		t.Run(f.Name, func(t *testing.T) {
			var k Key
			v := make([]byte, f.Bytes)
			for i := range v {
				v[i] = byte(0xa5 + i)
			}
			// Keep the value inside the field's bits.
			var full Key
			f.SetMaskAll(&full)
			if full.IsZero() {
				t.Fatal("SetMaskAll set nothing")
			}
			var mm Match
			f.SetMasked(&mm, v, bytes.Repeat([]byte{0xff}, f.Bytes))
			f.Get(&mm.Key, v)
			f.Set(&k, v)
			got := make([]byte, f.Bytes)
			f.Get(&k, got)
			if !bytes.Equal(got, v) && f.ID != FieldDlVLAN {
				t.Errorf("Get after Set = %x, want %x", got, v)
			}
			gv, gm := make([]byte, f.Bytes), make([]byte, f.Bytes)
			f.GetMasked(&mm, gv, gm)
			if !allOnes(gm) {
				t.Errorf("exact mask read back as %x", gm)
			}
			var check Key = mm.Key
			check.And(&mm.Mask)
			if check != mm.Key {
				t.Error("SetMasked left key bits outside the mask")
			}
			f.SetMasked(&mm, v, make([]byte, f.Bytes))
			if !f.IsWild(&mm) {
				t.Error("zero mask did not wildcard the field")
			}
		})
	}
}

func TestVLANMatch(t *testing.T) {
	var m Match
	dlVLAN, pcp := LookupName("dl_vlan"), LookupName("dl_vlan_pcp")
	dlVLAN.SetMasked(&m, []byte{0, 5}, []byte{0xff, 0xff})
	pcp.SetMasked(&m, []byte{3}, []byte{0xff})
	if m.Key.VLANs[0].TCI != 0x7005 || m.Mask.VLANs[0].TCI != 0xffff {
		t.Fatalf("tci %#x/%#x", m.Key.VLANs[0].TCI, m.Mask.VLANs[0].TCI)
	}
	dlVLAN.SetMasked(&m, []byte{0, 0}, []byte{0, 0})
	if m.Key.VLANs[0].TCI != 0x7000 || m.Mask.VLANs[0].TCI != 0xf000 {
		t.Fatalf("after any vid: tci %#x/%#x", m.Key.VLANs[0].TCI, m.Mask.VLANs[0].TCI)
	}
	dlVLAN.SetMasked(&m, []byte{0xff, 0xff}, []byte{0xff, 0xff})
	if m.Key.VLANs[0].TCI != 0 || m.Mask.VLANs[0].TCI != 0xffff {
		t.Fatalf("no vlan: tci %#x/%#x", m.Key.VLANs[0].TCI, m.Mask.VLANs[0].TCI)
	}
}

func TestPrereqs(t *testing.T) {
	tcpDst := LookupName("tcp_dst")
	var k Key
	if tcpDst.PrereqsOK(&k) {
		t.Error("tcp_dst ok without ip")
	}
	k.DlType, k.NwProto = EthTypeIPv4, IPProtoTCP
	if !tcpDst.PrereqsOK(&k) {
		t.Error("tcp_dst not ok with tcp")
	}
	var wc Key
	tcpDst.UnwildcardPrereqs(&k, &wc)
	if wc.DlType != 0xffff || wc.NwProto != 0xff {
		t.Errorf("wc = %#x %#x", wc.DlType, wc.NwProto)
	}
	k.NwFrag = FragAny | FragLater
	if tcpDst.PrereqsOK(&k) {
		t.Error("tcp_dst ok for a later fragment")
	}
	ndSLL := LookupName("nd_sll")
	k = Key{DlType: EthTypeIPv6, NwProto: IPProtoICMPv6, TpSrc: 135}
	if !ndSLL.PrereqsOK(&k) {
		t.Error("nd_sll not ok for NS")
	}
	ctSrc := LookupName("ct_nw_src")
	m := Match{}
	m.Key.CtState, m.Mask.CtState = CtTracked, CtTracked|CtInvalid
	if !ctSrc.MatchPrereqsOK(&m) {
		t.Error("ct_nw_src not ok with +trk-inv")
	}
}

func TestHotPathAllocs(t *testing.T) {
	f := LookupName("xreg1")
	var k, mask Key
	v := make([]byte, 8)
	var m Match
	allocs := testing.AllocsPerRun(100, func() {
		f.Set(&k, v)
		f.Get(&k, v)
		f.SetMaskAll(&mask)
		f.GetMasked(&m, v, v)
		f.UnwildcardPrereqs(&k, &mask)
		_ = f.PrereqsOK(&k)
	})
	if allocs != 0 {
		t.Errorf("allocs = %v", allocs)
	}
}

func BenchmarkFieldGetSet(b *testing.B) {
	f := LookupName("nw_src")
	var k Key
	v := []byte{10, 0, 0, 1}
	for b.Loop() {
		f.Set(&k, v)
		f.Get(&k, v)
	}
}

func BenchmarkUnwildcardPrereqs(b *testing.B) {
	f := LookupName("tcp_dst")
	k := Key{DlType: EthTypeIPv4, NwProto: IPProtoTCP}
	var wc Key
	for b.Loop() {
		f.UnwildcardPrereqs(&k, &wc)
	}
}

func FuzzParseValue(f *testing.F) {
	f.Add("nw_src", "10.0.0.0/8")
	f.Add("tcp_flags", "+syn-ack")
	f.Add("reg0", "0x1/0xf")
	f.Fuzz(func(t *testing.T, name, s string) {
		fd := LookupName(name)
		if fd == nil {
			fd = LookupName("reg0")
		}
		v, m, err := fd.ParseValue(s)
		if err != nil {
			return
		}
		_ = fd.FormatValueMasked(v, m)
		var mt Match
		fd.SetMasked(&mt, v, m)
	})
}
