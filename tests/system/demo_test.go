package system

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// TestDemo runs "govs demo", the README's first command on a fresh
// machine: it must ping, move TCP with offloads on, print the datapath
// flows and a trace, and leave nothing behind.
func TestDemo(t *testing.T) {
	tn.RequireRoot(t)
	bin, err := tn.GovsBinary()
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tn.ExecIn("", cmdTimeout, "ip", "netns", "list")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo")
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("govs demo: %v\n%s", err, out)
	}
	for _, want := range []string{"3 received", "receiver", "==> ovs-appctl dpctl/dump-flows", "Datapath actions: ", "netdev_gso_passthrough"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("govs demo output lacks %q:\n%s", want, out)
		}
	}
	after, _ := tn.ExecIn("", cmdTimeout, "ip", "netns", "list")
	for _, l := range strings.Split(after, "\n") {
		if strings.HasPrefix(l, "govs-demo-") && !strings.Contains(before, l) {
			t.Errorf("govs demo left namespace %s behind", l)
		}
	}
}
