package classifier

import (
	"math/bits"
	"sync/atomic"
)

// trieBits is how many prefix bits one trie node holds (OVS TRIE_PREFIX_BITS).
const trieBits = 32

// trieNode is one node of a path-compressed binary prefix trie. prefix and
// nBits never change once the node is published (a changed node is copied,
// as OVS does under RCU); nRules and edges are updated in place atomically.
type trieNode struct {
	prefix uint32 // MSB first
	nBits  uint8
	nRules atomic.Uint32
	edges  [2]atomic.Uint32 // node indices, 0 = none
}

type trieState struct {
	nodes *arena[trieNode]
	root  atomic.Uint32
}

// trie is a prefix trie over values of up to 128 bits (a prefix field, or a
// subtable's tp_src/tp_dst pair) counting the rules at each prefix length.
// It mirrors the structure of OVS's lib/classifier.c tries exactly, because
// the number of bits a lookup unwildcards depends on it. One writer mutates
// it; readers look it up without locks.
type trie struct {
	st      atomic.Pointer[trieState]
	live    int // writer only: nodes reachable
	garbage int // writer only: nodes replaced or dropped
}

func newTrie() *trie {
	t := &trie{}
	t.st.Store(&trieState{nodes: newArena[trieNode]()})
	return t
}

func rawGetPrefix(pr *[5]uint32, ofs, plen uint) uint32 {
	i, o := ofs/32, ofs%32
	p := pr[i] << o
	if plen > 32-o {
		p |= pr[i+1] >> (32 - o)
	}
	return p
}

func trieGetPrefix(pr *[5]uint32, ofs, plen uint) uint32 {
	if plen == 0 {
		return 0
	}
	if plen > trieBits {
		plen = trieBits
	}
	return rawGetPrefix(pr, ofs, plen) & (^uint32(0) << (32 - plen))
}

func prefixEqualBits(prefix uint32, nBits uint, value *[5]uint32, ofs uint) uint {
	diff := uint64(prefix ^ rawGetPrefix(value, ofs, nBits))
	return uint(bits.LeadingZeros64(diff<<32 | 1<<(63-nBits)))
}

func getBitAt(v *[5]uint32, ofs uint) uint { return uint(v[ofs/32]>>(31-ofs%32)) & 1 }

func setBitAt(v *[4]uint32, ofs uint) { v[ofs/32] |= 1 << (31 - ofs%32) }

func plensBit(v *[4]uint32, ofs uint) bool { return v[ofs/32]>>(31-ofs%32)&1 != 0 }

func (t *trie) newNode(s *trieState, prefix uint32, nBits uint, nRules uint32) (uint32, *trieNode) {
	i, n := s.nodes.alloc()
	n.prefix, n.nBits = prefix, uint8(nBits)
	n.nRules.Store(nRules)
	t.live++
	return i, n
}

// branch creates the chain of nodes holding plen bits of prefix from ofs.
func (t *trie) branch(s *trieState, prefix *[5]uint32, ofs, plen uint, nRules uint32) uint32 {
	p := trieGetPrefix(prefix, ofs, plen)
	if plen <= trieBits {
		i, _ := t.newNode(s, p, plen, nRules)
		return i
	}
	sub := t.branch(s, prefix, ofs+trieBits, plen-trieBits, nRules)
	i, n := t.newNode(s, p, trieBits, 0)
	n.edges[s.nodes.at(sub).prefix>>31].Store(sub)
	return i
}

// copyNode makes a private copy of node i for modification.
func (t *trie) copyNode(s *trieState, i uint32) (uint32, *trieNode) {
	old := s.nodes.at(i)
	j, n := t.newNode(s, old.prefix, uint(old.nBits), old.nRules.Load())
	n.edges[0].Store(old.edges[0].Load())
	n.edges[1].Store(old.edges[1].Load())
	t.live--
	t.garbage++
	return j, n
}

