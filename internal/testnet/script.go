package testnet

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Tool is one of the stock client tools a Step runs.
type Tool string

// The tools a Script can run. They are always the stock binaries, for both
// implementations.
const (
	ToolVsctl  Tool = "ovs-vsctl"
	ToolOfctl  Tool = "ovs-ofctl"
	ToolAppctl Tool = "ovs-appctl"
)

// A Step is one command of a Script. Its success or failure is always part
// of the transcript; its output is compared only when Compare is set, after
// Norm (Trim when nil).
type Step struct {
	Tool    Tool
	Args    []string
	Compare bool
	Norm    Normalizer
	// WantErr says the command is expected to exit non-zero; a step whose
	// outcome differs from WantErr is reported by Transcript.Unexpected.
	WantErr bool
}

// VsctlStep returns a Step running ovs-vsctl with args, output not compared.
func VsctlStep(args ...string) Step { return Step{Tool: ToolVsctl, Args: args} }

// OfctlStep returns a Step running ovs-ofctl with args, output not compared.
func OfctlStep(args ...string) Step { return Step{Tool: ToolOfctl, Args: args} }

// AppctlStep returns a Step running ovs-appctl with args, output not
// compared.
func AppctlStep(args ...string) Step { return Step{Tool: ToolAppctl, Args: args} }

// Check returns s with its output compared after normaliser n (Trim when
// n is nil).
func (s Step) Check(n Normalizer) Step {
	s.Compare, s.Norm = true, n
	return s
}

// Fails returns s expected to exit non-zero.
func (s Step) Fails() Step {
	s.WantErr = true
	return s
}

// String renders the step as a shell command line.
func (s Step) String() string { return CommandLine(string(s.Tool), s.Args) }

// A Script is a named list of steps run in order against one Env. Scripts
// are values and may be run concurrently against different Envs.
type Script struct {
	Name  string
	Steps []Step
	// AllowLog lists the WARN/ERR log messages the script provokes on
	// purpose (for example a frame on a VLAN a trunk does not carry); pass
	// it to Env.CheckLog. Each is matched against the text after the level.
	AllowLog []*regexp.Regexp
}

// Result is the record of one step in a Transcript.
type Result struct {
	Index int    // position in the script
	Cmd   string // the command line
	OK    bool   // exited zero
	// Compared says Stdout and Stderr hold the normalised output; when it is
	// false they are empty and only OK takes part in comparisons.
	Compared bool
	Stdout   string
	Stderr   string
	// Err is the error text (exit status or timeout), kept for messages but
	// not compared.
	Err string
}

// Transcript is what one Script run produced.
type Transcript struct {
	Script  string
	Impl    Impl
	Results []Result
	// Unexpected lists, one line each, the steps whose success or failure
	// differed from their WantErr.
	Unexpected []string
}

// reCtlPID matches the PID in a control socket or pidfile-derived name.
var reCtlPID = regexp.MustCompile(`\.[0-9]+\.ctl\b`)

// Run runs every step of s against e, in order, and returns the transcript.
// It never stops at a failing step and never fails the test itself: a
// failed step is part of the transcript. Before normalisation, e.Dir is
// replaced by "$RUNDIR" and control socket PIDs by "PID" in the outputs.
func (s Script) Run(e *Env) Transcript {
	tr := Transcript{Script: s.Name, Impl: e.Impl()}
	for i, st := range s.Steps {
		var stdout, stderr string
		var err error
		if st.Tool == ToolOfctl {
			stdout, stderr, err = e.Ofctl(st.Args...)
		} else {
			stdout, stderr, err = e.Run(string(st.Tool), st.Args...)
		}
		r := Result{Index: i, Cmd: st.String(), OK: err == nil}
		if err != nil {
			r.Err = err.Error()
		}
		if r.OK == st.WantErr {
			tr.Unexpected = append(tr.Unexpected, fmt.Sprintf("step %d %s: want error %v, got %v\nstdout:\n%sstderr:\n%s",
				i, r.Cmd, st.WantErr, err, stdout, stderr))
		}
		if st.Compare {
			n := st.Norm
			if n == nil {
				n = Trim
			}
			r.Compared = true
			r.Stdout = n(scrub(stdout, e.Dir))
			r.Stderr = LogTimestamps(scrub(stderr, e.Dir))
		}
		tr.Results = append(tr.Results, r)
	}
	return tr
}

