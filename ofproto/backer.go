package ofproto

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"govs.dev/govs/dpif"
	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
	"govs.dev/govs/packet"
)

// Clock is where ofproto reads time; the daemon's clock honours time/warp.
type Clock interface{ Now() time.Time }

// Backer is the datapath shared by all bridges of one datapath type, and the
// datapath's upcall handler. It publishes xlate.Config snapshots that handler
// goroutines translate against.
type Backer struct {
	Type  string
	DP    *dpif.Datapath
	clock Clock

	mu      sync.Mutex
	bridges map[string]*Bridge
	cfg     atomic.Pointer[xlate.Config]

	// cfgGen moves on configuration changes that affect translation.
	cfgGen atomic.Uint64

	cacheMu sync.Mutex
	cache   *packet.Cache

	// recirc is the datapath's frozen-state table.
	recirc *RecircTable
}

// NewBacker returns a backer without a datapath; call Attach with the
// datapath built with the backer as its handler.
func NewBacker(typ string, clock Clock) *Backer {
	k := &Backer{Type: typ, clock: clock, bridges: make(map[string]*Bridge)}
	k.recirc = NewRecircTable(func() time.Time {
		if k.clock == nil {
			return time.Now()
		}
		return k.clock.Now()
	})
	k.cfg.Store(&xlate.Config{Bridges: map[string]*xlate.Bridge{}, ByDPPort: map[uint32]*xlate.Port{}, Frozen: k.recirc})
	return k
}

// Recirc returns the backer's frozen-state table.
func (k *Backer) Recirc() *RecircTable { return k.recirc }

// Attach sets the datapath of the backer and the pool that control-plane
// packets (packet-out, trace -generate) are allocated from.
func (k *Backer) Attach(dp *dpif.Datapath, pool *packet.Pool) {
	k.DP = dp
	k.cache = pool.NewCache()
}

// AllocPacket allocates a packet buffer for the control plane; nil when the
// pool is exhausted. Safe for concurrent use.
func (k *Backer) AllocPacket(n int) *packet.Packet {
	k.cacheMu.Lock()
	defer k.cacheMu.Unlock()
	if k.cache == nil {
		return nil
	}
	return k.cache.Alloc(n)
}

// waitRevalidation returns once every datapath flow translated before the
// call has been revalidated (barrier and bundle-commit semantics).
func (k *Backer) waitRevalidation() {
	if k.DP != nil {
		k.DP.Wait()
	}
}

// Now returns the backer's current time.
func (k *Backer) Now() time.Time { return k.clock.Now() }

