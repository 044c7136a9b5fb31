package bench

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"govs.dev/govs/internal/testnet"
)

func TestMain(m *testing.M) { testnet.Main(m) }

// smokeTimeout bounds the whole smoke run (about a minute when the machine
// is quiet).
const smokeTimeout = 4 * time.Minute

// smokeCfgs are the configurations of the smoke run, all of make bench's.
var smokeCfgs = []string{"linuxbr", "ovs", "ovs-tso", "govs"}

// TestSmoke runs one short round of run.sh and checks that every
// configuration delivered packets, that govs's own port counters moved,
// and that the summary ends with the "summary ..." line.
func TestSmoke(t *testing.T) {
	testnet.RequireRoot(t)
	govs, err := testnet.GovsBinary()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), smokeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "run.sh")
	cmd.Env = append(os.Environ(),
		"ROUNDS=1", "TCP_SECS=2", "UDP_WARM=0.5", "UDP_WIN=1", "RR_SECS=1",
		"EST_WIN=1", "CHURN_WIN=1", "EST_PPS=2000",
		"CFGS="+strings.Join(smokeCfgs, " "), "OUT="+out, "GOVS="+govs)
	// run.sh's trap must get the chance to clean up: SIGTERM first.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 20 * time.Second
	stdout, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("run.sh: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "summary tcp_vs_linuxbr=") {
		t.Errorf("last line %q, want the summary line", last)
	}
	if fi, err := os.Stat(filepath.Join(out, "bench.png")); err != nil || fi.Size() == 0 {
		t.Errorf("bench.png missing or empty: %v", err)
	}
	rows := readCSV(t, filepath.Join(out, "bench.csv"))
	for _, cfg := range smokeCfgs {
		for _, test := range []string{"tcp", "udp64_1flow", "udp64_8kflows", "tcp_rr"} {
			r, ok := rows[cfg+"/"+test]
			if !ok {
				t.Errorf("%s %s: no row", cfg, test)
				continue
			}
			// Stock OVS drops TCP when the veths' offloads are on (it
			// cannot handle the partial checksums): 0 is its known result.
			if cfg == "ovs" && (test == "tcp" || test == "tcp_rr") {
				continue
			}
			if r.value <= 0 {
				t.Errorf("%s %s: value %v, want > 0 (extra: %s)", cfg, test, r.value, r.extra)
			}
			if cfg == "govs" && strings.HasPrefix(test, "udp64") {
				if r.extraInt("p1_rx") <= 0 || r.extraInt("p2_tx") <= 0 {
					t.Errorf("govs %s: own port counters did not move: %s", test, r.extra)
				}
			}
		}
	}
	if t.Failed() {
		t.Logf("summary:\n%s", stdout)
	}
}

type csvRow struct {
	value float64
	extra string
}

// extraInt returns the integer value of key=N in the extra column, or -1.
func (r csvRow) extraInt(key string) int64 {
	for _, f := range strings.Fields(r.extra) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// readCSV maps "cfg/test" to its row (one round).
func readCSV(t *testing.T, path string) map[string]csvRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	rows := map[string]csvRow{}
	for _, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			t.Fatalf("%s: value %q: %v", path, rec[3], err)
		}
		rows[rec[1]+"/"+rec[2]] = csvRow{value: v, extra: rec[len(rec)-1]}
	}
	return rows
}
