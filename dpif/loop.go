package dpif

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
	"govs.dev/govs/vlog"
)

// Bounds of a loop's pending-miss table. Held packets stay well below any
// sane pool size; beyond the bounds misses are dropped and counted.
const (
	maxPendingKeys = 256  // distinct keys waiting for an upcall
	maxPendingPkts = 1024 // packets held over all keys
	maxPktsPerKey  = 64   // packets held for one key
	minPortQuota   = 16   // pending keys any one in_port may always use
	// maxRecircDepth bounds recirculation as OVS's MAX_RECIRC_DEPTH does.
	maxRecircDepth = 6
	// recircQueueLen bounds the packets recirculated by one batch.
	recircQueueLen = 4 * packet.BatchSize
	// userspaceRate bounds userspace upcalls per loop and second.
	userspaceRate = 1000
	// rankEvery is how many polls pass between subtable re-rankings.
	rankEvery = 4096
	// publishInterval bounds how long a busy loop keeps flow counters
	// unpublished (readers never see that: they go through loop.call,
	// which publishes first; this only bounds the work of one
	// publication). publishCheckEvery is how many polls pass between
	// clock reads for it, maxDirtyFlows how many flows may wait.
	publishInterval   = int64(10 * time.Millisecond)
	publishCheckEvery = 16
	maxDirtyFlows     = 4096
)

var monoEpoch = time.Now()

// mono returns monotonic nanoseconds.
func mono() int64 { return int64(time.Since(monoEpoch)) }

// counter is a statistic written by one loop and read by anyone.
type counter struct{ atomic.Uint64 }

// add adds n; only the owning loop writes, so a load and a store suffice.
// Hot path.
func (c *counter) add(n uint64) { c.Store(c.Load() + n) }

// loopStats are a loop's counters (pmd-stats-show) and drop reasons.
type loopStats struct {
	recv, recirc, emcHit, maskedHit, maskedLookup counter
	miss, lost, sentPkts, sentBatches             counter
	idleNs, busyNs, iterations, sleeps            counter
	dropPendingFull, dropPortQuota, dropQueueFull counter
	dropUpcallErr, dropNoPort, dropRecircDepth    counter
	dropUserspaceRate, dropAlloc                  counter
	rxErrors, txErrors                            counter
	txOffloadDrops                                counter // packets a software offload fallback could not fix
}

// loopPort is a port as one loop sees it.
type loopPort struct {
	p   *port
	txq int
	tx  packet.Batch
}

// rxQueue is one rx queue polled by a loop.
type rxQueue struct {
	lp *loopPort
	q  int
	fd int
	// parked: the device reported itself closed (netdev.ErrClosed, e.g.
	// its kernel interface was deleted), so the loop stops polling the
	// queue until the port is removed, instead of spinning on an error
	// that a closed fd may report readable forever.
	parked bool
}

// ctrlMsg is a control-plane request run on the loop.
type ctrlMsg struct {
	fn   func(*loop)
	done chan struct{}
}

// recircPkt is a packet waiting to be recirculated.
type recircPkt struct {
	p     *packet.Packet
	depth int
}

// loop is a forwarding loop. Fields after the inbox belong to the loop
// goroutine; the control plane reaches them only through call.
type loop struct {
	dp    *Datapath
	id    int
	cache *packet.Cache
	epfd  int
	evfd  int
	stop  atomic.Bool
	nRxq  atomic.Int32
	core  atomic.Int32 // CPU the loop is pinned to and busy-polls on, -1: none
	stats loopStats
	exit  chan struct{}

	inboxMu  sync.Mutex
	ctrl     []ctrlMsg
	results  []*missEntry
	inboxN   atomic.Int32
	woken    atomic.Bool
	wakeBuf  [8]byte
	drainBuf [8]byte

	// Loop-owned state.
	ports    []*loopPort // by datapath port number
	rxqs     []rxQueue
	mustPoll int // rx queues without a notify fd
	dirty    []*loopPort
	emcOn    bool
	emc      *emc
	mf       megaflowCache
	flows    []*megaflow
	keys     [packet.BatchSize]flow.Key
	hashes   [packet.BatchSize]uint64
	fl       [packet.BatchSize]*megaflow
	dupOf    [packet.BatchSize]uint8 // processBatch: the earlier packet of the same key
	acts     [packet.BatchSize][]odp.Action
	outPort  [packet.BatchSize]int64 // the single output port of acts, or -1
	// Flows hit since the last publishStats, and when that was (mono ns).
	dirtyFlows  []*megaflow
	lastPublish int64
	// publishEachPoll makes every poll publish the flow counters: in
	// manual mode (tests) control calls run on the caller's goroutine, so
	// they cannot publish themselves.
	publishEachPoll bool
	rxb             packet.Batch
	rb              packet.Batch
	segb            packet.Batch // txFixup's output batch
	recirc          []recircPkt
	pend            []missEntry
	pendFree        []*missEntry
	pendAct         []*missEntry
	pendPkts        int
	portPend        []int
	nowMs           int64
	hashKey         flow.Key // scratch key of the hash action
	userSec         int64
	userCount       int
	polls           uint64
	numa            int   // NUMA node of core
	lastRx          int64 // mono ns of the last poll that found work (pmd loops)
	ctrlSpare       []ctrlMsg
	resSpare        []*missEntry
}

