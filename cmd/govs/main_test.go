package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// govsBin is the govs binary built by TestMain; ovsVswitchdLink is a
// symlink to it named ovs-vswitchd.
var govsBin, ovsVswitchdLink string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "govs-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	govsBin = filepath.Join(dir, "govs")
	out, err := exec.Command("go", "build", "-o", govsBin, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	ovsVswitchdLink = filepath.Join(dir, "ovs-vswitchd")
	if err := os.Symlink(govsBin, ovsVswitchdLink); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func needStock(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed", b)
		}
	}
}

// rundir is a private OVS run directory with a stock ovsdb-server.
type rundir struct {
	t   *testing.T
	dir string
	env []string
}

func newRundir(t *testing.T) *rundir {
	t.Helper()
	needStock(t, "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl")
	dir := t.TempDir()
	r := &rundir{t: t, dir: dir, env: append(os.Environ(),
		"OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir, "OVS_DBDIR="+dir, "OVS_SYSCONFDIR="+dir)}
	db := filepath.Join(dir, "conf.db")
	if out, err := exec.Command("ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema").CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool create: %v %s", err, out)
	}
	srv := exec.Command("ovsdb-server", db, "--remote=punix:"+filepath.Join(dir, "db.sock"),
		"--no-chdir", "--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"), "-vconsole:off")
	srv.Env = r.env
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	r.waitFor("db.sock", func() bool { return exists(filepath.Join(dir, "db.sock")) })
	r.run("ovs-vsctl", "--no-wait", "init")
	return r
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func (r *rundir) waitFor(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// exec runs a command in the rundir's environment and returns its stdout,
// stderr and exit status.
func (r *rundir) exec(name string, args ...string) (string, string, int) {
	r.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = r.env
	cmd.Dir = r.dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("%s: %v", name, err)
	}
	return o.String(), e.String(), code
}

func (r *rundir) run(name string, args ...string) string {
	r.t.Helper()
	out, errOut, code := r.exec(name, args...)
	if code != 0 {
		r.t.Fatalf("%s %v: exit %d: %s", name, args, code, errOut)
	}
	return out
}

func (r *rundir) readPid(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "ovs-vswitchd.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pidfile %q: %v", b, err)
	}
	return pid
}

