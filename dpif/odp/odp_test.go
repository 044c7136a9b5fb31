package odp

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"govs.dev/govs/flow"
)

func formatKey(k, m *flow.Key, verbose bool) string {
	var b strings.Builder
	FormatKey(&b, k, m, nil, verbose)
	return b.String()
}

func TestParseKeyErrors(t *testing.T) {
	for _, s := range []string{
		"in_port(1",
		"in_port(1))",
		"in_port(x)",
		"bogus(1)",
		"eth(src=00:01)",
		"eth(src=00:01:02:03:04:05,src=00:01:02:03:04:05)",
		"in_port(1),in_port(2)",
		"ipv4(src=1.2.3)",
		"ipv4(src=1.2.3.256)",
		"ipv4(frag=maybe)",
		"ipv4(proto=256)",
		"eth_type(0x0800),ipv6()",
		"eth_type(0x0800/0xff00),ipv4()",
		"eth_type(0x0806),arp(op=256)",
		"ipv4(proto=17),tcp()",
		"eth_type(0x0806),tcp()",
		"ipv4(frag=later),tcp()",
		"ipv6(proto=58),icmpv6(type=128),nd(target=::1)",
		"ipv4(),icmpv6()",
		"tcp(),udp()",
		"vlan(vid=5)",
		"eth_type(0x8100),vlan(vid=4096),encap()",
		"eth_type(0x8100),vlan(vid=5,cfi=0),encap()",
		"eth_type(0x8100),vlan(vid=5),encap(in_port(1))",
		"eth_type(0x0001/0x00ff)",
		"ct_state(+bogus)",
		"ct_state(+trk+trk)",
		"ct_state(trk",
		"tcp_flags(syn)",
		"ct_tuple4(proto=6),eth_type(0x86dd),ipv6()",
		"tunnel(ttl=64)",
		"tunnel(src=1.1.1.1,ipv6_src=::1)",
		"mpls(label=1,tc=0,ttl=64,bos=0)",
		"mpls(label=1048576)",
		"packet_type(ns=1,id=0x800),eth()",
		"ufid:xyz in_port(1)",
		strings.Repeat("encap(", 100),
		"eth_type(0x8100),vlan(vid=1),encap(" + strings.Repeat("eth_type(0x8100),vlan(vid=1),encap(", 50),
	} {
		_, _, err := ParseKey(s, nil)
		if err == nil {
			t.Errorf("ParseKey(%q): no error", s)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseKey(%q): error %v does not wrap ErrSyntax", s, err)
		}
	}
}