func newLoop(dp *Datapath, id int) (*loop, error) {
	l := &loop{dp: dp, id: id, cache: dp.pool.NewCache(), emcOn: true, emc: new(emc),
		exit: make(chan struct{}), epfd: -1, evfd: -1}
	var err error
	if l.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("loop %d: epoll_create: %w", id, err)
	}
	if l.evfd, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		l.closeFDs()
		return nil, fmt.Errorf("loop %d: eventfd: %w", id, err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(l.evfd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, l.evfd, &ev); err != nil {
		l.closeFDs()
		return nil, fmt.Errorf("loop %d: epoll_ctl: %w", id, err)
	}
	binary.NativeEndian.PutUint64(l.wakeBuf[:], 1)
	l.core.Store(-1)
	l.publishEachPoll = dp.cfg.manual
	l.recirc = make([]recircPkt, 0, recircQueueLen)
	l.pend = make([]missEntry, maxPendingKeys)
	for i := range l.pend {
		e := &l.pend[i]
		e.loop = l
		e.pkts = make([]*packet.Packet, 0, 4)
		l.pendFree = append(l.pendFree, e)
	}
	l.pendAct = make([]*missEntry, 0, maxPendingKeys)
	return l, nil
}

func (l *loop) closeFDs() {
	if l.epfd >= 0 {
		unix.Close(l.epfd)
		l.epfd = -1
	}
	if l.evfd >= 0 {
		unix.Close(l.evfd)
		l.evfd = -1
	}
}

// wake makes the loop return from epoll. Safe from any goroutine.
func (l *loop) wake() {
	if l.woken.CompareAndSwap(false, true) && l.evfd >= 0 {
		unix.Write(l.evfd, l.wakeBuf[:])
	}
}

// call runs fn on the loop and waits for it. In manual mode (tests) the
// caller is the loop's goroutine and fn runs at once.
func (l *loop) call(fn func(*loop)) error {
	if l.dp.cfg.manual {
		// Not necessarily on the loop's goroutine: poll publishes
		// instead (publishEachPoll).
		fn(l)
		return nil
	}
	if l.stop.Load() {
		return ErrClosed
	}
	done := make(chan struct{})
	l.inboxMu.Lock()
	l.ctrl = append(l.ctrl, ctrlMsg{fn: fn, done: done})
	l.inboxN.Add(1)
	l.inboxMu.Unlock()
	l.wake()
	select {
	case <-done:
		return nil
	case <-l.exit:
		// The loop may have run fn just before exiting.
		select {
		case <-done:
			return nil
		default:
			return ErrClosed
		}
	}
}

// deliver hands an upcall result back to the loop. Called by handlers.
func (l *loop) deliver(e *missEntry) {
	l.inboxMu.Lock()
	l.results = append(l.results, e)
	l.inboxN.Add(1)
	l.inboxMu.Unlock()
	l.wake()
}

