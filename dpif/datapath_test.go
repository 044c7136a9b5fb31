package dpif

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/packet"
)

func TestMissInstallHit(t *testing.T) {
	for _, manual := range []bool{true, false} {
		name := map[bool]string{true: "manual", false: "loops"}[manual]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, manual, 2, newFakeHandler(2))
			e.p1.Receive(tcpFrame(1))
			e.pump(t, func() bool { return e.txCount(e.p2) == 1 })
			for i := 0; i < 10; i++ {
				e.p1.Receive(tcpFrame(1))
			}
			e.pump(t, func() bool { return e.txCount(e.p2) == 11 })
			if n := e.h.upcalls.Load(); n != 1 {
				t.Fatalf("%d upcalls, want 1", n)
			}
			st := e.dp.Stats()
			if st.Hit != 10 || st.Missed != 1 || st.Flows != 1 {
				t.Fatalf("stats %+v", st)
			}
			var flows []FlowInfo
			e.dp.FlowDump(func(f FlowInfo) { flows = append(flows, f) })
			// The packet that caused the upcall is accounted by the
			// handler, as in OVS: the megaflow counts the 10 hits.
			if len(flows) != 1 || flows[0].Stats.Packets != 10 || flows[0].Key.TpSrc != 1 || flows[0].Mask.InPort != ^uint32(0) {
				t.Fatalf("flows %+v", flows)
			}
		})
	}
}

func TestPendingMerge(t *testing.T) {
	h := newFakeHandler(2)
	h.Block = make(chan struct{})
	e := newEnv(t, true, 1, h)
	for i := 0; i < 5; i++ {
		f := tcpFrame(7)
		f[len(f)-1] = byte(i) // same key, distinguishable payload
		e.p1.Receive(f)
	}
	e.pump(t, func() bool { return h.upcalls.Load() == 1 })
	e.dp.loops[0].poll()
	if h.upcalls.Load() != 1 || e.txCount(e.p2) != 0 {
		t.Fatalf("upcalls %d tx %d while blocked", h.upcalls.Load(), e.txCount(e.p2))
	}
	close(h.Block)
	e.pump(t, func() bool { return e.txCount(e.p2) == 5 })
	for i, f := range e.p2.TxFrames() {
		if f[len(f)-1] != byte(i) {
			t.Fatalf("frame %d out of order (%d)", i, f[len(f)-1])
		}
	}
	if s := e.dp.LoopStats()[0]; s.MissOK != 5 || s.MissFailed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestUpcallDrops(t *testing.T) {
	tests := []struct {
		name      string
		queue     int
		fail      bool
		send      int
		wantLost  uint64
		reason    func(LoopStats) uint64
		wantFlows int
	}{
		{"queue full", 8, false, 20, 12, func(s LoopStats) uint64 { return s.DropQueueFull }, 8},
		// 3 rx ports (local, p1, p2) share the pending table: p1 gets 85 keys.
		{"port quota", 0, false, 100, 15, func(s LoopStats) uint64 { return s.DropPortQuota }, maxPendingKeys / 3},
		{"upcall error", 0, true, 3, 3, func(s LoopStats) uint64 { return s.DropUpcallError }, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newFakeHandler(2)
			h.Fail = tc.fail
			if !tc.fail {
				h.Block = make(chan struct{})
			}
			if tc.queue > 0 {
				h.Block = nil
			}
			e := newEnv(t, true, 1, h, func(c *Config) {
				if tc.queue > 0 {
					// No handlers drain the tiny queue: it fills.
					c.queueLen, c.noHandlers = tc.queue, true
				}
			})
			block := h.Block
			var once sync.Once
			release := func() {
				if block != nil {
					once.Do(func() { close(block) })
				}
			}
			t.Cleanup(release)
			for i := 0; i < tc.send; i++ {
				e.p1.Receive(tcpFrame(uint16(1000 + i)))
			}
			for e.p1.QueuedRx(0) > 0 {
				e.dp.loops[0].poll()
			}
			s := e.dp.LoopStats()[0]
			if tc.fail {
				e.pump(t, func() bool { return e.dp.LoopStats()[0].MissFailed == tc.wantLost })
				s = e.dp.LoopStats()[0]
			}
			if s.MissFailed != tc.wantLost || tc.reason(s) != tc.wantLost {
				t.Fatalf("lost %d (reason %d), want %d: %+v", s.MissFailed, tc.reason(s), tc.wantLost, s)
			}
			if tc.queue > 0 {
				// Serve the queued upcalls by hand.
				for len(e.dp.upcallQ) > 0 {
					e.dp.handle(<-e.dp.upcallQ)
				}
			} else {
				release()
			}
			e.pump(t, func() bool { return e.dp.NumFlows() == tc.wantFlows })
		})
	}
}

