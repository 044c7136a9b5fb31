package ofctl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// TestActionsRoundTrip covers syntax whose OVS printout depends on the
// wire protocol (so the oracle test cannot see it): parse then format must
// give the input back.
func TestActionsRoundTrip(t *testing.T) {
	tests := []string{
		"set_vlan_vid:5", "set_vlan_pcp:1", "pop_vlan", "strip_vlan", "mod_vlan_vid:7",
		"set_field:0x5/0xf->reg1", "set_field:00:11:22:00:00:00/ff:ff:ff:00:00:00->eth_dst",
		"set_field:10.0.0.0/8->ip_dst", "set_field:oam->tun_flags", "set_field:LOCAL->in_port",
		"set_field:0x1->tun_id", "set_field:2001:db8::/32->ipv6_src",
		"note:", "note:01", "goto_table:1", "clear_actions", "write_actions(output:1,group:2)",
		"write_metadata:0x5/0xff", "meter:3", "output:1,clear_actions,write_actions(drop),write_metadata:0,goto_table:9",
		"copy_ttl_out", "copy_ttl_in", "mod_nw_ecn:2", "mod_nw_ttl:9", "dec_ttl",
		"controller(reason=no_match,max_len=10,id=2,userdata=00.01,pause,meter_id=4)",
		"clone(clone(clone(drop)))", "set_tunnel64:0x1", "resubmit(,3,ct)", "resubmit(1,,ct)",
	}
	for _, s := range tests {
		t.Run(s, func(t *testing.T) {
			as, err := ParseActions(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatActions(as); got != s {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestActionModel(t *testing.T) {
	reg2 := flow.LookupName("reg2")
	tests := []struct {
		in   string
		want openflow.Action
	}{
		{"output:3", openflow.Output{Port: 3}},
		{"CONTROLLER:64", openflow.Output{Port: openflow.PortController, MaxLen: 64}},
		{"load:0x5->NXM_NX_REG2[4..7]", openflow.SetField{Header: reg2.NXMHeader, Value: []byte{0, 0, 0, 0x50}, Mask: []byte{0, 0, 0, 0xf0}, Raw: openflow.SetFieldRawRegLoad}},
		{"move:reg0[0..7]->NXM_NX_REG2[8..15]", openflow.RegMove{
			Src: openflow.FieldRef{Header: flow.LookupName("reg0").NXMHeader, Ofs: 0, Bits: 8},
			Dst: openflow.FieldRef{Header: reg2.NXMHeader, Ofs: 8, Bits: 8}}},
		{"resubmit(,4)", openflow.Resubmit{InPort: openflow.PortInPort, Table: 4}},
		{"conjunction(7,2/3)", openflow.Conjunction{ID: 7, Clause: 1, NClauses: 3}},
		{"dec_ttl(1,2)", openflow.DecTTL{ControllerIDs: []uint16{1, 2}, NX: true}},
		{"output:NXM_NX_REG1[0..15]", openflow.OutputReg{Src: openflow.FieldRef{Header: flow.LookupName("reg1").NXMHeader, Bits: 16}, MaxLen: 0xffff}},
		{"mod_nw_src:10.0.0.1", openflow.SetIPv4Src{Addr: 0x0a000001}},
		{"write_metadata:0x1", openflow.WriteMetadata{Value: 1, Mask: ^uint64(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			as, err := ParseActions(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != 1 || !equalAction(as[0], tt.want) {
				t.Errorf("got %#v, want %#v", as, tt.want)
			}
		})
	}
}

func equalAction(a, b openflow.Action) bool {
	if sa, ok := a.(openflow.SetField); ok {
		sb, ok := b.(openflow.SetField)
		return ok && sa.Header == sb.Header && sa.Raw == sb.Raw && bytes.Equal(sa.Value, sb.Value) && bytes.Equal(sa.Mask, sb.Mask)
	}
	if da, ok := a.(openflow.DecTTL); ok {
		db, ok := b.(openflow.DecTTL)
		return ok && da.NX == db.NX && slicesEqual(da.ControllerIDs, db.ControllerIDs)
	}
	return a == b
}

func slicesEqual(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParseFlowCommands(t *testing.T) {
	tests := []struct {
		in   string
		cmd  Command
		err  string
		want func(*FlowSpec) bool
	}{
		{"in_port=1,out_port=2", CommandDelete, "", func(f *FlowSpec) bool { return f.OutPort == 2 }},
		{"cookie=0x5/-1", CommandDelete, "", func(f *FlowSpec) bool { return f.Cookie == 5 && f.CookieMask == ^uint64(0) }},
		{"cookie=0x5", CommandDelete, "cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=0x5/-1)", nil},
		{"cookie=0x5/0xff,actions=drop", CommandAdd, "flow additions cannot use a cookie mask", nil},
		{"priority=5,in_port=1", CommandDeleteStrict, "", func(f *FlowSpec) bool { return f.Priority == 5 }},
		{"priority=5", CommandDelete, "unknown keyword priority", nil},
		{"cookie=7,actions=output:1", CommandModify, "", func(f *FlowSpec) bool { return f.ModifyCookie && f.Cookie == 7 }},
		{"out_group=3", CommandQuery, "", func(f *FlowSpec) bool { return f.OutGroup == 3 }},
		{"idle_timeout=5", CommandQuery, "unknown keyword idle_timeout", nil},
		{"in_port=1", CommandAdd, "must specify an action", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			fs, err := ParseFlow(tt.in, tt.cmd)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(fs) {
				t.Errorf("unexpected %+v", fs)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tt := range []struct {
		sec, nsec uint32
		want      string
	}{{1, 0, "1s"}, {1, 234000000, "1.234s"}, {0, 1000000, "0.001s"}, {2, 500000000, "2.500s"}, {3, 1500, "3.0000015s"}} {
		if got := formatDuration(tt.sec, tt.nsec); got != tt.want {
			t.Errorf("%d.%09d: got %q, want %q", tt.sec, tt.nsec, got, tt.want)
		}
	}
}

// TestFormatFlowStatsAgainstOVS adds flows to a private stock
// ovs-vswitchd, dumps them with ovs-ofctl and checks that FormatFlowStats,
// given the values of each line, prints the line exactly.
func TestFormatFlowStatsAgainstOVS(t *testing.T) {
	for _, tool := range []string{"ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	if testing.Short() {
		t.Skip("starts a stock ovs-vswitchd")
	}
	d, err := os.MkdirTemp("/tmp", "ofctl-stats")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	env := append(os.Environ(), "OVS_RUNDIR="+d, "OVS_LOGDIR="+d, "OVS_DBDIR="+d)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	stopPid := func(name string) {
		if b, err := os.ReadFile(filepath.Join(d, name+".pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
					p.Wait()
				}
			}
		}
	}
	run("ovsdb-tool", "create", d+"/conf.db", "/usr/share/openvswitch/vswitch.ovsschema")
	run("ovsdb-server", d+"/conf.db", "--remote=punix:"+d+"/db.sock", "--pidfile="+d+"/ovsdb-server.pid",
		"--detach", "--no-chdir", "--log-file="+d+"/ovsdb-server.log")
	t.Cleanup(func() { stopPid("ovsdb-server") })
	run("ovs-vsctl", "--db=unix:"+d+"/db.sock", "--no-wait", "init")
	run("ovs-vswitchd", "unix:"+d+"/db.sock", "--enable-dummy", "--disable-system", "--disable-system-route",
		"--detach", "--no-chdir", "--pidfile="+d+"/ovs-vswitchd.pid", "--log-file="+d+"/ovs-vswitchd.log")
	t.Cleanup(func() { stopPid("ovs-vswitchd") })
	run("ovs-vsctl", "--db=unix:"+d+"/db.sock", "--timeout=10", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy")
	flows := []string{
		"priority=10,ip,nw_src=10.0.0.0/8,actions=load:0x1->NXM_NX_REG0[],output:2",
		"table=1,idle_timeout=30,hard_timeout=60,cookie=0x1234,send_flow_rem,tcp,tp_dst=80,actions=drop",
		"importance=5,priority=1,in_port=LOCAL,actions=NORMAL",
		"priority=0,actions=CONTROLLER:65535",
		"table=3,check_overlap,dl_vlan=5,actions=strip_vlan,resubmit(,4)",
	}
	br := "unix:" + d + "/br0.mgmt"
	for _, f := range flows {
		run("ovs-ofctl", "-O", "OpenFlow14", "add-flow", br, f)
	}
	out := run("ovs-ofctl", "-O", "OpenFlow14", "dump-flows", br)
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, " cookie=") {
			continue
		}
		n++
		fs := statsFromLine(t, line)
		if got := FormatFlowStats(fs); got != line {
			t.Errorf("\n ovs:  %s\n govs: %s", line, got)
		}
	}
	if n != len(flows) {
		t.Errorf("dumped %d flows, want %d:\n%s", n, len(flows), out)
	}
}

// statsFromLine takes the statistics of a dump-flows line apart and parses
// its flow with ParseFlow.
func statsFromLine(t *testing.T, line string) *FlowStats {
	t.Helper()
	fs := &FlowStats{IdleAge: -1, HardAge: -1}
	rest := strings.TrimPrefix(line, " ")
	var flowText []string
	for _, part := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(part, "=")
		u := func() uint64 { x, _ := strconv.ParseUint(v, 0, 64); return x }
		switch k {
		case "cookie":
			fs.Cookie = u()
		case "duration":
			sec, frac, _ := strings.Cut(strings.TrimSuffix(v, "s"), ".")
			s, _ := strconv.ParseUint(sec, 10, 32)
			fs.DurationSec = uint32(s)
			if frac != "" {
				ns, _ := strconv.ParseUint((frac + "000000000")[:9], 10, 32)
				fs.DurationNs = uint32(ns)
			}
		case "table":
			fs.Table = uint8(u())
		case "n_packets":
			fs.Packets = u()
		case "n_bytes":
			fs.Bytes = u()
		case "idle_timeout":
			fs.IdleTimeout = uint16(u())
		case "hard_timeout":
			fs.HardTimeout = uint16(u())
		case "importance":
			fs.Importance = uint16(u())
		case "idle_age":
			fs.IdleAge = int(u())
		case "hard_age":
			fs.HardAge = int(u())
		default:
			flowText = append(flowText, part)
		}
	}
	text := strings.Join(flowText, ", ")
	for _, fl := range []struct {
		name string
		f    FlowModFlags
	}{{"send_flow_rem ", FlagSendFlowRem}, {"check_overlap ", FlagCheckOverlap}} {
		if strings.HasPrefix(text, fl.name) {
			fs.Flags |= fl.f
			text = strings.TrimPrefix(text, fl.name)
		}
	}
	spec, err := ParseFlow(text, CommandAdd)
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	fs.Priority, fs.Match, fs.Actions = spec.Priority, &spec.Match, spec.Actions
	return fs
}

func FuzzParseFlow(f *testing.F) {
	f.Add("priority=10,ip,nw_src=10.0.0.0/8 actions=load:0x1->NXM_NX_REG0[],output:2")
	f.Add("tcp,tp_dst=80,actions=clone(resubmit(,1)),ct_clear")
	f.Fuzz(func(t *testing.T, s string) {
		for _, cmd := range []Command{CommandAdd, CommandDelete} {
			fs, err := ParseFlow(s, cmd)
			if err != nil {
				continue
			}
			m := FormatMatch(&fs.Match, fs.Priority)
			a := FormatActions(fs.Actions)
			if cmd != CommandAdd {
				continue
			}
			// What we print, we parse back to the same text.
			text := m + " actions=" + a
			fs2, err := ParseFlow(text, CommandAdd)
			if err != nil {
				t.Fatalf("%q -> %q: %v", s, text, err)
			}
			if m2, a2 := FormatMatch(&fs2.Match, fs2.Priority), FormatActions(fs2.Actions); m2 != m || a2 != a {
				t.Fatalf("%q -> %q -> %q actions=%q", s, text, m2, a2)
			}
		}
	})
}
