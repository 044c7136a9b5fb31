package dpif

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"govs.dev/govs/netdev"
)

// DPStats are the datapath-wide lookup counters dpctl/show prints.
type DPStats struct {
	Hit, Missed, Lost uint64
	Flows             uint64
	Masks             uint64
}

// LoopStats are one forwarding loop's counters, as pmd-stats-show names
// them. "Cycles" are nanoseconds.
type LoopStats struct {
	Received, Recirculated, EMCHits, MegaflowHits, SubtableLookups uint64
	MissOK, MissFailed, SentPackets, SentBatches                   uint64
	IdleNs, BusyNs, Iterations, Sleeps                             uint64
	// Drop reasons of MissFailed and other losses.
	DropPendingFull, DropPortQuota, DropQueueFull, DropUpcallError uint64
	DropNoPort, DropRecircDepth, DropUserspaceRate, DropAlloc      uint64
}

// LoopStats returns the counters of every loop. Safe from any goroutine.
func (dp *Datapath) LoopStats() []LoopStats {
	out := make([]LoopStats, len(dp.loops))
	for i, l := range dp.loops {
		s := &l.stats
		out[i] = LoopStats{
			Received: s.recv.Load(), Recirculated: s.recirc.Load(), EMCHits: s.emcHit.Load(),
			MegaflowHits: s.maskedHit.Load(), SubtableLookups: s.maskedLookup.Load(),
			MissOK: s.miss.Load(), MissFailed: s.lost.Load(),
			SentPackets: s.sentPkts.Load(), SentBatches: s.sentBatches.Load(),
			IdleNs: s.idleNs.Load(), BusyNs: s.busyNs.Load(),
			Iterations: s.iterations.Load(), Sleeps: s.sleeps.Load(),
			DropPendingFull: s.dropPendingFull.Load(), DropPortQuota: s.dropPortQuota.Load(),
			DropQueueFull: s.dropQueueFull.Load(), DropUpcallError: s.dropUpcallErr.Load(),
			DropNoPort: s.dropNoPort.Load(), DropRecircDepth: s.dropRecircDepth.Load(),
			DropUserspaceRate: s.dropUserspaceRate.Load(), DropAlloc: s.dropAlloc.Load(),
		}
	}
	return out
}

// Stats returns the datapath's lookup counters. Masks is the number of
// distinct subtables over all loops.
func (dp *Datapath) Stats() DPStats {
	var st DPStats
	for _, s := range dp.LoopStats() {
		st.Hit += s.EMCHits + s.MegaflowHits
		st.Missed += s.MissOK
		st.Lost += s.MissFailed
	}
	st.Flows = uint64(dp.nFlows.Load())
	for _, l := range dp.loops {
		var n int
		l.call(func(l *loop) { n = l.mf.masks() })
		st.Masks += uint64(n)
	}
	return st
}

// thread is a forwarding loop as pmd-stats-show and pmd-rxq-show list it.
type thread struct {
	loop int
	name string // OVS's header line
	pmd  bool
	core int // the core id the header names; -1 for the main thread
}

// threads lists the loops in OVS's order: pmd threads by core id, then the
// main thread. With a pmd-cpu-mask the pmd threads are the pinned loops
// with their real CPU and NUMA node, and loop 0 is the main thread unless
// it is pinned itself; loops the mask leaves idle are not listed. Without a
// mask, loop 0 plays the non-PMD "main thread" (which polls the dummy,
// afpacket and tap ports in OVS) and the others are listed as pmd threads
// on NUMA node 0 with their loop index as core id.
func (dp *Datapath) threads() []thread {
	var out []thread
	masked := false
	for _, l := range dp.loops {
		if l.core.Load() >= 0 {
			masked = true
		}
	}
	if !masked {
		for i := 1; i < len(dp.loops); i++ {
			out = append(out, thread{i, fmt.Sprintf("pmd thread numa_id 0 core_id %d:", i), true, i})
		}
		return append(out, thread{0, "main thread:", false, -1})
	}
	type pmd struct{ loop, core, numa int }
	var pmds []pmd
	for i, l := range dp.loops {
		if c := l.core.Load(); c >= 0 {
			var numa int
			l.call(func(l *loop) { numa = l.numa })
			pmds = append(pmds, pmd{i, int(c), numa})
		}
	}
	sort.Slice(pmds, func(a, b int) bool { return pmds[a].core < pmds[b].core })
	for _, p := range pmds {
		out = append(out, thread{p.loop, fmt.Sprintf("pmd thread numa_id %d core_id %d:", p.numa, p.core), true, p.core})
	}
	if dp.loops[0].core.Load() < 0 {
		out = append(out, thread{0, "main thread:", false, -1})
	}
	return out
}

// ThreadCores maps each forwarding loop to the core id the pmd reports
// (pmd-stats-show, pmd-rxq-show) name it by, -1 for the loop shown as the
// main thread, so that dpctl/dump-flows's "flow-dump from pmd on cpu core"
// headers agree with them. Loops the reports leave out (idle under a
// pmd-cpu-mask) are absent. Safe from any goroutine.
func (dp *Datapath) ThreadCores() map[int]int {
	m := map[int]int{}
	for _, t := range dp.threads() {
		m[t.loop] = t.core
	}
	return m
}

