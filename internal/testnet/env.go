package testnet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Impl selects the switch implementation an Env runs.
type Impl int

const (
	// Stock is the stock ovs-vswitchd 3.1 found in $PATH: the oracle.
	Stock Impl = iota
	// Govs is the govs binary invoked as "govs vswitchd" (see GovsBinary).
	Govs
)

// String returns "stock" or "govs".
func (i Impl) String() string {
	switch i {
	case Stock:
		return "stock"
	case Govs:
		return "govs"
	}
	return "impl(" + strconv.Itoa(int(i)) + ")"
}

// Default time limits. Every command an Env runs is bounded, so that a
// switch that never answers (or an ovs-vsctl waiting for a reconfiguration
// that never happens) fails the test instead of hanging it.
const (
	// DefaultCommandTimeout bounds one ovs-vsctl/ovs-ofctl/ovs-appctl run.
	DefaultCommandTimeout = 10 * time.Second
	// startTimeout bounds a daemon's start, including --detach's handshake
	// and the appearance of its pidfile and control socket.
	startTimeout = 15 * time.Second
	// exitTimeout is how long a daemon asked to exit may take before it is
	// sent SIGTERM, and then again before SIGKILL.
	exitTimeout = 5 * time.Second
)

// SchemaPath is the stock Open_vSwitch schema used to create databases.
const SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema"

// Env is one private Open vSwitch installation: a temporary directory that
// is OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR and OVS_SYSCONFDIR for every command
// it runs, at most one ovsdb-server and at most one switch daemon.
//
// An Env belongs to the test that created it. The command methods
// (Vsctl, Ofctl, Appctl, Run) may be called from any goroutine; the Must
// variants, StartDB, StartSwitch and Stop call t.Fatal and so must be called
// from the test's own goroutine. Every daemon started is stopped by PID in
// t.Cleanup, also when the test fails or panics, and the directory is
// removed afterwards.
type Env struct {
	t testing.TB
	// Dir is the private directory (short, under os.TempDir, so that unix
	// socket paths stay below the 108-byte limit).
	Dir string
	// Timeout bounds each command run; DefaultCommandTimeout unless changed
	// before use.
	Timeout time.Duration
	// Netns, when set before StartSwitch, is the network namespace the
	// switch daemon runs in (with "ip netns exec"); its rundir stays Dir.
	Netns string

	mu      sync.Mutex
	db      *daemon
	sw      *daemon
	impl    Impl
	started bool // a switch was started (impl is valid)
}

// daemon is one process started with --detach, identified by its PID and
// its start time so that a recycled PID is never signalled.
type daemon struct {
	name    string // "ovsdb-server" or "ovs-vswitchd"
	pid     int
	start   string // field 22 of /proc/PID/stat at start
	stopped bool
}

// New creates an Env for t with a fresh private directory. Nothing is
// started yet.
func New(t testing.TB) *Env {
	t.Helper()
	dir, err := os.MkdirTemp("", "govs-tn-")
	if err != nil {
		t.Fatalf("testnet: create private dir: %v", err)
	}
	e := &Env{t: t, Dir: dir, Timeout: DefaultCommandTimeout}
	t.Cleanup(func() {
		e.stopAll()
		if t.Failed() {
			e.dumpLogs()
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("testnet: remove %s: %v", dir, err)
		}
	})
	return e
}

// Environ returns the process environment every command of e runs with:
// the caller's, with the OVS directory variables pointing at e.Dir.
func (e *Env) Environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR", "OVS_SYSCONFDIR", "OVS_PKGDATADIR", "OVS_BINDIR":
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"OVS_RUNDIR="+e.Dir, "OVS_DBDIR="+e.Dir, "OVS_LOGDIR="+e.Dir, "OVS_SYSCONFDIR="+e.Dir)
}

// Run runs name with args in e's environment, bounded by e.Timeout, and
// returns its standard output and error. err is non-nil if the command
// could not start, timed out, or exited non-zero; it names the command.
func (e *Env) Run(name string, args ...string) (stdout, stderr string, err error) {
	return e.runTimeout(e.Timeout, name, args...)
}

