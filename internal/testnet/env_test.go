package testnet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

// requireStock skips tests that need the stock OVS tools when they are not
// installed (make test installs them).
func requireStock(t *testing.T) {
	t.Helper()
	for _, b := range []string{"ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("stock OVS not installed (%s): run make deps", b)
		}
	}
}

func TestEnvStockLifecycle(t *testing.T) {
	requireStock(t)
	t.Parallel()
	e := New(t)
	if !strings.HasPrefix(e.Dir, os.TempDir()) {
		t.Fatalf("private dir %s not under %s", e.Dir, os.TempDir())
	}
	e.StartDB()
	e.StartSwitch(Stock)
	pid := e.PID()
	if pid == 0 {
		t.Fatal("no switch PID after StartSwitch")
	}
	e.MustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1")
	// ovs-appctl without -t finds the daemon through the private pidfile.
	if got := e.MustAppctl("version"); !strings.Contains(got, "3.1") {
		t.Errorf("version: %q", got)
	}
	if out := e.MustOfctl("show", "br0"); !strings.Contains(out, "1(p1)") {
		t.Errorf("ofctl show br0 lacks p1:\n%s", out)
	}
	// Every file of the run lands in the private dir.
	for _, f := range []string{"conf.db", "db.sock", "ovs-vswitchd.pid", "ovs-vswitchd.log", "ovsdb-server.pid", "br0.mgmt"} {
		if _, err := os.Stat(filepath.Join(e.Dir, f)); err != nil {
			t.Errorf("expected %s in private dir: %v", f, err)
		}
	}
	if _, _, err := e.Vsctl("no-such-command"); err == nil || !strings.Contains(err.Error(), "ovs-vsctl no-such-command") {
		t.Errorf("error should name the command: %v", err)
	}
	e.Stop()
	if _, ok := procStart(pid); ok {
		t.Errorf("switch pid %d still alive after Stop", pid)
	}
	e.CheckLog()
	if e.SwitchLog() == "" {
		t.Error("switch log empty")
	}
	e.Stop() // idempotent
}

func TestEnvCommandTimeout(t *testing.T) {
	t.Parallel()
	e := New(t)
	e.Timeout = 300 * time.Millisecond
	start := time.Now()
	_, _, err := e.Run("sleep", "5")
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("want timeout error, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timeout took %v", d)
	}
}

func TestEnvCleanupStopsDaemons(t *testing.T) {
	requireStock(t)
	t.Parallel()
	var pids []int
	var dir string
	t.Run("inner", func(t *testing.T) {
		e := New(t)
		dir = e.Dir
		e.StartDB()
		e.StartSwitch(Stock)
		pids = append(pids, e.PID(), e.db.pid)
		// No Stop: cleanup must do it.
	})
	for _, pid := range pids {
		if _, ok := procStart(pid); ok {
			t.Errorf("pid %d alive after test cleanup", pid)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("private dir %s not removed", dir)
	}
}

func TestGovsBinaryFromEnv(t *testing.T) {
	t.Setenv("GOVS_BIN", "/nonexistent/govs")
	if _, err := GovsBinary(); err == nil {
		t.Fatal("want error for missing GOVS_BIN")
	}
	self, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	t.Setenv("GOVS_BIN", self)
	if b, err := GovsBinary(); err != nil || b != self {
		t.Fatalf("GovsBinary() = %q, %v", b, err)
	}
}

func TestScriptStockDeterministic(t *testing.T) {
	requireStock(t)
	t.Parallel()
	s := Script{Name: "smoke", Steps: []Step{
		VsctlStep("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy", "fail-mode=secure",
			"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy", "ofport_request=1",
			"--", "add-port", "br0", "p2", "--", "set", "interface", "p2", "type=dummy", "ofport_request=2"),
		OfctlStep("add-flow", "br0", "in_port=1,actions=output:2"),
		AppctlStep("netdev-dummy/receive", "p1", "in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)"),
		AppctlStep("revalidator/wait"),
		OfctlStep("dump-flows", "br0").Check(DumpFlowsSorted),
		AppctlStep("dpctl/dump-flows").Check(DpctlFlows),
		AppctlStep("dpctl/dump-flows", "-m").Check(DpctlFlows),
		AppctlStep("dpif/show").Check(DpifShow),
		OfctlStep("dump-flows", "nobr").Check(nil).Fails(),
		AppctlStep("-t", "nosuchdaemon", "version").Check(nil).Fails(),
	}}
	var tr [2]Transcript
	t.Run("runs", func(t *testing.T) {
		for i := range tr {
			t.Run(string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				e := New(t)
				e.StartDB()
				e.StartSwitch(Stock)
				tr[i] = s.Run(e)
				e.Stop()
				e.CheckLog()
			})
		}
	})
	for _, u := range tr[0].Unexpected {
		t.Error(u)
	}
	if !Diff(t, tr[0], tr[1]) {
		t.Log(tr[0].String())
	}
	if r := tr[0].Results[4]; !strings.Contains(r.Stdout, "n_packets=1") || strings.Contains(r.Stdout, "duration") {
		t.Errorf("dump-flows not as expected:\n%s", r.Stdout)
	}
	if r := tr[0].Results[9]; !strings.Contains(r.Stderr, "$RUNDIR/nosuchdaemon.pid") {
		t.Errorf("stderr not scrubbed of rundir:\n%s", r.Stderr)
	}
}
