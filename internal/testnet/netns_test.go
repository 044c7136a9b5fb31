package testnet

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestNetnsVethPing(t *testing.T) {
	RequireRoot(t)
	t.Parallel()
	var nsA, nsB string
	t.Run("setup", func(t *testing.T) {
		nsA, nsB = NewNetns(t, "gvt"), NewNetns(t, "gvt")
		if nsA == nsB {
			t.Fatalf("namespace names not unique: %s", nsA)
		}
		a, b := Veth(t, nsA, nsB)
		if len(a) > 15 || len(b) > 15 || a == b {
			t.Fatalf("bad veth names %q %q", a, b)
		}
		mustExec(t, nsA, "ip", "addr", "add", "192.0.2.1/24", "dev", a)
		mustExec(t, nsB, "ip", "addr", "add", "192.0.2.2/24", "dev", b)
		if out := mustExec(t, nsA, "ip", "-o", "link", "show", a); !strings.Contains(out, a) {
			t.Errorf("veth end %s not in %s: %s", a, nsA, out)
		}
		if _, err := exec.LookPath("ping"); err == nil {
			mustExec(t, nsA, "ping", "-c", "1", "-W", "2", "192.0.2.2")
		}
		if _, err := ExecIn(nsA, time.Second, "ip", "link", "show", b); err == nil {
			t.Errorf("end %s visible in %s", b, nsA)
		}
	})
	// Cleanup of the subtest deleted both namespaces.
	out, err := ExecIn("", 5*time.Second, "ip", "netns", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{nsA, nsB} {
		if ns != "" && strings.Contains(out, ns) {
			t.Errorf("netns %s left behind", ns)
		}
	}
}

func TestExecInErrors(t *testing.T) {
	if _, err := ExecIn("", time.Second); err == nil {
		t.Error("empty command: want error")
	}
	if _, err := ExecIn("", 200*time.Millisecond, "sleep", "5"); err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("want timeout, got %v", err)
	}
	if _, err := ExecIn("", time.Second, "false"); err == nil || !strings.Contains(err.Error(), "false") {
		t.Errorf("want error naming the command, got %v", err)
	}
}

func mustExec(t *testing.T, ns string, cmd ...string) string {
	t.Helper()
	out, err := ExecIn(ns, 10*time.Second, cmd...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}
