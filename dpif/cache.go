package dpif

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/packet"
)

// EMCEntries is the size of a loop's exact-match cache, as in OVS
// (EM_FLOW_HASH_ENTRIES): big enough for the active flows of a busy port.
// An entry is a key hash and a flow (16 bytes, 128 KiB in all), so that
// the cache stays in the CPU's caches.
const EMCEntries = emcWays << emcBucketBits

// emcWays is the number of entries of one bucket: one 64-byte cache line.
// A key hash's top emcBucketBits bits pick its bucket.
const (
	emcWays       = 4
	emcBucketBits = 11
	emcShift      = 64 - emcBucketBits
)

// pkInline is how many mask words a megaflow keeps packed next to its hot
// fields for the exact-match cache's check; flows with wider masks compare
// against their full key.
const pkInline = 10

// megaflow is one installed datapath flow in one loop's megaflow cache.
//
// key, mask, ufid, loop and seq are immutable after installation. acts is
// replaced atomically by the revalidator. The counters are written only by
// the owning loop and read by anyone once the loop has published them
// (publishStats; every reader reaches the flow through loop.call, which
// publishes first). dead, the b* accumulators, st and idx belong to the
// owning loop. ref and the pushed* fields belong to whoever holds
// Datapath.revalMu.
type megaflow struct {
	// The first cache line holds what every hit touches, so that a hit
	// costs this line and, for the exact-match cache's check, the next
	// one with the packed key.
	//
	// Loop-owned:
	dead   bool
	dirty  bool   // in loop.dirtyFlows
	bFlags uint16 // accumulated since the last publication
	// out is the port of a flow whose actions are a single output, else
	// -1, so that the common case does not load the actions. setActions
	// keeps it in step with acts.
	out    atomic.Int64
	bPkts  uint64
	bBytes uint64
	bUsed  int64 // Unix ms of the last hit not yet published

	// ents are the mask's nonzero words (shared with the subtable) and pk
	// the masked key's words at them, when they fit: the exact-match
	// cache checks a packet against them (matches). Set by
	// subtable.insert.
	ents []maskWord
	pk   [pkInline]uint64

	acts atomic.Pointer[[]odp.Action] // replaced only through setActions

	packets  atomic.Uint64
	bytes    atomic.Uint64
	used     atomic.Int64 // Unix ms of the last hit, 0 = never
	tcpFlags atomic.Uint32
	created  int64 // Unix ms
	removed  atomic.Bool

	st  *subtable // loop-owned
	idx int       // position in loop.flows, loop-owned

	key  flow.Key // already masked
	mask flow.Key
	// orig is the full key of the packet whose upcall installed the flow:
	// dumps show it (with the mask) as OVS does, and revalidation
	// translates it again.
	orig flow.Key
	ufid [16]byte
	loop *loop
	seq  uint64 // revalidation sequence its translation started at

	// Guarded by Datapath.revalMu.
	ref          any
	pushedPkts   uint64
	pushedBytes  uint64
	validatedSeq uint64
}

// setActions replaces f's actions with a copy of acts. Safe from any
// goroutine: a loop that reads out and then, when it is -1, the actions,
// sees either the old or the new actions, since acts is stored first.
func (f *megaflow) setActions(acts []odp.Action) {
	a := slices.Clone(acts)
	f.acts.Store(&a)
	out := int64(-1)
	if len(a) == 1 && a[0].Type == odp.ActOutput {
		out = int64(a[0].Port)
	}
	f.out.Store(out)
}

// hit accounts one packet of n bytes with TCP flags fl at time now (Unix
// ms) in the loop-owned accumulators. The loop publishes them later. Hot
// path.
func (l *loop) hit(f *megaflow, n int, fl uint16) {
	f.bPkts++
	f.bBytes += uint64(n)
	f.bFlags |= fl
	f.bUsed = l.nowMs
	if !f.dirty {
		f.dirty = true
		l.dirtyFlows = append(l.dirtyFlows, f)
	}
}

