package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// programName is the name the daemon goes by in messages, file names and
// the control socket, as ovs-vswitchd.
const programName = "ovs-vswitchd"

// ovsVersion is the OVS version govs is compatible with.
const ovsVersion = "3.1.0"

// govsVersion is govs's own version.
const govsVersion = "0.1.0"

type argKind int

const (
	noArg argKind = iota
	requiredArg
	optionalArg
)

type optSpec struct {
	long  string
	short byte // 0 if none
	kind  argKind
}

// vswitchdOptions are ovs-vswitchd 3.1's options plus govs's --embedded-db.
var vswitchdOptions = []optSpec{
	{"help", 'h', noArg},
	{"version", 'V', noArg},
	{"mlockall", 0, noArg},
	{"unixctl", 0, requiredArg},
	{"detach", 0, noArg},
	{"no-self-confinement", 0, noArg},
	{"no-chdir", 0, noArg},
	{"pidfile", 0, optionalArg},
	{"overwrite-pidfile", 0, noArg},
	{"monitor", 0, noArg},
	{"user", 0, requiredArg},
	{"verbose", 'v', optionalArg},
	{"log-file", 0, optionalArg},
	{"syslog-method", 0, requiredArg},
	{"syslog-target", 0, requiredArg},
	{"private-key", 'p', requiredArg},
	{"certificate", 'c', requiredArg},
	{"ca-cert", 'C', requiredArg},
	{"ssl-protocols", 0, requiredArg},
	{"ssl-ciphers", 0, requiredArg},
	{"peer-ca-cert", 0, requiredArg},
	{"bootstrap-ca-cert", 0, requiredArg},
	{"enable-dummy", 0, optionalArg},
	{"disable-system", 0, noArg},
	{"disable-system-route", 0, noArg},
	{"dpdk", 0, optionalArg},
	{"dummy-numa", 0, requiredArg},
	{"embedded-db", 0, noArg},
}

// parsedOpt is one option occurrence, in command-line order.
type parsedOpt struct {
	name   string // long name
	arg    string
	hasArg bool
}

// usageError is a command-line error; its text is printed after
// "ovs-vswitchd: " and the program exits with status 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// getopt parses args like glibc's getopt_long with argument permutation:
// options and non-options may be mixed, "--" ends options, long options may
// be abbreviated to a unique prefix, short options may be clustered. The
// error texts are glibc's.
func getopt(args []string, specs []optSpec) (opts []parsedOpt, rest []string, err error) {
	byShort := map[byte]*optSpec{}
	for i := range specs {
		if specs[i].short != 0 {
			byShort[specs[i].short] = &specs[i]
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return opts, rest, nil
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a[2:], "=")
			spec, err := lookupLong(specs, name, a)
			if err != nil {
				return nil, nil, err
			}
			o := parsedOpt{name: spec.long}
			switch spec.kind {
			case noArg:
				if hasVal {
					return nil, nil, &usageError{fmt.Sprintf("option '--%s' doesn't allow an argument", spec.long)}
				}
			case optionalArg:
				o.arg, o.hasArg = val, hasVal
			case requiredArg:
				if hasVal {
					o.arg, o.hasArg = val, true
				} else if i+1 < len(args) {
					i++
					o.arg, o.hasArg = args[i], true
				} else {
					return nil, nil, &usageError{fmt.Sprintf("option '--%s' requires an argument", spec.long)}
				}
			}
			opts = append(opts, o)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				spec := byShort[a[j]]
				if spec == nil {
					return nil, nil, &usageError{fmt.Sprintf("invalid option -- '%c'", a[j])}
				}
				o := parsedOpt{name: spec.long}
				if spec.kind != noArg {
					if j+1 < len(a) {
						o.arg, o.hasArg = a[j+1:], true
					} else if spec.kind == requiredArg {
						if i+1 >= len(args) {
							return nil, nil, &usageError{fmt.Sprintf("option requires an argument -- '%c'", a[j])}
						}
						i++
						o.arg, o.hasArg = args[i], true
					}
					opts = append(opts, o)
					break
				}
				opts = append(opts, o)
			}
		default:
			rest = append(rest, a)
		}
	}
	return opts, rest, nil
}