// run is the loop goroutine: poll while there is work, block in epoll when
// there is none. A pmd loop (pinned by SetPMDCPUMask) keeps polling while
// idle and blocks only after pmdIdleSleep without work.
func (l *loop) run() {
	defer l.dp.wg.Done()
	defer close(l.exit)
	runtime.LockOSThread()
	defer func() {
		if l.core.Load() >= 0 {
			// Hand the thread back to the runtime with the process's
			// CPU set, or let it die with the goroutine.
			if a, err := allowedCPUs(); err != nil || unix.SchedSetaffinity(0, a) != nil {
				return
			}
		}
		runtime.UnlockOSThread()
	}()
	events := make([]unix.EpollEvent, 16)
	for !l.stop.Load() {
		t0 := mono()
		busy := l.poll()
		t1 := mono()
		if busy {
			l.stats.busyNs.add(uint64(t1 - t0))
			l.lastRx = t1
			continue
		}
		if l.stop.Load() {
			break
		}
		if l.core.Load() >= 0 && t1-l.lastRx < int64(pmdIdleSleep) {
			l.stats.idleNs.add(uint64(t1 - t0))
			continue
		}
		l.publishStats()
		l.stats.sleeps.add(1)
		timeout := -1
		if l.mustPoll > 0 {
			timeout = 1
		}
		if _, err := unix.EpollWait(l.epfd, events, timeout); err != nil && !errors.Is(err, unix.EINTR) {
			// A broken epoll fd would spin; back off instead.
			time.Sleep(time.Millisecond)
		}
		l.stats.idleNs.add(uint64(mono() - t0))
	}
}

// poll runs one iteration: control messages and upcall results, one Rx per
// queue, then the tx flush. It reports whether there was any work.
func (l *loop) poll() bool {
	l.stats.iterations.add(1)
	busy := false
	if l.inboxN.Load() != 0 || l.woken.Load() {
		l.drainInbox()
		busy = true
	}
	for i := range l.rxqs {
		r := &l.rxqs[i]
		if r.parked {
			continue
		}
		n, err := r.lp.p.dev.Rx(r.q, &l.rxb, l.cache)
		if err != nil {
			l.stats.rxErrors.add(1)
			if errors.Is(err, netdev.ErrClosed) {
				l.park(r, err)
			}
		}
		if n > 0 {
			busy = true
			l.input(&l.rxb, r.lp.p.no)
		}
	}
	l.flushTx()
	l.polls++
	if l.polls%rankEvery == 0 {
		l.mf.rank()
	}
	if l.publishEachPoll {
		l.publishStats()
	} else if l.polls%publishCheckEvery == 0 && len(l.dirtyFlows) > 0 {
		if now := mono(); now-l.lastPublish >= publishInterval {
			l.publishStats()
			l.lastPublish = now
		}
	}
	return busy
}

// input runs a received batch through the datapath. Hot path.
func (l *loop) input(b *packet.Batch, inPort uint32) {
	l.nowMs = l.dp.clock.Now().UnixMilli()
	for _, p := range b.Pkts[:b.N] {
		p.Meta.InPort = inPort
	}
	l.stats.recv.add(uint64(b.N))
	l.processBatch(b, 0)
	b.N = 0
	l.runRecirc()
}

// runRecirc processes recirculated packets until none are left.
func (l *loop) runRecirc() {
	for len(l.recirc) > 0 {
		// Take packets of one depth at a time, in order.
		depth := l.recirc[0].depth
		b := &l.rb
		b.N = 0
		i := 0
		for ; i < len(l.recirc) && b.N < packet.BatchSize && l.recirc[i].depth == depth; i++ {
			b.Pkts[b.N] = l.recirc[i].p
			b.N++
		}
		l.recirc = append(l.recirc[:0], l.recirc[i:]...)
		l.stats.recirc.add(uint64(b.N))
		l.processBatch(b, depth)
		b.N = 0
	}
}