func TestRevalidateIdle(t *testing.T) {
	e := newEnv(t, false, 1, newFakeHandler(2))
	for i := 0; i < 3; i++ {
		e.p1.Receive(tcpFrame(uint16(i)))
	}
	e.pump(t, func() bool { return e.dp.NumFlows() == 3 })
	e.pump(t, func() bool { return e.txCount(e.p2) == 3 })
	// A second packet of each flow hits its megaflow; the revalidator
	// pushes those hits (the upcalled first packets are the handler's).
	for i := 0; i < 3; i++ {
		e.p1.Receive(tcpFrame(uint16(i)))
	}
	e.pump(t, func() bool { return e.txCount(e.p2) == 6 })
	e.dp.Wait()
	if e.dp.NumFlows() != 3 {
		t.Fatalf("%d flows after a pass without idling", e.dp.NumFlows())
	}
	if got := e.h.pushedPackets(); got != 3 {
		t.Fatalf("pushed %d packets, want 3", got)
	}
	e.clock.Advance(DefaultMaxIdle + time.Second)
	e.dp.Wait()
	if e.dp.NumFlows() != 0 {
		t.Fatalf("%d flows after idling", e.dp.NumFlows())
	}
	// Revalidate says drop.
	e.p1.Receive(tcpFrame(9))
	e.pump(t, func() bool { return e.dp.NumFlows() == 1 })
	e.h.Keep.Store(false)
	e.dp.Wait()
	if e.dp.NumFlows() != 0 {
		t.Fatalf("flow kept after Revalidate said no")
	}
}

func TestFlowLimit(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	e.dp.SetFlowLimit(2)
	for i := 0; i < 5; i++ {
		e.p1.Receive(tcpFrame(uint16(i)))
	}
	e.pump(t, func() bool { return e.txCount(e.p2) == 5 })
	if n := e.dp.NumFlows(); n != 2 {
		t.Fatalf("%d flows, want 2", n)
	}
	if e.dp.flowLimitHits.Load() != 3 {
		t.Fatalf("limit hits %d", e.dp.flowLimitHits.Load())
	}
}

func TestExecuteAndFlowAPI(t *testing.T) {
	e := newEnv(t, false, 1, newFakeHandler(2))
	c := e.pool.NewCache()
	f := tcpFrame(5)
	p := c.Alloc(len(f))
	copy(p.Data(), f)
	p.Meta.InPort = 1
	if err := e.dp.Execute(p, nil, []odp.Action{{Type: odp.ActOutput, Port: 2}, {Type: odp.ActOutput, Port: 1}}); err != nil {
		t.Fatal(err)
	}
	if e.txCount(e.p2) != 1 || e.txCount(e.p1) != 1 {
		t.Fatalf("tx p1 %d p2 %d", e.txCount(e.p1), e.txCount(e.p2))
	}
	k := tcpKey(5)
	k.InPort = 1
	var m flow.Key
	m.DlType = 0xffff
	acts := []odp.Action{{Type: odp.ActOutput, Port: 1}}
	if err := e.dp.FlowPut(&k, &m, acts, PutCreate); err != nil {
		t.Fatal(err)
	}
	if err := e.dp.FlowPut(&k, &m, acts, PutCreate); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	if err := e.dp.FlowPut(&k, &m, acts, PutModify); err != nil {
		t.Fatal(err)
	}
	e.p1.Receive(tcpFrame(77))
	e.pump(t, func() bool { return e.txCount(e.p1) == 2 })
	if e.h.upcalls.Load() != 0 {
		t.Fatal("put flow missed")
	}
	st, err := e.dp.FlowDel(&k, &m)
	if err != nil || st.Packets != 1 {
		t.Fatalf("del: %+v %v", st, err)
	}
	if _, err := e.dp.FlowDel(&k, &m); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second del: %v", err)
	}
	e.p1.Receive(tcpFrame(1), tcpFrame(2))
	e.pump(t, func() bool { return e.dp.NumFlows() == 2 })
	e.dp.FlowFlush()
	if e.dp.NumFlows() != 0 {
		t.Fatal("flush left flows")
	}
	if err := e.dp.Execute(nil, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil packet: %v", err)
	}
}