func lookupLong(specs []optSpec, name, orig string) (*optSpec, error) {
	var matches []*optSpec
	for i := range specs {
		if specs[i].long == name {
			return &specs[i], nil
		}
		if name != "" && strings.HasPrefix(specs[i].long, name) {
			matches = append(matches, &specs[i])
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, &usageError{fmt.Sprintf("unrecognized option '%s'", orig)}
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = "'--" + m.long + "'"
	}
	return nil, &usageError{fmt.Sprintf("option '%s' is ambiguous; possibilities: %s", strings.SplitN(orig, "=", 2)[0], strings.Join(names, " "))}
}

// config is the daemon's configuration from its command line.
type config struct {
	database         string
	runDir           string
	pidfile          string // "" if no --pidfile
	overwritePidfile bool
	logFile          string // "" if no --log-file
	detach           bool
	monitor          bool
	noChdir          bool
	unixctl          string // "" for the default, "none" for no socket
	user             string
	mlockall         bool
	verbosity        []string // -v arguments in order; "" is a bare -v
	enableDummy      bool
	dummyOverride    bool
	disableSystem    bool
	disableSysRoute  bool
	embeddedDB       bool
	help, version    bool
	ignored          []string // accepted options govs does not implement
}

// runDir returns $OVS_RUNDIR or OVS's default.
func runDir() string {
	if d := os.Getenv("OVS_RUNDIR"); d != "" {
		return d
	}
	return "/var/run/openvswitch"
}

// absIn makes name absolute relative to dir, as OVS's abs_file_name does.
func absIn(dir, name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}

// parseVswitchd turns the daemon's arguments into a config. It does not
// touch the file system or logging; -v specs are checked later.
func parseVswitchd(args []string) (*config, error) {
	opts, rest, err := getopt(args, vswitchdOptions)
	if err != nil {
		return nil, err
	}
	c := &config{runDir: runDir()}
	for _, o := range opts {
		switch o.name {
		case "help":
			c.help = true
		case "version":
			c.version = true
		case "mlockall":
			c.mlockall = true
		case "unixctl":
			c.unixctl = o.arg
		case "detach":
			c.detach = true
		case "no-self-confinement":
		case "no-chdir":
			c.noChdir = true
		case "pidfile":
			c.pidfile = programName + ".pid"
			if o.hasArg && o.arg != "" {
				c.pidfile = o.arg
			}
			c.pidfile = absIn(c.runDir, c.pidfile)
		case "overwrite-pidfile":
			c.overwritePidfile = true
		case "monitor":
			c.monitor = true
		case "user":
			c.user = o.arg
		case "verbose":
			c.verbosity = append(c.verbosity, o.arg)
		case "log-file":
			c.logFile = "-"
			if o.hasArg && o.arg != "" {
				abs, err := filepath.Abs(o.arg)
				if err != nil {
					return nil, fmt.Errorf("--log-file: %w", err)
				}
				c.logFile = abs
			}
		case "enable-dummy":
			c.enableDummy = true
			switch o.arg {
			case "", "system":
			case "override":
				c.dummyOverride = true
			default:
				return nil, &usageError{fmt.Sprintf("--enable-dummy: unknown argument \"%s\" (use \"override\" or \"system\")", o.arg)}
			}
		case "disable-system":
			c.disableSystem = true
		case "disable-system-route":
			c.disableSysRoute = true
		case "dpdk":
			return nil, &usageError{"Using --dpdk to configure DPDK is not supported."}
		case "embedded-db":
			c.embeddedDB = true
		default:
			c.ignored = append(c.ignored, "--"+o.name)
		}
	}
	switch len(rest) {
	case 0:
		c.database = "unix:" + filepath.Join(c.runDir, "db.sock")
	case 1:
		c.database = rest[0]
	default:
		return nil, &usageError{"at most one non-option argument accepted; use --help for usage"}
	}
	return c, nil
}

var errEmbeddedDB = errors.New("--embedded-db: not implemented yet")

func vswitchdUsage() string {
	rd := runDir()
	ld := os.Getenv("OVS_LOGDIR")
	if ld == "" {
		ld = "/var/log/openvswitch"
	}
	return fmt.Sprintf(`%[1]s: Open vSwitch daemon (govs)
usage: %[1]s [OPTIONS] [DATABASE]
where DATABASE is a socket on which ovsdb-server is listening
      (default: "unix:%[2]s/db.sock").

Active DATABASE connection methods:
  tcp:HOST:PORT           PORT at remote HOST
  unix:FILE               Unix domain socket named FILE

Daemon options:
  --detach                run in background as daemon
  --monitor               creates a process to monitor this daemon
  --user=username[:group] changes the effective daemon user:group
  --no-chdir              do not chdir to '/'
  --pidfile[=FILE]        create pidfile (default: %[2]s/%[1]s.pid)
  --overwrite-pidfile     with --pidfile, start even if already running

Logging options:
  -vSPEC, --verbose=SPEC   set logging levels
  -v, --verbose            set maximum verbosity level
  --log-file[=FILE]        enable logging to specified FILE
                           (default: %[3]s/%[1]s.log)

Other options:
  --unixctl=SOCKET          override default control socket name
  --enable-dummy[=override] allow the dummy datapath and interfaces
  --disable-system          disable the system datapath
  --disable-system-route    do not use the system routing table
  --embedded-db             serve govs's own OVSDB on DATABASE (not yet)
  -h, --help                display this help message
  -V, --version             display version information
`, programName, rd, ld)
}

func versionText() string {
	return fmt.Sprintf("%s (Open vSwitch) %s\ngovs %s\n", programName, ovsVersion, govsVersion)
}
