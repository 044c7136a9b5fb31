package testnet

import (
	"regexp"
	"strings"
)

// logProblem matches an OVS-format log line of level WARN, ERR or EMER:
// "2026-11-21T14:10:41.564Z|00010|module|LEVEL|message".
var logProblem = regexp.MustCompile(`^[^|]*\|[0-9]+\|[^|]*\|(WARN|ERR|EMER)\|`)

// KnownStockWarnings are the WARN/ERR log lines that stock ovs-vswitchd 3.1
// writes in normal operation on the dummy datapath in a private rundir. They
// are forgiven for Stock only: govs must log no WARN or ERR line at all in
// normal operation. Each entry matches the part of the line after the level.
var KnownStockWarnings = []*regexp.Regexp{}

// LogProblems returns the WARN, ERR and EMER lines of log, an OVS-format log
// written by impl, that are not known and expected for impl. The result is
// nil when the log is clean. It is a pure function.
func LogProblems(log string, impl Impl) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		m := logProblem.FindStringIndex(line)
		if m == nil {
			continue
		}
		if impl == Stock && knownStock(line[m[1]:]) {
			continue
		}
		out = append(out, line)
	}
	return out
}

func knownStock(msg string) bool {
	for _, re := range KnownStockWarnings {
		if re.MatchString(msg) {
			return true
		}
	}
	return false
}

// LogProblems returns the unexpected WARN/ERR/EMER lines in the switch log
// of e so far (see the package function LogProblems). Call it after Stop to
// include what the switch logged while exiting.
func (e *Env) LogProblems() []string {
	return LogProblems(e.SwitchLog(), e.Impl())
}

// CheckLog fails the test (without stopping it) for every unexpected
// WARN/ERR/EMER line in the switch log.
func (e *Env) CheckLog() {
	e.t.Helper()
	for _, l := range e.LogProblems() {
		e.t.Errorf("testnet: %v switch logged: %s", e.Impl(), l)
	}
}