// publishStats moves every dirty flow's accumulated counts into its atomic
// counters. Go's atomic stores are full barriers on amd64 (no relaxed
// stores as OVS uses), so the loop batches them: it publishes every
// publishInterval of busy time, when it goes idle and before any control
// message runs, which is how every reader reaches the counters.
func (l *loop) publishStats() {
	for i, f := range l.dirtyFlows {
		if f.bPkts != 0 {
			f.packets.Store(f.packets.Load() + f.bPkts)
			f.bytes.Store(f.bytes.Load() + f.bBytes)
			if fl := uint32(f.bFlags); fl != 0 && f.tcpFlags.Load()|fl != f.tcpFlags.Load() {
				f.tcpFlags.Store(f.tcpFlags.Load() | fl)
			}
			f.used.Store(f.bUsed)
		}
		f.bPkts, f.bBytes, f.bFlags, f.dirty = 0, 0, 0, false
		l.dirtyFlows[i] = nil
	}
	l.dirtyFlows = l.dirtyFlows[:0]
	l.cache.PublishStats()
}

// hashKey hashes every word of k with four independent multiply chains, so
// that the 45-word key hashes in a few nanoseconds. Hot path.
func hashKey(k *flow.Key) uint64 {
	w := k.Words()
	const m = 0x9e3779b97f4a7c15
	var a, b, c, d uint64 = 1, 2, 3, 4
	i := 0
	for ; i+4 <= len(w); i += 4 {
		a = bits.RotateLeft64((a^w[i])*m, 29)
		b = bits.RotateLeft64((b^w[i+1])*m, 29)
		c = bits.RotateLeft64((c^w[i+2])*m, 29)
		d = bits.RotateLeft64((d^w[i+3])*m, 29)
	}
	for ; i < len(w); i++ {
		a = bits.RotateLeft64((a^w[i])*m, 29)
	}
	h := a ^ bits.RotateLeft64(b, 17) ^ bits.RotateLeft64(c, 34) ^ bits.RotateLeft64(d, 51)
	h ^= h >> 32
	h *= m
	return h ^ h>>29
}

// mulTab holds odd multipliers, one per word position, for the
// multilinear hashes below: the sum of each word times its multiplier. The
// products are independent of each other, so a CPU computes them in
// parallel instead of along one dependency chain. Two keys that differ in
// one word never sum alike (the multipliers are odd). finish then needs
// little mixing, because the tables index by the top bits.
var mulTab = func() (t [flow.KeyWords + 1]uint64) {
	x := uint64(0x2545f4914f6cdd1d)
	for i := range t {
		// splitmix64
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		t[i] = (z ^ z>>31) | 1
	}
	return t
}()

// finish mixes a multilinear sum: the xor-shift breaks up arithmetic
// progressions (keys counting up in one field) that a multiplication alone
// would keep evenly strided, and the multiplication by 2^64/phi carries
// every bit to the top bits, which index the tables (Fibonacci hashing).
// It is a bijection, so distinct sums stay distinct. Hot path.
func finish(h uint64) uint64 {
	h ^= h >> 31
	return h * 0x9e3779b97f4a7c15
}

// matches reports whether packet key k matches f (k & mask == f's key).
// Hot path.
func (f *megaflow) matches(k *flow.Key) bool {
	ents := f.ents
	if len(ents) <= pkInline {
		pk := f.pk[:len(ents)]
		for j := range ents {
			if ents[j].of(k) != pk[j] {
				return false
			}
		}
		return true
	}
	for j := range ents {
		if ents[j].of(k) != ents[j].of(&f.key) {
			return false
		}
	}
	return true
}

// emcEntry is one entry of the exact-match cache: the hash of a packet
// key and the flow that key matched.
type emcEntry struct {
	hash uint64
	f    *megaflow
}

// emc is a loop's exact-match cache: packet key hashes to megaflows, in
// 4-way buckets of one cache line. Like OVS's signature match cache it
// keeps no keys: a hit is the flow found for a key of the same 64-bit
// hash, checked to match the packet (megaflow.matches), so that it is
// never a flow the packet does not match. It belongs to its loop.
type emc struct {
	b [EMCEntries / emcWays][emcWays]emcEntry
}

// lookup returns the megaflow cached for hash h, or nil. The flow may be
// dead (deleted since) and must be checked to match the packet: the caller
// does both before using it. Hot path.
func (c *emc) lookup(h uint64) *megaflow {
	b := &c.b[h>>emcShift]
	for i := range b {
		if b[i].hash == h {
			return b[i].f
		}
	}
	return nil
}

// insert caches h -> f in h's bucket: over an entry of the same hash, an
// empty or dead one, or else the entry the hash's low bits pick. Hot path.
func (c *emc) insert(h uint64, f *megaflow) {
	b := &c.b[h>>emcShift]
	v := -1
	for i := range b {
		switch {
		case b[i].hash == h:
			b[i].f = f
			return
		case v < 0 && (b[i].f == nil || b[i].f.dead):
			v = i
		}
	}
	if v < 0 {
		v = int(h & (emcWays - 1))
	}
	b[v] = emcEntry{hash: h, f: f}
}

