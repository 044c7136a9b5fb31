package vlog

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Level is a log level. Higher values are more verbose.
type Level int32

// The log levels, least to most verbose. LevelOff disables a destination.
const (
	LevelOff Level = iota
	LevelEmer
	LevelErr
	LevelWarn
	LevelInfo
	LevelDbg
	numLevels
)

var levelNames = [numLevels]string{"OFF", "EMER", "ERR", "WARN", "INFO", "DBG"}

// syslogSeverity maps levels to syslog severities (RFC 5424), as OVS does.
var syslogSeverity = [numLevels]int{1, 1, 3, 4, 5, 7}

// String returns the level's name as OVS prints it ("INFO").
func (l Level) String() string {
	if l < 0 || l >= numLevels {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses a level name, case-insensitively.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), true
		}
	}
	return 0, false
}

// Destination is where log messages go.
type Destination int

// The destinations, in OVS's internal order.
const (
	Syslog Destination = iota
	Console
	File
	numDestinations
	anyDestination Destination = -1
)

var destNames = [numDestinations]string{"SYSLOG", "CONSOLE", "FILE"}

// Default patterns, as OVS's.
var defaultPatterns = [numDestinations]string{
	"ovs|%05N|%c%T|%p|%m",
	"%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m",
	"%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m",
}

// String returns the destination's name ("CONSOLE").
func (d Destination) String() string {
	if d < 0 || d >= numDestinations {
		return fmt.Sprintf("Destination(%d)", int(d))
	}
	return destNames[d]
}

func parseDestination(s string) (Destination, bool) {
	for i, n := range destNames {
		if strings.EqualFold(s, n) {
			return Destination(i), true
		}
	}
	return 0, false
}

// Logger is one logging module. Create it with Module; it lives for the
// life of the process. Its methods are safe for concurrent use.
type Logger struct {
	name      string
	levels    [numDestinations]atomic.Int32
	noHonorRL atomic.Bool
}

// state is the process-wide logging configuration.
var state struct {
	mu       sync.Mutex // guards the fields below and serialises output
	modules  map[string]*Logger
	patterns [numDestinations]string
	file     *os.File
	fileName string
	console  io.Writer
	syslog   net.Conn
	syslogOK bool // false once dialing /dev/log failed
	facility int
	program  string
	defaults [numDestinations]Level // levels for modules created later

	fileOpen atomic.Bool
	seq      atomic.Uint32
	start    time.Time
}

func init() {
	state.modules = make(map[string]*Logger)
	state.patterns = defaultPatterns
	state.console = os.Stderr
	state.syslogOK = true
	state.facility = 3 << 3 // LOG_DAEMON
	state.program = filepath.Base(os.Args[0])
	state.start = time.Now()
	for d := range state.defaults {
		state.defaults[d] = LevelInfo
	}
	for _, m := range ovsModules {
		Module(m)
	}
	vlogModule = Module("vlog")
}

// Module returns the logging module called name, creating it on first use
// with OVS's default levels (INFO everywhere) or the levels last set for all
// modules. Calling it again with the
// same name returns the same Logger.
func Module(name string) *Logger {
	state.mu.Lock()
	defer state.mu.Unlock()
	if l, ok := state.modules[name]; ok {
		return l
	}
	// A module created after a change to all modules' levels gets the
	// changed levels, as if it had existed (OVS registers all modules at
	// start).
	l := &Logger{name: name}
	for d := range l.levels {
		l.levels[d].Store(int32(state.defaults[d]))
	}
	state.modules[name] = l
	return l
}

// Name returns the module's name.
func (l *Logger) Name() string { return l.name }

// Level returns the module's level for destination d.
func (l *Logger) Level(d Destination) Level { return Level(l.levels[d].Load()) }

// Enabled reports whether a message at level would go anywhere.
func (l *Logger) Enabled(level Level) bool {
	if Level(l.levels[Console].Load()) >= level || Level(l.levels[Syslog].Load()) >= level {
		return true
	}
	return state.fileOpen.Load() && Level(l.levels[File].Load()) >= level
}