// killLater makes sure a daemon this test started is gone at the end.
func killLater(t *testing.T, pid int) {
	t.Cleanup(func() {
		if syscall.Kill(pid, 0) == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

var startsRecord = regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)

var logLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|\d{5}\|[a-z_0-9]+\|(EMER|ERR|WARN|INFO|DBG)\|`)

func TestDetachedDaemon(t *testing.T) {
	r := newRundir(t)
	out, errOut, code := r.exec(govsBin, "vswitchd", "--detach", "--no-chdir", "--pidfile", "--log-file",
		"-vvconn", "-vofproto_dpif", "-vunixctl", "--enable-dummy", "--disable-system")
	if code != 0 || errOut != "" || out != "" {
		t.Fatalf("detach: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	pid := r.readPid(t)
	killLater(t, pid)
	if !alive(pid) {
		t.Fatalf("daemon pid %d not running", pid)
	}

	// The pidfile is write-locked by the daemon.
	f, err := os.Open(filepath.Join(r.dir, "ovs-vswitchd.pid"))
	if err != nil {
		t.Fatal(err)
	}
	lk := unix.Flock_t{Type: unix.F_WRLCK}
	err = unix.FcntlFlock(f.Fd(), unix.F_GETLK, &lk)
	f.Close()
	if err != nil || lk.Type != unix.F_WRLCK || int(lk.Pid) != pid {
		t.Fatalf("pidfile lock: %v type %d pid %d, want write lock by %d", err, lk.Type, lk.Pid, pid)
	}
	ctl := filepath.Join(r.dir, fmt.Sprintf("ovs-vswitchd.%d.ctl", pid))
	if !exists(ctl) {
		t.Fatalf("no control socket %s", ctl)
	}

	tests := []struct {
		args []string
		want string // regexp the output must match
	}{
		{[]string{"version"}, `^ovs-vswitchd \(Open vSwitch\) 3\.1\.0\n$`},
		{[]string{"list-commands"}, `^The available commands are:\n(?s:.*)  exit                    \[--cleanup\]\n(?s:.*)  vlog/set                {spec \| PATTERN:destination:pattern}\n$`},
		{[]string{"vlog/list"}, `\nvconn              OFF        DBG        DBG\n`},
		{[]string{"vlog/list"}, `\nbridge             OFF       INFO       INFO\n`},
		{[]string{"coverage/read-counter", "netdev_sent"}, `^0\n$`},
		{[]string{"coverage/read-counter", "dp_packet_batch_grow"}, `^0\n$`},
		{[]string{"coverage/show"}, `^Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=[0-9a-f]{8}:\n(?s:.*)\n\d+ events never hit\n$`},
		// OVS prints "name:value" pairs sorted by name; an empty switch has no ports or rules.
		{[]string{"memory/show"}, `^handlers:1 ports:0 revalidators:1 rules:0 udpif keys:0\n$`},
		{[]string{"time/warp", "1000", "300"}, `^warped\n$`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out := r.run("ovs-appctl", tc.args...)
			if !regexp.MustCompile(tc.want).MatchString(out) {
				t.Errorf("output %q does not match %q", out, tc.want)
			}
		})
	}
	checkUsagesMatchStock(t, r.run("ovs-appctl", "list-commands"))
	prof := filepath.Join(r.dir, "cpu.pprof")
	if out := r.run("ovs-appctl", "govs/pprof-cpu", "0.2", prof); !strings.Contains(out, "written to") {
		t.Errorf("govs/pprof-cpu: %q", out)
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("CPU profile not written: %v", err)
	}
	if out := r.run("ovs-appctl", "coverage/read-counter", "unixctl_received"); out == "0\n" {
		t.Errorf("unixctl_received not counted")
	}

	// A second daemon on the same pidfile is refused.
	_, errOut, code = r.exec(govsBin, "vswitchd", "--detach", "--no-chdir", "--pidfile")
	want := fmt.Sprintf("ovs-vswitchd: %s: already running as pid %d, aborting\n", filepath.Join(r.dir, "ovs-vswitchd.pid"), pid)
	if code != 1 || errOut != want {
		t.Errorf("second instance: exit %d stderr %q, want 1 and %q", code, errOut, want)
	}
	if !alive(pid) || r.readPid(t) != pid {
		t.Fatal("second instance disturbed the first")
	}

	r.run("ovs-appctl", "exit")
	r.waitFor("daemon exit", func() bool { return !alive(pid) })
	if exists(filepath.Join(r.dir, "ovs-vswitchd.pid")) || exists(ctl) {
		t.Error("pidfile or control socket left behind")
	}

	log, err := os.ReadFile(filepath.Join(r.dir, "ovs-vswitchd.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(log), "\n"), "\n")
	if !strings.Contains(lines[0], "|vlog|INFO|opened log file "+filepath.Join(r.dir, "ovs-vswitchd.log")) {
		t.Errorf("first log line %q", lines[0])
	}
	sawUnixctl := false
	for _, l := range lines {
		if strings.Contains(l, "|unixctl|DBG|received request version[], id=0") {
			sawUnixctl = true
		}
		if !startsRecord.MatchString(l) {
			continue // continuation of a multi-line message (a logged reply)
		}
		if !logLine.MatchString(l) {
			t.Errorf("bad log line %q", l)
		}
		if strings.Contains(l, "|WARN|") || strings.Contains(l, "|ERR|") || strings.Contains(l, "|EMER|") {
			// The refused second instance logs nothing here: it had no --log-file.
			t.Errorf("unexpected warning or error: %q", l)
		}
	}
	if !sawUnixctl {
		t.Error("-vunixctl did not log requests")
	}
}

func TestForegroundSignals(t *testing.T) {
	r := newRundir(t)
	cmd := exec.Command(govsBin, "vswitchd", "--pidfile", "--log-file", "--no-chdir", "-vconsole:off")
	cmd.Env = r.env
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killLater(t, cmd.Process.Pid)
	r.waitFor("control socket", func() bool {
		return exists(filepath.Join(r.dir, fmt.Sprintf("ovs-vswitchd.%d.ctl", cmd.Process.Pid)))
	})
	logPath := filepath.Join(r.dir, "ovs-vswitchd.log")
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGHUP)
	r.waitFor("reopened log", func() bool { return exists(logPath) })
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v (stderr %q)", err, errOut.String())
	}
	if exists(filepath.Join(r.dir, "ovs-vswitchd.pid")) {
		t.Error("pidfile left behind")
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr with console off: %q", errOut.String())
	}
}

func TestMonitorRestartsCrashedDaemon(t *testing.T) {
	r := newRundir(t)
	r.env = append(r.env, "GOVS_TEST_MONITOR_INTERVAL_MS=0")
	_, errOut, code := r.exec(govsBin, "vswitchd", "--detach", "--monitor", "--no-chdir", "--pidfile", "--log-file")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	pid := r.readPid(t)
	killLater(t, pid)
	ppid := parentOf(t, pid)
	killLater(t, ppid)
	syscall.Kill(pid, syscall.SIGSEGV)
	r.waitFor("restart", func() bool {
		b, err := os.ReadFile(filepath.Join(r.dir, "ovs-vswitchd.pid"))
		if err != nil {
			return false
		}
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n != 0 && n != pid && alive(n)
	})
	pid2 := r.readPid(t)
	killLater(t, pid2)
	r.waitFor("control socket", func() bool {
		return exists(filepath.Join(r.dir, fmt.Sprintf("ovs-vswitchd.%d.ctl", pid2)))
	})
	r.run("ovs-appctl", "exit")
	r.waitFor("monitor exit", func() bool { return !alive(ppid) && !alive(pid2) })
	log, _ := os.ReadFile(filepath.Join(r.dir, "ovs-vswitchd.log"))
	// Go reports an external SIGSEGV as a runtime crash (exit status 2).
	if !regexp.MustCompile(fmt.Sprintf(`\|daemon_unix\|ERR\|1 crashes: pid %d died, .*, restarting\n`, pid)).Match(log) {
		t.Errorf("no crash message in log:\n%s", log)
	}
}

func parentOf(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// TestCommandLineErrorsMatchStock runs the same bad command lines through
// stock ovs-vswitchd and govs: the messages and exit status must agree.
func TestCommandLineErrorsMatchStock(t *testing.T) {
	needStock(t, "ovs-vswitchd")
	dir := t.TempDir()
	env := append(os.Environ(), "OVS_RUNDIR="+dir, "OVS_LOGDIR="+dir)
	for _, args := range [][]string{
		{"--bogus"}, {"-x"}, {"--detach=3"}, {"--unixctl"}, {"--d"}, {"--p"}, {"a", "b"},
		{"-vfoo"}, {"--verbose=console:dbg:info"}, {"-vPATTERN:nope:x"}, {"--dpdk"}, {"-p"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			run := func(bin string) (string, int) {
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				cmd.Dir = dir
				out, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					return string(out), ee.ExitCode()
				}
				return string(out), 0
			}
			want, wantCode := run("ovs-vswitchd")
			got, gotCode := run(ovsVswitchdLink)
			if got != want || gotCode != wantCode {
				t.Errorf("govs: %d %q\nstock: %d %q", gotCode, got, wantCode, want)
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	tests := []struct {
		bin  string
		args []string
		want string
	}{
		{ovsVswitchdLink, []string{"--version"}, "ovs-vswitchd (Open vSwitch) 3.1.0\ngovs " + govsVersion + "\n"},
		{govsBin, []string{"vswitchd", "-V"}, "ovs-vswitchd (Open vSwitch) 3.1.0\ngovs " + govsVersion + "\n"},
		{govsBin, []string{"version"}, "ovs-vswitchd (Open vSwitch) 3.1.0\ngovs " + govsVersion + "\n"},
		{govsBin, []string{"vswitchd", "--help"}, "ovs-vswitchd: Open vSwitch daemon (govs)\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, err := exec.Command(tc.bin, tc.args...).Output()
			if err != nil || !strings.HasPrefix(string(out), tc.want) {
				t.Errorf("got %q, %v; want prefix %q", out, err, tc.want)
			}
		})
	}
	if err := exec.Command(govsBin, "nonsense").Run(); err == nil {
		t.Error("unknown subcommand succeeded")
	}
	if out, err := exec.Command(govsBin, "vswitchd", "--embedded-db").CombinedOutput(); err == nil ||
		string(out) != "ovs-vswitchd: --embedded-db: not implemented yet\n" {
		t.Errorf("--embedded-db: %q %v", out, err)
	}
}

// daemonCommands are the commands this package and the packages it sets up
// (coverage, vlog, clock, unixctl) register; the engine's commands are
// checked by the engine's own tests.
var daemonCommands = []string{
	"coverage/read-counter", "coverage/show", "exit", "list-commands", "memory/show",
	"time/stop", "time/warp", "version", "vlog/close", "vlog/disable-rate-limit",
	"vlog/enable-rate-limit", "vlog/list", "vlog/list-pattern", "vlog/reopen", "vlog/set",
}

// checkUsagesMatchStock checks that the daemon's own commands are listed
// with stock ovs-vswitchd's usage texts (testdata/stock-list-commands.txt
// comes from testdata/gen-stock.sh).
func checkUsagesMatchStock(t *testing.T, list string) {
	t.Helper()
	b, err := os.ReadFile("testdata/stock-list-commands.txt")
	if err != nil {
		t.Fatal(err)
	}
	parse := func(s string) map[string]string {
		m := map[string]string{}
		for _, l := range strings.Split(s, "\n")[1:] {
			if f := strings.Fields(l); len(f) > 0 {
				m[f[0]] = l
			}
		}
		return m
	}
	stock, got := parse(string(b)), parse(list)
	for _, name := range daemonCommands {
		if got[name] != stock[name] {
			t.Errorf("list-commands line %q, stock has %q", got[name], stock[name])
		}
	}
}