// insert counts one more rule with the mlen-bit prefix of value. Writer only.
func (t *trie) insert(value *[5]uint32, mlen uint) {
	s := t.st.Load()
	edge := &s.root
	ofs := uint(0)
	for {
		ni := edge.Load()
		if ni == 0 {
			break
		}
		node := s.nodes.at(ni)
		eq := prefixEqualBits(node.prefix, min(uint(node.nBits), mlen-ofs), value, ofs)
		ofs += eq
		if eq < uint(node.nBits) {
			oldBranch := (node.prefix >> (31 - eq)) & 1
			var r uint32
			if ofs == mlen {
				r = 1
			}
			pi := t.branch(s, value, ofs-eq, eq, r)
			parent := s.nodes.at(pi)
			ci, c := t.copyNode(s, ni)
			c.prefix <<= eq
			c.nBits -= uint8(eq)
			parent.edges[oldBranch].Store(ci)
			if ofs < mlen {
				parent.edges[oldBranch^1].Store(t.branch(s, value, ofs, mlen-ofs, 1))
			}
			edge.Store(pi)
			t.maybeCompact()
			return
		}
		if ofs == mlen {
			node.nRules.Add(1)
			return
		}
		edge = &node.edges[getBitAt(value, ofs)]
	}
	edge.Store(t.branch(s, value, ofs, mlen-ofs, 1))
}

// remove counts one rule less with the mlen-bit prefix of value and prunes
// nodes left without rules, like OVS. Writer only.
func (t *trie) remove(value *[5]uint32, mlen uint) {
	s := t.st.Load()
	var edges [130]*atomic.Uint32
	depth := 0
	edges[0] = &s.root
	ofs := uint(0)
	for {
		ni := edges[depth].Load()
		if ni == 0 {
			return
		}
		node := s.nodes.at(ni)
		eq := prefixEqualBits(node.prefix, min(uint(node.nBits), mlen-ofs), value, ofs)
		if eq < uint(node.nBits) {
			return
		}
		ofs += eq
		if ofs == mlen {
			if node.nRules.Load() == 0 {
				return
			}
			node.nRules.Add(^uint32(0))
			for node.nRules.Load() == 0 {
				e0, e1 := node.edges[0].Load(), node.edges[1].Load()
				if e0 != 0 && e1 != 0 {
					break
				}
				next := e0
				if next == 0 {
					next = e1
				}
				if next != 0 {
					nn := s.nodes.at(next)
					if uint(node.nBits)+uint(nn.nBits) > trieBits {
						break
					}
					ci, c := t.copyNode(s, next)
					c.prefix = node.prefix | nn.prefix>>node.nBits
					c.nBits += node.nBits
					next = ci
				}
				edges[depth].Store(next)
				t.live--
				t.garbage++
				if next != 0 || depth == 0 {
					break
				}
				depth--
				node = s.nodes.at(edges[depth].Load())
			}
			t.maybeCompact()
			return
		}
		if depth+1 >= len(edges) {
			return
		}
		edges[depth+1] = &node.edges[getBitAt(value, ofs)]
		depth++
	}
}

// maybeCompact copies the reachable nodes into a fresh arena once replaced
// nodes dominate, so memory stays proportional to the live trie. Readers of
// the old state keep using it until they finish.
func (t *trie) maybeCompact() {
	if t.garbage < 1024 || t.garbage < 2*t.live {
		return
	}
	old := t.st.Load()
	ns := &trieState{nodes: newArena[trieNode]()}
	var cp func(i uint32) uint32
	cp = func(i uint32) uint32 {
		if i == 0 {
			return 0
		}
		o := old.nodes.at(i)
		j, n := ns.nodes.alloc()
		n.prefix, n.nBits = o.prefix, o.nBits
		n.nRules.Store(o.nRules.Load())
		n.edges[0].Store(cp(o.edges[0].Load()))
		n.edges[1].Store(cp(o.edges[1].Load()))
		return j
	}
	ns.root.Store(cp(old.root.Load()))
	t.live = int(ns.nodes.w) - 1
	t.garbage = 0
	t.st.Store(ns)
}

// lookup walks value (nBits long) down the trie. It sets in plens a bit for
// each prefix length that has rules on value's path and returns how many
// leading bits of value a megaflow must match to make that answer hold (OVS
// trie_lookup_value). Hot path, lock-free.
func (t *trie) lookup(value *[5]uint32, nBits uint, plens *[4]uint32) uint {
	s := t.st.Load()
	var prev *trieNode
	matchLen := uint(0)
	ni := s.root.Load()
	for ni != 0 {
		node := s.nodes.at(ni)
		eq := prefixEqualBits(node.prefix, uint(node.nBits), value, matchLen)
		matchLen += eq
		if eq < uint(node.nBits) {
			return matchLen + 1
		}
		if node.nRules.Load() > 0 && matchLen > 0 {
			setBitAt(plens, matchLen-1)
		}
		if matchLen >= nBits {
			return nBits
		}
		prev = node
		ni = node.edges[getBitAt(value, matchLen)].Load()
	}
	if prev == nil || (prev.edges[0].Load() == 0 && prev.edges[1].Load() == 0) {
		return matchLen
	}
	return matchLen + 1
}