func TestParseKeyDefaults(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		check func(k, m *flow.Key) bool
	}{
		{"recirc_id exact 0 by default", "in_port(1)", func(k, m *flow.Key) bool {
			return k.RecircID == 0 && m.RecircID == 0xffffffff && m.InPort == 0xffffffff
		}},
		{"untagged unless a tag is given", "in_port(1),eth()", func(k, m *flow.Key) bool {
			return m.VLANs[0] == flow.VLAN{TPID: 0xffff, TCI: 0xffff} && k.VLANs[0] == flow.VLAN{}
		}},
		{"ipv4 implies eth_type", "ipv4(src=1.2.3.4)", func(k, m *flow.Key) bool {
			return k.DlType == 0x0800 && m.DlType == 0xffff && k.NwSrc == 0x01020304 && m.NwSrc == 0xffffffff
		}},
		{"tcp implies the protocol", "eth_type(0x86dd),ipv6(),tcp(dst=80)", func(k, m *flow.Key) bool {
			return k.NwProto == 6 && m.NwProto == 0xff && k.TpDst == 80 && m.TpDst == 0xffff && m.TpSrc == 0
		}},
		{"frag", "ipv4(frag=later)", func(k, m *flow.Key) bool {
			return k.NwFrag == flow.FragAny|flow.FragLater && m.NwFrag == flow.FragMask
		}},
		{"vlan tag", "eth(),eth_type(0x88a8),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4())", func(k, m *flow.Key) bool {
			return k.VLANs[0] == flow.VLAN{TPID: 0x88a8, TCI: 0x1000 | 3<<13 | 10} &&
				m.VLANs[0] == flow.VLAN{TPID: 0xffff, TCI: 0xffff} && k.DlType == 0x0800
		}},
		{"ct_state flags are exact on the known bits", "ct_state(trk|est)", func(k, m *flow.Key) bool {
			return k.CtState == flow.CtTracked|flow.CtEstablished && m.CtState == 0xff
		}},
		{"icmp type and code are 8 bits", "ipv4(proto=1),icmp(type=8,code=0)", func(k, m *flow.Key) bool {
			return k.TpSrc == 8 && m.TpSrc == 0xff && m.TpDst == 0xff
		}},
		{"arp op", "eth_type(0x0806),arp(op=2)", func(k, m *flow.Key) bool {
			return k.NwProto == 2 && m.NwProto == 0xff
		}},
		{"octal and hex numbers as C's %i", "skb_mark(010/0x0f)", func(k, m *flow.Key) bool {
			return k.PktMark == 8 && m.PktMark == 15
		}},
		{"ufid prefix", "ufid:6e85f443-9604-45b4-8bf9-6f34aebc71bc, in_port(3)", func(k, m *flow.Key) bool {
			return k.InPort == 3
		}},
		{"ct_label", "ct_label(0x1/0x3)", func(k, m *flow.Key) bool {
			return k.CtLabel[15] == 1 && m.CtLabel[15] == 3 && m.CtLabel[0] == 0
		}},
		{"tunnel", "tunnel(tun_id=0x5,src=1.1.1.1,dst=2.2.2.2,ttl=64,flags(+df))", func(k, m *flow.Key) bool {
			return k.TunID == 5 && k.TunFlags == flow.TunFlagKey|flow.TunFlagDontFrag &&
				m.TunFlags == flow.TunFlagDontFrag && k.TunDst == mapV4(0x02020202) && k.TunTTL == 64
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, m, err := ParseKey(tt.in, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(&k, &m) {
				t.Errorf("ParseKey(%q) = %+v / %+v", tt.in, k, m)
			}
		})
	}
}

func TestPortNames(t *testing.T) {
	k, m, err := ParseKey("in_port(q2),eth(),eth_type(0x0800),ipv4()", testPortByName)
	if err != nil || k.InPort != 2 || m.InPort != 0xffffffff {
		t.Fatalf("ParseKey by name: %v %d/%#x", err, k.InPort, m.InPort)
	}
	var b strings.Builder
	FormatKey(&b, &k, &m, testPortName, false)
	if got := b.String(); !strings.Contains(got, "in_port(q2)") {
		t.Errorf("FormatKey with names: %s", got)
	}
	if _, _, err := ParseKey("in_port(q9)", testPortByName); err == nil {
		t.Error("unknown port name accepted")
	}
	acts, err := ParseActions("q1,clone(q2),3", testPortByName)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	FormatActions(&b, acts, testPortName)
	if b.String() != "q1,clone(q2),3" {
		t.Errorf("named actions: %s", b.String())
	}
	b.Reset()
	FormatActions(&b, acts, nil)
	if b.String() != "1,clone(2),3" {
		t.Errorf("numbered actions: %s", b.String())
	}
}

func TestParseActionsErrors(t *testing.T) {
	for _, s := range []string{
		"bogus",
		"2x",
		"1 2)",
		"set(in_port(1))",
		"set(ipv4(src=1.1.1.1/0.0.0.0))",
		"set(ipv4(src=1.1.1.1)",
		"set(encap())",
		"push_vlan(vid=4096,pcp=0)",
		"push_vlan(vid=1)",
		"recirc(x)",
		"clone(1",
		"userspace(pid=1,slow_path(bogus))",
		"userspace(pid=1,userdata(123))",
		"userspace(pid=1,controller(reason=1))",
		"trunc(-1)",
		strings.Repeat("clone(", 100),
	} {
		_, err := ParseActions(s, nil)
		if err == nil {
			t.Errorf("ParseActions(%q): no error", s)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseActions(%q): error %v does not wrap ErrSyntax", s, err)
		}
	}
}