// processBatch classifies and executes a batch. The packets' ownership
// passes to the datapath. Hot path: no allocation on cache hits.
//
// It runs in passes over the batch, as OVS's dp_netdev_input does: extract
// and EMC lookup for every packet, one batched megaflow lookup for the EMC
// misses, then accounting and execution in arrival order.
func (l *loop) processBatch(b *packet.Batch, depth int) {
	n := min(b.N, packet.BatchSize)
	var todo uint32 // packets for the megaflow cache
	var dups uint32 // EMC misses with the same key as an earlier packet in todo
	emcOn := l.emcOn
	if !emcOn {
		for i := 0; i < n; i++ {
			packet.Extract(b.Pkts[i], &l.keys[i])
			l.fl[i] = nil
		}
		todo = 1<<n - 1
	} else {
		// Three short passes rather than one: the EMC lookups of the
		// whole batch, and then the checks of the flows they found, are
		// independent loads that the CPU overlaps when nothing else sits
		// between them.
		for i := 0; i < n; i++ {
			k := &l.keys[i]
			l.hashes[i] = emcHash(k, packet.ExtractMap(b.Pkts[i], k))
		}
		for i := 0; i < n; i++ {
			l.fl[i] = l.emc.lookup(l.hashes[i])
		}
		for i := 0; i < n; i++ {
			if f := l.fl[i]; f != nil {
				if !f.dead && f.matches(&l.keys[i]) {
					continue
				}
				l.fl[i] = nil
			}
			// Done one at a time, this packet would find the EMC entry
			// an earlier one of the same key inserts.
			if j, ok := l.samePending(todo, i); ok {
				l.dupOf[i] = uint8(j)
				dups |= 1 << i
				continue
			}
			todo |= 1 << i
		}
	}
	emcHits := uint64(n - bits.OnesCount32(todo|dups))
	if todo != 0 {
		miss, hits, lookups := l.mf.lookupBatch(&l.keys, todo, &l.fl)
		if emcOn {
			for m := todo &^ miss; m != 0; m &= m - 1 {
				i := bits.TrailingZeros32(m) % packet.BatchSize
				l.emc.insert(l.hashes[i], l.fl[i])
			}
			for m := dups; m != 0; m &= m - 1 {
				i := bits.TrailingZeros32(m) % packet.BatchSize
				if f := l.fl[l.dupOf[i]%packet.BatchSize]; f != nil {
					l.fl[i] = f
					emcHits++
				} else {
					lookups += uint64(l.mf.numSubtables(l.keys[i].InPort))
				}
			}
		}
		l.stats.maskedHit.add(hits)
		l.stats.maskedLookup.add(lookups)
	}
	l.stats.emcHit.add(emcHits)
	// Account the hits and fetch their actions for all packets first: the
	// flows' and actions' cache misses then overlap instead of stalling
	// one packet at a time.
	for i := 0; i < n; i++ {
		if f := l.fl[i]; f != nil {
			l.hit(f, b.Pkts[i].Len(), l.keys[i].TCPFlags)
			o := f.out.Load()
			l.outPort[i] = o
			if o < 0 {
				l.acts[i] = *f.acts.Load()
			}
		}
	}
	for i := 0; i < n; i++ {
		p := b.Pkts[i]
		b.Pkts[i] = nil
		if l.fl[i] == nil {
			l.miss(p, &l.keys[i], depth)
			continue
		}
		l.fl[i] = nil
		if o := l.outPort[i]; o >= 0 {
			l.output(p, uint32(o)) // the most common action list
		} else {
			l.execute(p, &l.keys[i], l.acts[i], depth)
		}
		l.acts[i] = nil
	}
	if len(l.dirtyFlows) >= maxDirtyFlows {
		l.publishStats()
	}
}

// samePending returns an earlier packet among todo whose key equals
// packet i's.
func (l *loop) samePending(todo uint32, i int) (int, bool) {
	h := l.hashes[i]
	for m := todo; m != 0; m &= m - 1 {
		j := bits.TrailingZeros32(m) % packet.BatchSize
		if l.hashes[j] == h && *l.keys[j].Words() == *l.keys[i].Words() {
			return j, true
		}
	}
	return 0, false
}