// clear empties the cache (after flow deletions the dead flags already make
// entries miss; clear also drops the references).
func (c *emc) clear() {
	clear(c.b[:])
}

// mfSlot is one slot of a subtable's open-addressing hash table.
type mfSlot struct {
	hash uint64
	f    *megaflow
}

// subtable holds the megaflows of one in_port that share one mask, in a
// linear-probing hash table keyed by the masked key. Each slot's masked key
// words are also kept packed in keys (len(ents) words per slot), so that a
// lookup compares contiguous words instead of chasing the flow. It belongs
// to its loop.
type subtable struct {
	mask  flow.Key
	ents  []maskWord // the mask's nonzero words
	slots []mfSlot
	shift uint     // a hash's top bits, h >> shift, are its home slot
	keys  []uint64 // len(slots) * len(ents)
	n     int
	hits  uint64
}

// maskWord is one nonzero word of a subtable's mask: its byte offset in
// the key, its value and its hash multiplier.
type maskWord struct {
	off uintptr // < flow.KeySize, a multiple of 8
	m   uint64
	mul uint64
}

// of returns k's word at e masked by e. The offset was checked when e was
// made, so the load needs no bounds check: this is the innermost operation
// of every megaflow lookup. Hot path.
func (e *maskWord) of(k *flow.Key) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(k), e.off)) & e.m
}

func newSubtable(mask *flow.Key) *subtable {
	st := &subtable{mask: *mask}
	for i, w := range mask.Words() {
		if w != 0 {
			st.ents = append(st.ents, maskWord{off: uintptr(i) * 8, m: w, mul: mulTab[len(st.ents)]})
		}
	}
	st.slots = make([]mfSlot, 8)
	st.shift = 64 - 3
	st.keys = make([]uint64, 8*len(st.ents))
	return st
}

// hash hashes the masked words of k, for insertion and removal; lookup
// computes the same hash inline.
func (st *subtable) hash(k *flow.Key) uint64 {
	ents := st.ents
	h := uint64(len(ents))
	j := 0
	for ; j+1 < len(ents); j += 2 { // two at a time: half the loop overhead
		a, b := &ents[j], &ents[j+1]
		h += a.of(k)*a.mul + b.of(k)*b.mul
	}
	if j < len(ents) {
		h += ents[j].of(k) * ents[j].mul
	}
	return finish(h)
}

// lookup returns the megaflow matching k, or nil: hash and probe in one
// function, without calls, as this runs once per packet and subtable. Hot
// path.
func (st *subtable) lookup(k *flow.Key) *megaflow {
	ents := st.ents
	h := uint64(len(ents))
	j := 0
	for ; j+1 < len(ents); j += 2 {
		a, b := &ents[j], &ents[j+1]
		h += a.of(k)*a.mul + b.of(k)*b.mul
	}
	if j < len(ents) {
		h += ents[j].of(k) * ents[j].mul
	}
	h ^= h >> 31
	h *= 0x9e3779b97f4a7c15 // finish, by hand: the compiler would not inline it here
	m := uint64(len(st.slots) - 1)
	for i := (h >> st.shift) & m; ; i = (i + 1) & m {
		s := &st.slots[i]
		if s.f == nil {
			return nil
		}
		if s.hash != h {
			continue
		}
		fk := st.keys[int(i)*len(ents):]
		fk = fk[:len(ents)]
		ok := true
		for j := range ents {
			if ents[j].of(k) != fk[j] {
				ok = false
				break
			}
		}
		if ok {
			return s.f
		}
	}
}

func (st *subtable) insert(f *megaflow) {
	// At most half full: linear probing's runs stay short (a miss, the
	// common case in all but the last subtable searched, ends at the
	// first empty slot).
	if (st.n+1)*2 > len(st.slots) {
		old := st.slots
		st.slots = make([]mfSlot, len(old)*2)
		st.shift--
		st.keys = make([]uint64, len(st.slots)*len(st.ents))
		st.n = 0
		for _, s := range old {
			if s.f != nil {
				st.put(s)
			}
		}
	}
	st.put(mfSlot{hash: st.hash(&f.key), f: f})
	f.st = st
	f.ents = st.ents
	fw := f.key.Words()
	for j, e := range st.ents {
		if j < pkInline {
			f.pk[j] = fw[e.off/8] & e.m
		}
	}
}

