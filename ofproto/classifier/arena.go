package classifier

import "sync/atomic"

const (
	chunkBits = 8
	chunkLen  = 1 << chunkBits
)

// arena is an append-only array of T addressed by uint32 index, grown in
// fixed chunks so that an element never moves: a reader that loaded an index
// from a published structure can always read it. Index 0 is reserved for
// "none". Only the writer appends; readers call at.
type arena[T any] struct {
	dir atomic.Pointer[[]*[chunkLen]T]
	n   atomic.Uint32 // elements readers may iterate over (see publish)
	w   uint32        // writer only: elements allocated, including the reserved 0
}

func newArena[T any]() *arena[T] {
	a := &arena[T]{}
	d := []*[chunkLen]T{new([chunkLen]T)}
	a.dir.Store(&d)
	a.n.Store(1)
	a.w = 1
	return a
}

// at returns element i, which must have been allocated. Hot path.
func (a *arena[T]) at(i uint32) *T {
	d := *a.dir.Load()
	return &d[i>>chunkBits][i&(chunkLen-1)]
}

// alloc appends a zero element and returns its index. Writer only; the
// element becomes visible to readers once its index is published.
func (a *arena[T]) alloc() (uint32, *T) {
	i := a.w
	d := *a.dir.Load()
	if int(i>>chunkBits) == len(d) {
		nd := make([]*[chunkLen]T, len(d)+1, len(d)*2+1)
		copy(nd, d)
		nd[len(d)] = new([chunkLen]T)
		a.dir.Store(&nd)
		d = nd
	}
	a.w = i + 1
	return i, &d[i>>chunkBits][i&(chunkLen-1)]
}

// publish lets readers that iterate by len see every element allocated so
// far; the writer calls it once the elements are filled in.
func (a *arena[T]) publish() { a.n.Store(a.w) }

// len returns the number of indices readers may iterate over (including the
// reserved 0). Safe for concurrent use.
func (a *arena[T]) len() uint32 { return a.n.Load() }

// idTable maps a 32-bit hash to entry ids (open addressing, linear probing).
// Slots hold hash<<32 | id; id 0 is an empty slot, idTomb a deleted one.
// Readers probe without locks; the single writer stores whole slots
// atomically, so a reader sees either the old or the new slot.
type idTable struct {
	slots []atomic.Uint64
	mask  uint32
	used  int // writer only: slots not empty (live or tombstone)
}

const idTomb = ^uint32(0)

func newIDTable(n int) *idTable {
	size := 8
	for size < 2*n+8 {
		size <<= 1
	}
	return &idTable{slots: make([]atomic.Uint64, size), mask: uint32(size - 1)}
}

// full reports whether one more insert would exceed the load limit.
func (t *idTable) full() bool { return (t.used+1)*4 > len(t.slots)*3 }

// insert adds (h, id). Writer only; the caller checks full first.
func (t *idTable) insert(h, id uint32) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		v := t.slots[i].Load()
		if uint32(v) == 0 {
			t.used++
		}
		if uint32(v) == 0 || uint32(v) == idTomb {
			t.slots[i].Store(uint64(h)<<32 | uint64(id))
			return
		}
	}
}

// replace changes the id stored for (h, old) to new, or to a tombstone when
// new is 0. Writer only.
func (t *idTable) replace(h, old, new uint32) bool {
	want := uint64(h)<<32 | uint64(old)
	if new == 0 {
		new = idTomb
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		v := t.slots[i].Load()
		if uint32(v) == 0 {
			return false
		}
		if v == want {
			t.slots[i].Store(uint64(h)<<32 | uint64(new))
			return true
		}
	}
}

// countSet is a counting hash set of 32-bit hashes (OVS's ccmap): slots hold
// hash<<32 | count. A slot with a hash and count 0 was emptied and stays as a
// tombstone for that hash. Hash 0 is stored as 1 so that 0 means empty.
type countSet struct {
	slots []atomic.Uint64
	mask  uint32
	used  int // writer only
}

func newCountSet(n int) *countSet {
	size := 8
	for size < 2*n+8 {
		size <<= 1
	}
	return &countSet{slots: make([]atomic.Uint64, size), mask: uint32(size - 1)}
}

func fixHash(h uint32) uint32 {
	if h == 0 {
		return 1
	}
	return h
}

func (s *countSet) full() bool { return (s.used+1)*4 > len(s.slots)*3 }

// inc adds one to h's count. Writer only; the caller checks full first.
func (s *countSet) inc(h uint32) {
	h = fixHash(h)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		v := s.slots[i].Load()
		if v == 0 {
			s.used++
			s.slots[i].Store(uint64(h)<<32 | 1)
			return
		}
		if uint32(v>>32) == h {
			s.slots[i].Store(v + 1)
			return
		}
	}
}

// dec takes one from h's count. Writer only.
func (s *countSet) dec(h uint32) {
	h = fixHash(h)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		v := s.slots[i].Load()
		if v == 0 {
			return
		}
		if uint32(v>>32) == h {
			if uint32(v) > 0 {
				s.slots[i].Store(v - 1)
			}
			return
		}
	}
}

// contains reports whether h has a nonzero count. Hot path, lock-free.
func (s *countSet) contains(h uint32) bool {
	h = fixHash(h)
	for i := h & s.mask; ; i = (i + 1) & s.mask {
		v := s.slots[i].Load()
		if v == 0 {
			return false
		}
		if uint32(v>>32) == h {
			return uint32(v) != 0
		}
	}
}
