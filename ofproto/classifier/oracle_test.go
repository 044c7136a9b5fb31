package classifier

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"govs.dev/govs/flow"
)

// ovsDaemon is a private stock ovsdb-server + ovs-vswitchd (dummy datapath)
// with bridge br0 and dummy ports p1..p3.
type ovsDaemon struct {
	t   *testing.T
	dir string
	env []string
}

func startOVS(t *testing.T) *ovsDaemon {
	t.Helper()
	for _, b := range []string{"ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("stock OVS not installed (%s): %v", b, err)
		}
	}
	dir, err := os.MkdirTemp("", "govs-cls-")
	if err != nil {
		t.Fatal(err)
	}
	d := &ovsDaemon{t: t, dir: dir, env: append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir)}
	t.Cleanup(d.stop)
	d.run("ovsdb-tool", "create", filepath.Join(dir, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema")
	d.run("ovsdb-server", filepath.Join(dir, "conf.db"), "--remote=punix:"+filepath.Join(dir, "db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file")
	d.run("ovs-vsctl", "--no-wait", "init")
	d.run("ovs-vswitchd", "--enable-dummy", "--disable-system", "--disable-system-route",
		"--detach", "--no-chdir", "--pidfile", "--log-file")
	d.run("ovs-vsctl", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1",
		"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2")
	return d
}

func (d *ovsDaemon) run(name string, args ...string) string {
	d.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = d.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		d.t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (d *ovsDaemon) stop() {
	for _, p := range []string{"ovs-vswitchd", "ovsdb-server"} {
		b, err := os.ReadFile(filepath.Join(d.dir, p+".pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 1 {
			continue
		}
		if proc, err := os.FindProcess(pid); err == nil {
			_ = proc.Kill()
			for i := 0; i < 50; i++ { // wait for it to exit
				if proc.Signal(syscallZero{}) != nil {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	os.RemoveAll(d.dir)
}

// syscallZero is signal 0: it checks that a process exists.
type syscallZero struct{}

func (syscallZero) String() string { return "signal 0" }
func (syscallZero) Signal()        {}

// oracleRule is a rule in both ovs-ofctl syntax and as a flow.Match. Only
// tcp rules with nw_src, nw_dst, tp_src and tp_dst are used.
type oracleRule struct {
	pri                int32
	nwSrc, nwDst       string // "a.b.c.d/len" or ""
	tpSrc, tpDst       uint16
	tpSrcMask, tpDstMs uint16
}

func parsePrefix(t *testing.T, s string) (uint32, uint32) {
	if s == "" {
		return 0, 0
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, err2 := netip.ParseAddr(s)
		if err2 != nil {
			t.Fatalf("bad address %q: %v", s, err)
		}
		return flow.IPv4Uint32(a), ^uint32(0)
	}
	return flow.IPv4Uint32(p.Addr()), prefix32(p.Bits())
}

func (r oracleRule) ofctl() string {
	s := fmt.Sprintf("priority=%d,tcp", r.pri)
	if r.nwSrc != "" {
		s += ",nw_src=" + r.nwSrc
	}
	if r.nwDst != "" {
		s += ",nw_dst=" + r.nwDst
	}
	if r.tpSrcMask != 0 {
		s += fmt.Sprintf(",tp_src=0x%x/0x%x", r.tpSrc, r.tpSrcMask)
	}
	if r.tpDstMs != 0 {
		s += fmt.Sprintf(",tp_dst=0x%x/0x%x", r.tpDst, r.tpDstMs)
	}
	return s + ",actions=drop"
}

func (r oracleRule) match(t *testing.T) flow.Match {
	var m flow.Match
	m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
	m.Key.NwProto, m.Mask.NwProto = 6, 0xff
	m.Key.NwSrc, m.Mask.NwSrc = parsePrefix(t, r.nwSrc)
	m.Key.NwDst, m.Mask.NwDst = parsePrefix(t, r.nwDst)
	m.Key.TpSrc, m.Mask.TpSrc = r.tpSrc, r.tpSrcMask
	m.Key.TpDst, m.Mask.TpDst = r.tpDst, r.tpDstMs
	m.Normalize()
	return m
}

// megaflowField extracts FIELD's value and mask from a Megaflow line.
func megaflowField(t *testing.T, line, field string) (uint32, uint32) {
	for _, kv := range strings.Split(line, ",") {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name != field {
			continue
		}
		if strings.HasPrefix(field, "nw_") {
			return parsePrefix(t, val)
		}
		v, m, masked := strings.Cut(val, "/")
		x, err := strconv.ParseUint(v, 0, 32)
		if err != nil {
			t.Fatalf("field %s in %q: %v", field, line, err)
		}
		if !masked {
			return uint32(x), 0xffff
		}
		y, err := strconv.ParseUint(m, 0, 32)
		if err != nil {
			t.Fatalf("field %s in %q: %v", field, line, err)
		}
		return uint32(x), uint32(y)
	}
	return 0, 0
}

// TestOracleMegaflow loads the same rule sets into stock OVS 3.1 and into a
// Classifier and checks that ofproto/trace's Megaflow line matches on
// nw_src, nw_dst, tp_src and tp_dst exactly the bits Lookup reports.
func TestOracleMegaflow(t *testing.T) {
	if testing.Short() {
		t.Skip("starts stock OVS")
	}
	d := startOVS(t)
	sets := [][]oracleRule{
		{ // prefix tries on nw_dst and nw_src
			{pri: 100, nwDst: "10.1.0.0/16"},
			{pri: 90, nwDst: "10.1.2.0/24", nwSrc: "192.168.0.0/16"},
			{pri: 80, nwSrc: "172.16.0.0/12"},
			{pri: 10, nwDst: "20.0.0.0/8"},
		},
		{ // ports trie and staged lookup
			{pri: 50, tpDst: 80, tpDstMs: 0xffff},
			{pri: 40, tpDst: 0x1000, tpDstMs: 0xff00, nwSrc: "10.0.0.1"},
			{pri: 30, tpSrc: 0x8000, tpSrcMask: 0x8000, tpDst: 443, tpDstMs: 0xffff},
			{pri: 20, nwDst: "10.0.0.0/8", tpDst: 22, tpDstMs: 0xffff},
		},
		{ // a mix with overlapping priorities across subtables
			{pri: 500, nwSrc: "10.0.0.0/8", nwDst: "10.0.0.0/8"},
			{pri: 400, nwDst: "10.0.0.128/25", tpDst: 53, tpDstMs: 0xffff},
			{pri: 300, nwSrc: "10.10.0.0/16"},
			{pri: 200, tpSrc: 1024, tpSrcMask: 0xfc00},
			{pri: 100, nwDst: "0.0.0.0/1"},
		},
	}
	packets := []struct {
		src, dst string
		sp, dp   uint16
	}{
		{"10.0.0.1", "10.1.2.3", 1000, 80},
		{"192.168.1.1", "10.1.2.3", 1000, 80},
		{"172.16.5.5", "30.0.0.1", 0x8001, 443},
		{"10.0.0.1", "10.0.0.200", 1500, 53},
		{"10.10.3.3", "99.0.0.1", 5000, 0x1005},
		{"11.0.0.1", "20.5.5.5", 1024, 22},
		{"1.2.3.4", "200.1.1.1", 7, 8},
		{"10.0.0.2", "10.2.0.1", 443, 0x10ff},
	}
	for si, set := range sets {
		var flows strings.Builder
		c := New()
		for _, r := range set {
			flows.WriteString(r.ofctl() + "\n")
			if err := c.Insert(&Rule{Match: r.match(t), Priority: r.pri}, 1); err != nil {
				t.Fatal(err)
			}
		}
		ff := filepath.Join(d.dir, "flows.txt")
		if err := os.WriteFile(ff, []byte(flows.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		d.run("ovs-ofctl", "replace-flows", "br0", ff)
		for _, p := range packets {
			var k flow.Key
			k.InPort, k.DlType, k.NwProto = 1, 0x0800, 6
			k.NwSrc, _ = parsePrefix(t, p.src)
			k.NwDst, _ = parsePrefix(t, p.dst)
			k.TpSrc, k.TpDst = p.sp, p.dp
			// xlate has unwildcarded these before the lookup.
			var wc flow.Key
			wc.InPort, wc.DlType, wc.NwFrag, wc.PacketType, wc.RecircID = ^uint32(0), 0xffff, flow.FragMask, ^uint32(0), ^uint32(0)
			c.Lookup(&k, 1, &wc)
			fields := []struct {
				name string
				mask uint32
			}{{"nw_src", wc.NwSrc}, {"nw_dst", wc.NwDst}, {"tp_src", uint32(wc.TpSrc)}, {"tp_dst", uint32(wc.TpDst)}}
			// Stock OVS updates its prefix tries after an RCU grace
			// period: right after replace-flows (on a loaded machine) a
			// trace may still unwildcard whole prefixes. Its answer
			// settles; poll it for a while before calling a difference.
			var mf string
			var diffs []string
			for try := 0; try < 30; try++ {
				out := d.run("ovs-appctl", "ofproto/trace", "br0",
					fmt.Sprintf("in_port=1,tcp,nw_src=%s,nw_dst=%s,tp_src=%d,tp_dst=%d", p.src, p.dst, p.sp, p.dp))
				mf = ""
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(l, "Megaflow: ") {
						mf = strings.TrimPrefix(l, "Megaflow: ")
					}
				}
				if mf == "" {
					t.Fatalf("no Megaflow line in:\n%s", out)
				}
				diffs = diffs[:0]
				for _, f := range fields {
					if _, want := megaflowField(t, mf, f.name); f.mask != want {
						diffs = append(diffs, fmt.Sprintf("%s mask %#x, stock OVS %#x", f.name, f.mask, want))
					}
				}
				if len(diffs) == 0 {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			for _, df := range diffs {
				t.Errorf("set %d packet %v: %s (Megaflow: %s)", si, p, df, mf)
			}
		}
	}
}