// FormatPMDStats writes dpif-netdev/pmd-stats-show's report in OVS 3.1's
// layout: pmd threads first, the main thread last.
func (dp *Datapath) FormatPMDStats(w io.Writer) error {
	all := dp.LoopStats()
	var b strings.Builder
	for _, th := range dp.threads() {
		s := all[th.loop]
		var passes, lookups, perBatch float64
		if s.Received > 0 {
			passes = float64(s.Received+s.Recirculated) / float64(s.Received)
		}
		if s.MegaflowHits > 0 {
			lookups = float64(s.SubtableLookups) / float64(s.MegaflowHits)
		}
		if s.SentBatches > 0 {
			perBatch = float64(s.SentPackets) / float64(s.SentBatches)
		}
		fmt.Fprintf(&b, "%s\n", th.name)
		fmt.Fprintf(&b, "  packets received: %d\n  packet recirculations: %d\n"+
			"  avg. datapath passes per packet: %.02f\n  phwol hits: 0\n  mfex opt hits: 0\n"+
			"  simple match hits: 0\n  emc hits: %d\n  smc hits: 0\n  megaflow hits: %d\n"+
			"  avg. subtable lookups per megaflow hit: %.02f\n  miss with success upcall: %d\n"+
			"  miss with failed upcall: %d\n  avg. packets per output batch: %.02f\n",
			s.Received, s.Recirculated, passes, s.EMCHits, s.MegaflowHits, lookups,
			s.MissOK, s.MissFailed, perBatch)
		total := s.IdleNs + s.BusyNs
		if !th.pmd || total == 0 {
			continue
		}
		fmt.Fprintf(&b, "  idle cycles: %d (%.02f%%)\n  processing cycles: %d (%.02f%%)\n",
			s.IdleNs, float64(s.IdleNs)/float64(total)*100, s.BusyNs, float64(s.BusyNs)/float64(total)*100)
		if s.Received == 0 {
			continue
		}
		fmt.Fprintf(&b, "  avg cycles per packet: %.02f (%d/%d)\n", float64(total)/float64(s.Received), total, s.Received)
		fmt.Fprintf(&b, "  avg processing cycles per packet: %.02f (%d/%d)\n",
			float64(s.BusyNs)/float64(s.Received), s.BusyNs, s.Received)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatRxqShow writes dpif-netdev/pmd-rxq-show's report in OVS 3.1's
// layout: the pmd threads (see threads) and the rx queues each polls. The
// main thread is not listed, as in OVS. Usage is not measured per queue:
// it prints "NOT AVAIL" as OVS does before its first measurement interval.
func (dp *Datapath) FormatRxqShow(w io.Writer) error {
	var b strings.Builder
	b.WriteString("Displaying last 60 seconds pmd usage %\n")
	for _, th := range dp.threads() {
		if !th.pmd {
			continue
		}
		type q struct {
			name string
			id   int
		}
		var qs []q
		dp.loops[th.loop].call(func(l *loop) {
			for _, r := range l.rxqs {
				qs = append(qs, q{r.lp.p.name, r.q})
			}
		})
		sort.Slice(qs, func(a, c int) bool {
			if qs[a].name != qs[c].name {
				return qs[a].name < qs[c].name
			}
			return qs[a].id < qs[c].id
		})
		fmt.Fprintf(&b, "%s\n  isolated : false\n", th.name)
		for _, x := range qs {
			fmt.Fprintf(&b, "  port: %-16s  queue-id: %2d %s  pmd usage: NOT AVAIL\n", x.name, x.id, "(enabled) ")
		}
		if len(qs) > 0 {
			b.WriteString("  overhead: NOT AVAIL\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// FormatShow writes this datapath's part of dpctl/show (with stats: -s).
func (dp *Datapath) FormatShow(w io.Writer, stats bool) error {
	var b strings.Builder
	st := dp.Stats()
	fmt.Fprintf(&b, "%s:\n  lookups: hit:%d missed:%d lost:%d\n  flows: %d\n",
		dp.FullName(), st.Hit, st.Missed, st.Lost, st.Flows)
	for _, p := range dp.Ports() {
		fmt.Fprintf(&b, "  port %d: %s", p.No, p.Name)
		if p.Type != "system" {
			fmt.Fprintf(&b, " (%s", p.Type)
			if c, ok := p.Dev.(netdev.Configurer); ok {
				cfg := c.Config()
				keys := make([]string, 0, len(cfg))
				for k := range cfg {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for j, k := range keys {
					sep := ","
					if j == 0 {
						sep = ":"
					}
					fmt.Fprintf(&b, "%s %s=%s", sep, k, cfg[k])
				}
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
		if !stats {
			continue
		}
		s := p.Dev.Stats()
		fmt.Fprintf(&b, "    RX packets:%s errors:%s dropped:%s overruns:? frame:?\n",
			stat(s.RxPackets), stat(s.RxErrors), stat(s.RxDropped))
		fmt.Fprintf(&b, "    TX packets:%s errors:%s dropped:%s aborted:? carrier:?\n",
			stat(s.TxPackets), stat(s.TxErrors), stat(s.TxDropped))
		b.WriteString("    collisions:?\n")
		fmt.Fprintf(&b, "    RX bytes:%s%s  TX bytes:%s%s\n", stat(s.RxBytes), humanSize(s.RxBytes),
			stat(s.TxBytes), humanSize(s.TxBytes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stat(v uint64) string {
	if v == netdev.Unknown {
		return "?"
	}
	return fmt.Sprint(v)
}

func humanSize(v uint64) string {
	const k = 1024
	switch {
	case v == netdev.Unknown:
		return ""
	case v >= k*k*k*k:
		return fmt.Sprintf(" (%.1f TiB)", float64(v)/(k*k*k*k))
	case v >= k*k*k:
		return fmt.Sprintf(" (%.1f GiB)", float64(v)/(k*k*k))
	case v >= k*k:
		return fmt.Sprintf(" (%.1f MiB)", float64(v)/(k*k))
	case v >= k:
		return fmt.Sprintf(" (%.1f KiB)", float64(v)/k)
	}
	return ""
}
