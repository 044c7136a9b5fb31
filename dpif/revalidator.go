package dpif

import (
	"fmt"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
)

// revalidatorLoop runs a pass every revalidateInterval and whenever kicked.
func (dp *Datapath) revalidatorLoop() {
	defer dp.wg.Done()
	t := time.NewTicker(revalidateInterval)
	defer t.Stop()
	for {
		select {
		case <-dp.quit:
			return
		case <-t.C:
			if !dp.paused.Load() {
				dp.pass(false, false)
			}
		case <-dp.revalKick:
			dp.pass(true, false)
		}
	}
}

// snapshot returns every loop's megaflows. Flows may be removed meanwhile
// (megaflow.removed says so).
func (dp *Datapath) snapshot() [][]*megaflow {
	out := make([][]*megaflow, len(dp.loops))
	for i, l := range dp.loops {
		l.call(func(l *loop) { out[i] = append([]*megaflow(nil), l.flows...) })
	}
	return out
}

// info describes f for the handler and FlowDump.
func (dp *Datapath) info(f *megaflow) FlowInfo {
	fi := FlowInfo{Key: f.orig, Mask: f.mask, Actions: *f.acts.Load(), UFID: f.ufid, Loop: f.loop.id}
	fi.Stats = Stats{Packets: f.packets.Load(), Bytes: f.bytes.Load(), TCPFlags: uint16(f.tcpFlags.Load())}
	if u := f.used.Load(); u != 0 {
		fi.Stats.Used = time.UnixMilli(u)
	}
	return fi
}

// pushStats gives the handler f's counters since the last push. revalMu is
// held.
func (dp *Datapath) pushStats(f *megaflow) {
	pk, by := f.packets.Load(), f.bytes.Load()
	if pk == f.pushedPkts && by == f.pushedBytes {
		return
	}
	d := Stats{Packets: pk - f.pushedPkts, Bytes: by - f.pushedBytes, TCPFlags: uint16(f.tcpFlags.Load())}
	if u := f.used.Load(); u != 0 {
		d.Used = time.UnixMilli(u)
	}
	f.pushedPkts, f.pushedBytes = pk, by
	dp.handler.PushStats(f.ref, d)
}

// pass walks every megaflow: pushes stats, deletes idle flows and flows
// over the limit, and with full (or for flows translated before the last
// RevalidateAll) asks the handler whether to keep them. purge deletes all.
func (dp *Datapath) pass(full, purge bool) {
	dp.revalMu.Lock()
	defer dp.revalMu.Unlock()
	start := dp.revalSeq.Load()
	now := dp.clock.Now().UnixMilli()
	idle := dp.maxIdle.Load() / int64(time.Millisecond)
	limit := dp.flowLimit.Load()
	n := dp.nFlows.Load()
	killAll := purge || n > 2*limit
	if n > limit {
		idle = min(idle, 100)
	}
	for li, flows := range dp.snapshot() {
		var del []*megaflow
		for _, f := range flows {
			if f.removed.Load() {
				continue
			}
			dp.pushStats(f)
			last := f.used.Load()
			if last == 0 {
				last = f.created
			}
			if killAll || now-last >= idle {
				del = append(del, f)
				continue
			}
			if full || f.validatedSeq < start {
				fi := dp.info(f)
				keep, acts, ref := dp.handler.Revalidate(&fi, f.ref)
				f.validatedSeq = start
				if !keep {
					del = append(del, f)
					continue
				}
				if acts != nil {
					f.setActions(acts)
				}
				if ref != nil {
					f.ref = ref
				}
			}
		}
		if len(del) > 0 {
			dp.deleteFlows(dp.loops[li], del)
		}
	}
	dp.passSeq = start
	dp.revalDone.Broadcast()
}

// deleteFlows removes flows from loop l and pushes their last stats.
// revalMu is held.
func (dp *Datapath) deleteFlows(l *loop, del []*megaflow) {
	l.call(func(l *loop) {
		for _, f := range del {
			l.removeFlow(f)
		}
	})
	rel, _ := dp.handler.(RefReleaser)
	for _, f := range del {
		dp.pushStats(f)
		if rel != nil {
			rel.ReleaseRef(f.ref)
		}
	}
}

// RevalidateAll makes the revalidator check every megaflow against the
// handler soon, without waiting (OVS's udpif_revalidate after a change). It
// returns the sequence number Wait-style callers can wait for.
func (dp *Datapath) RevalidateAll() uint64 {
	seq := dp.revalSeq.Add(1)
	select {
	case dp.revalKick <- struct{}{}:
	default:
	}
	return seq
}

