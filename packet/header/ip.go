package header

import "encoding/binary"

// IPv4 is a view of an IPv4 header (RFC 791).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version|  IHL  |Type of Service|          Total Length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Identification        |Flags|      Fragment Offset    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Time to Live |    Protocol   |         Header Checksum       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Source Address                          |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Destination Address                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Options                    |    Padding    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type IPv4 []byte

// IPv4MinimumSize is the size of an IPv4 header without options.
const IPv4MinimumSize = 20

// IPv4 flag bits in the flags/fragment-offset word.
const (
	IPv4FlagDontFragment  = 0x4000
	IPv4FlagMoreFragments = 0x2000
	IPv4FragmentOffset    = 0x1fff // mask, in units of 8 bytes
)

// IsValid reports whether b holds a whole IPv4 header and the total length
// it claims: version 4, IHL >= 5, IHL*4 <= total length <= len(b).
func (b IPv4) IsValid() bool {
	if len(b) < IPv4MinimumSize || b[0]>>4 != 4 {
		return false
	}
	hl := b.HeaderLength()
	tl := int(b.TotalLength())
	return hl >= IPv4MinimumSize && hl <= tl && tl <= len(b)
}

// Version returns the IP version field.
func (b IPv4) Version() uint8 { return b[0] >> 4 }

// HeaderLength returns the header length in bytes (IHL*4).
func (b IPv4) HeaderLength() int { return int(b[0]&0x0f) * 4 }

// TOS returns the type of service (DSCP and ECN) byte.
func (b IPv4) TOS() uint8 { return b[1] }

// TotalLength returns the total length field.
func (b IPv4) TotalLength() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// ID returns the identification field.
func (b IPv4) ID() uint16 { return binary.BigEndian.Uint16(b[4:]) }

// FlagsFragmentOffset returns the flags and fragment offset word.
func (b IPv4) FlagsFragmentOffset() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// FragmentOffset returns the fragment offset in bytes.
func (b IPv4) FragmentOffset() int { return int(b.FlagsFragmentOffset()&IPv4FragmentOffset) * 8 }

// MoreFragments reports whether the MF flag is set.
func (b IPv4) MoreFragments() bool { return b.FlagsFragmentOffset()&IPv4FlagMoreFragments != 0 }

// IsFragment reports whether the packet is a fragment (MF or an offset).
func (b IPv4) IsFragment() bool {
	return b.FlagsFragmentOffset()&(IPv4FlagMoreFragments|IPv4FragmentOffset) != 0
}

// TTL returns the time to live.
func (b IPv4) TTL() uint8 { return b[8] }

// Protocol returns the protocol field.
func (b IPv4) Protocol() uint8 { return b[9] }

// Checksum returns the header checksum field.
func (b IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(b[10:]) }

// Src returns the source address in host order.
func (b IPv4) Src() uint32 { return binary.BigEndian.Uint32(b[12:]) }

// Dst returns the destination address in host order.
func (b IPv4) Dst() uint32 { return binary.BigEndian.Uint32(b[16:]) }

// Options returns the options (empty without).
func (b IPv4) Options() []byte { return b[IPv4MinimumSize:b.HeaderLength()] }

// Payload returns the bytes after the header up to the total length. Call
// IsValid first.
func (b IPv4) Payload() []byte { return b[b.HeaderLength():b.TotalLength()] }

// SetVersionIHL sets version 4 and a header length of hl bytes.
func (b IPv4) SetVersionIHL(hl int) { b[0] = 0x40 | uint8(hl/4)&0x0f }

// SetTOS sets the type of service byte.
func (b IPv4) SetTOS(v uint8) { b[1] = v }

