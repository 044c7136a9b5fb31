package header

import "encoding/binary"

// Ethernet is a view of an Ethernet II header.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                    Destination MAC address                    |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               |                               |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|                      Source MAC address                       |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|    EtherType / length         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Ethernet []byte

// EthernetMinimumSize is the size of an Ethernet header without tags.
const EthernetMinimumSize = 14

// EthernetAddressSize is the size of a MAC address.
const EthernetAddressSize = 6

// IsValid reports whether b is long enough for an Ethernet header.
func (b Ethernet) IsValid() bool { return len(b) >= EthernetMinimumSize }

// Dst returns the destination MAC address.
func (b Ethernet) Dst() (a [6]byte) { copy(a[:], b[0:6]); return }

// Src returns the source MAC address.
func (b Ethernet) Src() (a [6]byte) { copy(a[:], b[6:12]); return }

// Type returns the EtherType (or 802.3 length) field that follows the
// addresses; with VLAN tags this is the outer TPID.
func (b Ethernet) Type() uint16 { return binary.BigEndian.Uint16(b[12:]) }

// SetDst sets the destination MAC address.
func (b Ethernet) SetDst(a [6]byte) { copy(b[0:6], a[:]) }

// SetSrc sets the source MAC address.
func (b Ethernet) SetSrc(a [6]byte) { copy(b[6:12], a[:]) }

// SetType sets the EtherType field.
func (b Ethernet) SetType(t uint16) { binary.BigEndian.PutUint16(b[12:], t) }

// Payload returns the bytes after the 14-byte header.
func (b Ethernet) Payload() []byte { return b[EthernetMinimumSize:] }

// VLAN is a view of an 802.1Q/802.1ad tag as it follows a TPID: the tag
// control information and the encapsulated EtherType.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	| PCP |D|          VID          |     Encapsulated EtherType    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type VLAN []byte

// VLANSize is the size of a VLAN tag (TPID excluded).
const VLANSize = 4

// VLAN TPIDs.
const (
	TPID8021Q  = 0x8100
	TPID8021AD = 0x88a8
)

// IsValid reports whether b is long enough for a tag.
func (b VLAN) IsValid() bool { return len(b) >= VLANSize }

// TCI returns the tag control information (PCP, DEI, VID).
func (b VLAN) TCI() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// PCP returns the priority code point.
func (b VLAN) PCP() uint8 { return b[0] >> 5 }

// DEI returns the drop eligible indicator (formerly CFI).
func (b VLAN) DEI() bool { return b[0]&0x10 != 0 }

// VID returns the VLAN identifier.
func (b VLAN) VID() uint16 { return b.TCI() & 0x0fff }

// Type returns the encapsulated EtherType.
func (b VLAN) Type() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// SetTCI sets the tag control information.
func (b VLAN) SetTCI(tci uint16) { binary.BigEndian.PutUint16(b[0:], tci) }

// SetType sets the encapsulated EtherType.
func (b VLAN) SetType(t uint16) { binary.BigEndian.PutUint16(b[2:], t) }

// ARP is a view of an ARP packet for Ethernet and IPv4 (RFC 826).
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Hardware type         |         Protocol type         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  HW addr len  | Proto addr len|           Operation           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|             Sender hardware address (6 bytes)                 |
//	+                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                               | Sender protocol address ...   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  ... (4 bytes)                | Target hardware address ...   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//	|                          ... (6 bytes)                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Target protocol address (4 bytes)              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type ARP []byte

// ARPSize is the size of an Ethernet/IPv4 ARP packet.
const ARPSize = 28

// ARP operations.
const (
	ARPRequest = 1
	ARPReply   = 2
)

// IsValid reports whether b is an Ethernet/IPv4 ARP packet.
func (b ARP) IsValid() bool {
	return len(b) >= ARPSize && b.HardwareType() == 1 && b.ProtocolType() == 0x0800 &&
		b[4] == 6 && b[5] == 4
}

// HardwareType returns the hardware type (1 for Ethernet).
func (b ARP) HardwareType() uint16 { return binary.BigEndian.Uint16(b[0:]) }

// ProtocolType returns the protocol type (0x0800 for IPv4).
func (b ARP) ProtocolType() uint16 { return binary.BigEndian.Uint16(b[2:]) }

// Op returns the operation.
func (b ARP) Op() uint16 { return binary.BigEndian.Uint16(b[6:]) }

// SHA returns the sender hardware address.
func (b ARP) SHA() (a [6]byte) { copy(a[:], b[8:14]); return }

// SPA returns the sender protocol address in host order.
func (b ARP) SPA() uint32 { return binary.BigEndian.Uint32(b[14:]) }

// THA returns the target hardware address.
func (b ARP) THA() (a [6]byte) { copy(a[:], b[18:24]); return }

// TPA returns the target protocol address in host order.
func (b ARP) TPA() uint32 { return binary.BigEndian.Uint32(b[24:]) }

// SetIPv4OverEthernet sets the fixed fields for Ethernet/IPv4.
func (b ARP) SetIPv4OverEthernet() {
	binary.BigEndian.PutUint16(b[0:], 1)
	binary.BigEndian.PutUint16(b[2:], 0x0800)
	b[4], b[5] = 6, 4
}

// SetOp sets the operation.
func (b ARP) SetOp(op uint16) { binary.BigEndian.PutUint16(b[6:], op) }

// SetSHA sets the sender hardware address.
func (b ARP) SetSHA(a [6]byte) { copy(b[8:14], a[:]) }

// SetSPA sets the sender protocol address (host order).
func (b ARP) SetSPA(a uint32) { binary.BigEndian.PutUint32(b[14:], a) }

// SetTHA sets the target hardware address.
func (b ARP) SetTHA(a [6]byte) { copy(b[18:24], a[:]) }

// SetTPA sets the target protocol address (host order).
func (b ARP) SetTPA(a uint32) { binary.BigEndian.PutUint32(b[24:], a) }
