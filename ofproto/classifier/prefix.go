package classifier

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"

	"govs.dev/govs/flow"
)

// MaxPrefixFields is how many prefix tries a classifier keeps at most, as in
// OVS (CLS_MAX_TRIES).
const MaxPrefixFields = 3

// DefaultPrefixFields are the fields OVS 3.1 builds prefix tries on in every
// flow table unless Flow_Table:prefixes says otherwise.
var DefaultPrefixFields = []string{"nw_dst", "nw_src"}

// chunkKind says how one 32-bit chunk of a prefix field is stored in a Key.
type chunkKind uint8

const (
	chunkU32   chunkKind = iota // native uint32 at off
	chunkU64Hi                  // high half of a native uint64 at off
	chunkU64Lo                  // low half of a native uint64 at off
	chunkBE32                   // 4 bytes in network order at off
)

type prefixChunk struct {
	kind chunkKind
	off  uintptr
}

// prefixField describes a field usable for a prefix trie: a multiple of 32
// bits, viewed most significant bit first.
type prefixField struct {
	name   string
	stage  int
	nBits  int
	chunks []prefixChunk
	prereq func(k *flow.Key) bool
}

func (f *prefixField) chunk(k *flow.Key, c prefixChunk) uint32 {
	p := unsafe.Add(unsafe.Pointer(k), c.off)
	switch c.kind {
	case chunkU32:
		return *(*uint32)(p)
	case chunkU64Hi:
		return uint32(*(*uint64)(p) >> 32)
	case chunkU64Lo:
		return uint32(*(*uint64)(p))
	default:
		return binary.BigEndian.Uint32(unsafe.Slice((*byte)(p), 4))
	}
}

func (f *prefixField) orChunk(k *flow.Key, c prefixChunk, v uint32) {
	p := unsafe.Add(unsafe.Pointer(k), c.off)
	switch c.kind {
	case chunkU32:
		*(*uint32)(p) |= v
	case chunkU64Hi:
		*(*uint64)(p) |= uint64(v) << 32
	case chunkU64Lo:
		*(*uint64)(p) |= uint64(v)
	default:
		b := unsafe.Slice((*byte)(p), 4)
		binary.BigEndian.PutUint32(b, binary.BigEndian.Uint32(b)|v)
	}
}

// value returns the field of k, MSB first, in up to 4 words (a fifth word
// stays 0 so that bit extraction may read one past the end). Hot path.
func (f *prefixField) value(k *flow.Key) (v [5]uint32) {
	for i, c := range f.chunks {
		v[i] = f.chunk(k, c)
	}
	return v
}

// prefixLen returns the CIDR length of the field's mask in m, or 0 if the
// mask is not a prefix (OVS minimask_get_prefix_len).
func (f *prefixField) prefixLen(m *flow.Key) int {
	n, ended := 0, false
	for _, c := range f.chunks {
		w := f.chunk(m, c)
		if ended {
			if w != 0 {
				return 0
			}
			continue
		}
		if ^w&(^w+1) != 0 {
			return 0
		}
		tz := bits.TrailingZeros32(w)
		n += 32 - tz
		ended = tz != 0
	}
	return n
}

// setPrefixBits ORs the first n bits of the field into wc. Hot path.
func (f *prefixField) setPrefixBits(wc *flow.Key, n int) {
	for _, c := range f.chunks {
		if n <= 0 {
			return
		}
		if n >= 32 {
			f.orChunk(wc, c, ^uint32(0))
		} else {
			f.orChunk(wc, c, ^uint32(0)<<(32-n))
		}
		n -= 32
	}
}

// prefixBitsSet reports whether the first n bits of the field are set in wc.
func (f *prefixField) prefixBitsSet(wc *flow.Key, n int) bool {
	for _, c := range f.chunks {
		if n <= 0 {
			return true
		}
		want := ^uint32(0)
		if n < 32 {
			want <<= 32 - n
		}
		if f.chunk(wc, c)&want != want {
			return false
		}
		n -= 32
	}
	return true
}

func off(p, base unsafe.Pointer) uintptr { return uintptr(p) - uintptr(base) }

