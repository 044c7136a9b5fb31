package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"govs.dev/govs/clock"
	"govs.dev/govs/coverage"
	"govs.dev/govs/unixctl"
	"govs.dev/govs/vlog"
)

var (
	vswitchdLog    = vlog.Module("vswitchd")
	fatalSignalLog = vlog.Module("fatal_signal")
)

// fatal prints "ovs-vswitchd: MSG" on stderr, logs it at EMER and returns
// exit status 1, like OVS's VLOG_FATAL.
func fatal(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	vlog.SetLevels(vswitchdLog, vlog.Console, vlog.LevelOff)
	vswitchdLog.Emer("%s", msg)
	fmt.Fprintf(os.Stderr, "%s: %s\n", programName, msg)
	return 1
}

func openLogFile(c *config) error {
	name := c.logFile
	if name == "-" {
		name = ""
	}
	return vlog.SetLogFile(name)
}

// vswitchd runs "govs vswitchd ARGS" and returns the exit status.
func vswitchd(args []string) int {
	vlog.SetProgramName(programName)
	c, err := parseVswitchd(args)
	if err != nil {
		return fatal("%v", err)
	}
	if c.help {
		fmt.Print(vswitchdUsage())
		return 0
	}
	if c.version {
		fmt.Print(versionText())
		return 0
	}
	if c.detach {
		// A detaching daemon writes nothing on the terminal: OVS turns the
		// console off only once it has detached, which prints its startup
		// messages on stderr first.
		vlog.SetLevels(nil, vlog.Console, vlog.LevelOff)
	}
	for _, v := range c.verbosity {
		if err := vlog.SetVerbosity(v); err != nil {
			return fatal("%v", err)
		}
	}
	if c.embeddedDB {
		return fatal("%v", errEmbeddedDB)
	}
	switch {
	case c.detach && role() == "":
		return detach()
	case c.monitor && role() != "monitored":
		// The monitor keeps its working directory so that relative paths on
		// the command line mean the same to every daemon it starts; each
		// daemon changes directory itself.
		return monitor(c, readiness())
	}
	return daemon(c)
}

// daemon is the daemon proper: it runs until exit, SIGTERM or SIGINT.
func daemon(c *config) int {
	if c.logFile != "" {
		if err := openLogFile(c); err != nil {
			return fatal("%v", err)
		}
	}
	var pf *pidfile
	if c.pidfile != "" {
		var err error
		if pf, err = createPidfile(c.pidfile, c.overwritePidfile); err != nil {
			return fatal("%v", err)
		}
	}
	defer func() { pf.remove() }()
	if c.user != "" {
		var pidPath string
		if pf != nil {
			pidPath = pf.path
		}
		if err := dropPrivileges(c.user, pidPath, vlog.LogFile()); err != nil {
			return fatal("%v", err)
		}
	}
	if !c.noChdir {
		if err := os.Chdir("/"); err != nil {
			return fatal("chdir /: %v", err)
		}
	}
	if c.mlockall {
		if err := unix.Mlockall(unix.MCL_CURRENT | unix.MCL_FUTURE); err != nil {
			vswitchdLog.Err("mlockall failed: %s", strerror(err))
		}
	}
	for _, o := range c.ignored {
		vswitchdLog.Info("option %s is accepted but not implemented by govs", o)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := clock.Default()

	var srv *unixctl.Server
	if c.unixctl != "none" {
		path := c.unixctl
		if path == "" {
			path = fmt.Sprintf("%s.%d.ctl", programName, os.Getpid())
		}
		path = absIn(c.runDir, path)
		var err error
		srv, err = unixctl.ListenVersion(path, fmt.Sprintf("%s (Open vSwitch) %s", programName, ovsVersion))
		if err != nil {
			return fatal("%v", err)
		}
		defer srv.Close()
	}

	var (
		exitMu      sync.Mutex
		wantCleanup bool
	)
	engineDone := make(chan struct{})
	if srv != nil {
		srv.Register("exit", "[--cleanup]", 0, 1, func(args []string) (string, error) {
			exitMu.Lock()
			if len(args) == 1 && args[0] == "--cleanup" {
				wantCleanup = true
			}
			exitMu.Unlock()
			cancel()
			// OVS replies once it has shut down.
			<-engineDone
			return "", nil
		})
		srv.Register("memory/show", "", 0, 0, func([]string) (string, error) {
			return formatMemory(memoryStats()), nil
		})
		srv.SetHooks(unixctlHooks())
		coverage.RegisterCommands(srv)
		registerProfile(srv)
		vlog.RegisterCommands(srv)
		if c.enableDummy {
			// OVS offers time/stop and time/warp only with --enable-dummy.
			clock.RegisterCommands(srv, clk)
		}
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGHUP {
					if err := vlog.ReopenLogFile(); err != nil {
						vswitchdLog.Warn("reopening log file failed: %v", err)
					}
					continue
				}
				sig := s.(syscall.Signal)
				// OVS logs this at WARN; govs treats a requested stop as
				// normal operation.
				fatalSignalLog.Info("terminating with signal %d (%s)", int(sig), strings.ToUpper(sig.String()[:1])+sig.String()[1:])
				cancel()
			case <-ctx.Done():
				return
			}
		}
	}()

	coverage.Run(clk.Msec())
	ticker := clk.Ticker(statsInterval, func() { coverage.Run(clk.Msec()) })
	defer ticker.Stop()

	ready := readiness()
	var readyOnce sync.Once
	opts := engineOptions{
		DBEndpoint:    c.database,
		RunDir:        c.runDir,
		Unixctl:       srv,
		Clock:         clk,
		EnableDummy:   c.enableDummy,
		DummyOverride: c.dummyOverride,
		DisableSystem: c.disableSystem,
		Ready: func() {
			readyOnce.Do(func() {
				if ready == nil {
					return
				}
				if c.detach {
					nullStdio()
				}
				io.WriteString(ready, readyMsg)
				ready.Close()
			})
		},
		Cleanup: func() bool {
			exitMu.Lock()
			defer exitMu.Unlock()
			return wantCleanup
		},
	}
	err := runEngine(ctx, opts)
	cancel()
	pf.remove()
	pf = nil
	close(engineDone)
	if srv != nil {
		srv.Close()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fatal("%v", err)
	}
	return 0
}

var (
	unixctlLog      = vlog.Module("unixctl")
	unixctlReceived = coverage.Define("unixctl_received")
	unixctlReplied  = coverage.Define("unixctl_replied")
)

// unixctlHooks logs control requests and replies at DBG and counts them,
// as OVS's unixctl module does.
func unixctlHooks() unixctl.Hooks {
	return unixctl.Hooks{
		Received: func(method, params, id string) {
			unixctlReceived.Inc()
			unixctlLog.Dbg("received request %s%s, id=%s", method, params, id)
		},
		Replied: func(ok bool, id, body string) {
			unixctlReplied.Inc()
			how := "error"
			if ok {
				how = "success"
			}
			unixctlLog.Dbg("replying with %s, id=%s: \"%s\"", how, id, body)
		},
	}
}

// formatMemory renders memory/show as OVS does: "name:value" pairs sorted
// by name, separated by spaces.
func formatMemory(m map[string]uint64) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s:%d", n, m[n])
	}
	return strings.Join(parts, " ")
}