// Wait revalidates every megaflow, including those whose translation was
// under way at the call, and returns when that is done (revalidator/wait;
// what a barrier reply waits for).
func (dp *Datapath) Wait() {
	seq := dp.revalSeq.Add(1)
	for {
		dp.pass(true, false)
		if !dp.inflightBefore(seq) {
			// Flows installed after the pass from translations that
			// started before seq are picked up by one more pass.
			dp.pass(false, false)
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// Purge deletes every megaflow, pushing their stats (revalidator/purge).
func (dp *Datapath) Purge() { dp.pass(false, true) }

// Pause stops the periodic revalidation passes (revalidator/pause);
// explicit RevalidateAll, Wait and Purge still run.
func (dp *Datapath) Pause() { dp.paused.Store(true) }

// Resume restarts periodic revalidation (revalidator/resume).
func (dp *Datapath) Resume() { dp.paused.Store(false) }

// PutMode says what FlowPut may do.
type PutMode uint8

// FlowPut modes, as dpctl/add-flow, mod-flow and add-flow --may-create.
const (
	PutCreate PutMode = 1 << iota
	PutModify
)

// FlowPut installs (PutCreate) or changes the actions of (PutModify) the
// megaflow key/mask in every loop, like dpctl/add-flow and mod-flow. in_port
// and recirc_id are made exact. Flows put this way have a nil ref.
func (dp *Datapath) FlowPut(key, mask *flow.Key, acts []odp.Action, mode PutMode) error {
	if key == nil || mask == nil || mode == 0 {
		return fmt.Errorf("dpif %s: flow put: %w", dp.cfg.Name, ErrInvalid)
	}
	mk := *mask
	mk.InPort, mk.RecircID = ^uint32(0), ^uint32(0)
	kk := *key
	kk.And(&mk)
	var exists, created bool
	seq := dp.revalSeq.Load()
	for _, l := range dp.loops {
		err := l.call(func(l *loop) {
			if f := l.mf.find(&kk, &mk); f != nil {
				exists = true
				if mode&PutModify != 0 {
					f.setActions(acts)
				}
				return
			}
			if mode&PutCreate != 0 && l.install(&kk, &mk, acts, nil, seq) != nil {
				created = true
			}
		})
		if err != nil {
			return fmt.Errorf("dpif %s: flow put: %w", dp.cfg.Name, err)
		}
	}
	switch {
	case exists && mode&PutModify == 0:
		return fmt.Errorf("dpif %s: flow put: %w", dp.cfg.Name, ErrExists)
	case !exists && mode&PutCreate == 0:
		return fmt.Errorf("dpif %s: flow modify: %w", dp.cfg.Name, ErrNotFound)
	case !exists && !created:
		return fmt.Errorf("dpif %s: flow put: flow limit reached: %w", dp.cfg.Name, ErrInvalid)
	}
	return nil
}

// FlowDel deletes the megaflow key/mask from every loop and returns its
// summed stats (dpctl/del-flow).
func (dp *Datapath) FlowDel(key, mask *flow.Key) (Stats, error) {
	if key == nil || mask == nil {
		return Stats{}, fmt.Errorf("dpif %s: flow del: %w", dp.cfg.Name, ErrInvalid)
	}
	mk := *mask
	mk.InPort, mk.RecircID = ^uint32(0), ^uint32(0)
	kk := *key
	kk.And(&mk)
	dp.revalMu.Lock()
	defer dp.revalMu.Unlock()
	var st Stats
	found := false
	for _, l := range dp.loops {
		var f *megaflow
		l.call(func(l *loop) { f = l.mf.find(&kk, &mk) })
		if f == nil {
			continue
		}
		found = true
		dp.deleteFlows(l, []*megaflow{f})
		fi := dp.info(f)
		st.Packets += fi.Stats.Packets
		st.Bytes += fi.Stats.Bytes
		st.TCPFlags |= fi.Stats.TCPFlags
		if fi.Stats.Used.After(st.Used) {
			st.Used = fi.Stats.Used
		}
	}
	if !found {
		return Stats{}, fmt.Errorf("dpif %s: flow del: %w", dp.cfg.Name, ErrNotFound)
	}
	return st, nil
}

// FlowFlush deletes every megaflow (dpctl/del-flows), pushing their stats.
func (dp *Datapath) FlowFlush() {
	dp.revalMu.Lock()
	defer dp.revalMu.Unlock()
	for _, l := range dp.loops {
		var del []*megaflow
		l.call(func(l *loop) { del = l.flushAll() })
		for _, f := range del {
			dp.pushStats(f)
		}
	}
}

// FlowDump calls fn for every installed megaflow, loop by loop. fn runs on
// the caller's goroutine and may not call FlowPut/FlowDel/FlowFlush.
func (dp *Datapath) FlowDump(fn func(FlowInfo)) {
	for _, flows := range dp.snapshot() {
		for _, f := range flows {
			if !f.removed.Load() {
				fn(dp.info(f))
			}
		}
	}
}
