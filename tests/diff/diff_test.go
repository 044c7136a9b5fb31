package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"govs.dev/govs/internal/testnet"
)

func TestMain(m *testing.M) { testnet.Main(m) }

// scenario is one differential test: a script and whether govs is expected
// to pass it yet.
type scenario struct {
	script testnet.Script
	// GovsReady selects Stock-vs-Govs comparison; while false the script
	// runs against stock twice (see the package documentation).
	GovsReady bool
}

// requireStock skips when the stock OVS tools are not installed (make test
// installs them).
func requireStock(t *testing.T) {
	t.Helper()
	for _, b := range []string{"ovs-vswitchd", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ovs-appctl"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("stock OVS not installed (%s): run make deps", b)
		}
	}
}

// govsReady reports whether a scenario compares against govs: its flag, or
// GOVS_DIFF=all.
func govsReady(flag bool) bool { return flag || os.Getenv("GOVS_DIFF") == "all" }

// implsFor returns the two implementations a scenario compares.
func implsFor(ready bool) [2]testnet.Impl {
	if govsReady(ready) {
		return [2]testnet.Impl{testnet.Stock, testnet.Govs}
	}
	return [2]testnet.Impl{testnet.Stock, testnet.Stock}
}

// runOn starts a private switch of impl, runs s against it, stops it and
// checks its log. It must run on t's goroutine.
func runOn(t *testing.T, impl testnet.Impl, s testnet.Script) testnet.Transcript {
	t.Helper()
	e := testnet.New(t)
	e.StartDB()
	e.StartSwitch(impl)
	tr := s.Run(e)
	e.Stop()
	e.CheckLog(s.AllowLog...)
	if impl == testnet.Govs {
		if se := e.SwitchStderr(); strings.TrimSpace(se) != "" {
			t.Errorf("govs wrote to stderr:\n%s", se)
		}
	}
	return tr
}

func TestDiff(t *testing.T) {
	requireStock(t)
	for _, sc := range scenarios() {
		t.Run(sc.script.Name, func(t *testing.T) {
			t.Parallel()
			impls := implsFor(sc.GovsReady)
			var tr [2]testnet.Transcript
			t.Run("runs", func(t *testing.T) {
				for i, impl := range impls {
					name := impl.String()
					if impls[0] == impls[1] {
						name += string(rune('a' + i))
					}
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						tr[i] = runOn(t, impl, sc.script)
					})
				}
			})
			if t.Failed() {
				return
			}
			// The oracle itself must behave as the script expects.
			for _, u := range tr[0].Unexpected {
				t.Errorf("stock: unexpected outcome: %s", u)
			}
			if !testnet.Diff(t, tr[0], tr[1]) || testing.Verbose() {
				t.Logf("full transcript of the first run:\n%s", tr[0])
			}
		})
	}
}

// TestDaemonControl checks the daemon's control surface: pidfile discovery,
// "exit --cleanup", and the govs-only batch-growth counter.
func TestDaemonControl(t *testing.T) {
	requireStock(t)
	impls := []testnet.Impl{testnet.Stock}
	if govsReady(daemonControlGovsReady) {
		impls = append(impls, testnet.Govs)
	}
	for _, impl := range impls {
		t.Run(impl.String(), func(t *testing.T) {
			t.Parallel()
			e := testnet.New(t)
			e.StartDB()
			e.StartSwitch(impl)
			e.MustVsctl(bridge("br0", false, port{name: "p1", ofport: 1})...)
			pid := e.PID()

			// No -t: ovs-appctl reads $OVS_RUNDIR/ovs-vswitchd.pid.
			if out := e.MustAppctl("version"); !strings.Contains(out, "Open vSwitch") {
				t.Errorf("ovs-appctl version: %q", out)
			}
			out, stderr, err := e.Appctl("coverage/read-counter", "dp_packet_batch_grow")
			switch impl {
			case testnet.Govs:
				if err != nil || strings.TrimSpace(out) != "0" {
					t.Errorf("coverage/read-counter dp_packet_batch_grow = %q, %v (%s); want 0", out, err, stderr)
				}
			case testnet.Stock:
				// Stock 3.1 has no such counter; the check is govs's own.
				if err == nil || !strings.Contains(out+stderr, "No such counter") {
					t.Errorf("stock knows dp_packet_batch_grow now (%q, %v): compare it", out, err)
				}
			}

			e.MustAppctl("exit", "--cleanup")
			if !e.WaitExit(5 * time.Second) {
				t.Fatalf("switch pid %d still running 5s after exit --cleanup", pid)
			}
			for _, f := range []string{"ovs-vswitchd.pid", "ovs-vswitchd." + strconv.Itoa(pid) + ".ctl", "br0.mgmt"} {
				if _, err := os.Stat(filepath.Join(e.Dir, f)); err == nil {
					t.Errorf("%s left behind after exit --cleanup", f)
				}
			}
			e.CheckLog()
		})
	}
}

// daemonControlGovsReady is TestDaemonControl's GovsReady flag.
const daemonControlGovsReady = true