// put stores s in the first free slot of its probe run, with its packed key.
func (st *subtable) put(s mfSlot) {
	m := uint64(len(st.slots) - 1)
	i := (s.hash >> st.shift) & m
	for st.slots[i].f != nil {
		i = (i + 1) & m
	}
	st.slots[i] = s
	nw := len(st.ents)
	fw := s.f.key.Words()
	for j, e := range st.ents {
		st.keys[int(i)*nw+j] = fw[e.off/8] & e.m
	}
	st.n++
}

// remove deletes f, shifting later entries of its probe run back so that
// lookups never need tombstones.
func (st *subtable) remove(f *megaflow) bool {
	m := uint64(len(st.slots) - 1)
	h := st.hash(&f.key)
	i := (h >> st.shift) & m
	for st.slots[i].f != f {
		if st.slots[i].f == nil {
			return false
		}
		i = (i + 1) & m
	}
	st.slots[i] = mfSlot{}
	st.n--
	for j := (i + 1) & m; st.slots[j].f != nil; j = (j + 1) & m {
		s := st.slots[j]
		st.slots[j] = mfSlot{}
		st.n--
		st.put(s)
	}
	return true
}

// portTable is the megaflow cache of one in_port: its subtables, ranked by
// hits (re-sorted periodically by the loop, like OVS's dpcls).
type portTable struct {
	subtables []*subtable
}

// megaflowCache is a loop's megaflow cache, indexed by in_port. It belongs to
// its loop.
type megaflowCache struct {
	ports []*portTable // indexed by datapath in_port
	n     int
}

// lookup finds the megaflow matching k and reports how many subtables it
// searched. Hot path.
func (c *megaflowCache) lookup(k *flow.Key) (*megaflow, int) {
	if int(k.InPort) >= len(c.ports) {
		return nil, 0
	}
	pt := c.ports[k.InPort]
	if pt == nil {
		return nil, 0
	}
	for i, st := range pt.subtables {
		if f := st.lookup(k); f != nil {
			st.hits++
			return f, i + 1
		}
	}
	return nil, len(pt.subtables)
}

// lookupBatch looks up the keys of the packets in todo (bit i stands for
// keys[i]), storing hits in out. It returns the bits of the packets that
// missed, the number of hits and the subtable lookups they took as
// pmd-stats-show counts them (a hit in the j-th subtable costs j, a miss
// every subtable of its port). Each packet walks its port's subtables in
// rank order until one matches. OVS's dpcls instead looks up all packets
// in one subtable before the next, which pays off with its prefetches and
// SIMD gathers; in Go, without either, that order measured 10-30% more
// instructions per packet (cachegrind), so govs walks per packet. Hot path.
func (c *megaflowCache) lookupBatch(keys *[packet.BatchSize]flow.Key, todo uint32,
	out *[packet.BatchSize]*megaflow) (miss uint32, hits, lookups uint64) {
	for m := todo; m != 0; m &= m - 1 {
		i := bits.TrailingZeros32(m) % packet.BatchSize
		f, n := c.lookup(&keys[i])
		lookups += uint64(n)
		if f == nil {
			miss |= 1 << i
			continue
		}
		out[i] = f
		hits++
	}
	return miss, hits, lookups
}

// numSubtables is the number of subtables of in_port port.
func (c *megaflowCache) numSubtables(port uint32) int {
	if int(port) >= len(c.ports) || c.ports[port] == nil {
		return 0
	}
	return len(c.ports[port].subtables)
}

// find returns the installed megaflow with exactly this masked key and
// mask, or nil.
func (c *megaflowCache) find(key, mask *flow.Key) *megaflow {
	if int(key.InPort) >= len(c.ports) || c.ports[key.InPort] == nil {
		return nil
	}
	for _, st := range c.ports[key.InPort].subtables {
		if *st.mask.Words() == *mask.Words() {
			return st.lookup(key) // key is masked: it matches itself only
		}
	}
	return nil
}

