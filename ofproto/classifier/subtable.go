package classifier

import (
	"sync/atomic"

	"govs.dev/govs/flow"
)

// entry is the classifier's record of one Rule inside a subtable. Entries
// with the same match form a list, highest priority first, linked by next;
// the subtable's hash table points at the head of each list. rule, pri and
// added never change after the entry is published.
type entry struct {
	rule    *Rule
	pri     int32
	added   uint64
	removed atomic.Uint64
	next    atomic.Uint32
	dead    atomic.Bool // physically deleted
}

// visible reports whether the entry is visible in version. Hot path.
func (e *entry) visible(version uint64) bool {
	return e.added <= version && version < e.removed.Load()
}

// subState is what a subtable's readers load once per lookup. The writer
// updates slots and entries in place and replaces the whole subState when it
// compacts or resizes.
type subState struct {
	entries *arena[entry]
	rules   *idTable    // hash of the masked key -> head entry
	indices []*countSet // one per staged-lookup index, hashes of the stages so far
}

// subtable holds the rules that share one mask (one "tuple").
type subtable struct {
	mask      flow.Key
	words     []maskWord   // every nonzero word of mask
	ranges    []stageRange // the mask split by stage; empty stages left out
	portsMask uint32       // tp_src/tp_dst mask in portsValue form
	portsLen  uint         // OVS ports_mask_len: 32 - ctz(portsMask)
	ports     *trie        // nil when portsLen == 0
	state     atomic.Pointer[subState]

	// Writer only.
	plen     [MaxPrefixFields]uint
	maxPri   int32
	maxCount int
	heads    int // distinct matches
	live     int // entries not deleted
	dead     int // deleted entries still in the arena
}

func newSubtable(mask *flow.Key) *subtable {
	st := &subtable{mask: *mask, words: maskWords(mask, nil)}
	for s := range numStages {
		if ws := maskWords(mask, &stageMasks[s]); len(ws) > 0 {
			st.ranges = append(st.ranges, stageRange{stage: s, words: ws})
		}
	}
	st.portsMask = portsValue(mask)
	if st.portsMask != 0 {
		st.portsLen = 32 - uint(trailingZeros32(st.portsMask))
		st.ports = newTrie()
	}
	nIdx := 0
	if len(st.ranges) > 0 {
		nIdx = len(st.ranges) - 1
	}
	ss := &subState{entries: newArena[entry](), rules: newIDTable(0), indices: make([]*countSet, nIdx)}
	for i := range ss.indices {
		ss.indices[i] = newCountSet(0)
	}
	st.state.Store(ss)
	return st
}

func trailingZeros32(x uint32) int {
	n := 0
	for x&1 == 0 && n < 32 {
		x >>= 1
		n++
	}
	return n
}

// hashes computes the per-index hashes and the full hash of key.
func (st *subtable) hashes(key *flow.Key, ih []uint32) uint32 {
	h := uint64(0)
	for i := range st.ranges {
		h = hashWords(key, st.ranges[i].words, h)
		if i < len(ih) {
			ih[i] = hash32(h)
		}
	}
	return hash32(h)
}

// findEqual returns the head entry whose match equals key on the mask, or 0.
func (st *subtable) findEqual(s *subState, key *flow.Key, h uint32) uint32 {
	t := s.rules
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		v := t.slots[i].Load()
		id := uint32(v)
		if id == 0 {
			return 0
		}
		if id != idTomb && uint32(v>>32) == h && wordsMatch(&s.entries.at(id).rule.Match.Key, key, st.words) {
			return id
		}
	}
}

// find returns the highest-priority entry visible in version whose match
// key satisfies. Hot path, lock-free.
func (st *subtable) find(s *subState, key *flow.Key, version uint64, h uint32) *entry {
	id := st.findEqual(s, key, h)
	for id != 0 {
		e := s.entries.at(id)
		if e.visible(version) {
			return e
		}
		id = e.next.Load()
	}
	return nil
}

// forEachHead calls fn for each head entry id. Writer only.
func (s *subState) forEachHead(fn func(id uint32)) {
	for i := range s.rules.slots {
		id := uint32(s.rules.slots[i].Load())
		if id != 0 && id != idTomb {
			fn(id)
		}
	}
}

// rebuild replaces the subtable's state with a compacted copy whose tables
// have room for extra more heads. Entry order and list order are kept.
// Writer only; readers of the old state finish on it undisturbed.
func (st *subtable) rebuild(extra int) {
	old := st.state.Load()
	ns := &subState{
		entries: newArena[entry](),
		rules:   newIDTable(st.heads + extra),
		indices: make([]*countSet, len(old.indices)),
	}
	for i := range ns.indices {
		ns.indices[i] = newCountSet(st.heads + extra)
	}
	n := old.entries.w
	remap := make([]uint32, n)
	for i := uint32(1); i < n; i++ {
		oe := old.entries.at(i)
		if oe.dead.Load() {
			continue
		}
		j, ne := ns.entries.alloc()
		ne.rule, ne.pri, ne.added = oe.rule, oe.pri, oe.added
		ne.removed.Store(oe.removed.Load())
		oe.rule.idx = j
		remap[i] = j
	}
	for i := uint32(1); i < n; i++ {
		if j := remap[i]; j != 0 {
			ns.entries.at(j).next.Store(remap[old.entries.at(i).next.Load()])
		}
	}
	ih := make([]uint32, len(ns.indices))
	old.forEachHead(func(id uint32) {
		j := remap[id]
		h := st.hashes(&ns.entries.at(j).rule.Match.Key, ih)
		ns.rules.insert(h, j)
		for k, x := range ih {
			ns.indices[k].inc(x)
		}
	})
	ns.entries.publish()
	st.dead = 0
	st.state.Store(ns)
}

// roomForHead makes sure one more head fits without exceeding the load
// factor of any table. Writer only.
func (st *subtable) roomForHead() {
	s := st.state.Load()
	full := s.rules.full()
	for _, x := range s.indices {
		full = full || x.full()
	}
	if full {
		st.rebuild(st.heads + 1)
	}
}
