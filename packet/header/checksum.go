package header

import (
	"encoding/binary"
	"math/bits"
)

// Sum adds b to the one's-complement sum initial (as 16-bit big-endian
// words; an odd final byte is padded with zero) and returns the sum folded to
// 16 bits. When a sum is built from several pieces, every piece but the last
// must have an even length. Hot path: no allocation.
func Sum(b []byte, initial uint32) uint32 {
	var s uint64 = uint64(initial)
	var c uint64
	for len(b) >= 32 {
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b[0:8]), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b[8:16]), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b[16:24]), c)
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b[24:32]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		s, c = bits.Add64(s, binary.BigEndian.Uint64(b), c)
		b = b[8:]
	}
	s, c = bits.Add64(s, 0, c)
	s += c // cannot carry again: s <= 2^64-2 after a carry-out
	if len(b) >= 4 {
		s, c = bits.Add64(s, uint64(binary.BigEndian.Uint32(b)), 0)
		s += c
		b = b[4:]
	}
	if len(b) >= 2 {
		s, c = bits.Add64(s, uint64(binary.BigEndian.Uint16(b)), 0)
		s += c
		b = b[2:]
	}
	if len(b) == 1 {
		s, c = bits.Add64(s, uint64(b[0])<<8, 0)
		s += c
	}
	return uint32(Fold64(s))
}

// Fold64 folds a 64-bit one's-complement sum to 16 bits.
func Fold64(s uint64) uint16 {
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 32) + (s & 0xffffffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// Fold folds a 32-bit one's-complement sum to 16 bits (not inverted).
func Fold(s uint32) uint16 {
	s = (s >> 16) + (s & 0xffff)
	s = (s >> 16) + (s & 0xffff)
	return uint16(s)
}

// Checksum returns the Internet checksum of b continuing the sum initial:
// the inverted folded sum, the value to store in a checksum field (whose
// bytes must be zero in b). Over bytes that include a correct checksum
// field the result is 0. Hot path: no allocation.
func Checksum(b []byte, initial uint32) uint16 {
	return ^Fold(Sum(b, initial))
}

// PseudoHeaderSumIPv4 returns the one's-complement sum of the IPv4
// pseudo-header (RFC 768/793) for an L4 segment of length bytes.
func PseudoHeaderSumIPv4(src, dst uint32, proto uint8, length uint16) uint32 {
	s := uint64(src>>16) + uint64(src&0xffff) + uint64(dst>>16) + uint64(dst&0xffff) +
		uint64(proto) + uint64(length)
	return uint32(Fold64(s))
}

// PseudoHeaderSumIPv6 returns the one's-complement sum of the IPv6
// pseudo-header (RFC 8200 section 8.1) for an upper-layer packet of length
// bytes.
func PseudoHeaderSumIPv6(src, dst *[16]byte, proto uint8, length uint32) uint32 {
	s := Sum(src[:], 0)
	s = Sum(dst[:], s)
	return uint32(Fold64(uint64(s) + uint64(proto) + uint64(length>>16) + uint64(length&0xffff)))
}

// UpdateChecksum16 returns checksum field value csum after a 16-bit word of
// the covered data changed from old to new (RFC 1624, eqn. 3:
// HC' = ~(~HC + ~m + m')).
func UpdateChecksum16(csum, old, new uint16) uint16 {
	return ^Fold(uint32(^csum) + uint32(^old) + uint32(new))
}

// UpdateChecksum32 is UpdateChecksum16 for a 32-bit field (an IPv4
// address, a sequence number).
func UpdateChecksum32(csum uint16, old, new uint32) uint16 {
	s := uint32(^csum) + uint32(^uint16(old>>16)) + uint32(^uint16(old)) +
		uint32(uint16(new>>16)) + uint32(uint16(new))
	return ^Fold(s)
}

// UpdateChecksum128 is UpdateChecksum16 for a 128-bit field (an IPv6
// address).
func UpdateChecksum128(csum uint16, old, new *[16]byte) uint16 {
	s := uint64(^csum)
	for i := 0; i < 16; i += 2 {
		s += uint64(^binary.BigEndian.Uint16(old[i:])) + uint64(binary.BigEndian.Uint16(new[i:]))
	}
	return ^Fold64(s)
}

// UpdateSum16 updates a non-inverted partial sum (such as the pseudo-header
// seed stored in the checksum field of a checksum-partial packet) after a
// covered 16-bit word changed from old to new.
func UpdateSum16(sum, old, new uint16) uint16 {
	return Fold(uint32(sum) + uint32(^old) + uint32(new))
}

// UpdateSum32 is UpdateSum16 for a 32-bit field.
func UpdateSum32(sum uint16, old, new uint32) uint16 {
	return ^UpdateChecksum32(^sum, old, new)
}

// UpdateSum128 is UpdateSum16 for a 128-bit field.
func UpdateSum128(sum uint16, old, new *[16]byte) uint16 {
	return ^UpdateChecksum128(^sum, old, new)
}