// Bridges returns the bridges sorted by name.
func (k *Backer) Bridges() []*Bridge {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*Bridge, 0, len(k.bridges))
	for _, b := range k.bridges {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Config returns the current translation snapshot.
func (k *Backer) Config() *xlate.Config { return k.cfg.Load() }

// republish rebuilds the xlate snapshot from every bridge's ports. Callers
// must not hold any bridge lock.
func (k *Backer) republish() {
	k.mu.Lock()
	defer k.mu.Unlock()
	cfg := &xlate.Config{Bridges: map[string]*xlate.Bridge{}, ByDPPort: map[uint32]*xlate.Port{}, Frozen: k.recirc}
	xports := map[string]*xlate.Port{}
	type peerReq struct {
		p    *xlate.Port
		peer string
	}
	var peers []peerReq
	for _, b := range k.bridges {
		b.mu.Lock()
		xb := &xlate.Bridge{
			Name: b.Name, Tables: bridgeTables{b}, Ports: map[openflow.Port]*xlate.Port{},
			MAC: b.mac, Now: k.clock.Now,
			FragDrop: b.fragMode == FragDrop, FragNormal: b.fragMode == FragNormal,
		}
		for _, p := range b.sortedPortsLocked() {
			xp := &xlate.Port{
				Name: p.Name, OFPort: p.OFPort, DPPort: p.DPPort, Bridge: xb,
				Tag: p.Tag, Trunks: p.Trunks, Mode: p.Mode,
				NoFlood: p.Config&PortNoFlood != 0, NoForward: p.Config&PortNoFwd != 0,
				NoRecv: p.Config&PortNoRecv != 0,
				Patch:  b.patchStats[p.OFPort],
			}
			xb.Ports[p.OFPort] = xp
			xb.PortOrder = append(xb.PortOrder, xp)
			xports[p.Name] = xp
			if p.PatchPeer != "" {
				peers = append(peers, peerReq{xp, p.PatchPeer})
			} else if p.HasDPPort {
				cfg.ByDPPort[p.DPPort] = xp
			}
		}
		b.mu.Unlock()
		cfg.Bridges[b.Name] = xb
	}
	for _, pr := range peers {
		if peer := xports[pr.peer]; peer != nil {
			pr.p.Peer = peer
		}
	}
	k.cfg.Store(cfg)
}

// ref is what the datapath keeps with each megaflow.
type ref struct {
	cache xlate.Cache
	// cfgGen and gens are the configuration generation and, for each
	// bridge the translation consulted (cache.Bridges), its rule version
	// plus MAC generation, read before translating: while they hold, the
	// translation would come out the same.
	cfgGen uint64
	gens   []uint64
	// recircs holds the recirculation ids the megaflow's actions use; nil
	// when there are none.
	recircs *recircHold
}

// recircHold is the set of recirculation id references of one megaflow.
// It is released exactly once: by the revalidator when it replaces or
// deletes the flow, by ReleaseRef, or, for a ref the datapath dropped
// without saying so, by a cleanup when the ref becomes unreachable.
type recircHold struct {
	table *RecircTable
	ids   []uint32
	done  atomic.Bool
}

func (h *recircHold) release() {
	if h == nil || !h.done.CompareAndSwap(false, true) {
		return
	}
	for _, id := range h.ids {
		h.table.Unref(id)
	}
}

// newRef wraps a translation result for the datapath, taking over the
// result's recirculation id references.
func (k *Backer) newRef(res *xlate.Result, snap genSnapshot) *ref {
	r := &ref{cache: res.Cache, cfgGen: snap.cfg}
	for _, b := range res.Cache.Bridges {
		g, ok := snap.gen(b)
		if !ok {
			// A bridge the snapshot did not know: force a retranslation
			// on the next pass.
			g = ^uint64(0)
		}
		r.gens = append(r.gens, g)
	}
	if len(res.Recircs) > 0 {
		h := &recircHold{table: k.recirc, ids: res.Recircs}
		r.recircs = h
		runtime.AddCleanup(r, func(h *recircHold) { h.release() }, h)
	}
	return r
}

// ReleaseRef drops what a megaflow's ref holds (its recirculation ids). The
// datapath calls it, from a control-plane goroutine, once the megaflow is
// deleted or was never installed; calling it again, or for a ref the
// revalidator already replaced, does nothing. Without such calls the ids
// are still released, later, when the ref is garbage collected.
func (k *Backer) ReleaseRef(r any) {
	if rr, ok := r.(*ref); ok && rr != nil {
		rr.recircs.release()
	}
}

// bridgeGen is a bridge's rule version plus its MAC table generation: a
// change in either may change translations through the bridge.
func bridgeGen(xb *xlate.Bridge) uint64 {
	var g uint64
	if t, ok := xb.Tables.(bridgeTables); ok {
		g += t.b.curVersion.Load()
	}
	if xb.MAC != nil {
		g += xb.MAC.Generation()
	}
	return g
}

// genSnapshot is every bridge's bridgeGen and the configuration generation
// at one moment, taken before a translation. The first bridges live in
// the struct, so that an upcall does not allocate for it.
type genSnapshot struct {
	cfg  uint64
	n    int
	b    [8]*xlate.Bridge
	g    [8]uint64
	more []bridgeGenAt
}

type bridgeGenAt struct {
	b *xlate.Bridge
	g uint64
}

func (k *Backer) snapshot() genSnapshot {
	snap := genSnapshot{cfg: k.cfgGen.Load()}
	for _, xb := range k.cfg.Load().Bridges {
		if snap.n < len(snap.b) {
			snap.b[snap.n], snap.g[snap.n] = xb, bridgeGen(xb)
			snap.n++
		} else {
			snap.more = append(snap.more, bridgeGenAt{xb, bridgeGen(xb)})
		}
	}
	return snap
}

// gen returns the snapshot's generation of bridge b.
func (s *genSnapshot) gen(b *xlate.Bridge) (uint64, bool) {
	for i := 0; i < s.n; i++ {
		if s.b[i] == b {
			return s.g[i], true
		}
	}
	for _, m := range s.more {
		if m.b == b {
			return m.g, true
		}
	}
	return 0, false
}

// current reports whether nothing r's translation depended on changed.
func (k *Backer) current(r *ref) bool {
	if r.cfgGen != k.cfgGen.Load() || len(r.gens) != len(r.cache.Bridges) {
		return false
	}
	for i, b := range r.cache.Bridges {
		if bridgeGen(b) != r.gens[i] {
			return false
		}
	}
	return true
}

// Upcall translates a datapath miss, or handles a userspace action's upcall
// (dpif.UpcallHandler).
func (k *Backer) Upcall(u *dpif.Upcall) error {
	if u.Userspace != nil {
		return k.userspaceUpcall(u)
	}
	gen := k.snapshot()
	res, err := xlate.Translate(k.cfg.Load(), &xlate.Input{Key: u.Key, Learn: true, KeepRecircs: true})
	if err != nil && (res == nil || errors.Is(err, xlate.ErrNoRecircContext) || errors.Is(err, xlate.ErrBridgeNotFound)) {
		// As OVS: no flow for a packet whose recirculation context is
		// gone; the packet is dropped.
		if res != nil {
			k.newRef(res, gen).recircs.release()
		}
		return fmt.Errorf("ofproto: upcall: %w", err)
	}
	u.Mask = res.Mask
	u.Actions = res.Actions
	r := k.newRef(res, gen)
	u.Ref = r
	if res.SlowPath != 0 {
		u.NoInstall = true
	}
	// The packet that missed is counted like a packet of the flow.
	res.Cache.PushStats(1, uint64(u.Packet.Len()), k.clock.Now())
	if res.Cache.MACChanged {
		// The bridge's MAC generation moved: flows through it are
		// retranslated.
		k.rulesChanged()
	}
	if u.NoInstall {
		// The actions run once on the upcall's packets; the ids stay
		// findable for the table's grace period, long enough for that.
		r.recircs.release()
	}
	return nil
}

// userspaceUpcall handles a packet sent to userspace by a datapath action.
// A controller action becomes a packet-in, queued to the OpenFlow
// connections that want it (never blocking the handler); the packet itself
// is consumed. A slow-path packet is translated and its actions executed
// once.
func (k *Backer) userspaceUpcall(u *dpif.Upcall) error {
	switch u.Userspace.Kind {
	case odp.UserspaceController:
		k.controllerUpcall(u)
		return nil
	case odp.UserspaceSlowPath:
		res, err := xlate.Translate(k.cfg.Load(), &xlate.Input{Key: u.Key, Learn: true})
		if err != nil {
			return fmt.Errorf("ofproto: slow-path upcall: %w", err)
		}
		u.Actions = res.Actions
		return nil
	}
	return nil
}

// Revalidate re-translates an installed megaflow (dpif.UpcallHandler).
func (k *Backer) Revalidate(f *dpif.FlowInfo, r any) (bool, []odp.Action, any) {
	old, _ := r.(*ref)
	if old != nil && k.current(old) {
		return true, f.Actions, r
	}
	gen := k.snapshot()
	res, err := xlate.Translate(k.cfg.Load(), &xlate.Input{Key: f.Key, Learn: false, KeepRecircs: true})
	nr := k.newRef(res, gen)
	if err != nil || res.SlowPath != 0 {
		nr.recircs.release()
		k.ReleaseRef(r)
		return false, nil, nil
	}
	// If the new translation needs a wider mask than the installed flow
	// has, the flow would now cover packets that translate differently:
	// delete it and let the next packet install the right one.
	nm := res.Mask
	nm.Or(&f.Mask)
	if nm != f.Mask {
		nr.recircs.release()
		k.ReleaseRef(r)
		return false, nil, nil
	}
	// The new translation holds its own references (the same ids when the
	// frozen states are unchanged); the old ones go.
	k.ReleaseRef(r)
	return true, res.Actions, nr
}

// PushStats credits a megaflow's traffic to what its translation used
// (dpif.UpcallHandler).
func (k *Backer) PushStats(r any, delta dpif.Stats) {
	if rr, ok := r.(*ref); ok && rr != nil {
		used := delta.Used
		if used.IsZero() {
			used = k.clock.Now()
		}
		rr.cache.PushStats(delta.Packets, delta.Bytes, used)
	}
}

// rulesChanged asks the datapath to revalidate soon after a rule change,
// which the changed bridge's rule version already records: only megaflows
// that went through that bridge are retranslated.
func (k *Backer) rulesChanged() {
	if k.DP != nil {
		k.DP.RevalidateAll()
	}
}

// needRevalidate asks the datapath to revalidate every flow soon, after a
// configuration change no rule version records (ports, modes, prefixes).
func (k *Backer) needRevalidate() {
	k.cfgGen.Add(1)
	if k.DP != nil {
		k.DP.RevalidateAll()
	}
}

// bridgeTables adapts a bridge's tables to xlate.Tables.
type bridgeTables struct{ b *Bridge }

func (t bridgeTables) Lookup(table uint8, key *flow.Key, wc *flow.Key) xlate.Rule {
	if int(table) >= NumTables {
		return nil
	}
	r := t.b.tables[table].lookup(key, t.b.curVersion.Load(), wc)
	if r == nil {
		return nil
	}
	return r
}
