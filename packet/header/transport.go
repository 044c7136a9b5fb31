package header

import "encoding/binary"

// TCP is a view of a TCP header (RFC 9293).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        Sequence Number                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Acknowledgment Number                      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  Data |  Res  |N|C|E|U|A|P|R|S|F|                             |
//	| Offset|       |S|W|C|R|C|S|S|Y|I|            Window           |
//	|       |       | |R|E|G|K|H|T|N|N|                             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Checksum            |         Urgent Pointer        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Options ...                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type TCP []byte

// TCPMinimumSize is the size of a TCP header without options.
const TCPMinimumSize = 20

// TCPChecksumOffset is the offset of the checksum field.
const TCPChecksumOffset = 16

// TCP flag bits (the low 12 bits of the offset/flags word, as OVS's
// tcp_flags).
const (
	TCPFlagFin = 0x001
	TCPFlagSyn = 0x002
	TCPFlagRst = 0x004
	TCPFlagPsh = 0x008
	TCPFlagAck = 0x010
	TCPFlagUrg = 0x020
	TCPFlagEce = 0x040
	TCPFlagCwr = 0x080
	TCPFlagNs  = 0x100
)

// IsValid reports whether b holds the whole header its data offset claims.
func (b TCP) IsValid() bool {
	if len(b) < TCPMinimumSize {
		return false
	}
	hl := b.DataOffset()
	return hl >= TCPMinimumSize && hl <= len(b)
}

