package system

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// labDir finds the operators' stock-OVS lab (ovs-baseline), which lives
// beside the repository (../shared/lab/ovs-baseline) or where $GOVS_LAB
// says.
func labDir() string {
	if d := os.Getenv("GOVS_LAB"); d != "" {
		return d
	}
	for _, d := range []string{"../../../shared/lab/ovs-baseline", "../../shared/lab/ovs-baseline"} {
		if abs, err := filepath.Abs(d); err == nil {
			if _, err := os.Stat(filepath.Join(abs, "02a-offload.sh")); err == nil {
				return abs
			}
		}
	}
	return ""
}

// TestLab02aOffload runs the operators' P1 reproduction script
// (02a-offload.sh, which breaks stock OVS) with govs as the switch daemon:
// in its default-offloads case TCP and UDP are delivered with no checksum
// error at the receiver.
func TestLab02aOffload(t *testing.T) {
	tn.RequireRoot(t)
	lab := labDir()
	if lab == "" {
		t.Skip("the ovs-baseline lab is not beside this checkout (set GOVS_LAB to its directory)")
	}
	bin, err := tn.GovsBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(lab, "02a-offload.sh"))
	cmd.Dir = lab
	cmd.Env = append(os.Environ(), "VSWITCHD="+bin+" vswitchd", "LAB="+filepath.Join(dir, "lab"), "RESULTS="+filepath.Join(dir, "results"))
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("02a-offload.sh: %v\n%s", err, out)
	}
	var line string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "A default:") {
			line = l
		}
	}
	t.Log(line)
	checks := []struct{ what, re string }{
		{"64 KiB over TCP", `nc 64KiB received=65536B`},
		{"5 UDP datagrams", `udp 5x200B -> recv 5 `},
		{"iperf3 TCP", `iperf3 5s: [0-9.]+ [0-9]+ \(Gbit/s`},
		{"no TCP checksum errors", `Tcp\.InCsumErrors \+0`},
		{"no UDP checksum errors", `Udp\.InCsumErrors \+0`},
	}
	for _, c := range checks {
		if !regexp.MustCompile(c.re).MatchString(line) {
			t.Errorf("%s: not in %q", c.what, line)
		}
	}
	if m := regexp.MustCompile(`iperf3 5s: ([0-9.]+) `).FindStringSubmatch(line); m != nil && m[1] == "0.000" {
		t.Errorf("iperf3 delivered nothing: %q", line)
	}
	if t.Failed() {
		t.Logf("full output:\n%s", out)
	}
}