// insert adds f (f.key masked, f.mask set) to the subtable of its mask.
func (c *megaflowCache) insert(f *megaflow) {
	p := int(f.key.InPort)
	if p >= len(c.ports) {
		c.ports = append(c.ports, make([]*portTable, p+1-len(c.ports))...)
	}
	pt := c.ports[p]
	if pt == nil {
		pt = &portTable{}
		c.ports[p] = pt
	}
	var st *subtable
	for _, s := range pt.subtables {
		if *s.mask.Words() == *f.mask.Words() {
			st = s
			break
		}
	}
	if st == nil {
		st = newSubtable(&f.mask)
		pt.subtables = append(pt.subtables, st)
	}
	st.insert(f)
	c.n++
}

// remove deletes f from its subtable, dropping the subtable when empty.
func (c *megaflowCache) remove(f *megaflow) {
	st := f.st
	if st == nil || !st.remove(f) {
		return
	}
	c.n--
	f.st = nil
	if st.n == 0 {
		pt := c.ports[f.key.InPort]
		pt.subtables = slices.DeleteFunc(pt.subtables, func(s *subtable) bool { return s == st })
	}
}

// rank re-sorts every port's subtables by hits since the last ranking, most
// hit first, and restarts the counts.
func (c *megaflowCache) rank() {
	for _, pt := range c.ports {
		if pt == nil || len(pt.subtables) < 2 {
			continue
		}
		slices.SortStableFunc(pt.subtables, func(a, b *subtable) int {
			switch {
			case a.hits > b.hits:
				return -1
			case a.hits < b.hits:
				return 1
			}
			return 0
		})
		for _, st := range pt.subtables {
			st.hits = 0
		}
	}
}

// masks counts the distinct subtables (dpctl/show's "masks: total").
func (c *megaflowCache) masks() int {
	n := 0
	for _, pt := range c.ports {
		if pt != nil {
			n += len(pt.subtables)
		}
	}
	return n
}

// Word indexes of the key fields emcHash reads beyond the fixed ones.
const (
	wordIPv6Src = unsafe.Offsetof(flow.Key{}.IPv6Src) / 8
	wordTunID   = unsafe.Offsetof(flow.Key{}.TunID) / 8
)

// emcHash is the exact-match cache's index hash of a packet key k with word
// map wm (from packet.ExtractMap). Like OVS's 5-tuple hash when a NIC gives
// no RSS hash, it reads only the fields that tell flows apart in practice
// (port, recirculation and conntrack state, Ethernet addresses and type,
// VLANs, IP addresses, protocol, TOS and TTL, L4 ports, tunnel ID and outer
// destination). Keys that differ only elsewhere share an entry and are told
// apart by its check against the flow.
//
// Extract has just written k, field by field: a load spanning several of
// those stores cannot be forwarded from them and waits until they reach the
// cache (~15 cycles). So each field is read at its own width, and the
// fields packed into one multiplication are never neighbours, which the
// compiler would merge into one wide load. Hot path.
func emcHash(k *flow.Key, wm uint64) uint64 {
	dl := (*[12]byte)(unsafe.Pointer(&k.DlDst)) // written as 8 + 4 bytes
	h := wm * mulTab[0]
	h += (uint64(k.InPort) | uint64(k.DlType)<<32) * mulTab[1]
	h += binary.LittleEndian.Uint64(dl[:8]) * mulTab[2]
	h += (uint64(binary.LittleEndian.Uint32(dl[8:])) | uint64(k.NwProto)<<32 | uint64(k.TpSrc)<<48) * mulTab[3]
	h += (uint64(k.NwSrc) | uint64(k.TpDst)<<32 | uint64(k.NwTOS)<<48) * mulTab[4]
	h += (uint64(k.NwDst) | uint64(k.RecircID)<<32) * mulTab[5]
	h += (uint64(k.CtState) | uint64(k.VLANs[0].TCI)<<32 | uint64(k.NwTTL)<<48) * mulTab[6]
	h += (uint64(k.CtZone) | uint64(k.VLANs[1].TCI)<<32) * mulTab[7]
	if wm&(1<<wordIPv6Src) != 0 {
		h += binary.LittleEndian.Uint64(k.IPv6Src[:8]) * mulTab[8]
		h += binary.LittleEndian.Uint64(k.IPv6Src[8:]) * mulTab[9]
		h += binary.LittleEndian.Uint64(k.IPv6Dst[:8]) * mulTab[10]
		h += binary.LittleEndian.Uint64(k.IPv6Dst[8:]) * mulTab[11]
	}
	if wm&(1<<wordTunID) != 0 {
		h += k.TunID * mulTab[12]
		h += binary.LittleEndian.Uint64(k.TunDst[8:]) * mulTab[13]
	}
	return finish(h)
}
