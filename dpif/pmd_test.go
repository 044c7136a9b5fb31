package dpif

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/netdev/dummy"
)

func TestParsePMDCPUMask(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  bool
	}{
		{in: "", want: nil},
		{in: "0", want: nil},
		{in: "0x", want: nil},
		{in: "1", want: []int{0}},
		{in: "0x3", want: []int{0, 1}},
		{in: "0X3", want: []int{0, 1}},
		{in: "0xa", want: []int{1, 3}},
		{in: "F0", want: []int{4, 5, 6, 7}},
		{in: "0x10000000000000000", want: []int{64}},
		{in: "00000002", want: []int{1}},
		{in: "0xg", err: true},
		{in: "0x1 ", err: true},
		{in: "-1", err: true},
		{in: "1" + strings.Repeat("0", 256), err: true}, // CPU 1024
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePMDCPUMask(tc.in)
			if tc.err {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("got %v, %v; want an ErrInvalid error", got, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// allowedList is the CPUs the test process may run on.
func allowedList(t *testing.T) []int {
	t.Helper()
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	var out []int
	for c := 0; c < maxCPUs; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out
}

var reCoreID = regexp.MustCompile(`core_id (\d+):`)

// TestPMDCPUMaskOracle sets masks on stock OVS (dummy-pmd ports) and checks
// that its pmd threads are the CPUs ParsePMDCPUMask reads from the mask
// (those present on the machine), and that FormatRxqShow's layout is
// stock's.
func TestPMDCPUMaskOracle(t *testing.T) {
	if _, err := os.Stat(testnet.SchemaPath); err != nil {
		t.Skip("stock Open vSwitch not installed")
	}
	avail := allowedList(t)
	e := testnet.New(t)
	e.StartDB()
	e.StartSwitch(testnet.Stock)
	e.MustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy-pmd", "options:n_rxq=4")
	defer e.StopSwitch() // its pmd threads spin
	for _, mask := range []string{"0x1", "0x2", "0X3", "3", "0xff", "00000002"} {
		want, err := ParsePMDCPUMask(mask)
		if err != nil {
			t.Fatal(err)
		}
		want = slices.DeleteFunc(want, func(c int) bool { return !slices.Contains(avail, c) })
		if len(want) == 0 {
			continue
		}
		e.MustVsctl("set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask="+mask)
		var got []int
		var out string
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			out = e.MustAppctl("dpif-netdev/pmd-rxq-show")
			got = got[:0]
			for _, m := range reCoreID.FindAllStringSubmatch(out, -1) {
				c, _ := strconv.Atoi(m[1])
				got = append(got, c)
			}
			if slices.Equal(got, want) && strings.Count(out, "queue-id") == 4 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !slices.Equal(got, want) {
			t.Errorf("mask %s: stock pmd cores %v, ParsePMDCPUMask %v\n%s", mask, got, want, out)
		}
	}
	all := 0
	for _, c := range avail {
		all |= 1 << c
	}
	e.MustVsctl("set", "Open_vSwitch", ".", fmt.Sprintf("other_config:pmd-cpu-mask=%#x", all))
	var stock string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		stock = e.MustAppctl("dpif-netdev/pmd-rxq-show")
		if strings.Count(stock, "core_id") == len(avail) && strings.Count(stock, "queue-id") == 4 {
			break
		}
	}

	// govs with the same queues and mask prints the same layout.
	en := newEnv(t, false, 1+len(avail), newFakeHandler(2))
	d, err := dummy.New("p3", dummy.Options{RxQueues: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := en.dp.AddPort("p3", d, 0); err != nil {
		t.Fatal(err)
	}
	en.dp.DelPort(1)
	en.dp.DelPort(2)
	if err := en.dp.SetPMDCPUMask(avail); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := en.dp.FormatRxqShow(&b); err != nil {
		t.Fatal(err)
	}
	norm := func(s string) string { // port names and queue placement differ
		s = regexp.MustCompile(`port: \S+ +queue-id: +\d+`).ReplaceAllString(s, "port: P         queue-id:  Q")
		return strings.Join(slices.Compact(labels(s)), "\n")
	}
	if norm(b.String()) != norm(stock) {
		t.Errorf("pmd-rxq-show layout differs\ngovs:\n%s\nstock:\n%s", b.String(), stock)
	}
}

// loopAffinity returns the CPUs loop i's thread may run on, read on the
// loop's thread both with sched_getaffinity and from /proc.
func loopAffinity(t *testing.T, dp *Datapath, i int) ([]int, string) {
	t.Helper()
	var set unix.CPUSet
	var status string
	var gerr error
	err := dp.loops[i].call(func(l *loop) {
		gerr = unix.SchedGetaffinity(0, &set)
		b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/status", unix.Gettid()))
		if err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
					status = strings.TrimSpace(v)
				}
			}
		}
	})
	if err != nil || gerr != nil {
		t.Fatal(err, gerr)
	}
	var out []int
	for c := 0; c < maxCPUs; c++ {
		if set.IsSet(c) {
			out = append(out, c)
		}
	}
	return out, status
}

// queuesOf lists "port/queue" of the rx queues loop i polls.
func queuesOf(dp *Datapath, i int) []string {
	var out []string
	dp.loops[i].call(func(l *loop) {
		for _, r := range l.rxqs {
			out = append(out, fmt.Sprintf("%s/%d", r.lp.p.name, r.q))
		}
	})
	slices.Sort(out)
	return out
}

// sendAll sends n frames of 16 flows (base to base+15) spread over p's rx
// queues, 32 at a time so that misses stay within the pending-miss bounds,
// and waits until p2 transmitted them all.
func sendAll(t *testing.T, e *env, p *dummy.Device, nq, n int, base uint16) {
	t.Helper()
	for sent := 0; sent < n; {
		chunk := min(32, n-sent)
		want := e.txCount(e.p2) + uint64(chunk)
		for i := 0; i < chunk; i++ {
			if err := p.ReceiveQueue((sent+i)%nq, tcpFrame(base+uint16((sent+i)%16))); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for e.txCount(e.p2) < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d packets forwarded", e.txCount(e.p2)-(want-uint64(chunk)), chunk)
			}
			time.Sleep(time.Millisecond)
		}
		sent += chunk
	}
}

