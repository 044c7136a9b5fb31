package dpif

import (
	"math/bits"
	"slices"
	"sync/atomic"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
)

// EMCEntries is the size of a loop's exact-match cache, as in OVS
// (EM_FLOW_HASH_ENTRIES): big enough for the active flows of a busy port,
// small enough (about 3 MiB with full keys) to stay mostly in cache.
const EMCEntries = 8192

const emcMask = EMCEntries - 1

// megaflow is one installed datapath flow in one loop's megaflow cache.
//
// key, mask, ufid, loop and seq are immutable after installation. acts is
// replaced atomically by the revalidator. The counters are written only by
// the owning loop and read by anyone. dead, st and idx belong to the owning
// loop. ref and the pushed* fields belong to whoever holds
// Datapath.revalMu.
type megaflow struct {
	key  flow.Key // already masked
	mask flow.Key
	// orig is the full key of the packet whose upcall installed the flow:
	// dumps show it (with the mask) as OVS does, and revalidation
	// translates it again.
	orig flow.Key
	ufid [16]byte
	loop *loop
	seq  uint64 // revalidation sequence its translation started at

	acts atomic.Pointer[[]odp.Action]

	packets  atomic.Uint64
	bytes    atomic.Uint64
	used     atomic.Int64 // Unix ms of the last hit, 0 = never
	tcpFlags atomic.Uint32
	created  int64 // Unix ms
	removed  atomic.Bool

	// Loop-owned.
	bPkts  uint64 // counts of the batch being processed
	bBytes uint64
	bFlags uint16
	dead   bool
	st     *subtable
	idx    int // position in loop.flows

	// Guarded by Datapath.revalMu.
	ref          any
	pushedPkts   uint64
	pushedBytes  uint64
	validatedSeq uint64
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

// emcEntry is one slot of the exact-match cache.
type emcEntry struct {
	hash uint64
	f    *megaflow
	key  flow.Key
}

// emc is a loop's exact-match cache: full packet keys to megaflows, two
// candidate slots per key. It belongs to its loop.
type emc struct {
	e [EMCEntries]emcEntry
}

// lookup returns the megaflow cached for key k with hash h, or nil. Hot
// path.
func (c *emc) lookup(k *flow.Key, h uint64) *megaflow {
	e := &c.e[h&emcMask]
	if e.hash == h && e.f != nil && !e.f.dead && *e.key.Words() == *k.Words() {
		return e.f
	}
	e = &c.e[(h>>32)&emcMask]
	if e.hash == h && e.f != nil && !e.f.dead && *e.key.Words() == *k.Words() {
		return e.f
	}
	return nil
}

// insert caches k -> f, replacing an empty or dead slot if one of the two
// candidates is, and the first one otherwise. Hot path.
func (c *emc) insert(k *flow.Key, h uint64, f *megaflow) {
	e := &c.e[h&emcMask]
	if e.f != nil && !e.f.dead && e.hash != h {
		e2 := &c.e[(h>>32)&emcMask]
		if e2.f == nil || e2.f.dead || e2.hash == h {
			e = e2
		}
	}
	e.hash = h
	e.f = f
	e.key = *k
}

// clear empties the cache (after flow deletions the dead flags already make
// entries miss; clear also drops the references).
func (c *emc) clear() {
	for i := range c.e {
		c.e[i].f = nil
		c.e[i].hash = 0
	}
}

// mfSlot is one slot of a subtable's open-addressing hash table.
type mfSlot struct {
	hash uint64
	f    *megaflow
}

// subtable holds the megaflows of one in_port that share one mask, in a
// linear-probing hash table keyed by the masked key. It belongs to its loop.
type subtable struct {
	mask  flow.Key
	words []uint8 // indices of the mask's nonzero words
	slots []mfSlot
	n     int
	hits  uint64
}

func newSubtable(mask *flow.Key) *subtable {
	st := &subtable{mask: *mask, slots: make([]mfSlot, 8)}
	for i, w := range mask.Words() {
		if w != 0 {
			st.words = append(st.words, uint8(i))
		}
	}
	return st
}

// hash hashes the masked words of k. Hot path.
func (st *subtable) hash(k *flow.Key) uint64 {
	kw, mw := k.Words(), st.mask.Words()
	h := uint64(0x2545f4914f6cdd1d)
	for _, i := range st.words {
		h = bits.RotateLeft64((h^(kw[i]&mw[i]))*0x9e3779b97f4a7c15, 31)
	}
	return h ^ h>>29
}

// lookup returns the megaflow matching k, or nil. Hot path.
func (st *subtable) lookup(k *flow.Key) *megaflow {
	h := st.hash(k)
	kw, mw := k.Words(), st.mask.Words()
	m := uint64(len(st.slots) - 1)
	for i := h & m; ; i = (i + 1) & m {
		s := &st.slots[i]
		if s.f == nil {
			return nil
		}
		if s.hash == h {
			fw := s.f.key.Words()
			ok := true
			for _, w := range st.words {
				if kw[w]&mw[w] != fw[w] {
					ok = false
					break
				}
			}
			if ok {
				return s.f
			}
		}
	}
}

// find returns the megaflow whose masked key equals key exactly.
func (st *subtable) find(key *flow.Key) *megaflow {
	return st.lookup(key)
}

func (st *subtable) insert(f *megaflow) {
	if (st.n+1)*4 > len(st.slots)*3 {
		old := st.slots
		st.slots = make([]mfSlot, len(old)*2)
		st.n = 0
		for _, s := range old {
			if s.f != nil {
				st.put(s)
			}
		}
	}
	st.put(mfSlot{hash: st.hash(&f.key), f: f})
	f.st = st
}

func (st *subtable) put(s mfSlot) {
	m := uint64(len(st.slots) - 1)
	i := s.hash & m
	for st.slots[i].f != nil {
		i = (i + 1) & m
	}
	st.slots[i] = s
	st.n++
}

// remove deletes f, shifting later entries of its probe run back so that
// lookups never need tombstones.
func (st *subtable) remove(f *megaflow) bool {
	m := uint64(len(st.slots) - 1)
	h := st.hash(&f.key)
	i := h & m
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

// find returns the installed megaflow with exactly this masked key and
// mask, or nil.
func (c *megaflowCache) find(key, mask *flow.Key) *megaflow {
	if int(key.InPort) >= len(c.ports) || c.ports[key.InPort] == nil {
		return nil
	}
	for _, st := range c.ports[key.InPort].subtables {
		if *st.mask.Words() == *mask.Words() {
			return st.find(key)
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