func (e *Env) runTimeout(timeout time.Duration, name string, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = e.Environ()
	cmd.Dir = e.Dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	// A child that leaves a grandchild holding the pipes must not hang us.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("%s: timed out after %v", CommandLine(name, args), timeout)
	} else if err != nil {
		err = fmt.Errorf("%s: %w", CommandLine(name, args), err)
	}
	return out.String(), errb.String(), err
}

// Vsctl runs ovs-vsctl with args. Without --no-wait, ovs-vsctl waits for the
// switch to apply the change, so this also checks the switch's cur_cfg.
func (e *Env) Vsctl(args ...string) (stdout, stderr string, err error) {
	return e.Run("ovs-vsctl", args...)
}

// Ofctl runs ovs-ofctl with args.
//
// A connection that the switch did not even accept ("failed to open
// socket") never reached it, so it is retried a few times: a switch on a
// loaded machine (stock ovs-vswitchd too) can be slow to accept.
func (e *Env) Ofctl(args ...string) (stdout, stderr string, err error) {
	for try := 0; ; try++ {
		stdout, stderr, err = e.Run("ovs-ofctl", args...)
		if err == nil || try == 2 || !strings.Contains(stderr, "failed to open socket") {
			return stdout, stderr, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Appctl runs ovs-appctl with args. Without -t, ovs-appctl finds the switch
// through $OVS_RUNDIR/ovs-vswitchd.pid, as it does in production.
func (e *Env) Appctl(args ...string) (stdout, stderr string, err error) {
	return e.Run("ovs-appctl", args...)
}

// MustVsctl is Vsctl that fails the test, showing the command and both
// outputs, on error. It returns stdout.
func (e *Env) MustVsctl(args ...string) string {
	e.t.Helper()
	return e.must(e.Vsctl(args...))
}

// MustOfctl is Ofctl that fails the test on error. It returns stdout.
func (e *Env) MustOfctl(args ...string) string {
	e.t.Helper()
	return e.must(e.Ofctl(args...))
}

// MustAppctl is Appctl that fails the test on error. It returns stdout.
func (e *Env) MustAppctl(args ...string) string {
	e.t.Helper()
	return e.must(e.Appctl(args...))
}

func (e *Env) must(stdout, stderr string, err error) string {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("testnet: %v\n--- stdout:\n%s--- stderr:\n%s", err, stdout, stderr)
	}
	return stdout
}

// CommandLine renders a command for messages, quoting arguments that
// contain spaces or shell metacharacters.
func CommandLine(name string, args []string) string {
	var b strings.Builder
	b.WriteString(name)
	for _, a := range args {
		b.WriteByte(' ')
		if a == "" || strings.ContainsAny(a, " \t\n'\"()$*?;|&<>[]{}\\") {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// StartDB creates conf.db from SchemaPath, starts a stock ovsdb-server on
// unix:Dir/db.sock and initialises the database (ovs-vsctl --no-wait init).
// It fails the test on error.
func (e *Env) StartDB() {
	e.t.Helper()
	if err := e.startDB(); err != nil {
		e.t.Fatalf("testnet: start ovsdb-server: %v", err)
	}
}

func (e *Env) startDB() error {
	e.mu.Lock()
	running := e.db != nil && !e.db.stopped
	e.mu.Unlock()
	if running {
		return errors.New("ovsdb-server already running")
	}
	db := filepath.Join(e.Dir, "conf.db")
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		if o, se, err := e.Run("ovsdb-tool", "create", db, SchemaPath); err != nil {
			return fmt.Errorf("%w\n%s%s", err, o, se)
		}
	}
	d, err := e.startDaemon("ovsdb-server", "ovsdb-server", []string{
		db, "--remote=punix:" + filepath.Join(e.Dir, "db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file",
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.db = d
	e.mu.Unlock()
	if o, se, err := e.Vsctl("--no-wait", "init"); err != nil {
		return fmt.Errorf("%w\n%s%s", err, o, se)
	}
	return nil
}

// SwitchArgs are the arguments every switch is started with, before the
// caller's extra arguments: the dummy datapath and nothing of the host's.
var SwitchArgs = []string{
	"--enable-dummy", "--disable-system", "--disable-system-route",
	"--detach", "--no-chdir", "--pidfile", "--log-file",
}

// StartSwitch starts the switch implementation impl with SwitchArgs and
// extraArgs, as an OVSDB client of Dir/db.sock, and waits until its pidfile
// and control socket exist. StartDB must have been called. It fails the
// test on error.
func (e *Env) StartSwitch(impl Impl, extraArgs ...string) {
	e.t.Helper()
	if err := e.startSwitch(impl, extraArgs); err != nil {
		e.t.Fatalf("testnet: start %v switch: %v", impl, err)
	}
}

func (e *Env) startSwitch(impl Impl, extraArgs []string) error {
	e.mu.Lock()
	running := e.sw != nil && !e.sw.stopped
	e.mu.Unlock()
	if running {
		return errors.New("a switch is already running")
	}
	args := append(append([]string(nil), SwitchArgs...), extraArgs...)
	bin := "ovs-vswitchd"
	if impl == Govs {
		b, err := GovsBinary()
		if err != nil {
			return err
		}
		bin = b
		args = append([]string{"vswitchd"}, args...)
	} else if impl != Stock {
		return fmt.Errorf("unknown implementation %v", impl)
	}
	d, err := e.startDaemon("ovs-vswitchd", bin, args)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.sw, e.impl, e.started = d, impl, true
	e.mu.Unlock()
	return nil
}

// startDaemon runs bin (which must --detach) with standard output and error
// in Dir/NAME.stdout and Dir/NAME.stderr, then waits for Dir/NAME.pid and
// the control socket Dir/NAME.PID.ctl.
func (e *Env) startDaemon(name, bin string, args []string) (*daemon, error) {
	pidfile := filepath.Join(e.Dir, name+".pid")
	_ = os.Remove(pidfile)
	outf, err := os.Create(filepath.Join(e.Dir, name+".stdout"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer outf.Close()
	errf, err := os.Create(filepath.Join(e.Dir, name+".stderr"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer errf.Close()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if e.Netns != "" && name == "ovs-vswitchd" {
		args = append([]string{"netns", "exec", e.Netns, bin}, args...)
		bin = "ip"
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = e.Environ()
	cmd.Dir = e.Dir
	cmd.Stdout, cmd.Stderr = outf, errf
	if err := cmd.Run(); err != nil {
		// The parent may have failed after the daemon started; adopt it so
		// that cleanup stops it.
		if d := e.adopt(name, pidfile); d != nil {
			e.mu.Lock()
			if name == "ovsdb-server" {
				e.db = d
			} else {
				e.sw = d
			}
			e.mu.Unlock()
		}
		return nil, fmt.Errorf("%s: %w\nstderr:\n%s", CommandLine(bin, args), err, readFile(errf.Name()))
	}
	deadline := time.Now().Add(startTimeout)
	for {
		if d := e.adopt(name, pidfile); d != nil {
			ctl := filepath.Join(e.Dir, fmt.Sprintf("%s.%d.ctl", name, d.pid))
			if _, err := os.Stat(ctl); err == nil {
				return d, nil
			}
			if time.Now().After(deadline) {
				e.mu.Lock()
				if name == "ovsdb-server" {
					e.db = d
				} else {
					e.sw = d
				}
				e.mu.Unlock()
				return nil, fmt.Errorf("%s (pid %d): no control socket %s after %v", name, d.pid, ctl, startTimeout)
			}
		} else if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: no live process in pidfile %s after %v\nstderr:\n%s",
				name, pidfile, startTimeout, readFile(errf.Name()))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// adopt reads pidfile and returns the daemon it names if that process is
// alive, or nil.
func (e *Env) adopt(name, pidfile string) *daemon {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return nil
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return nil
	}
	st, ok := procStart(pid)
	if !ok {
		return nil
	}
	return &daemon{name: name, pid: pid, start: st}
}

// procStart returns the start time (in clock ticks since boot) of a live,
// non-zombie process.
func procStart(pid int) (string, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", false
	}
	// The command name (field 2) may contain spaces; fields after it are
	// counted from the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	// f[0] is field 3 (state), f[19] is field 22 (starttime).
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return "", false
	}
	return f[19], true
}

// alive reports whether d is still the same running process.
func (d *daemon) alive() bool {
	st, ok := procStart(d.pid)
	return ok && st == d.start
}

// PID returns the PID of the running switch, or 0.
func (e *Env) PID() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sw == nil || e.sw.stopped {
		return 0
	}
	return e.sw.pid
}

// Impl returns the implementation of the switch last started.
func (e *Env) Impl() Impl {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.impl
}

// WaitExit waits up to timeout for the switch process to exit by itself
// (for example after "ovs-appctl exit"), and records it as stopped. It
// reports whether the process is gone.
func (e *Env) WaitExit(timeout time.Duration) bool {
	e.mu.Lock()
	d := e.sw
	e.mu.Unlock()
	if d == nil {
		return true
	}
	if !waitGone(d, timeout) {
		return false
	}
	e.mu.Lock()
	d.stopped = true
	e.mu.Unlock()
	return true
}

func waitGone(d *daemon, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for d.alive() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Stop stops the switch, then ovsdb-server: first politely through
// "ovs-appctl -t CTL exit", then with SIGTERM and SIGKILL to the recorded
// PID. Logs stay readable until the test ends. It fails the test if a
// daemon refused to die.
func (e *Env) Stop() {
	e.t.Helper()
	if err := e.stopAll(); err != nil {
		e.t.Fatalf("testnet: stop: %v", err)
	}
}

// StopSwitch stops only the switch, leaving ovsdb-server running.
func (e *Env) StopSwitch() {
	e.t.Helper()
	e.mu.Lock()
	d := e.sw
	e.mu.Unlock()
	if err := e.stopDaemon(d); err != nil {
		e.t.Fatalf("testnet: stop switch: %v", err)
	}
}

func (e *Env) stopAll() error {
	e.mu.Lock()
	sw, db := e.sw, e.db
	e.mu.Unlock()
	return errors.Join(e.stopDaemon(sw), e.stopDaemon(db))
}

func (e *Env) stopDaemon(d *daemon) error {
	if d == nil {
		return nil
	}
	e.mu.Lock()
	done := d.stopped
	d.stopped = true
	e.mu.Unlock()
	if done || !d.alive() {
		return nil
	}
	ctl := filepath.Join(e.Dir, fmt.Sprintf("%s.%d.ctl", d.name, d.pid))
	_, _, _ = e.runTimeout(exitTimeout, "ovs-appctl", "-t", ctl, "exit")
	if waitGone(d, exitTimeout) {
		return nil
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		if !d.alive() {
			return nil
		}
		if err := syscall.Kill(d.pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("%s pid %d: %v: %w", d.name, d.pid, sig, err)
		}
		if waitGone(d, exitTimeout) {
			return fmt.Errorf("%s pid %d did not exit on request; needed %v", d.name, d.pid, sig)
		}
	}
	return fmt.Errorf("%s pid %d survived SIGKILL", d.name, d.pid)
}

// SwitchLog returns the switch's log file (Dir/ovs-vswitchd.log), or "".
func (e *Env) SwitchLog() string { return readFile(filepath.Join(e.Dir, "ovs-vswitchd.log")) }

// SwitchStderr returns what the switch wrote to standard error while it
// started (before and during --detach).
func (e *Env) SwitchStderr() string { return readFile(filepath.Join(e.Dir, "ovs-vswitchd.stderr")) }

func (e *Env) dumpLogs() {
	for _, f := range []string{"ovs-vswitchd.stderr", "ovs-vswitchd.log", "ovsdb-server.stderr", "ovsdb-server.log"} {
		if s := readFile(filepath.Join(e.Dir, f)); s != "" {
			e.t.Logf("testnet: ===== %s (%s) =====\n%s", f, e.Dir, s)
		}
	}
}

func readFile(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return ""
	}
	return string(b)
}
