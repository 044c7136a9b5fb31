package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/vlog"
)

// Environment variables by which a govs process tells the process it
// re-executes what role it plays. They are internal to govs.
const (
	envRole    = "GOVS_DAEMON_ROLE" // "detached" or "monitored"
	envReadyFD = "GOVS_READY_FD"    // fd on which to report readiness
	readyFD    = 3                  // the first of exec.Cmd.ExtraFiles
	readyMsg   = "ready\n"
)

var daemonLog = vlog.Module("daemon_unix")

// role returns the role this process was started in ("" for a process
// started by a user).
func role() string { return os.Getenv(envRole) }

// readiness returns the pipe on which this process must report readiness,
// or nil.
func readiness() *os.File {
	if os.Getenv(envReadyFD) != strconv.Itoa(readyFD) {
		return nil
	}
	return os.NewFile(readyFD, "readiness")
}

// childCommand re-executes this binary with the same arguments in the
// given role, handing it ready as its readiness pipe.
func childCommand(roleName string, ready *os.File) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find own executable: %w", err)
	}
	cmd := &exec.Cmd{Path: exe, Args: os.Args, Stdout: os.Stdout, Stderr: os.Stderr}
	cmd.Env = append(filterEnv(os.Environ()), envRole+"="+roleName)
	if ready != nil {
		cmd.ExtraFiles = []*os.File{ready}
		cmd.Env = append(cmd.Env, envReadyFD+"="+strconv.Itoa(readyFD))
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	cmd.Stdin = null
	return cmd, nil
}

func filterEnv(env []string) []string {
	out := env[:0:0]
	for _, e := range env {
		if !strings.HasPrefix(e, envRole+"=") && !strings.HasPrefix(e, envReadyFD+"=") {
			out = append(out, e)
		}
	}
	return out
}

// waitReady reads the readiness pipe until the child reports readiness
// (true) or closes it without doing so (false).
func waitReady(r *os.File) bool {
	defer r.Close()
	b, _ := io.ReadAll(io.LimitReader(r, 64))
	return string(b) == readyMsg
}

// exitStatus converts a child's wait error into an exit status.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		if c := ee.ExitCode(); c > 0 {
			return c
		}
	}
	return 1
}

// detach implements --detach for the process a user started: it starts
// the daemon as a child in a new session and exits 0 once the child
// reports that it is configured, or with the child's status if it dies
// first (the child prints its own error on the inherited stderr).
func detach() int {
	r, w, err := os.Pipe()
	if err != nil {
		return fatal("pipe: %v", err)
	}
	cmd, err := childCommand("detached", w)
	if err != nil {
		return fatal("%v", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fatal("could not start daemon: %v", err)
	}
	w.Close()
	if waitReady(r) {
		// Leave the daemon running; do not wait for it.
		cmd.Process.Release()
		return 0
	}
	st := exitStatus(cmd.Wait())
	if st == 0 {
		st = 1
	}
	return st
}

// restartSignals are the signals after which --monitor restarts the
// daemon, as OVS's monitor does; a Go runtime crash (exit status 2) counts
// as a crash too.
var restartSignals = map[syscall.Signal]bool{
	syscall.SIGABRT: true, syscall.SIGALRM: true, syscall.SIGBUS: true,
	syscall.SIGFPE: true, syscall.SIGILL: true, syscall.SIGPIPE: true,
	syscall.SIGSEGV: true, syscall.SIGXCPU: true, syscall.SIGXFSZ: true,
}

func crashed(err error) (bool, string) {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false, ""
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok {
		return false, ""
	}
	if ws.Signaled() && restartSignals[ws.Signal()] {
		return true, "killed (" + ws.Signal().String() + ")"
	}
	if ws.Exited() && ws.ExitStatus() == 2 {
		return true, "exit status 2 (Go runtime crash)"
	}
	return false, ""
}

// monitorRestartInterval throttles restarts, as OVS's monitor does. Tests
// shorten it through GOVS_TEST_MONITOR_INTERVAL_MS.
func monitorRestartInterval() time.Duration {
	if ms, err := strconv.Atoi(os.Getenv("GOVS_TEST_MONITOR_INTERVAL_MS")); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond
	}
	return 10 * time.Second
}

// monitor implements --monitor: this process supervises the daemon,
// restarting it when it crashes, and relays the first readiness report to
// up (the --detach parent), if any. It returns the daemon's final status.
func monitor(c *config, up *os.File) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	var lastStart time.Time
	crashes := 0
	first := true
	for {
		r, w, err := os.Pipe()
		if err != nil {
			return fatal("pipe: %v", err)
		}
		cmd, err := childCommand("monitored", w)
		if err != nil {
			return fatal("%v", err)
		}
		lastStart = time.Now()
		if err := cmd.Start(); err != nil {
			return fatal("could not start daemon: %v", err)
		}
		w.Close()
		ready := waitReady(r)
		if first {
			first = false
			if !ready {
				return exitStatus(cmd.Wait())
			}
			if up != nil {
				io.WriteString(up, readyMsg)
				up.Close()
				up = nil
				nullStdio()
			}
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var werr error
	wait:
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
				if s != syscall.SIGHUP {
					return exitStatus(<-done)
				}
			case werr = <-done:
				break wait
			}
		}
		isCrash, how := crashed(werr)
		if !isCrash {
			return exitStatus(werr)
		}
		crashes++
		msg := fmt.Sprintf("%d crashes: pid %d died, %s", crashes, cmd.Process.Pid, how)
		if c.logFile != "" && vlog.LogFile() == "" {
			openLogFile(c)
		}
		if wait := time.Until(lastStart.Add(monitorRestartInterval())); wait > 0 {
			daemonLog.Warn("%s, waiting until %d seconds since last restart", msg, int(monitorRestartInterval().Seconds()))
			time.Sleep(wait)
		}
		daemonLog.Err("%s, restarting", msg)
	}
}

// nullStdio points stdin, stdout and stderr at /dev/null, as a daemon
// does once it has detached.
func nullStdio() {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return
	}
	for fd := 0; fd < 3; fd++ {
		unix.Dup2(int(null.Fd()), fd)
	}
	null.Close()
	vlog.SetLevels(nil, vlog.Console, vlog.LevelOff)
}

// dropPrivileges implements --user=USER[:GROUP].
func dropPrivileges(spec string, files ...string) error {
	name, group, hasGroup := strings.Cut(spec, ":")
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("--user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if hasGroup {
		g, err := user.LookupGroup(group)
		if err != nil {
			return fmt.Errorf("--user: %w", err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	if uid == os.Getuid() && gid == os.Getgid() {
		return nil
	}
	for _, f := range files {
		if f != "" {
			if err := os.Chown(f, uid, gid); err != nil {
				return fmt.Errorf("--user: chown %s: %w", f, err)
			}
		}
	}
	if err := syscall.Setgroups([]int{gid}); err != nil {
		return fmt.Errorf("--user: setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("--user: setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("--user: setuid: %w", err)
	}
	return nil
}
