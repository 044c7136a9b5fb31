package vlog

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"govs.dev/govs/unixctl"
)

// The package state is global, so tests that change it run serially and
// restore OVS's defaults.
var testMu sync.Mutex

func reset(t *testing.T) *bytes.Buffer {
	t.Helper()
	testMu.Lock()
	DisableSyslog()
	var buf bytes.Buffer
	SetConsole(&buf)
	SetLevels(nil, -1, LevelInfo)
	SetRateLimiting(nil, true)
	for d := range defaultPatterns {
		SetPattern(Destination(d), defaultPatterns[d])
	}
	t.Cleanup(func() {
		CloseLogFile()
		state.mu.Lock()
		state.fileName = ""
		state.mu.Unlock()
		SetConsole(os.Stderr)
		SetLevels(nil, -1, LevelInfo)
		testMu.Unlock()
	})
	return &buf
}

func TestListMatchesStock(t *testing.T) {
	reset(t)
	// Stock ovs-vswitchd turns the console off once it has detached;
	// testdata/stock-vlog-list.txt is `ovs-appctl vlog/list` of a freshly
	// started `ovs-vswitchd --detach`.
	SetLevels(nil, Console, LevelOff)
	want, err := os.ReadFile("testdata/stock-vlog-list.txt")
	if err != nil {
		t.Fatal(err)
	}
	got := Levels()
	// govs may define modules OVS does not have; compare OVS's rows.
	var filtered []string
	for _, line := range strings.SplitAfter(got, "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		if strings.HasPrefix(line, " ") || line == "" || isOVSModule(name) {
			filtered = append(filtered, line)
		}
	}
	if g := strings.Join(filtered, ""); g != string(want) {
		t.Errorf("vlog/list differs from stock:\n%s\nwant:\n%s", g, want)
	}
}

func isOVSModule(n string) bool {
	for _, m := range ovsModules {
		if m == n {
			return true
		}
	}
	return false
}

func TestListPatternMatchesStock(t *testing.T) {
	reset(t)
	want, err := os.ReadFile("testdata/stock-vlog-list-pattern.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := Patterns(); got != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSpecs(t *testing.T) {
	tests := []struct {
		spec    string
		wantErr string
		module  string
		check   [3]Level // syslog, console, file of module afterwards
	}{
		{"vconn", "", "vconn", [3]Level{LevelDbg, LevelDbg, LevelDbg}},
		{"console:off", "", "bridge", [3]Level{LevelInfo, LevelOff, LevelInfo}},
		{"file:dbg", "", "bridge", [3]Level{LevelInfo, LevelInfo, LevelDbg}},
		{"ANY:ANY:WARN", "", "bridge", [3]Level{LevelWarn, LevelWarn, LevelWarn}},
		{"ofproto_dpif:syslog:err", "", "ofproto_dpif", [3]Level{LevelErr, LevelInfo, LevelInfo}},
		{"vconn,console,emer", "", "vconn", [3]Level{LevelInfo, LevelEmer, LevelInfo}},
		{"foo", `no destination, level, or module "foo"`, "", [3]Level{}},
		{"vconn:dbg:info", "cannot specify multiple levels", "", [3]Level{}},
		{"vconn:dbg:file:console", "cannot specify multiple destinations", "", [3]Level{}},
		{"vconn:bridge", "cannot specify multiple modules", "", [3]Level{}},
		{"PATTERN", "missing destination", "", [3]Level{}},
		{"PATTERN:nope:x", `unknown destination "nope"`, "", [3]Level{}},
		{"FACILITY:bogus", "invalid facility", "", [3]Level{}},
		{"FACILITY:local0", "", "", [3]Level{}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			reset(t)
			err := SetLevelsFromString(tc.spec)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.module == "" {
				return
			}
			m := Lookup(tc.module)
			got := [3]Level{m.Level(Syslog), m.Level(Console), m.Level(File)}
			if got != tc.check {
				t.Errorf("levels %v, want %v", got, tc.check)
			}
		})
	}
}

func TestVerbosityError(t *testing.T) {
	reset(t)
	err := SetVerbosity("foo")
	if err == nil || err.Error() != `processing "foo": no destination, level, or module "foo"` {
		t.Fatalf("got %v", err)
	}
	if err := SetVerbosity(""); err != nil || Lookup("bridge").Level(File) != LevelDbg {
		t.Fatalf("bare -v: %v", err)
	}
}

var fileLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|\d{5}\|[a-z_]+\|(EMER|ERR|WARN|INFO|DBG)\|.*$`)
var consoleLine = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\|\d{5}\|[a-z_]+\|(EMER|ERR|WARN|INFO|DBG)\|.*$`)

func TestOutput(t *testing.T) {
	console := reset(t)
	path := filepath.Join(t.TempDir(), "x.log")
	if err := SetLogFile(path); err != nil {
		t.Fatal(err)
	}
	m := Module("govs_test")
	m.Info("hello %d", 42)
	m.Dbg("hidden")
	SetLevels(m, File, LevelDbg)
	m.Dbg("shown in file only")
	m.Slog().Warn("from slog", "k", "v")
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 4 {
		t.Fatalf("file has %d lines: %q", len(lines), b)
	}
	for _, l := range lines {
		if !fileLine.MatchString(l) {
			t.Errorf("bad file line %q", l)
		}
	}
	if !strings.HasSuffix(lines[0], "|vlog|INFO|opened log file "+path) ||
		!strings.HasSuffix(lines[1], "|govs_test|INFO|hello 42") ||
		!strings.HasSuffix(lines[2], "|govs_test|DBG|shown in file only") ||
		!strings.HasSuffix(lines[3], "|govs_test|WARN|from slog k=v") {
		t.Errorf("unexpected lines %q", lines)
	}
	cl := strings.Split(strings.TrimSpace(console.String()), "\n")
	if len(cl) != 3 {
		t.Fatalf("console has %d lines: %q", len(cl), console)
	}
	for _, l := range cl {
		if !consoleLine.MatchString(l) {
			t.Errorf("bad console line %q", l)
		}
	}
	// Sequence numbers increase by one per message.
	if lines[0][25:30] >= lines[1][25:30] {
		t.Errorf("sequence not increasing: %q %q", lines[0], lines[1])
	}

	console.Reset()
	SetLevels(nil, Console, LevelOff)
	m.Err("quiet")
	if console.Len() != 0 {
		t.Errorf("console off but got %q", console)
	}
}