func TestPortNumbers(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	add := func(name string, req uint32) (uint32, error) {
		d, _ := dummy.New(name, dummy.Options{})
		return e.dp.AddPort(name, d, req)
	}
	tests := []struct {
		name    string
		req     uint32
		want    uint32
		wantErr error
	}{
		{"br0", 0, 100, nil},
		{"foo", 0, 3, nil},
		{"p1", 0, 0, ErrExists},
		{"x9", 0, 9, nil},
		{"y9", 0, 4, nil},
		{"z", 9, 0, ErrExists},
		{"big", 70000, 0, ErrInvalid},
	}
	for _, tc := range tests {
		no, err := add(tc.name, tc.req)
		if !errors.Is(err, tc.wantErr) || (err == nil && no != tc.want) {
			t.Fatalf("%s: got %d %v, want %d %v", tc.name, no, err, tc.want, tc.wantErr)
		}
	}
	if err := e.dp.DelPort(0); err == nil {
		t.Fatal("deleted local port")
	}
	if err := e.dp.DelPort(3); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.dp.PortByName("foo"); ok {
		t.Fatal("foo still there")
	}
	if err := e.dp.DelPort(3); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestIdleLoopBlocks(t *testing.T) {
	e := newEnv(t, false, 2, newFakeHandler(2))
	e.p1.Receive(tcpFrame(1))
	e.pump(t, func() bool { return e.txCount(e.p2) == 1 })
	var before uint64
	for _, s := range e.dp.LoopStats() {
		before += s.Iterations
	}
	time.Sleep(50 * time.Millisecond)
	var after uint64
	for _, s := range e.dp.LoopStats() {
		after += s.Iterations
	}
	// An idle loop iterates only when woken (a revalidator snapshot at
	// most): a spinning one would do thousands of iterations.
	if after-before > 10 {
		t.Fatalf("%d iterations while idle", after-before)
	}
}

func TestCloseLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	pool, _ := packet.NewPool(packet.PoolConfig{Buffers: 1024})
	defer pool.Close()
	h := newFakeHandler(2)
	h.Block = make(chan struct{})
	dp, err := New(Config{Type: "dummy", Pool: pool, Handler: h, Loops: 2, Handlers: 2})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := dummy.New("p1", dummy.Options{})
	dp.AddPort("p1", d, 0)
	d.Receive(tcpFrame(1), tcpFrame(2))
	time.Sleep(10 * time.Millisecond)
	close(h.Block)
	if err := dp.Close(); err != nil {
		t.Fatal(err)
	}
	dp.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if _, err := dp.AddPort("p2", d, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("add after close: %v", err)
	}
	if st := pool.Stats(); st.InUse() != 0 {
		t.Fatalf("%d buffers leaked", st.InUse())
	}
}

func TestBadConfig(t *testing.T) {
	pool, _ := packet.NewPool(packet.PoolConfig{Buffers: 64})
	defer pool.Close()
	for _, c := range []Config{
		{Type: "kernel", Pool: pool, Handler: newFakeHandler(1)},
		{Type: "dummy", Handler: newFakeHandler(1)},
		{Type: "dummy", Pool: pool},
	} {
		if dp, err := New(c); err == nil {
			dp.Close()
			t.Fatalf("config %+v accepted", c)
		}
	}
}