func TestPMDLoops(t *testing.T) {
	avail := allowedList(t)
	cpu := avail[len(avail)-1]
	e := newEnv(t, false, 3, newFakeHandler(2))
	const nq = 4
	p3, err := dummy.New("p3", dummy.Options{RxQueues: nq, RxQueueLen: 4096})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dp.AddPort("p3", p3, 0); err != nil {
		t.Fatal(err)
	}
	sendAll(t, e, p3, nq, 200, 0)
	inUse0 := e.pool.Stats().InUse()
	// Without a mask, loop 0 is the main thread and the others are pmd
	// threads named by their index, in every report.
	if got, want := e.dp.ThreadCores(), map[int]int{0: -1, 1: 1, 2: 2}; !maps.Equal(got, want) {
		t.Errorf("ThreadCores without a mask %v, want %v", got, want)
	}

	// One pmd loop: loop 1, pinned to cpu, polls every queue; the main
	// thread and the spare loop poll nothing.
	if err := e.dp.SetPMDCPUMask([]int{cpu}); err != nil {
		t.Fatal(err)
	}
	if got := e.dp.PMDCPUs(); !slices.Equal(got, []int{cpu}) {
		t.Fatalf("PMDCPUs %v", got)
	}
	set, status := loopAffinity(t, e.dp, 1)
	if !slices.Equal(set, []int{cpu}) || status != strconv.Itoa(cpu) {
		t.Fatalf("pmd loop affinity %v, Cpus_allowed_list %q; want CPU %d", set, status, cpu)
	}
	if q := queuesOf(e.dp, 1); len(q) != nq+3 { // p3's queues, p1, p2, local port
		t.Fatalf("pmd loop polls %v", q)
	}
	if q0, q2 := queuesOf(e.dp, 0), queuesOf(e.dp, 2); len(q0)+len(q2) != 0 {
		t.Fatalf("non-pmd loops poll %v %v", q0, q2)
	}
	sendAll(t, e, p3, nq, 200, 100)
	// A pmd loop busy-polls: it iterates without traffic.
	it := e.dp.LoopStats()[1].Iterations
	time.Sleep(20 * time.Millisecond)
	if d := e.dp.LoopStats()[1].Iterations - it; d < 100 {
		t.Errorf("pmd loop iterated %d times in 20 ms without traffic: not polling", d)
	}
	var b bytes.Buffer
	e.dp.FormatRxqShow(&b)
	if !strings.Contains(b.String(), fmt.Sprintf("core_id %d:\n", cpu)) || strings.Count(b.String(), "queue-id") != nq+3 {
		t.Errorf("pmd-rxq-show:\n%s", b.String())
	}
	b.Reset()
	e.dp.FormatPMDStats(&b)
	if !strings.HasPrefix(b.String(), fmt.Sprintf("pmd thread numa_id 0 core_id %d:\n", cpu)) ||
		!strings.Contains(b.String(), "main thread:\n") || strings.Count(b.String(), "thread") != 2 {
		t.Errorf("pmd-stats-show:\n%s", b.String())
	}
	// dpctl/dump-flows names the loops as these reports do.
	if got, want := e.dp.ThreadCores(), map[int]int{0: -1, 1: cpu}; !maps.Equal(got, want) {
		t.Errorf("ThreadCores %v, want %v", got, want)
	}

	// Two pmd loops when there are two CPUs: queues split between them.
	if len(avail) >= 2 {
		two := avail[len(avail)-2:]
		if err := e.dp.SetPMDCPUMask(two); err != nil {
			t.Fatal(err)
		}
		for i, c := range two {
			if set, _ := loopAffinity(t, e.dp, 1+i); !slices.Equal(set, []int{c}) {
				t.Errorf("loop %d affinity %v, want %d", 1+i, set, c)
			}
		}
		q1, q2 := queuesOf(e.dp, 1), queuesOf(e.dp, 2)
		if len(q1)+len(q2) != nq+3 || len(q1) == 0 || len(q2) == 0 {
			t.Errorf("queues %v %v", q1, q2)
		}
		sendAll(t, e, p3, nq, 200, 200)
	}

	// Moving queues while packets wait in them loses none.
	want := e.txCount(e.p2) + 100
	for i := 0; i < 100; i++ {
		p3.ReceiveQueue(i%nq, tcpFrame(uint16(300+i%16)))
	}
	if err := e.dp.SetPMDCPUMask(nil); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for e.txCount(e.p2) < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := e.txCount(e.p2); got != want {
		t.Fatalf("%d packets forwarded across the mask change, want %d; loops %+v", got-(want-100), 100, e.dp.LoopStats())
	}

	// Back to the default: unpinned blocking loops sharing the queues.
	if e.dp.PMDCPUs() != nil {
		t.Fatalf("PMDCPUs %v after clearing the mask", e.dp.PMDCPUs())
	}
	for i := range 3 {
		if set, _ := loopAffinity(t, e.dp, i); !slices.Equal(set, avail) {
			t.Errorf("loop %d affinity %v after clearing the mask, want %v", i, set, avail)
		}
	}
	total := 0
	for i := range 3 {
		total += len(queuesOf(e.dp, i))
		if len(queuesOf(e.dp, i)) == 0 {
			t.Errorf("loop %d polls nothing without a mask", i)
		}
	}
	if total != nq+3 {
		t.Errorf("%d queues polled, want %d", total, nq+3)
	}
	sendAll(t, e, p3, nq, 200, 400)
	time.Sleep(10 * time.Millisecond)
	var it0 uint64
	for _, s := range e.dp.LoopStats() {
		it0 += s.Iterations
	}
	time.Sleep(50 * time.Millisecond)
	var it1 uint64
	for _, s := range e.dp.LoopStats() {
		it1 += s.Iterations
	}
	if it1-it0 > 10 {
		t.Errorf("%d iterations while idle without a mask", it1-it0)
	}

	// No buffer leaked: what was in use before the mask changes (cached
	// buffers) still is.
	e.dp.Stats() // a control call publishes each loop's pool counters
	if got := e.pool.Stats().InUse(); got != inUse0 {
		t.Errorf("pool buffers in use %d, before the mask changes %d", got, inUse0)
	}
}

