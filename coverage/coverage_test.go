package coverage

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"govs.dev/govs/unixctl"
)

// TestShowMatchesStock rebuilds the counters of a coverage/show captured
// from stock ovs-vswitchd 3.1 (testdata/stock-coverage-show.txt, written by
// `ovs-appctl coverage/show` against a freshly started stock daemon) and
// checks that the header hash and line format come out the same.
func TestShowMatchesStock(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "stock-coverage-show.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header string
	r := &registry{byName: map[string]*Counter{}}
	line := regexp.MustCompile(`^(\S+)\s+\S+/sec\s+\S+/sec\s+\S+/sec   total: (\d+)$`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if header == "" {
			header = l
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.ParseUint(m[2], 10, 64)
		r.define(m[1]).Add(n)
	}
	r.define("never_hit_a")
	got := r.show()
	if first, _, _ := strings.Cut(got, "\n"); first != header {
		t.Errorf("header\n got %q\nwant %q", first, header)
	}
	if !strings.HasSuffix(got, "\n1 events never hit\n") {
		t.Errorf("missing never-hit line: %q", got)
	}
}

func TestRates(t *testing.T) {
	r := &registry{byName: map[string]*Counter{}}
	c := r.define("x")
	r.run(1000) // starts the history: next run at 6000
	c.Add(50)
	r.run(6000)
	c.Add(120)
	r.run(11000 + 5000) // two intervals late: 60 and 60
	want := "x                         12.0/sec     2.833/sec        0.0472/sec   total: 170\n"
	if got := strings.Split(r.show(), "\n")[1] + "\n"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestDefineReturnsPreRegistered(t *testing.T) {
	if len(ovsNames) < 150 {
		t.Fatalf("only %d OVS counter names", len(ovsNames))
	}
	a := Lookup("netdev_sent")
	if a == nil || Define("netdev_sent") != a {
		t.Fatal("netdev_sent not pre-registered or Define made a second counter")
	}
	b := Define("govs_test_counter")
	if Define("govs_test_counter") != b {
		t.Fatal("Define not idempotent")
	}
}

func TestCommands(t *testing.T) {
	s, err := unixctl.Listen(filepath.Join(t.TempDir(), "c.ctl"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	RegisterCommands(s)
	Define("govs_cmd_test").Add(7)
	tests := []struct {
		args    []string
		want    string
		wantErr string
	}{
		{[]string{"coverage/read-counter", "govs_cmd_test"}, "7\n", ""},
		{[]string{"coverage/read-counter", "unixctl_received"}, "0\n", ""},
		{[]string{"coverage/read-counter", "nonexistent"}, "", "No such counter\n"},
		{[]string{"coverage/read-counter"}, "", "\"coverage/read-counter\" command requires at least 1 arguments\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			got, err := s.Call(tc.args[0], tc.args[1:]...)
			if got != tc.want || fmt.Sprint(err) != map[bool]string{true: "<nil>", false: tc.wantErr}[tc.wantErr == ""] {
				t.Errorf("got %q, %v; want %q, %q", got, err, tc.want, tc.wantErr)
			}
		})
	}
	out, _ := s.Call("coverage/show")
	if !strings.Contains(out, "govs_cmd_test") || !strings.HasPrefix(out, "Event coverage, avg rate over last: 5 seconds") {
		t.Errorf("coverage/show: %q", out)
	}
}

func TestIncAllocs(t *testing.T) {
	c := Define("govs_alloc_test")
	if n := testing.AllocsPerRun(1000, func() { c.Inc(); c.Add(2) }); n != 0 {
		t.Errorf("Inc/Add allocate %v times", n)
	}
}

func BenchmarkInc(b *testing.B) {
	c := Define("govs_bench")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}