func scrub(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$RUNDIR")
	return reCtlPID.ReplaceAllString(s, ".PID.ctl")
}

// String renders the transcript for logs, one block per step.
func (tr Transcript) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "transcript of %q on %v\n", tr.Script, tr.Impl)
	for _, r := range tr.Results {
		fmt.Fprintf(&b, "$ %s\n", r.Cmd)
		if !r.OK {
			fmt.Fprintf(&b, "[failed: %s]\n", r.Err)
		}
		b.WriteString(r.Stdout)
		if r.Stderr != "" {
			b.WriteString("[stderr]\n" + r.Stderr)
		}
	}
	return b.String()
}

// FirstDifference returns a description of the first step at which a and b
// differ (success, or normalised stdout or stderr of a compared step), or
// "" if they are equal. It is a pure function.
func FirstDifference(a, b Transcript) string {
	if a.Script != b.Script {
		return fmt.Sprintf("different scripts %q and %q", a.Script, b.Script)
	}
	n := min(len(a.Results), len(b.Results))
	for i := 0; i < n; i++ {
		ra, rb := a.Results[i], b.Results[i]
		var what string
		switch {
		case ra.Cmd != rb.Cmd:
			what = "command"
		case ra.OK != rb.OK:
			what = "exit status"
		case ra.Compared && ra.Stdout != rb.Stdout:
			what = "stdout"
		case ra.Compared && ra.Stderr != rb.Stderr:
			what = "stderr"
		default:
			continue
		}
		return fmt.Sprintf("script %q step %d differs in %s: $ %s\n%s\n%s%s",
			a.Script, i, what, ra.Cmd, lineDiff(a.Impl.String(), b.Impl.String(), ra, rb),
			side(a.Impl, ra), side(b.Impl, rb))
	}
	if len(a.Results) != len(b.Results) {
		return fmt.Sprintf("script %q: %d steps on %v, %d on %v", a.Script, len(a.Results), a.Impl, len(b.Results), b.Impl)
	}
	return ""
}

func side(impl Impl, r Result) string {
	status := "ok"
	if !r.OK {
		status = "failed: " + r.Err
	}
	return fmt.Sprintf("----- %v (%s) stdout:\n%s----- %v stderr:\n%s", impl, status, r.Stdout, impl, r.Stderr)
}

// lineDiff shows the first differing line of stdout (or stderr), which is
// usually all one needs to see in long dumps.
func lineDiff(na, nb string, a, b Result) string {
	x, y := a.Stdout, b.Stdout
	if x == y {
		x, y = a.Stderr, b.Stderr
	}
	la, lb := splitLines(x), splitLines(y)
	for i := 0; i < max(len(la), len(lb)); i++ {
		var sa, sb string
		if i < len(la) {
			sa = la[i]
		}
		if i < len(lb) {
			sb = lb[i]
		}
		if sa != sb {
			return fmt.Sprintf("first differing line %d:\n  %s: %q\n  %s: %q", i+1, na, sa, nb, sb)
		}
	}
	return "(outputs equal; exit status differs)"
}

// Diff reports through t.Errorf the first step at which a and b differ,
// with both outputs, and returns whether they are equal.
func Diff(t testing.TB, a, b Transcript) bool {
	t.Helper()
	if d := FirstDifference(a, b); d != "" {
		t.Errorf("testnet: %v and %v differ: %s", a.Impl, b.Impl, d)
		return false
	}
	return true
}