func be128(o uintptr) []prefixChunk {
	return []prefixChunk{{chunkBE32, o}, {chunkBE32, o + 4}, {chunkBE32, o + 8}, {chunkBE32, o + 12}}
}

func isIPv4(k *flow.Key) bool { return k.DlType == 0x0800 }
func isIPv6(k *flow.Key) bool { return k.DlType == 0x86dd }
func always(*flow.Key) bool   { return true }

// prefixFields maps the OVS field names accepted in Flow_Table:prefixes to
// their descriptions. Like OVS it takes any field that is a multiple of 32
// bits wide and stored whole in the flow.
var prefixFields = buildPrefixFields()

func buildPrefixFields() map[string]*prefixField {
	var k flow.Key
	b := unsafe.Pointer(&k)
	m := map[string]*prefixField{}
	add := func(f *prefixField, names ...string) {
		f.name = names[0]
		for _, n := range names {
			m[n] = f
		}
	}
	add(&prefixField{stage: stageL3, nBits: 32, chunks: []prefixChunk{{chunkU32, off(unsafe.Pointer(&k.NwSrc), b)}}, prereq: isIPv4}, "nw_src", "ip_src")
	add(&prefixField{stage: stageL3, nBits: 32, chunks: []prefixChunk{{chunkU32, off(unsafe.Pointer(&k.NwDst), b)}}, prereq: isIPv4}, "nw_dst", "ip_dst")
	add(&prefixField{stage: stageL3, nBits: 128, chunks: be128(off(unsafe.Pointer(&k.IPv6Src), b)), prereq: isIPv6}, "ipv6_src")
	add(&prefixField{stage: stageL3, nBits: 128, chunks: be128(off(unsafe.Pointer(&k.IPv6Dst), b)), prereq: isIPv6}, "ipv6_dst")
	tunID := off(unsafe.Pointer(&k.TunID), b)
	add(&prefixField{stage: stageMeta, nBits: 64, chunks: []prefixChunk{{chunkU64Hi, tunID}, {chunkU64Lo, tunID}}, prereq: always}, "tun_id", "tunnel_id")
	// flow.Key keeps an IPv4 tunnel endpoint IPv4-mapped in the 16-byte field.
	add(&prefixField{stage: stageMeta, nBits: 32, chunks: []prefixChunk{{chunkBE32, off(unsafe.Pointer(&k.TunSrc[12]), b)}}, prereq: always}, "tun_src")
	add(&prefixField{stage: stageMeta, nBits: 32, chunks: []prefixChunk{{chunkBE32, off(unsafe.Pointer(&k.TunDst[12]), b)}}, prereq: always}, "tun_dst")
	add(&prefixField{stage: stageMeta, nBits: 128, chunks: be128(off(unsafe.Pointer(&k.TunSrc), b)), prereq: always}, "tun_ipv6_src")
	add(&prefixField{stage: stageMeta, nBits: 128, chunks: be128(off(unsafe.Pointer(&k.TunDst), b)), prereq: always}, "tun_ipv6_dst")
	md := off(unsafe.Pointer(&k.Metadata), b)
	add(&prefixField{stage: stageMeta, nBits: 64, chunks: []prefixChunk{{chunkU64Hi, md}, {chunkU64Lo, md}}, prereq: always}, "metadata")
	for i := range k.Regs {
		add(&prefixField{stage: stageMeta, nBits: 32, chunks: []prefixChunk{{chunkU32, off(unsafe.Pointer(&k.Regs[i]), b)}}, prereq: always}, fmt.Sprintf("reg%d", i))
	}
	add(&prefixField{stage: stageMeta, nBits: 32, chunks: []prefixChunk{{chunkU32, off(unsafe.Pointer(&k.PktMark), b)}}, prereq: always}, "pkt_mark")
	add(&prefixField{stage: stageMeta, nBits: 32, chunks: []prefixChunk{{chunkU32, off(unsafe.Pointer(&k.CtMark), b)}}, prereq: always}, "ct_mark")
	return m
}

// portsValue is tp_src and tp_dst as one 32-bit value, tp_src first, as OVS
// reads them for the per-subtable ports trie.
func portsValue(k *flow.Key) uint32 { return uint32(k.TpSrc)<<16 | uint32(k.TpDst) }