// SetTotalLength sets the total length.
func (b IPv4) SetTotalLength(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetID sets the identification field.
func (b IPv4) SetID(v uint16) { binary.BigEndian.PutUint16(b[4:], v) }

// SetFlagsFragmentOffset sets the flags and fragment offset word.
func (b IPv4) SetFlagsFragmentOffset(v uint16) { binary.BigEndian.PutUint16(b[6:], v) }

// SetTTL sets the time to live.
func (b IPv4) SetTTL(v uint8) { b[8] = v }

// SetProtocol sets the protocol.
func (b IPv4) SetProtocol(v uint8) { b[9] = v }

// SetChecksum sets the header checksum field.
func (b IPv4) SetChecksum(v uint16) { binary.BigEndian.PutUint16(b[10:], v) }

// SetSrc sets the source address (host order).
func (b IPv4) SetSrc(a uint32) { binary.BigEndian.PutUint32(b[12:], a) }

// SetDst sets the destination address (host order).
func (b IPv4) SetDst(a uint32) { binary.BigEndian.PutUint32(b[16:], a) }

// CalculateChecksum returns the header checksum computed with the checksum
// field taken as zero.
func (b IPv4) CalculateChecksum() uint16 {
	hl := b.HeaderLength()
	s := Sum(b[:10], 0)
	return Checksum(b[12:hl], s)
}

// UpdateChecksum stores the header checksum.
func (b IPv4) UpdateChecksum() { b.SetChecksum(b.CalculateChecksum()) }

// PseudoHeaderSum returns the pseudo-header sum for an L4 segment of the
// given length.
func (b IPv4) PseudoHeaderSum(proto uint8, length uint16) uint32 {
	return PseudoHeaderSumIPv4(b.Src(), b.Dst(), proto, length)
}

// IPv6 is a view of an IPv6 header (RFC 8200).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|Version| Traffic Class |           Flow Label                  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Payload Length        |  Next Header  |   Hop Limit   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+                         Source Address                        +
//	|                          (16 bytes)                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                                                               |
//	+                      Destination Address                      +
//	|                          (16 bytes)                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type IPv6 []byte

// IPv6MinimumSize is the size of the fixed IPv6 header.
const IPv6MinimumSize = 40

// IsValid reports whether b holds the fixed header with version 6 and the
// payload length it claims.
func (b IPv6) IsValid() bool {
	return len(b) >= IPv6MinimumSize && b[0]>>4 == 6 &&
		int(b.PayloadLength())+IPv6MinimumSize <= len(b)
}

// Version returns the version field.
func (b IPv6) Version() uint8 { return b[0] >> 4 }

// TrafficClass returns the traffic class (DSCP and ECN).
func (b IPv6) TrafficClass() uint8 { return uint8(binary.BigEndian.Uint32(b[0:]) >> 20) }

// FlowLabel returns the 20-bit flow label.
func (b IPv6) FlowLabel() uint32 { return binary.BigEndian.Uint32(b[0:]) & 0xfffff }

// PayloadLength returns the payload length field.
func (b IPv6) PayloadLength() uint16 { return binary.BigEndian.Uint16(b[4:]) }

// NextHeader returns the next header field.
func (b IPv6) NextHeader() uint8 { return b[6] }

// HopLimit returns the hop limit.
func (b IPv6) HopLimit() uint8 { return b[7] }

// Src returns the source address.
func (b IPv6) Src() (a [16]byte) { copy(a[:], b[8:24]); return }

// Dst returns the destination address.
func (b IPv6) Dst() (a [16]byte) { copy(a[:], b[24:40]); return }

// Payload returns the bytes after the fixed header up to the payload length.
// Call IsValid first.
func (b IPv6) Payload() []byte { return b[IPv6MinimumSize : IPv6MinimumSize+int(b.PayloadLength())] }

// SetVersionTrafficClassFlowLabel sets the first word: version 6, tc, label.
func (b IPv6) SetVersionTrafficClassFlowLabel(tc uint8, label uint32) {
	binary.BigEndian.PutUint32(b[0:], 6<<28|uint32(tc)<<20|label&0xfffff)
}

// SetTrafficClass sets the traffic class.
func (b IPv6) SetTrafficClass(tc uint8) {
	w := binary.BigEndian.Uint32(b[0:])
	binary.BigEndian.PutUint32(b[0:], w&^0x0ff00000|uint32(tc)<<20)
}

// SetFlowLabel sets the flow label.
func (b IPv6) SetFlowLabel(l uint32) {
	w := binary.BigEndian.Uint32(b[0:])
	binary.BigEndian.PutUint32(b[0:], w&^0xfffff|l&0xfffff)
}

// SetPayloadLength sets the payload length.
func (b IPv6) SetPayloadLength(v uint16) { binary.BigEndian.PutUint16(b[4:], v) }

// SetNextHeader sets the next header field.
func (b IPv6) SetNextHeader(v uint8) { b[6] = v }

// SetHopLimit sets the hop limit.
func (b IPv6) SetHopLimit(v uint8) { b[7] = v }

// SetSrc sets the source address.
func (b IPv6) SetSrc(a [16]byte) { copy(b[8:24], a[:]) }

// SetDst sets the destination address.
func (b IPv6) SetDst(a [16]byte) { copy(b[24:40], a[:]) }

// PseudoHeaderSum returns the pseudo-header sum for an upper-layer packet
// of the given protocol and length.
func (b IPv6) PseudoHeaderSum(proto uint8, length uint32) uint32 {
	src, dst := b.Src(), b.Dst()
	return PseudoHeaderSumIPv6(&src, &dst, proto, length)
}

// IPv6Fragment is a view of the IPv6 fragment extension header.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                         Identification                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type IPv6Fragment []byte

// IPv6FragmentSize is the size of the fragment header.
const IPv6FragmentSize = 8

// IsValid reports whether b is long enough for a fragment header.
func (b IPv6Fragment) IsValid() bool { return len(b) >= IPv6FragmentSize }

// NextHeader returns the next header field.
func (b IPv6Fragment) NextHeader() uint8 { return b[0] }

// FragmentOffset returns the fragment offset in bytes.
func (b IPv6Fragment) FragmentOffset() int { return int(binary.BigEndian.Uint16(b[2:]) & 0xfff8) }

// More reports whether the M (more fragments) flag is set.
func (b IPv6Fragment) More() bool { return b[3]&1 != 0 }

// ID returns the identification.
func (b IPv6Fragment) ID() uint32 { return binary.BigEndian.Uint32(b[4:]) }

// Set sets every field of the fragment header; offset is in bytes and must
// be a multiple of 8.
func (b IPv6Fragment) Set(next uint8, offset int, more bool, id uint32) {
	b[0], b[1] = next, 0
	v := uint16(offset) & 0xfff8
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(b[2:], v)
	binary.BigEndian.PutUint32(b[4:], id)
}