// miss parks p in the pending-miss table and queues an upcall for its key
// unless one is already under way. It never waits.
func (l *loop) miss(p *packet.Packet, k *flow.Key, depth int) {
	h := hashKey(k)
	for _, e := range l.pendAct {
		if e.hash == h && !e.user && *e.key.Words() == *k.Words() {
			if len(e.pkts) >= maxPktsPerKey || l.pendPkts >= maxPendingPkts {
				l.drop(p, &l.stats.dropPendingFull)
				return
			}
			e.pkts = append(e.pkts, p)
			e.depth = max(e.depth, depth)
			l.pendPkts++
			return
		}
	}
	if len(l.pendFree) == 0 || l.pendPkts >= maxPendingPkts {
		l.drop(p, &l.stats.dropPendingFull)
		return
	}
	in := int(k.InPort)
	if in >= len(l.portPend) {
		l.portPend = append(l.portPend, make([]int, in+1-len(l.portPend))...)
	}
	if l.portPend[in] >= max(minPortQuota, maxPendingKeys/max(len(l.rxqs), 1)) {
		l.drop(p, &l.stats.dropPortQuota)
		return
	}
	e := l.pendFree[len(l.pendFree)-1]
	e.user = false
	e.hash = h
	e.key = *k
	e.depth = depth
	e.port = k.InPort
	e.pkts = append(e.pkts[:0], p)
	e.up = Upcall{Key: *k, Packet: p}
	e.err = nil
	select {
	case l.dp.upcallQ <- e:
	default:
		e.pkts = e.pkts[:0]
		e.up = Upcall{}
		l.drop(p, &l.stats.dropQueueFull)
		return
	}
	l.pendFree = l.pendFree[:len(l.pendFree)-1]
	l.pendAct = append(l.pendAct, e)
	l.portPend[in]++
	l.pendPkts++
}

// drop frees p and counts it as a lost miss for reason c.
func (l *loop) drop(p *packet.Packet, c *counter) {
	c.add(1)
	l.stats.lost.add(1)
	l.cache.Free(p)
}

// userspace sends a copy of p to a handler (ActUserspace), rate limited.
func (l *loop) userspace(p *packet.Packet, k *flow.Key, us *odp.Userspace) {
	sec := l.nowMs / 1000
	if sec != l.userSec {
		l.userSec, l.userCount = sec, 0
	}
	if l.userCount >= userspaceRate || len(l.pendFree) == 0 {
		l.stats.dropUserspaceRate.add(1)
		return
	}
	c := l.cache.Clone(p)
	if c == nil {
		l.stats.dropAlloc.add(1)
		return
	}
	e := l.pendFree[len(l.pendFree)-1]
	e.user = true
	e.hash = 0
	e.key = *k
	e.depth = 0
	e.pkts = append(e.pkts[:0], c)
	e.up = Upcall{Key: *k, Packet: c, Userspace: us}
	e.err = nil
	select {
	case l.dp.upcallQ <- e:
	default:
		e.pkts = e.pkts[:0]
		l.cache.Free(c)
		l.stats.dropQueueFull.add(1)
		return
	}
	l.userCount++
	l.pendFree = l.pendFree[:len(l.pendFree)-1]
	l.pendAct = append(l.pendAct, e)
}

// drainInbox runs control messages and installs upcall results.
func (l *loop) drainInbox() {
	l.woken.Store(false)
	if l.evfd >= 0 {
		unix.Read(l.evfd, l.drainBuf[:])
	}
	l.inboxMu.Lock()
	ctrl, res := l.ctrl, l.results
	l.ctrl, l.results = l.ctrlSpare[:0], l.resSpare[:0]
	l.inboxN.Store(0)
	l.inboxMu.Unlock()
	if len(res) > 0 {
		l.nowMs = l.dp.clock.Now().UnixMilli()
	}
	for _, e := range res {
		l.result(e)
	}
	if len(ctrl) > 0 {
		// Control messages are how readers reach flow counters.
		l.publishStats()
	}
	for i, m := range ctrl {
		m.fn(l)
		close(m.done)
		ctrl[i] = ctrlMsg{}
	}
	clear(res)
	l.ctrlSpare, l.resSpare = ctrl[:0], res[:0]
	l.flushTx()
	l.runRecirc()
	l.flushTx()
}

