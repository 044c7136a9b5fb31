package dpif

import (
	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/packet"
)

// UpcallHandler translates misses and judges installed megaflows. It is
// implemented by ofproto. Its methods are called concurrently from handler
// and revalidator goroutines, never from a forwarding loop, and must not
// call back into the Datapath except Execute and FlowDump.
type UpcallHandler interface {
	// Upcall translates a miss (u.Userspace == nil) or handles an
	// ActUserspace upcall. For a miss it fills u.Mask, u.Actions and u.Ref
	// (an opaque value the datapath keeps with the megaflow: the xlate
	// cache), and sets u.NoInstall if the flow must not be cached. For a
	// userspace upcall, actions it returns are executed on the packet (not
	// installed). u.Packet and u.Key are read-only and valid only during
	// the call. A non-nil error drops the packets ("miss with failed
	// upcall").
	Upcall(u *Upcall) error
	// Revalidate re-checks an installed megaflow: it returns whether to keep
	// it and, when keeping, possibly new actions (same mask; nil means
	// unchanged) and a new ref (nil means unchanged). Called by the
	// revalidator goroutine only.
	Revalidate(f *FlowInfo, ref any) (keep bool, actions []odp.Action, newRef any)
	// PushStats gives the handler the stats delta of a megaflow (rule
	// counters, MAC refresh...). Called by the revalidator and by flow
	// deletion on control-plane goroutines, one flow at a time.
	PushStats(ref any, delta Stats)
}

// RefReleaser is implemented by handlers whose megaflow refs hold
// resources (recirculation ids): ReleaseRef is called, on a control-plane
// goroutine, once a megaflow is deleted and its last stats were pushed. It
// must tolerate being called again for the same ref.
type RefReleaser interface {
	ReleaseRef(ref any)
}

// Upcall is the argument of UpcallHandler.Upcall.
type Upcall struct {
	Key       flow.Key
	Packet    *packet.Packet
	Mask      flow.Key
	Actions   []odp.Action
	Ref       any
	Userspace *odp.Userspace // for ActUserspace upcalls, nil for misses
	NoInstall bool
}

// missEntry is one slot of a loop's pending-miss table: the packets of one
// flow key waiting for their upcall, or a userspace upcall's packet copy.
// It is owned by its loop, except between the send to dp.upcallQ and the
// return through the loop's inbox, when it is owned by one handler.
type missEntry struct {
	loop  *loop
	user  bool // userspace upcall, pkts[0] is the copy
	hash  uint64
	key   flow.Key // the packets' key, loop-owned (the handler reads up.Key)
	depth int      // recirculation depth of the packets
	port  uint32
	seq   uint64 // revalidation sequence at the start of translation
	pkts  []*packet.Packet
	up    Upcall
	err   error
}

// handlerLoop serves upcalls until the datapath closes.
func (dp *Datapath) handlerLoop() {
	defer dp.wg.Done()
	for {
		select {
		case <-dp.quit:
			return
		case e := <-dp.upcallQ:
			dp.handle(e)
		}
	}
}

// handle translates one miss or userspace upcall and hands the entry back
// to its loop.
func (dp *Datapath) handle(e *missEntry) {
	seq := dp.revalSeq.Load()
	dp.inflightMu.Lock()
	dp.inflight[seq]++
	dp.inflightMu.Unlock()
	e.seq = seq
	u := &e.up
	e.err = dp.handler.Upcall(u)
	u.Packet = nil
	// The loop calls finishInflight once the result is installed, so that
	// Wait covers translations that are done but not yet installed.
	e.loop.deliver(e)
}

// finishInflight records that an upcall started at seq is installed (or
// discarded).
func (dp *Datapath) finishInflight(seq uint64) {
	dp.inflightMu.Lock()
	if dp.inflight[seq]--; dp.inflight[seq] <= 0 {
		delete(dp.inflight, seq)
	}
	dp.inflightMu.Unlock()
}

// oldestInflight reports whether an upcall that started before seq is
// still being translated.
func (dp *Datapath) inflightBefore(seq uint64) bool {
	dp.inflightMu.Lock()
	defer dp.inflightMu.Unlock()
	for s := range dp.inflight {
		if s < seq {
			return true
		}
	}
	return false
}
