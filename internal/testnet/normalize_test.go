package testnet

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// capture reads a stock output written by testdata/gen-captures.sh.
func capture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stock", name))
	if err != nil {
		t.Fatalf("read capture (regenerate with testdata/gen-captures.sh): %v", err)
	}
	return string(b)
}

// normalisers names every normaliser with the captures it applies to.
var normalisers = []struct {
	name     string
	norm     Normalizer
	captures []string
	// absent must not appear in the normalised output; present must.
	absent, present []string
}{
	{"DumpFlowsSorted", DumpFlowsSorted, []string{"dump-flows.of10", "dump-flows.of13", "dump-flows.of15"},
		[]string{"duration=", "idle_age="}, []string{"n_packets=1, n_bytes=118", "cookie=0x5", "hard_timeout=300"}},
	{"DumpFlows", DumpFlows, []string{"dump-flows.of10", "dump-flows.of13", "dump-flows.of15"},
		[]string{"duration=", "idle_age="}, []string{"table=2"}},
	{"DumpPorts", DumpPorts, []string{"dump-ports.of10", "dump-ports.of13"},
		[]string{"duration="}, []string{"port LOCAL", "rx pkts=2, bytes=160"}},
	{"DpctlFlows", DpctlFlows, []string{"dpctl-dump-flows", "dpctl-dump-flows-m"},
		[]string{"ufid:", "used:", "flow-dump from", "dp-extra-info", "100,pop_vlan"},
		[]string{"actions:ct,recirc(0x1)", "sorted(", "packets:0, bytes:0"}},
	{"FdbShow", FdbShow, []string{"fdb-show"}, []string{"Age"}, []string{"50:54:00:00:00:03"}},
	{"DpifShow", DpifShow, []string{"dpif-show"}, nil, []string{"dummy@ovs-dummy", "p5 1/5: (dummy)"}},
	{"Trace", Trace, []string{"trace-ct", "trace-normal"}, nil,
		[]string{"Megaflow: recirc_id=0x1,eth,tcp,in_port=1,nw_ttl=64,nw_frag=no", "Datapath actions: set(ipv4(ttl=63)),6", "Resuming from table 1"}},
	{"VsctlList", VsctlList(), []string{"list-interface"},
		[]string{"_uuid", "mac_in_use", "aa:55:aa"}, []string{"name: p5", "statistics: {"}},
	{"VsctlListColumns", VsctlList("name", "ofport", "type"), []string{"list-interface"},
		[]string{"_uuid", "statistics"}, []string{"name: br1\nofport: 65534\ntype: internal\n"}},
}

// TestNormalisersOnStockCaptures checks, on two stock runs that differ in
// timing and hash order, that each normaliser makes them equal, removes
// what it must remove, keeps what it must keep, and is idempotent.
func TestNormalisersOnStockCaptures(t *testing.T) {
	for _, tc := range normalisers {
		for _, c := range tc.captures {
			t.Run(tc.name+"/"+c, func(t *testing.T) {
				r1, r2 := capture(t, c+".run1.txt"), capture(t, c+".run2.txt")
				n1, n2 := tc.norm(r1), tc.norm(r2)
				if n1 != n2 {
					t.Errorf("runs differ after normalisation:\n--- run1\n%s--- run2\n%s", n1, n2)
				}
				if again := tc.norm(n1); again != n1 {
					t.Errorf("not idempotent:\n--- once\n%s--- twice\n%s", n1, again)
				}
				for _, a := range tc.absent {
					if strings.Contains(n1, a) {
						t.Errorf("normalised output still contains %q:\n%s", a, n1)
					}
				}
				for _, p := range tc.present {
					if !strings.Contains(n1, p) && strings.HasPrefix(c, tc.captures[0]) {
						t.Errorf("normalised output lacks %q:\n%s", p, n1)
					}
				}
			})
		}
	}
}

func TestTraceRenumbersRecirc(t *testing.T) {
	// The same trace as if the datapath had allocated recirculation ID 0x2a.
	orig := capture(t, "trace-ct.run1.txt")
	shifted := strings.ReplaceAll(orig, "recirc(0x1)", "recirc(0x2a)")
	shifted = strings.ReplaceAll(shifted, "recirc_id=0x1,", "recirc_id=0x2a,")
	if shifted == orig {
		t.Fatal("capture has no recirculation to shift")
	}
	if a, b := Trace(orig), Trace(shifted); a != b {
		t.Errorf("recirc IDs not renumbered:\n%s\nvs\n%s", a, b)
	}
	if got := Trace("Megaflow: recirc_id=0,eth\n"); got != "Megaflow: recirc_id=0,eth\n" {
		t.Errorf("recirc_id 0 changed: %q", got)
	}
	if got := Trace("recirc(0x7) recirc_id(0x9) recirc_id=0x7\n"); got != "recirc(0x1) recirc_id(0x2) recirc_id=0x1\n" {
		t.Errorf("renumbering: %q", got)
	}
}