// result installs an upcall's megaflow and executes its held packets in
// arrival order.
func (l *loop) result(e *missEntry) {
	defer l.dp.finishInflight(e.seq)
	if e.user {
		p := e.pkts[0]
		if e.err == nil && len(e.up.Actions) > 0 {
			l.execute(p, &e.key, e.up.Actions, 0)
		} else {
			l.cache.Free(p)
		}
		l.release(e)
		return
	}
	n := uint64(len(e.pkts))
	l.pendPkts -= len(e.pkts)
	if in := int(e.port); in < len(l.portPend) {
		l.portPend[in]--
	}
	if e.err != nil {
		l.stats.lost.add(n)
		l.stats.dropUpcallErr.add(n)
		for _, p := range e.pkts {
			l.cache.Free(p)
		}
		l.release(e)
		return
	}
	l.stats.miss.add(n)
	acts := e.up.Actions
	var f *megaflow
	if !e.up.NoInstall {
		f = l.install(&e.key, &e.up.Mask, acts, e.up.Ref, e.seq)
	}
	if f != nil {
		// As in OVS, the packet that caused the upcall is accounted by
		// the handler (its translation credits the rules), not in the
		// megaflow's statistics; packets of the same flow held behind it
		// count as megaflow traffic.
		if n > 1 {
			var bytes uint64
			for _, p := range e.pkts[1:] {
				bytes += uint64(p.Len())
			}
			f.packets.Store(f.packets.Load() + n - 1)
			f.bytes.Store(f.bytes.Load() + bytes)
			f.tcpFlags.Store(f.tcpFlags.Load() | uint32(e.key.TCPFlags))
			f.used.Store(l.nowMs)
		}
		acts = *f.acts.Load()
	}
	for _, p := range e.pkts {
		l.execute(p, &e.key, acts, e.depth)
	}
	l.release(e)
}

// release returns a pending entry to the free list.
func (l *loop) release(e *missEntry) {
	clear(e.pkts)
	e.pkts = e.pkts[:0]
	e.up = Upcall{}
	e.err = nil
	if i := slices.Index(l.pendAct, e); i >= 0 {
		last := len(l.pendAct) - 1
		l.pendAct[i] = l.pendAct[last]
		l.pendAct[last] = nil
		l.pendAct = l.pendAct[:last]
	}
	l.pendFree = append(l.pendFree, e)
}

// install adds a megaflow to the loop's caches unless an identical one
// exists (then that one is returned) or the flow limit is reached (nil).
// in_port and recirc_id are always exact.
func (l *loop) install(key, mask *flow.Key, acts []odp.Action, ref any, seq uint64) *megaflow {
	mk := *mask
	mk.InPort = ^uint32(0)
	mk.RecircID = ^uint32(0)
	kk := *key
	kk.And(&mk)
	if f := l.mf.find(&kk, &mk); f != nil {
		return f
	}
	if l.dp.nFlows.Load() >= l.dp.flowLimit.Load() {
		l.dp.flowLimitHits.Add(1)
		return nil
	}
	f := &megaflow{key: kk, mask: mk, orig: *key, loop: l, seq: seq, created: l.nowMs, ref: ref, validatedSeq: seq}
	f.setActions(acts)
	binary.BigEndian.PutUint64(f.ufid[:8], hashKey(&kk))
	binary.BigEndian.PutUint64(f.ufid[8:], kk.HashMasked(&mk, uint64(l.id)))
	l.mf.insert(f)
	f.idx = len(l.flows)
	l.flows = append(l.flows, f)
	l.dp.nFlows.Add(1)
	return f
}

// removeFlow deletes f from the loop's caches.
func (l *loop) removeFlow(f *megaflow) {
	if f.dead {
		return
	}
	f.dead = true
	f.removed.Store(true)
	l.mf.remove(f)
	last := len(l.flows) - 1
	l.flows[f.idx] = l.flows[last]
	l.flows[f.idx].idx = f.idx
	l.flows[last] = nil
	l.flows = l.flows[:last]
	l.dp.nFlows.Add(-1)
}

// flushAll removes every flow and clears the EMC.
func (l *loop) flushAll() []*megaflow {
	out := slices.Clone(l.flows)
	for _, f := range out {
		l.removeFlow(f)
	}
	l.emc.clear()
	return out
}

// addPort makes p known to the loop, polling rx queues qs and sending on
// tx queue txq.
func (l *loop) addPort(p *port, qs []int, txq int) {
	if int(p.no) >= len(l.ports) {
		l.ports = append(l.ports, make([]*loopPort, int(p.no)+1-len(l.ports))...)
	}
	lp := &loopPort{p: p, txq: txq}
	l.ports[p.no] = lp
	for _, q := range qs {
		l.addRxq(lp, q)
	}
}

