package coverage

import (
	"encoding/binary"
	"math/bits"
	"sort"
)

// The header of coverage/show carries a hash of which counters were hit
// and how they rank, so that identical reports can be recognised. The hash
// functions below are OVS's 32-bit Murmur3-style word hash (lib/hash.h, the
// portable variant), reimplemented so the hash means the same thing.

func mhashAdd(h, data uint32) uint32 {
	if data != 0 {
		data *= 0xcc9e2d51
		data = bits.RotateLeft32(data, 15)
		data *= 0x1b873593
		h ^= data
	}
	h = bits.RotateLeft32(h, 13)
	return h*5 + 0xe6546b64
}

func mhashFinish(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func hashInt(x, basis uint32) uint32 {
	return mhashFinish(mhashAdd(mhashAdd(x, 0), basis) ^ 8)
}

func hashString(s string, basis uint32) uint32 {
	h := basis
	n := len(s)
	i := 0
	for ; n-i >= 4; i += 4 {
		h = mhashAdd(h, binary.LittleEndian.Uint32([]byte(s[i:i+4])))
	}
	if i < n {
		var tmp [4]byte
		copy(tmp[:], s[i:])
		h = mhashAdd(h, binary.LittleEndian.Uint32(tmp[:]))
	}
	return mhashFinish(h ^ uint32(n))
}

// rankHash hashes the counters grouped by equal totals, in decreasing
// order of total, with the rank of each group.
func rankHash(counters []*Counter, totals []uint64) uint32 {
	idx := make([]int, len(counters))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		ta, tb := totals[idx[a]], totals[idx[b]]
		if ta != tb {
			return ta > tb
		}
		return counters[idx[a]].name < counters[idx[b]].name
	})
	var h uint32
	groups := 0
	for i := 0; i < len(idx); {
		if totals[idx[i]] == 0 {
			break
		}
		groups++
		h = hashInt(uint32(i), h)
		j := i
		for ; j < len(idx) && totals[idx[j]] == totals[idx[i]]; j++ {
			h = hashString(counters[idx[j]].name, h)
		}
		i = j
	}
	return hashInt(uint32(groups), h)
}