// Emer logs at EMER level. Format and args are as for fmt.Sprintf.
func (l *Logger) Emer(format string, args ...any) { l.Log(LevelEmer, format, args...) }

// Err logs at ERR level.
func (l *Logger) Err(format string, args ...any) { l.Log(LevelErr, format, args...) }

// Warn logs at WARN level.
func (l *Logger) Warn(format string, args ...any) { l.Log(LevelWarn, format, args...) }

// Info logs at INFO level.
func (l *Logger) Info(format string, args ...any) { l.Log(LevelInfo, format, args...) }

// Dbg logs at DBG level.
func (l *Logger) Dbg(format string, args ...any) { l.Log(LevelDbg, format, args...) }

// Log logs a message at level. The message is formatted only if some
// destination accepts the level.
func (l *Logger) Log(level Level, format string, args ...any) {
	if level <= LevelOff || level >= numLevels || !l.Enabled(level) {
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	l.emit(level, msg)
}

func (l *Logger) emit(level Level, msg string) {
	toConsole := Level(l.levels[Console].Load()) >= level
	toSyslog := Level(l.levels[Syslog].Load()) >= level
	toFile := Level(l.levels[File].Load()) >= level
	now := time.Now()

	state.mu.Lock()
	defer state.mu.Unlock()
	toFile = toFile && state.file != nil
	if !toConsole && !toSyslog && !toFile {
		return
	}
	seq := state.seq.Add(1)
	rec := record{module: l.name, level: level, msg: msg, seq: seq, now: now}
	if toConsole && state.console != nil {
		_, _ = io.WriteString(state.console, format(state.patterns[Console], &rec)+"\n")
	}
	if toSyslog {
		writeSyslogLocked(level, format(state.patterns[Syslog], &rec))
	}
	if toFile {
		_, _ = state.file.WriteString(format(state.patterns[File], &rec) + "\n")
	}
}

func writeSyslogLocked(level Level, text string) {
	if !state.syslogOK {
		return
	}
	if state.syslog == nil {
		c, err := net.Dial("unixgram", "/dev/log")
		if err != nil {
			state.syslogOK = false
			return
		}
		state.syslog = c
	}
	pri := state.facility | syslogSeverity[level]
	ts := time.Now().Format(time.Stamp)
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			continue
		}
		msg := fmt.Sprintf("<%d>%s %s[%d]: %s", pri, ts, state.program, os.Getpid(), line)
		_ = state.syslog.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := state.syslog.Write([]byte(msg)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			_ = state.syslog.Close()
			state.syslog = nil
		}
	}
}

// SetProgramName sets the program name used for the default log file name,
// the %A pattern escape and syslog messages (default: basename of argv[0]).
func SetProgramName(name string) {
	state.mu.Lock()
	state.program = name
	state.mu.Unlock()
}

// SetConsole redirects console output to w (nil discards it). The default
// is os.Stderr.
func SetConsole(w io.Writer) {
	state.mu.Lock()
	state.console = w
	state.mu.Unlock()
}

// DisableSyslog stops all syslog output regardless of levels (for tests and
// environments without a syslog daemon).
func DisableSyslog() {
	state.mu.Lock()
	state.syslogOK = false
	if state.syslog != nil {
		_ = state.syslog.Close()
		state.syslog = nil
	}
	state.mu.Unlock()
}

// SetLevels sets the level of destination d (or all destinations if d is
// negative) for module m (or every module if m is nil).
func SetLevels(m *Logger, d Destination, level Level) {
	state.mu.Lock()
	defer state.mu.Unlock()
	setLevelsLocked(m, d, level)
}

func setLevelsLocked(m *Logger, d Destination, level Level) {
	dests := []Destination{d}
	if d < 0 {
		dests = []Destination{Syslog, Console, File}
	}
	for _, dd := range dests {
		if m != nil {
			m.levels[dd].Store(int32(level))
			continue
		}
		state.defaults[dd] = level
		for _, mm := range state.modules {
			mm.levels[dd].Store(int32(level))
		}
	}
}

var facilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5,
	"lpr": 6, "news": 7, "uucp": 8, "clock": 9, "authpriv": 10, "ftp": 11,
	"ntp": 12, "audit": 13, "alert": 14, "clock2": 15, "local0": 16,
	"local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21,
	"local6": 22, "local7": 23,
}

func isSep(r rune) bool { return r == ' ' || r == ',' || r == ':' || r == '\t' }

// nextWord splits off the first word of s as strtok(" ,:\t") would and
// returns it and the rest after the one delimiter that ended it.
func nextWord(s string) (word, rest string, ok bool) {
	s = strings.TrimLeftFunc(s, isSep)
	if s == "" {
		return "", "", false
	}
	i := strings.IndexFunc(s, isSep)
	if i < 0 {
		return s, "", true
	}
	return s[:i], s[i+1:], true
}

// SetLevelsFromString applies one OVS logging spec: a combination of a
// module name, a destination (console, syslog, file) and a level, any of
// which may be omitted or "ANY", separated by ':', ',' or spaces (so
// "vconn", "console:off", "ANY:file:dbg"); or "PATTERN:DEST:PATTERN"; or
// "FACILITY:NAME". The error texts are OVS's.
func SetLevelsFromString(spec string) error {
	word, rest, ok := nextWord(spec)
	if ok && strings.EqualFold(word, "PATTERN") {
		dw, prest, ok := nextWord(rest)
		if !ok {
			return errors.New("missing destination")
		}
		d := anyDestination
		if !strings.EqualFold(dw, "ANY") {
			var found bool
			if d, found = parseDestination(dw); !found {
				return fmt.Errorf("unknown destination \"%s\"", dw)
			}
		}
		SetPattern(d, prest)
		return nil
	}
	if ok && strings.EqualFold(word, "FACILITY") {
		f, found := facilities[strings.ToLower(rest)]
		if !found {
			return errors.New("invalid facility")
		}
		state.mu.Lock()
		state.facility = f << 3
		state.mu.Unlock()
		return nil
	}
	var module *Logger
	level, dest := Level(-1), anyDestination
	haveDest := false
	state.mu.Lock()
	defer state.mu.Unlock()
	for ; ok; word, rest, ok = nextWord(rest) {
		if strings.EqualFold(word, "ANY") {
			continue
		}
		if d, found := parseDestination(word); found {
			if haveDest {
				return errors.New("cannot specify multiple destinations")
			}
			dest, haveDest = d, true
		} else if l, found := ParseLevel(word); found {
			if level >= 0 {
				return errors.New("cannot specify multiple levels")
			}
			level = l
		} else if m, found := state.modules[word]; found {
			if module != nil {
				return errors.New("cannot specify multiple modules")
			}
			module = m
		} else {
			return fmt.Errorf("no destination, level, or module \"%s\"", word)
		}
	}
	if level < 0 {
		level = LevelDbg
	}
	setLevelsLocked(module, dest, level)
	return nil
}

// SetVerbosity applies a -v/--verbose command-line argument: with no
// argument (arg == "") every module and destination goes to DBG; otherwise
// arg is a spec for SetLevelsFromString. The error reads like OVS's
// ("processing \"foo\": no destination, level, or module \"foo\"").
func SetVerbosity(arg string) error {
	if arg == "" {
		SetLevels(nil, anyDestination, LevelDbg)
		return nil
	}
	if err := SetLevelsFromString(arg); err != nil {
		return fmt.Errorf("processing \"%s\": %w", arg, err)
	}
	return nil
}

// SetPattern sets the line pattern of destination d (all if d is negative).
func SetPattern(d Destination, pattern string) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if d < 0 {
		for i := range state.patterns {
			state.patterns[i] = pattern
		}
		return
	}
	state.patterns[d] = pattern
}

// vlogModule is set by init, after the state it needs exists.
var vlogModule *Logger