func TestSetPMDCPUMaskErrors(t *testing.T) {
	avail := allowedList(t)
	e := newEnv(t, false, 1, newFakeHandler(2))
	for _, cpus := range [][]int{{-1}, {maxCPUs}, {maxCPUs - 1}} {
		if slices.Contains(avail, cpus[0]) {
			continue
		}
		if err := e.dp.SetPMDCPUMask(cpus); !errors.Is(err, ErrInvalid) {
			t.Errorf("mask %v: %v, want ErrInvalid", cpus, err)
		}
	}
	if len(avail) >= 2 {
		if err := e.dp.SetPMDCPUMask(avail[:2]); !errors.Is(err, ErrInvalid) {
			t.Errorf("two CPUs on one loop: %v, want ErrInvalid", err)
		}
	}
	// One CPU on a one-loop datapath: loop 0 is the pmd loop.
	if err := e.dp.SetPMDCPUMask(avail[:1]); err != nil {
		t.Fatal(err)
	}
	sendAll(t, e, e.p1, 1, 50, 0)
	var b bytes.Buffer
	e.dp.FormatPMDStats(&b)
	if strings.Contains(b.String(), "main thread") || !strings.Contains(b.String(), fmt.Sprintf("core_id %d:", avail[0])) {
		t.Errorf("pmd-stats-show:\n%s", b.String())
	}
	if err := e.dp.SetPMDCPUMask(nil); err != nil {
		t.Fatal(err)
	}
	m := newEnv(t, true, 1, newFakeHandler(2))
	if err := m.dp.SetPMDCPUMask(avail[:1]); !errors.Is(err, ErrInvalid) {
		t.Errorf("manual mode: %v, want ErrInvalid", err)
	}
	e.dp.Close()
	if err := e.dp.SetPMDCPUMask(avail[:1]); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v, want ErrClosed", err)
	}
}