// SrcPort returns the source port.
func (b TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// DstPort returns the destination port.
func (b TCP) DstPort() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// Seq returns the sequence number.
func (b TCP) Seq() uint32 { return binary.BigEndian.Uint32(b[4:]) }

// Ack returns the acknowledgment number.
func (b TCP) Ack() uint32 { return binary.BigEndian.Uint32(b[8:]) }

// DataOffset returns the header length in bytes.
func (b TCP) DataOffset() int { return int(b[12]>>4) * 4 }

// Flags returns the 12 flag bits.
func (b TCP) Flags() uint16 { return binary.BigEndian.Uint16(b[12:]) & 0x0fff }

// Window returns the window field.
func (b TCP) Window() uint16 { return binary.BigEndian.Uint16(b[14:]) }

// Checksum returns the checksum field.
func (b TCP) Checksum() uint16 { return binary.BigEndian.Uint16(b[16:]) }

// UrgentPointer returns the urgent pointer.
func (b TCP) UrgentPointer() uint16 { return binary.BigEndian.Uint16(b[18:]) }

// Options returns the options. Call IsValid first.
func (b TCP) Options() []byte { return b[TCPMinimumSize:b.DataOffset()] }

// Payload returns the bytes after the header. Call IsValid first.
func (b TCP) Payload() []byte { return b[b.DataOffset():] }

// SetSrcPort sets the source port.
func (b TCP) SetSrcPort(v uint16) { binary.BigEndian.PutUint16(b[0:], v) }

// SetDstPort sets the destination port.
func (b TCP) SetDstPort(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetSeq sets the sequence number.
func (b TCP) SetSeq(v uint32) { binary.BigEndian.PutUint32(b[4:], v) }

// SetAck sets the acknowledgment number.
func (b TCP) SetAck(v uint32) { binary.BigEndian.PutUint32(b[8:], v) }

// SetDataOffsetFlags sets the header length (bytes) and the 12 flag bits.
func (b TCP) SetDataOffsetFlags(hl int, flags uint16) {
	binary.BigEndian.PutUint16(b[12:], uint16(hl/4)<<12|flags&0x0fff)
}

// SetFlags sets the 12 flag bits, keeping the data offset.
func (b TCP) SetFlags(flags uint16) {
	binary.BigEndian.PutUint16(b[12:], binary.BigEndian.Uint16(b[12:])&0xf000|flags&0x0fff)
}

// SetWindow sets the window.
func (b TCP) SetWindow(v uint16) { binary.BigEndian.PutUint16(b[14:], v) }

// SetChecksum sets the checksum field.
func (b TCP) SetChecksum(v uint16) { binary.BigEndian.PutUint16(b[16:], v) }

// SetUrgentPointer sets the urgent pointer.
func (b TCP) SetUrgentPointer(v uint16) { binary.BigEndian.PutUint16(b[18:], v) }

// UDP is a view of a UDP header (RFC 768).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Source Port          |       Destination Port        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|            Length             |           Checksum            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type UDP []byte

// UDPSize is the size of a UDP header.
const UDPSize = 8

// UDPChecksumOffset is the offset of the checksum field.
const UDPChecksumOffset = 6

// IsValid reports whether b holds a header and the length it claims.
func (b UDP) IsValid() bool {
	return len(b) >= UDPSize && int(b.Length()) >= UDPSize && int(b.Length()) <= len(b)
}

// SrcPort returns the source port.
func (b UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// DstPort returns the destination port.
func (b UDP) DstPort() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// Length returns the length field (header and payload).
func (b UDP) Length() uint16 { return binary.BigEndian.Uint16(b[4:]) }

// Checksum returns the checksum field (0: none, over IPv4).
func (b UDP) Checksum() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// Payload returns the bytes after the header up to the length. Call
// IsValid first.
func (b UDP) Payload() []byte { return b[UDPSize:b.Length()] }

// SetSrcPort sets the source port.
func (b UDP) SetSrcPort(v uint16) { binary.BigEndian.PutUint16(b[0:], v) }

// SetDstPort sets the destination port.
func (b UDP) SetDstPort(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetLength sets the length.
func (b UDP) SetLength(v uint16) { binary.BigEndian.PutUint16(b[4:], v) }

// SetChecksum sets the checksum field.
func (b UDP) SetChecksum(v uint16) { binary.BigEndian.PutUint16(b[6:], v) }

// SCTP is a view of an SCTP common header (RFC 9260).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Source Port Number        |     Destination Port Number   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                      Verification Tag                         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           Checksum (CRC32c)                   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type SCTP []byte

// SCTPSize is the size of the SCTP common header.
const SCTPSize = 12

// IsValid reports whether b is long enough for the common header.
func (b SCTP) IsValid() bool { return len(b) >= SCTPSize }

// SrcPort returns the source port.
func (b SCTP) SrcPort() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// DstPort returns the destination port.
func (b SCTP) DstPort() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// VerificationTag returns the verification tag.
func (b SCTP) VerificationTag() uint32 { return binary.BigEndian.Uint32(b[4:]) }

// Checksum returns the CRC32c field as stored (little-endian on the wire).
func (b SCTP) Checksum() uint32 { return binary.LittleEndian.Uint32(b[8:]) }

// SetSrcPort sets the source port.
func (b SCTP) SetSrcPort(v uint16) { binary.BigEndian.PutUint16(b[0:], v) }

// SetDstPort sets the destination port.
func (b SCTP) SetDstPort(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetVerificationTag sets the verification tag.
func (b SCTP) SetVerificationTag(v uint32) { binary.BigEndian.PutUint32(b[4:], v) }

// SetChecksum sets the CRC32c field.
func (b SCTP) SetChecksum(v uint32) { binary.LittleEndian.PutUint32(b[8:], v) }

// ICMPv4 is a view of an ICMP header (RFC 792). The second word depends on
// the type (identifier/sequence for echo).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           Identifier          |        Sequence Number        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type ICMPv4 []byte

// ICMPv4MinimumSize is the size of the ICMP header.
const ICMPv4MinimumSize = 8

// ICMPv4 types.
const (
	ICMPv4EchoReply      = 0
	ICMPv4DstUnreachable = 3
	ICMPv4EchoRequest    = 8
	ICMPv4TimeExceeded   = 11
)

// IsValid reports whether b is long enough for the header.
func (b ICMPv4) IsValid() bool { return len(b) >= ICMPv4MinimumSize }

// Type returns the type.
func (b ICMPv4) Type() uint8 { return b[0] }

// Code returns the code.
func (b ICMPv4) Code() uint8 { return b[1] }

// Checksum returns the checksum field.
func (b ICMPv4) Checksum() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// Ident returns the echo identifier.
func (b ICMPv4) Ident() uint16 { return binary.BigEndian.Uint16(b[4:]) }

// Seq returns the echo sequence number.
func (b ICMPv4) Seq() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// SetType sets the type.
func (b ICMPv4) SetType(v uint8) { b[0] = v }

// SetCode sets the code.
func (b ICMPv4) SetCode(v uint8) { b[1] = v }

// SetChecksum sets the checksum field.
func (b ICMPv4) SetChecksum(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetIdent sets the echo identifier.
func (b ICMPv4) SetIdent(v uint16) { binary.BigEndian.PutUint16(b[4:], v) }

// SetSeq sets the echo sequence number.
func (b ICMPv4) SetSeq(v uint16) { binary.BigEndian.PutUint16(b[6:], v) }

// ICMPv6 is a view of an ICMPv6 header (RFC 4443) with, for neighbour
// discovery (RFC 4861), the target address that follows it.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     Type      |     Code      |          Checksum             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|        Message body (ND: R|S|O flags and reserved)            |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                  ND target address (16 bytes)                 |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  ND options: type, length (8-byte units), link-layer address  |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type ICMPv6 []byte

// ICMPv6MinimumSize is the size of the ICMPv6 header with its first word
// of body.
const ICMPv6MinimumSize = 8

// ICMPv6NDSize is the size of a neighbour solicitation/advertisement
// without options.
const ICMPv6NDSize = 24

// ICMPv6 types.
const (
	ICMPv6DstUnreachable  = 1
	ICMPv6PacketTooBig    = 2
	ICMPv6EchoRequest     = 128
	ICMPv6EchoReply       = 129
	ICMPv6RouterSolicit   = 133
	ICMPv6RouterAdvert    = 134
	ICMPv6NeighborSolicit = 135
	ICMPv6NeighborAdvert  = 136
)

// Neighbour discovery option types.
const (
	NDOptSourceLinkAddress = 1
	NDOptTargetLinkAddress = 2
)

// IsValid reports whether b is long enough for the header.
func (b ICMPv6) IsValid() bool { return len(b) >= ICMPv6MinimumSize }

// IsND reports whether b is a neighbour solicitation or advertisement
// (code 0) long enough for its target.
func (b ICMPv6) IsND() bool {
	return len(b) >= ICMPv6NDSize && b[1] == 0 &&
		(b[0] == ICMPv6NeighborSolicit || b[0] == ICMPv6NeighborAdvert)
}

// Type returns the type.
func (b ICMPv6) Type() uint8 { return b[0] }

// Code returns the code.
func (b ICMPv6) Code() uint8 { return b[1] }

// Checksum returns the checksum field.
func (b ICMPv6) Checksum() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// Reserved returns the second word (ND: the R/S/O flags and reserved bits).
func (b ICMPv6) Reserved() uint32 { return binary.BigEndian.Uint32(b[4:]) }

// NDTarget returns the ND target address. Call IsND first.
func (b ICMPv6) NDTarget() (a [16]byte) { copy(a[:], b[8:24]); return }

// NDOptions returns the ND options. Call IsND first.
func (b ICMPv6) NDOptions() []byte { return b[ICMPv6NDSize:] }

// SetType sets the type.
func (b ICMPv6) SetType(v uint8) { b[0] = v }

// SetCode sets the code.
func (b ICMPv6) SetCode(v uint8) { b[1] = v }

// SetChecksum sets the checksum field.
func (b ICMPv6) SetChecksum(v uint16) { binary.BigEndian.PutUint16(b[2:], v) }

// SetReserved sets the second word.
func (b ICMPv6) SetReserved(v uint32) { binary.BigEndian.PutUint32(b[4:], v) }

// SetNDTarget sets the ND target address.
func (b ICMPv6) SetNDTarget(a [16]byte) { copy(b[8:24], a[:]) }