// addRxq makes the loop poll rx queue q of lp's port, watching its notify
// fd in epoll when it has one.
func (l *loop) addRxq(lp *loopPort, q int) {
	fd := lp.p.dev.RxNotifyFD(q)
	if fd >= 0 {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil && !errors.Is(err, unix.EEXIST) {
			fd = -1
		}
	}
	if fd < 0 {
		l.mustPoll++
	}
	l.rxqs = append(l.rxqs, rxQueue{lp: lp, q: q, fd: fd})
}

// park stops polling r after its device reported itself closed (err).
func (l *loop) park(r *rxQueue, err error) {
	l.unwatch(*r)
	r.parked = true
	vlogDpif.Info("%s: rx queue %d stopped: %v", r.lp.p.name, r.q, err)
}

// vlogDpif is the dpif log module.
var vlogDpif = vlog.Module("dpif")

// unwatch undoes addRxq's epoll registration of r (the caller drops r or
// parks it); a parked queue has none.
func (l *loop) unwatch(r rxQueue) {
	if r.parked {
		return
	}
	if r.fd >= 0 {
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, r.fd, nil)
	} else {
		l.mustPoll--
	}
}

// pollsQueue reports whether the loop polls rx queue q of port no.
func (l *loop) pollsQueue(no uint32, q int) bool {
	for _, r := range l.rxqs {
		if r.lp.p.no == no && r.q == q {
			return true
		}
	}
	return false
}

// delPort forgets port no after flushing its pending output.
func (l *loop) delPort(no uint32) {
	if int(no) >= len(l.ports) || l.ports[no] == nil {
		return
	}
	l.flushTx()
	l.rxqs = slices.DeleteFunc(l.rxqs, func(r rxQueue) bool {
		if r.lp.p.no != no {
			return false
		}
		l.unwatch(r)
		return true
	})
	l.ports[no] = nil
}

// output queues p for port no. Hot path.
func (l *loop) output(p *packet.Packet, no uint32) {
	if int(no) >= len(l.ports) || l.ports[no] == nil {
		l.stats.dropNoPort.add(1)
		l.cache.Free(p)
		return
	}
	lp := l.ports[no]
	if lp.tx.N == 0 {
		l.dirty = append(l.dirty, lp)
	}
	lp.tx.Pkts[lp.tx.N] = p
	lp.tx.N++
	if lp.tx.N == packet.BatchSize {
		l.txFlush(lp)
	}
}

// flushTx sends every queued output batch. Hot path.
func (l *loop) flushTx() {
	for i, lp := range l.dirty {
		if lp.tx.N > 0 {
			l.txFlush(lp)
		}
		l.dirty[i] = nil
	}
	l.dirty = l.dirty[:0]
}

func (l *loop) txFlush(lp *loopPort) {
	n := uint64(lp.tx.N)
	p := lp.p
	if p.shared {
		p.txLocks[lp.txq].Lock()
	}
	var err error
	if caps := p.caps; needsTxFixup(&lp.tx, caps) {
		err = l.txFixup(lp, caps)
	} else {
		err = p.dev.Tx(lp.txq, &lp.tx, l.cache)
	}
	if p.shared {
		p.txLocks[lp.txq].Unlock()
	}
	if err != nil {
		l.stats.txErrors.add(1)
	}
	if lp.tx.N != 0 {
		// A device that kept packets despite the contract: free them.
		l.cache.FreeBatch(&lp.tx)
	}
	l.stats.sentPkts.add(n)
	l.stats.sentBatches.add(1)
}

// shutdown frees every packet the loop holds. Called after the goroutine
// exited (or in manual mode by Close).
func (l *loop) shutdown() {
	l.inboxMu.Lock()
	res := l.results
	l.results = nil
	l.inboxMu.Unlock()
	for _, e := range res {
		for _, p := range e.pkts {
			l.cache.Free(p)
		}
		e.pkts = e.pkts[:0]
	}
	for _, e := range l.pendAct {
		// Entries still queued to handlers are freed by the datapath.
		_ = e
	}
	for _, lp := range l.ports {
		if lp != nil && lp.tx.N > 0 {
			l.cache.FreeBatch(&lp.tx)
		}
	}
	for _, r := range l.recirc {
		l.cache.Free(r.p)
	}
	l.recirc = l.recirc[:0]
	l.publishStats()
	for _, f := range l.flows {
		f.removed.Store(true)
	}
	l.closeFDs()
}
