package packet

import "govs.dev/govs/packet/header"

// Checksum returns the Internet checksum (RFC 1071) of b continuing the
// one's-complement sum initial (for example a pseudo-header sum): the value
// to store in a zeroed checksum field. Hot path: no allocation.
func Checksum(b []byte, initial uint32) uint16 { return header.Checksum(b, initial) }

// Sum returns the one's-complement sum of b continuing initial, folded to 16
// bits and not inverted. Every piece of a multi-piece sum but the last must
// have an even length.
func Sum(b []byte, initial uint32) uint32 { return header.Sum(b, initial) }

// PseudoHeaderSumIPv4 returns the sum of the IPv4 pseudo-header for an L4
// segment of length bytes; addresses in host order.
func PseudoHeaderSumIPv4(src, dst uint32, proto uint8, length uint16) uint32 {
	return header.PseudoHeaderSumIPv4(src, dst, proto, length)
}

// PseudoHeaderSumIPv6 returns the sum of the IPv6 pseudo-header for an
// upper-layer packet of length bytes.
func PseudoHeaderSumIPv6(src, dst *[16]byte, proto uint8, length uint32) uint32 {
	return header.PseudoHeaderSumIPv6(src, dst, proto, length)
}

// UpdateChecksum16 updates checksum field csum after a covered 16-bit word
// changed from old to new (RFC 1624).
func UpdateChecksum16(csum, old, new uint16) uint16 { return header.UpdateChecksum16(csum, old, new) }

// UpdateChecksum32 updates checksum field csum after a covered 32-bit field
// (an IPv4 address) changed from old to new (RFC 1624).
func UpdateChecksum32(csum uint16, old, new uint32) uint16 {
	return header.UpdateChecksum32(csum, old, new)
}

// UpdateChecksum128 updates checksum field csum after a covered IPv6 address
// changed from old to new (RFC 1624).
func UpdateChecksum128(csum uint16, old, new *[16]byte) uint16 {
	return header.UpdateChecksum128(csum, old, new)
}

// UpdateSum16, UpdateSum32 and UpdateSum128 update a non-inverted partial
// sum, such as the pseudo-header seed a checksum-partial packet keeps in its
// L4 checksum field, after a covered field changed.
func UpdateSum16(sum, old, new uint16) uint16 { return header.UpdateSum16(sum, old, new) }

// UpdateSum32 is UpdateSum16 for a 32-bit field.
func UpdateSum32(sum uint16, old, new uint32) uint16 { return header.UpdateSum32(sum, old, new) }

// UpdateSum128 is UpdateSum16 for a 128-bit field.
func UpdateSum128(sum uint16, old, new *[16]byte) uint16 {
	return header.UpdateSum128(sum, old, new)
}