// labels returns each line of an OVS report with its numbers removed.
func labels(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		out = append(out, strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '.' {
				return -1
			}
			return r
		}, l))
	}
	return out
}

func TestFormatLayouts(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	br0, _ := dummy.New("br0", dummy.Options{Type: "dummy-internal"})
	if _, err := e.dp.AddPort("br0", br0, 0); err != nil {
		t.Fatal(err)
	}
	// One packet misses; once its flow is installed, two hit (stock OVS
	// counts them as simple-match hits, govs as EMC hits).
	e.p1.Receive(tcpFrame(1))
	e.pump(t, func() bool { return e.txCount(e.p2) == 1 })
	e.p1.Receive(tcpFrame(1), tcpFrame(1))
	e.pump(t, func() bool { return e.txCount(e.p2) == 3 })
	for _, tc := range []struct {
		golden string
		format func(*bytes.Buffer) error
	}{
		{"testdata/pmd-stats-show.main.txt", func(b *bytes.Buffer) error { return e.dp.FormatPMDStats(b) }},
		{"testdata/pmd-rxq-show.main.txt", func(b *bytes.Buffer) error { return e.dp.FormatRxqShow(b) }},
		{"testdata/dpctl-show.txt", func(b *bytes.Buffer) error { return e.dp.FormatShow(b, false) }},
		{"testdata/dpctl-show-s.txt", func(b *bytes.Buffer) error { return e.dp.FormatShow(b, true) }},
	} {
		want := readGolden(t, tc.golden)
		var b bytes.Buffer
		if err := tc.format(&b); err != nil {
			t.Fatal(err)
		}
		gl, wl := labels(b.String()), labels(want)
		if strings.Join(gl, "\n") != strings.Join(wl, "\n") {
			t.Errorf("%s: layout differs\ngot:\n%s\nwant:\n%s", tc.golden, b.String(), want)
		}
	}
	var b bytes.Buffer
	e.dp.FormatPMDStats(&b)
	if !strings.Contains(b.String(), "emc hits: 1\n") || !strings.Contains(b.String(), "megaflow hits: 1\n") || !strings.Contains(b.String(), "miss with success upcall: 1\n") {
		t.Errorf("counts:\n%s", b.String())
	}
}