// DefaultLogFile returns the log file OVS would use for the program:
// $OVS_LOGDIR/<program>.log, OVS_LOGDIR defaulting to /var/log/openvswitch.
func DefaultLogFile() string {
	dir := os.Getenv("OVS_LOGDIR")
	if dir == "" {
		dir = "/var/log/openvswitch"
	}
	state.mu.Lock()
	p := state.program
	state.mu.Unlock()
	return filepath.Join(dir, p+".log")
}

// SetLogFile opens name for appending and makes it the file destination
// (name "" means DefaultLogFile). It logs "opened log file" as OVS does.
func SetLogFile(name string) error {
	if name == "" {
		name = DefaultLogFile()
	}
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o660)
	if err != nil {
		vlogModule.Warn("failed to open %s for logging: %s", name, strerror(err))
		return fmt.Errorf("vlog: open log file: %w", err)
	}
	state.mu.Lock()
	old := state.file
	if old != nil && sameFile(old, f) {
		state.mu.Unlock()
		_ = f.Close()
		return nil
	}
	state.mu.Unlock()
	if old != nil {
		vlogModule.Info("closing log file")
	}
	state.mu.Lock()
	if state.file != nil {
		_ = state.file.Close()
	}
	state.file, state.fileName = f, name
	state.fileOpen.Store(true)
	state.mu.Unlock()
	vlogModule.Info("opened log file %s", name)
	return nil
}

func sameFile(a, b *os.File) bool {
	sa, err1 := a.Stat()
	sb, err2 := b.Stat()
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// LogFile returns the name of the log file, or "" if none is configured.
func LogFile() string {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.fileName
}

// ReopenLogFile reopens the configured log file (after rotation). It does
// nothing if no log file is configured.
func ReopenLogFile() error {
	name := LogFile()
	if name == "" {
		return nil
	}
	return SetLogFile(name)
}

// CloseLogFile closes the log file but remembers its name, so that
// ReopenLogFile (vlog/reopen) opens it again, as OVS's vlog/close does.
func CloseLogFile() {
	state.mu.Lock()
	defer state.mu.Unlock()
	if state.file != nil {
		_ = state.file.Close()
		state.file = nil
		state.fileOpen.Store(false)
	}
}

// strerror renders an error's errno like C's strerror ("No such file or
// directory"), falling back to the error text.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		if s != "" {
			return strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return err.Error()
}

// Levels returns the text of vlog/list: OVS's table of every module's level
// per destination, sorted by module name.
func Levels() string {
	state.mu.Lock()
	lines := make([]string, 0, len(state.modules))
	for _, m := range state.modules {
		line := fmt.Sprintf("%-16s  %4s       %4s       %4s", m.name,
			m.Level(Console), m.Level(Syslog), m.Level(File))
		if m.noHonorRL.Load() {
			line += "    (rate limiting disabled)"
		}
		lines = append(lines, line+"\n")
	}
	state.mu.Unlock()
	sort.Strings(lines)
	return "                 console    syslog    file\n" +
		"                 -------    ------    ------\n" + strings.Join(lines, "")
}

// Patterns returns the text of vlog/list-pattern.
func Patterns() string {
	state.mu.Lock()
	defer state.mu.Unlock()
	var b strings.Builder
	b.WriteString("         prefix                            format\n")
	b.WriteString("         ------                            ------\n")
	for d := Destination(0); d < numDestinations; d++ {
		prefix := "none"
		if d == Syslog {
			prefix = "<%B> %D{%h %e %T} %E %A:"
		}
		fmt.Fprintf(&b, "%-7s  %-32s  %s\n", d, prefix, state.patterns[d])
	}
	return b.String()
}

// SetRateLimiting turns rate limiting on or off for module m (all modules if
// m is nil).
func SetRateLimiting(m *Logger, enable bool) {
	state.mu.Lock()
	defer state.mu.Unlock()
	if m != nil {
		m.noHonorRL.Store(!enable)
		return
	}
	for _, mm := range state.modules {
		mm.noHonorRL.Store(!enable)
	}
}

// Lookup returns the module called name, or nil.
func Lookup(name string) *Logger {
	state.mu.Lock()
	defer state.mu.Unlock()
	return state.modules[name]
}
