package dpif

import (
	"fmt"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/packet"
)

const benchFlows = 1000

// pipeline is a manual-mode datapath with benchFlows flows p1 -> p2 spread
// over nSub subtables, and one frame per flow.
type pipeline struct {
	e      *env
	l      *loop
	frames [][]byte
	next   int
}

func newPipeline(tb testing.TB, nSub int, emcOn bool) *pipeline {
	e := newEnv(tb, true, 1, newFakeHandler(2))
	pl := &pipeline{e: e, l: e.dp.loops[0]}
	pl.l.emcOn = emcOn
	// Publish flow counters as a running loop does (every
	// publishInterval), not after every poll as manual-mode tests need.
	// The periodic revalidator stays out: in manual mode its control calls
	// would run on its own goroutine, concurrently with the polls, and
	// (counters unpublished) see the flows as idle.
	pl.l.publishEachPoll = false
	e.dp.Pause()
	acts := []odp.Action{{Type: odp.ActOutput, Port: 2}}
	for i := 0; i < benchFlows; i++ {
		k := tcpKey(uint16(i))
		k.InPort = 1
		var m flow.Key
		m.DlType, m.TpSrc = 0xffff, 0xffff
		// Distinct masks that all match: bits of metadata, which the
		// packets carry as 0.
		m.Metadata = uint64(i%nSub) + 1
		if err := e.dp.FlowPut(&k, &m, acts, PutCreate); err != nil {
			tb.Fatal(err)
		}
		pl.frames = append(pl.frames, tcpFrame(uint16(i)))
	}
	return pl
}

// batch receives and forwards one batch of distinct flows.
func (pl *pipeline) batch() {
	pl.inject()
	pl.l.poll()
}

// inject queues the next batch of frames on p1, as a NIC would.
func (pl *pipeline) inject() {
	if pl.next+packet.BatchSize > len(pl.frames) {
		pl.next = 0
	}
	pl.e.p1.Receive(pl.frames[pl.next : pl.next+packet.BatchSize]...)
	pl.next += packet.BatchSize
}

// threadCPU returns the calling thread's CPU time in ns.
func threadCPU() int64 {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return ts.Nano()
}

// threadCPUCost is the thread CPU time one threadCPU call costs.
func threadCPUCost() int64 {
	const n = 1000
	t0 := threadCPU()
	for i := 0; i < n; i++ {
		threadCPU()
	}
	return (threadCPU() - t0) / (n + 1)
}

func BenchmarkPipeline(b *testing.B) {
	cases := []struct {
		name  string
		nSub  int
		emcOn bool
	}{
		{"emc_hit", 1, true},
		{"megaflow_hit_1", 1, false},
		{"megaflow_hit_10", 10, false},
		{"megaflow_hit_100", 100, false},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			pl := newPipeline(b, c.nSub, c.emcOn)
			for i := 0; i < 4096/packet.BatchSize+2; i++ { // fill p2's kept-frame ring
				pl.batch()
			}
			b.ReportAllocs()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			// ns/pkt is the datapath's share: the loop's poll (device
			// Rx into pool buffers, parse, lookup, actions, device Tx),
			// not the injection of the frames into the dummy port's rx
			// ring, which stands in for the NIC and the wire. wall-ns/pkt
			// includes the injection. cpu-ns/pkt is the poll's thread
			// CPU time (less the clock reads' own cost): unlike wall
			// time, it does not grow when other processes take the CPU.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			clockCost := threadCPUCost()
			var loopNs, cpuNs int64
			for i := 0; i < b.N; i++ {
				pl.inject()
				c0 := threadCPU()
				t0 := mono()
				pl.l.poll()
				loopNs += mono() - t0
				cpuNs += threadCPU() - c0 - clockCost
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			pkts := float64(b.N * packet.BatchSize)
			b.ReportMetric(float64(loopNs)/pkts, "ns/pkt")
			b.ReportMetric(float64(cpuNs)/pkts, "cpu-ns/pkt")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pkts, "wall-ns/pkt")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/pkts, "allocs/pkt")
			if pl.e.dp.LoopStats()[0].MissOK != 0 {
				b.Fatal("unexpected misses")
			}
		})
	}
	b.Run("upcall", func(b *testing.B) {
		e := newEnv(b, true, 1, newFakeHandler(2))
		l := e.dp.loops[0]
		frames := make([][]byte, packet.BatchSize)
		seq := 0
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			for j := range frames {
				k := tcpKey(uint16(seq))
				k.NwSrc = uint32(seq >> 16)
				seq++
				frames[j] = packet.Compose(&k, 16)
			}
			want := e.txCount(e.p2) + packet.BatchSize
			e.p1.Receive(frames...)
			for e.txCount(e.p2) < want {
				l.poll()
			}
			if e.dp.NumFlows() > 10000 {
				e.dp.FlowFlush()
			}
		}
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		pkts := float64(b.N * packet.BatchSize)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pkts, "ns/pkt")
		// Includes building the test frames, the fake handler and the
		// flow installs: the upcall path is allowed to allocate.
		b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/pkts, "allocs/pkt")
	})
}

func TestPipelineAllocs(t *testing.T) {
	for _, c := range []struct {
		nSub  int
		emcOn bool
	}{{1, true}, {10, false}} {
		t.Run(fmt.Sprintf("sub%d_emc%v", c.nSub, c.emcOn), func(t *testing.T) {
			pl := newPipeline(t, c.nSub, c.emcOn)
			for i := 0; i < 4096/packet.BatchSize+2; i++ { // fill p2's kept-frame ring
				pl.batch()
			}
			if n := testing.AllocsPerRun(200, pl.batch); n != 0 {
				t.Fatalf("%v allocations per batch", n)
			}
		})
	}
}