func TestSetActions(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	c := e.pool.NewCache()
	var v, m flow.Key
	v.NwSrc, m.NwSrc = 0xc0a80101, 0xffffffff
	v.TpDst, m.TpDst = 8080, 0xffff
	v.NwTTL, m.NwTTL = 9, 0xff
	v.DlDst, m.DlDst = [6]byte{1, 2, 3, 4, 5, 6}, [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	for _, proto := range []uint8{6, 17} {
		k := tcpKey(5)
		k.NwProto = proto
		f := packet.Compose(&k, 20)
		p := c.Alloc(len(f))
		copy(p.Data(), f)
		p.Meta.InPort = 1
		acts := []odp.Action{
			{Type: odp.ActSet, Set: &odp.SetMasked{Value: v, Mask: m}},
			{Type: odp.ActPushVLAN, TPID: 0x8100, TCI: 0x1005},
			{Type: odp.ActOutput, Port: 2},
		}
		if err := e.dp.Execute(p, nil, acts); err != nil {
			t.Fatal(err)
		}
		out := e.p2.TxFrames()
		if len(out) != 1 {
			t.Fatalf("%d frames", len(out))
		}
		var got flow.Key
		meta := packet.Meta{}
		packet.ExtractBytes(out[0], &meta, &got)
		if got.NwSrc != v.NwSrc || got.TpDst != 8080 || got.NwTTL != 9 || got.DlDst != v.DlDst ||
			got.VLANs[0].TCI != 0x1005 || got.NwDst != k.NwDst {
			t.Fatalf("proto %d: key after set %+v", proto, got)
		}
		ip := out[0][meta.L3Ofs:]
		if packet.Checksum(ip[:20], 0) != 0 {
			t.Fatalf("proto %d: bad IPv4 checksum", proto)
		}
		l4 := out[0][meta.L4Ofs:]
		sum := packet.PseudoHeaderSumIPv4(got.NwSrc, got.NwDst, proto, uint16(len(l4)))
		if packet.Checksum(l4, sum) != 0 {
			t.Fatalf("proto %d: bad L4 checksum", proto)
		}
		_ = binary.BigEndian
	}
}

func readGolden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// vanishingDev is a dummy device whose kernel side "disappears": once gone,
// Rx fails with netdev.ErrClosed while its notify fd stays readable, as a
// deleted tap's fd does.
type vanishingDev struct {
	*dummy.Device
	gone    atomic.Bool
	rxCalls atomic.Int64
}

func (d *vanishingDev) Rx(q int, b *packet.Batch, c *packet.Cache) (int, error) {
	d.rxCalls.Add(1)
	if d.gone.Load() {
		return 0, fmt.Errorf("vanishing %s: %w", d.Name(), netdev.ErrClosed)
	}
	return d.Device.Rx(q, b, c)
}

// TestClosedDeviceParked checks that a loop stops polling a queue whose
// device reports itself closed instead of spinning on its readable fd, and
// that the rest of the datapath keeps forwarding.
func TestClosedDeviceParked(t *testing.T) {
	e := newEnv(t, false, 1, newFakeHandler(2))
	inner, err := dummy.New("p3", dummy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v := &vanishingDev{Device: inner}
	no, err := e.dp.AddPort("p3", v, 0)
	if err != nil {
		t.Fatal(err)
	}
	v.gone.Store(true)
	inner.Receive(tcpFrame(1)) // the notify fd turns readable for good
	e.pump(t, func() bool { return v.rxCalls.Load() >= 1 })
	iters := func() (n uint64) {
		for _, s := range e.dp.LoopStats() {
			n += s.Iterations
		}
		return n
	}
	before, calls := iters(), v.rxCalls.Load()
	time.Sleep(50 * time.Millisecond) // an observation window: a spinning loop iterates thousands of times
	if d := iters() - before; d > 10 {
		t.Errorf("%d loop iterations in 50 ms with a closed device", d)
	}
	if c := v.rxCalls.Load(); c > calls+1 {
		t.Errorf("closed device polled %d more times", c-calls)
	}
	// The other ports still forward.
	e.p1.Receive(tcpFrame(2))
	e.pump(t, func() bool { return e.txCount(e.p2) == 1 })
	// Removing the port drops the parked queue cleanly.
	if err := e.dp.DelPort(no); err != nil {
		t.Fatal(err)
	}
}

// TestSettleWaitsForUserspace checks that Settle covers userspace-action
// upcalls (packet-ins) as well as misses: netdev-dummy/receive relies on it
// to return only once a controller action's packet-in was handed over.
func TestSettleWaitsForUserspace(t *testing.T) {
	h := newFakeHandler(2)
	h.UserBlock = make(chan struct{})
	e := newEnv(t, false, 1, h)
	var once sync.Once
	release := func() { once.Do(func() { close(h.UserBlock) }) }
	t.Cleanup(release) // before the datapath closes, even on failure
	k := tcpKey(1)
	k.InPort = 1
	var m flow.Key
	m.InPort, m.DlType, m.TpSrc = ^uint32(0), 0xffff, 0xffff
	acts := []odp.Action{{Type: odp.ActUserspace, Userspace: &odp.Userspace{Kind: odp.UserspaceController}}}
	if err := e.dp.FlowPut(&k, &m, acts, PutCreate); err != nil {
		t.Fatal(err)
	}
	e.p1.Receive(tcpFrame(1))
	e.pump(t, func() bool { return e.p1.QueuedRx(0) == 0 })
	if e.dp.Settle(50 * time.Millisecond) {
		t.Fatal("settled with a userspace upcall still in its handler")
	}
	release()
	if !e.dp.Settle(5 * time.Second) {
		t.Fatal("did not settle once the handler returned")
	}
	if n := h.user.Load(); n != 1 {
		t.Fatalf("%d userspace upcalls handled when Settle returned, want 1", n)
	}
}