func TestCommands(t *testing.T) {
	reset(t)
	s, err := unixctl.Listen(filepath.Join(t.TempDir(), "v.ctl"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	RegisterCommands(s)
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"vlog/reopen"}, "", "Logging to file not configured\n"},
		{[]string{"vlog/set", "vconn:file:warn"}, "", ""},
		{[]string{"vlog/set", "nonsense"}, "", "no destination, level, or module \"nonsense\"\n"},
		{[]string{"vlog/enable-rate-limit", "foo"}, "", "unknown module\n"},
		{[]string{"vlog/disable-rate-limit", "bridge"}, "", ""},
		{[]string{"vlog/close"}, "", ""},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := s.Call(tc.args[0], tc.args[1:]...)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tc.want || gotErr != tc.wantErr {
				t.Errorf("got %q, %q; want %q, %q", got, gotErr, tc.want, tc.wantErr)
			}
		})
	}
	list, _ := s.Call("vlog/list")
	if !regexp.MustCompile(`\nbridge\s+INFO\s+INFO\s+INFO    \(rate limiting disabled\)\n`).MatchString(list) ||
		!regexp.MustCompile(`\nvconn\s+INFO\s+INFO\s+WARN\n`).MatchString(list) {
		t.Errorf("vlog/list after changes:\n%s", list)
	}

	// Reopen after close reopens the same file.
	path := filepath.Join(t.TempDir(), "r.log")
	if err := SetLogFile(path); err != nil {
		t.Fatal(err)
	}
	s.Call("vlog/close")
	os.Remove(path)
	if _, err := s.Call("vlog/reopen"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("reopen did not recreate the file: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	console := reset(t)
	m := Module("govs_rl")
	rl := NewRateLimit(1, 2)
	now := time.Now()
	n := 0
	for i := 0; i < 10; i++ {
		if ok, _, _, _ := rl.take(now); ok {
			n++
		}
	}
	if n != 2 {
		t.Errorf("burst of 2 let %d through", n)
	}
	ok, dropped, _, _ := rl.take(now.Add(61 * time.Second))
	if !ok || dropped != 8 {
		t.Errorf("after a minute: ok %v dropped %d", ok, dropped)
	}
	rl2 := NewRateLimit(1, 1)
	m.WarnRL(rl2, "one")
	m.WarnRL(rl2, "two")
	if c := strings.Count(console.String(), "\n"); c != 1 {
		t.Errorf("rate limited logging printed %d lines", c)
	}
	SetRateLimiting(m, false)
	m.WarnRL(rl2, "three")
	if c := strings.Count(console.String(), "\n"); c != 2 {
		t.Errorf("with rate limiting disabled printed %d lines", c)
	}
}

func TestFormat(t *testing.T) {
	reset(t)
	ts := time.Date(2026, 11, 21, 14, 10, 41, 564_000_000, time.UTC)
	r := &record{module: "bridge", level: LevelWarn, msg: "hi\n\n", seq: 10, now: ts}
	tests := []struct{ pattern, want string }{
		{defaultPatterns[File], "2026-11-21T14:10:41.564Z|00010|bridge|WARN|hi"},
		{defaultPatterns[Console], "2026-11-21T14:10:41Z|00010|bridge|WARN|hi"},
		{"%-8c|%8p|%05N%%", "bridge  |    WARN|00010%"},
		{"%D{%h %e %T}", "Nov 21 14:10:41"},
		{"%D{%S.######}", "41.564000"},
		{"%c{x}%z%", "bridgez"},
	}
	for _, tc := range tests {
		if got := format(tc.pattern, r); got != tc.want {
			t.Errorf("format(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}

// FuzzSpec checks that arbitrary -v specs and patterns never panic.
func FuzzSpec(f *testing.F) {
	for _, s := range []string{"vconn", "console:off", "PATTERN:file:%c|%m", "FACILITY:local0", "ANY:ANY:dbg", ":::", "%-099999D{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		testMu.Lock()
		defer testMu.Unlock()
		_ = SetLevelsFromString(s)
		_ = format(s, &record{module: "m", level: LevelInfo, msg: s})
		SetLevels(nil, -1, LevelInfo)
		for d := range defaultPatterns {
			SetPattern(Destination(d), defaultPatterns[d])
		}
		state.facility = 3 << 3
	})
}

func TestDisabledLogAllocs(t *testing.T) {
	reset(t)
	m := Module("govs_allocs")
	if n := testing.AllocsPerRun(100, func() { m.Dbg("x") }); n != 0 {
		t.Errorf("disabled Dbg allocates %v", n)
	}
}

func BenchmarkDisabledDbg(b *testing.B) {
	m := Module("govs_bench")
	for i := 0; i < b.N; i++ {
		m.Dbg("x")
	}
}