func TestDpctlFlowsRenumbersRecirc(t *testing.T) {
	a := "recirc_id(0x5),in_port(1), packets:0, actions:2\nrecirc_id(0),in_port(1), packets:0, actions:ct,recirc(0x5)\n"
	b := "recirc_id(0),in_port(1), packets:0, actions:ct,recirc(0x9)\nrecirc_id(0x9),in_port(1), packets:0, actions:2\n"
	if na, nb := DpctlFlows(a), DpctlFlows(b); na != nb || !strings.Contains(na, "recirc(0x1)") {
		t.Errorf("not equal after renumbering:\n%s\n%s", na, nb)
	}
	c := "recirc_id(0),in_port(1), actions:userspace(pid=0,controller(reason=2,recirc_id=2,rule_cookie=0))\n"
	if got := DpctlFlows(c); !strings.Contains(got, "recirc_id=0x1,") {
		t.Errorf("controller recirc_id not renumbered: %s", got)
	}
}

func TestCanonicalOutputs(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2", "2"},
		{"drop", "drop"},
		{"pop_vlan,2", "pop_vlan,2"},
		{"set(ipv4(ttl=63)),2,3", "set(ipv4(ttl=63)),2,3"},
		{"ct,recirc(0x1)", "ct,recirc(0x1)"},
		{"3,2", "sorted(2 3)"},
		{"2,drop", "2,drop"},
		{"push_vlan(vid=10,pcp=0),3,100,pop_vlan,2", "sorted(2 push_vlan(vid=10,pcp=0):100 push_vlan(vid=10,pcp=0):3)"},
		{"2,push_vlan(vid=10,pcp=0),100,3", "sorted(2 push_vlan(vid=10,pcp=0):100 push_vlan(vid=10,pcp=0):3)"},
		{"pop_vlan,5,push_vlan(vid=20,pcp=0),6", "sorted(pop_vlan,push_vlan(vid=20,pcp=0):6 pop_vlan:5)"},
		{"p1,br0", "sorted(br0 p1)"},
		{"", ""},
		{"((,", "((,"},
	} {
		if got := CanonicalOutputs(tc.in); got != tc.want {
			t.Errorf("CanonicalOutputs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTrimAndSortLines(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    Normalizer
		in   string
		want string
	}{
		{"trim-empty", Trim, "", ""},
		{"trim-blank", Trim, " \n\n", ""},
		{"trim-trailing", Trim, "a  \nb\t\n\n", "a\nb\n"},
		{"trim-no-newline", Trim, "a", "a\n"},
		{"log-timestamps", LogTimestamps, "2026-11-21T16:12:48Z|00001|daemon_unix|WARN|x\n2026-11-21T16:12:48.123Z|00002|m|INFO|y\nplain\n", "daemon_unix|WARN|x\nm|INFO|y\nplain\n"},
		{"sort", SortLines, "b\na\n", "a\nb\n"},
		{"chain", Chain(Trim, SortLines), "b \na", "a\nb\n"},
		{"dumpflows-header-first", DumpFlowsSorted, "NXST_FLOW reply (xid=0x4):\n z\n a\n", "NXST_FLOW reply (xid=0x4):\n a\n z\n"},
		{"fdb-empty", FdbShow, " port  VLAN  MAC                Age\n", " port  VLAN  MAC\n"},
		{"vsctl-empty", VsctlList(), "", ""},
		{"dpctl-empty", DpctlFlows, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.n(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLogProblems(t *testing.T) {
	log := "2026-11-21T16:08:08.855Z|00001|vlog|INFO|opened log file\n" +
		"2026-11-21T16:08:08.856Z|00002|bridge|WARN|something odd\n" +
		"2026-11-21T16:08:08.857Z|00003|netdev|ERR|broken\n" +
		"a line mentioning |WARN| in text\n"
	got := LogProblems(log, Govs)
	if len(got) != 2 || !strings.Contains(got[0], "something odd") || !strings.Contains(got[1], "broken") {
		t.Errorf("LogProblems = %q", got)
	}
	if got := LogProblems(log, Govs, regexp.MustCompile(`^something`)); len(got) != 1 {
		t.Errorf("allow list ignored: %q", got)
	}
	if got := LogProblems("", Stock); got != nil {
		t.Errorf("empty log: %q", got)
	}
}

func FuzzNormalisers(f *testing.F) {
	for _, tc := range normalisers {
		for _, c := range tc.captures {
			b, err := os.ReadFile(filepath.Join("testdata", "stock", c+".run1.txt"))
			if err == nil {
				f.Add(string(b))
			}
		}
	}
	all := []Normalizer{Trim, LogTimestamps, SortLines, DumpFlows, DumpFlowsSorted, DumpPorts, DpctlFlows, FdbShow, DpifShow, Trace, VsctlList(), VsctlList("name")}
	f.Fuzz(func(t *testing.T, s string) {
		for i, n := range all {
			once := n(s)
			if twice := n(once); twice != once {
				t.Errorf("normaliser %d not idempotent on %q: %q then %q", i, s, once, twice)
			}
		}
		_ = CanonicalOutputs(s)
	})
}
