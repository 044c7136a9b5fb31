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
var KnownStockWarnings = []*regexp.Regexp{
	// At exit, stock 3.1 complains about recirculation IDs still held by
	// frozen state (for example of a dec_ttl that sent a packet to the
	// controller) when the bridge is destroyed: a shutdown-order artefact.
	regexp.MustCompile(`^recirc_id [0-9]+ left allocated when ofproto \(.*\) is destructed`),
}

// LogProblems returns the WARN, ERR and EMER lines of log, an OVS-format log
// written by impl, that are neither known for impl (KnownStockWarnings) nor
// matched by one of allow (lines a test provokes on purpose, for either
// implementation; each is matched against the part after the level). The
// result is nil when the log is clean. It is a pure function.
func LogProblems(log string, impl Impl, allow ...*regexp.Regexp) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		m := logProblem.FindStringIndex(line)
		if m == nil {
			continue
		}
		msg := line[m[1]:]
		if impl == Stock && matchAny(KnownStockWarnings, msg) || matchAny(allow, msg) {
			continue
		}
		out = append(out, line)
	}
	return out
}

func matchAny(res []*regexp.Regexp, msg string) bool {
	for _, re := range res {
		if re.MatchString(msg) {
			return true
		}
	}
	return false
}

// LogProblems returns the unexpected WARN/ERR/EMER lines in the switch log
// of e so far (see the package function LogProblems). Call it after Stop to
// include what the switch logged while exiting.
func (e *Env) LogProblems(allow ...*regexp.Regexp) []string {
	return LogProblems(e.SwitchLog(), e.Impl(), allow...)
}

// CheckLog fails the test (without stopping it) for every unexpected
// WARN/ERR/EMER line in the switch log; allow lists lines the test provokes
// on purpose.
func (e *Env) CheckLog(allow ...*regexp.Regexp) {
	e.t.Helper()
	for _, l := range e.LogProblems(allow...) {
		e.t.Errorf("testnet: %v switch logged: %s", e.Impl(), l)
	}
}