func TestParseActionsValues(t *testing.T) {
	acts, err := ParseActions("drop", nil)
	if err != nil || len(acts) != 0 {
		t.Fatalf("drop: %v %v", acts, err)
	}
	acts, err = ParseActions("recirc(0x1f),hash(l4(7)),push_vlan(tpid=0x88a8,vid=5,pcp=2),pop_vlan,trunc(64),userspace(pid=3,slow_path(lacp|match))", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Action{
		{Type: ActRecirc, ID: 0x1f},
		{Type: ActHash, Basis: 7},
		{Type: ActPushVLAN, TPID: 0x88a8, TCI: 0x1000 | 2<<13 | 5},
		{Type: ActPopVLAN},
		{Type: ActTrunc, Len: 64},
	}
	for i, w := range want {
		if !reflect.DeepEqual(acts[i], w) {
			t.Errorf("action %d = %+v, want %+v", i, acts[i], w)
		}
	}
	u := acts[5].Userspace
	if acts[5].Type != ActUserspace || u.PID != 3 || u.Kind != UserspaceSlowPath || u.Reason != SlowLACP|SlowMatch {
		t.Errorf("userspace = %+v", u)
	}
	var b strings.Builder
	FormatActions(&b, acts, nil)
	if got := b.String(); got != "recirc(0x1f),hash(l4(7)),push_vlan(tpid=0x88a8,vid=5,pcp=2),pop_vlan,trunc(64),userspace(pid=3,slow_path(lacp,match))" {
		t.Errorf("FormatActions = %s", got)
	}
}

// A SetMasked that rewrites several attributes prints one set() per
// attribute in the order OVS commits them.
func TestFormatSetGroups(t *testing.T) {
	var s SetMasked
	s.Value.DlType, s.Value.NwProto = 0x0800, 6
	s.Value.DlSrc = [6]byte{0, 0, 0, 0, 0, 1}
	s.Mask.DlSrc = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	s.Value.NwDst, s.Mask.NwDst = 0x0a000001, 0xffffffff
	s.Value.NwTTL, s.Mask.NwTTL = 63, 0xff
	s.Value.TpDst, s.Mask.TpDst = 8080, 0xffff
	s.Value.PktMark, s.Mask.PktMark = 7, 0xff
	var b strings.Builder
	FormatActions(&b, []Action{{Type: ActSet, Set: &s}, {Type: ActOutput, Port: 2}}, nil)
	want := "set(eth(src=00:00:00:00:00:01)),set(ipv4(dst=10.0.0.1,ttl=63)),set(tcp(dst=8080)),set(skb_mark(0x7/0xff)),2"
	if b.String() != want {
		t.Errorf("got  %s\nwant %s", b.String(), want)
	}
	acts, err := ParseActions(want, nil)
	if err != nil || len(acts) != 5 {
		t.Fatalf("ParseActions: %v %v", acts, err)
	}
}

// FormatKey prints a tcp_flags attribute for a key with TCP flags even when
// the mask wildcards them, as stock does in verbose dumps.
func TestFormatKeyVerboseTCPFlags(t *testing.T) {
	k, m, err := ParseKey("in_port(1),eth(),eth_type(0x0800),ipv4(proto=6),tcp()", nil)
	if err != nil {
		t.Fatal(err)
	}
	k.TCPFlags = 0x12
	if got := formatKey(&k, &m, true); !strings.HasSuffix(got, ",tcp(src=0/0,dst=0/0),tcp_flags(0/0)") {
		t.Errorf("verbose: %s", got)
	}
	if got := formatKey(&k, &m, false); strings.Contains(got, "tcp_flags") {
		t.Errorf("plain: %s", got)
	}
}

func TestFormatKeyEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		key  func(k, m *flow.Key)
		want string
	}{
		{"802.2 frame", func(k, m *flow.Key) {
			k.DlType, m.DlType = dlTypeNone, 0xffff
		}, "recirc_id(0),in_port(1),eth(),eth_type(0/0xffff)"},
		{"ipv4-compatible ipv6 like inet_ntop", func(k, m *flow.Key) {
			k.DlType, m.DlType = 0x86dd, 0xffff
			k.IPv6Src = [16]byte{12: 1, 13: 2, 14: 3, 15: 4}
			for i := range m.IPv6Src {
				m.IPv6Src[i] = 0xff
			}
		}, "recirc_id(0),in_port(1),eth(),eth_type(0x86dd),ipv6(src=::1.2.3.4)"},
		{"truncated vlan header", func(k, m *flow.Key) {
			k.DlType, m.DlType = 0x8100, 0xffff
			m.VLANs[0] = flow.VLAN{TPID: 0xffff, TCI: 0xffff}
		}, "recirc_id(0),in_port(1),eth(),eth_type(0x8100),vlan(vid=0,pcp=0,cfi=0),encap()"},
		{"non-ethernet packet", func(k, m *flow.Key) {
			k.PacketType, m.PacketType = 1<<16|0x0800, 0xffffffff
			k.DlType, m.DlType = 0x0800, 0xffff
		}, "recirc_id(0),in_port(1),packet_type(ns=1,id=0x800),eth_type(0x0800)"},
		{"unknown ct_state and tcp flag bits", func(k, m *flow.Key) {
			k.CtState, m.CtState = 0x100|flow.CtNew, 0xffffffff
		}, "ct_state(new|0x100),recirc_id(0),in_port(1),eth()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var k, m flow.Key
			k.InPort, m.InPort, m.RecircID = 1, 0xffffffff, 0xffffffff
			tt.key(&k, &m)
			if got := formatKey(&k, &m, false); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestFormatStats(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		packets, bytes uint64
		used           time.Time
		flags          uint16
		want           string
	}{
		{0, 0, time.Time{}, 0, ", packets:0, bytes:0, used:never"},
		{1, 60, now.Add(-time.Millisecond), 0x02, ", packets:1, bytes:60, used:0.001s, flags:S"},
		{7, 700, now.Add(-1500*time.Millisecond - 400*time.Microsecond), 0x1ff, ", packets:7, bytes:700, used:1.500s, flags:SFPRU.ECN"},
		{1, 1, now, 0xe00, ", packets:1, bytes:1, used:0.000s, flags:[200][400][800]"},
	}
	for _, tt := range tests {
		var b strings.Builder
		FormatStats(&b, tt.packets, tt.bytes, tt.used, now, tt.flags)
		if b.String() != tt.want {
			t.Errorf("got %q want %q", b.String(), tt.want)
		}
	}
}

func TestUFID(t *testing.T) {
	const s = "ufid:6e85f443-9604-45b4-8bf9-6f34aebc71bc"
	u, err := ParseUFID(s)
	if err != nil {
		t.Fatal(err)
	}
	if u != (UFID{0x6e85f443, 0x960445b4, 0x8bf96f34, 0xaebc71bc}) {
		t.Errorf("ParseUFID = %#x", u)
	}
	var b strings.Builder
	FormatUFID(&b, u)
	if b.String() != s {
		t.Errorf("FormatUFID = %s", b.String())
	}
	for _, bad := range []string{"", "ufid:", "6e85f443-9604-45b4-8bf9-6f34aebc71bc", "ufid:6e85f443-9604-45b4-8bf9-6f34aebc71bx", "ufid:6e85f443x9604-45b4-8bf9-6f34aebc71bc"} {
		if _, err := ParseUFID(bad); err == nil {
			t.Errorf("ParseUFID(%q): no error", bad)
		}
	}
}

func BenchmarkFormatKey(b *testing.B) {
	k, m, err := ParseKey(oracleCases[12].key, nil)
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	b.ReportAllocs()
	for b.Loop() {
		sb.Reset()
		FormatKey(&sb, &k, &m, nil, false)
	}
}

func BenchmarkParseKey(b *testing.B) {
	s := oracleCases[12].key
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseKey(s, nil); err != nil {
			b.Fatal(err)
		}
	}
}
