package flow

import (
	"encoding/binary"
	"net/netip"
	"unsafe"
)

// VLAN is one 802.1Q/802.1ad tag as seen in a packet: TPID 0 means "no tag".
// TCI holds PCP (3 bits), DEI/CFI (1 bit) and VID (12 bits) in host order.
// Like OVS, a present tag always has the CFI bit (0x1000) set in the Key so
// that a match on "vlan_tci=0" means "no tag"; see VLANCFI.
type VLAN struct {
	TPID uint16
	TCI  uint16
}

// VLANCFI is the bit OVS uses in vlan_tci to mean "a tag is present".
const VLANCFI = 0x1000

// MaxVLANHeaders is how many VLAN tags a Key carries (802.1ad + 802.1Q).
const MaxVLANHeaders = 2

// NumRegs is the number of 32-bit registers reg0..reg15 (xreg0..7 and
// xxreg0..3 overlay them).
const NumRegs = 16

// Key is the flow key. All multi-byte integers are in host byte order; byte
// arrays (MACs, IPv6 addresses, labels) are in network order. The same type
// serves as a mask: a set bit means "this bit matters".
//
// The layout is grouped by classifier stage: metadata, then L2, then L3, then
// L4; the Stage* constants give the word boundaries. Do not reorder fields
// without updating them. There are no pointers and no implicit padding.
//
// Port numbers: in ofproto and xlate InPort and ActsetOutput are OpenFlow port
// numbers; in the datapath InPort is a datapath port number. xlate converts.
type Key struct {
	// ---- Stage 0: metadata ----
	TunID    uint64   // tun_id (VNI/key)
	TunSrc   [16]byte // tunnel outer source: IPv4-mapped IPv6 or IPv6
	TunDst   [16]byte // tunnel outer destination
	TunFlags uint16   // tun_flags (OAM, csum, key, ...), OVS FLOW_TNL_F_*
	TunTOS   uint8
	TunTTL   uint8
	TunTpSrc uint16
	TunTpDst uint16

	Metadata    uint64
	Regs        [NumRegs]uint32
	SkbPriority uint32
	PktMark     uint32
	DpHash      uint32
	InPort      uint32
	RecircID    uint32
	CtState     uint32 // CS_* bits
	CtZone      uint16
	CtNwProto   uint8
	_           uint8
	CtMark      uint32
	CtLabel     [16]byte
	CtNwSrc     uint32
	CtNwDst     uint32
	CtIPv6Src   [16]byte
	CtIPv6Dst   [16]byte
	CtTpSrc     uint16
	CtTpDst     uint16
	PacketType  uint32 // (namespace << 16) | ns_type; 0 = Ethernet
	ActsetOut   uint32 // actset_output
	ConjID      uint32

	// ---- Stage 1: L2 ----
	DlDst  [6]byte
	DlSrc  [6]byte
	DlType uint16 // Ethernet type after VLAN tags; 0x05ff for 802.2 frames (OVS convention)
	_      uint16
	VLANs  [MaxVLANHeaders]VLAN
	MPLS   [3]uint32 // label stack entries (label<<12 | tc<<9 | bos<<8 | ttl)
	_      uint32

	// ---- Stage 2: L3 ----
	NwSrc     uint32   // IPv4 source, or ARP SPA
	NwDst     uint32   // IPv4 destination, or ARP TPA
	IPv6Src   [16]byte // IPv6 source
	IPv6Dst   [16]byte // IPv6 destination
	NDTarget  [16]byte // ICMPv6 ND target
	IPv6Label uint32   // flow label (20 bits)
	NwProto   uint8    // IP protocol, or low 8 bits of ARP opcode
	NwTOS     uint8    // DSCP (high 6 bits) and ECN (low 2 bits)
	NwTTL     uint8
	NwFrag    uint8   // FragAny | FragLater
	ArpSHA    [6]byte // ARP SHA, or ND source link-layer address
	ArpTHA    [6]byte // ARP THA, or ND target link-layer address
	_         uint32

	// ---- Stage 3: L4 ----
	TCPFlags   uint16 // 12 bits
	TpSrc      uint16 // TCP/UDP/SCTP source port; ICMP type
	TpDst      uint16 // TCP/UDP/SCTP destination port; ICMP code
	_          uint16
	NDReserved uint32 // ICMPv6 ND reserved field (nd_reserved)
	_          uint32
}

// Fragment bits of Key.NwFrag, as in OVS (FLOW_NW_FRAG_*).
const (
	FragAny   = 1 << 0 // the packet is a fragment
	FragLater = 1 << 1 // the packet is a fragment with offset != 0
	FragMask  = FragAny | FragLater
)

// Connection tracking state bits of Key.CtState, as in OVS (CS_*).
const (
	CtNew         = 1 << 0
	CtEstablished = 1 << 1
	CtRelated     = 1 << 2
	CtReplyDir    = 1 << 3
	CtInvalid     = 1 << 4
	CtTracked     = 1 << 5
	CtSrcNAT      = 1 << 6
	CtDstNAT      = 1 << 7
)

// Tunnel flag bits of Key.TunFlags (FLOW_TNL_F_*): OAM is the only one
// visible to OpenFlow.
const (
	TunFlagOAM      = 1 << 0
	TunFlagDontFrag = 1 << 1
	TunFlagCsum     = 1 << 2
	TunFlagKey      = 1 << 3
)

// KeySize is the size of a Key in bytes.
const KeySize = int(unsafe.Sizeof(Key{}))

// KeyWords is the size of a Key in 64-bit words.
const KeyWords = KeySize / 8

// Stage boundaries in words: words [0, StageL2) are metadata, [StageL2,
// StageL3) L2, [StageL3, StageL4) L3, [StageL4, KeyWords) L4.
var (
	StageL2 = int(unsafe.Offsetof(Key{}.DlDst)) / 8
	StageL3 = int(unsafe.Offsetof(Key{}.NwSrc)) / 8
	StageL4 = int(unsafe.Offsetof(Key{}.TCPFlags)) / 8
)

func init() {
	if KeySize%8 != 0 || unsafe.Offsetof(Key{}.DlDst)%8 != 0 ||
		unsafe.Offsetof(Key{}.NwSrc)%8 != 0 || unsafe.Offsetof(Key{}.TCPFlags)%8 != 0 {
		panic("flow: Key layout is not word-aligned")
	}
}

// Words views k as 64-bit words. The slice aliases k. Hot path: no allocation.
func (k *Key) Words() *[KeyWords]uint64 {
	return (*[KeyWords]uint64)(unsafe.Pointer(k))
}

// Bytes views k as bytes. The slice aliases k.
func (k *Key) Bytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(k)), KeySize)
}

// And sets k to k & m. Hot path.
func (k *Key) And(m *Key) {
	kw, mw := k.Words(), m.Words()
	for i := range kw {
		kw[i] &= mw[i]
	}
}

// MaskedEqual reports whether a & m == b & m.
func MaskedEqual(a, b, m *Key) bool {
	aw, bw, mw := a.Words(), b.Words(), m.Words()
	for i := range aw {
		if (aw[i]^bw[i])&mw[i] != 0 {
			return false
		}
	}
	return true
}

// Or sets k to k | m (used to accumulate wildcards: unwildcarding).
func (k *Key) Or(m *Key) {
	kw, mw := k.Words(), m.Words()
	for i := range kw {
		kw[i] |= mw[i]
	}
}

// IsZero reports whether every bit of k is 0.
func (k *Key) IsZero() bool {
	for _, w := range k.Words() {
		if w != 0 {
			return false
		}
	}
	return true
}

// Hash returns a hash of k & m over all words. Hot path.
func (k *Key) HashMasked(m *Key, basis uint64) uint64 {
	kw, mw := k.Words(), m.Words()
	h := basis ^ 0x9e3779b97f4a7c15
	for i := range kw {
		w := kw[i] & mw[i]
		if w != 0 || mw[i] != 0 {
			h ^= w + uint64(i)
			h *= 0xbf58476d1ce4e5b9
			h ^= h >> 31
		}
	}
	return h
}

// Hash returns a hash of every word of k.
func (k *Key) Hash(basis uint64) uint64 {
	h := basis ^ 0x9e3779b97f4a7c15
	for _, w := range k.Words() {
		h ^= w
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}

// IsIPv4 reports whether the key is an IPv4 packet.
func (k *Key) IsIPv4() bool { return k.DlType == 0x0800 }

// IsIPv6 reports whether the key is an IPv6 packet.
func (k *Key) IsIPv6() bool { return k.DlType == 0x86dd }

// IsIP reports whether the key is IPv4 or IPv6.
func (k *Key) IsIP() bool { return k.IsIPv4() || k.IsIPv6() }

// IPv4Addr converts a host-order IPv4 address as stored in a Key.
func IPv4Addr(a uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], a)
	return netip.AddrFrom4(b)
}

// IPv4Uint32 converts an IPv4 address to the host-order form stored in a Key.
func IPv4Uint32(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// Match is a Key with a mask: the packets whose key k satisfies
// k & Mask == Key. Key must already be masked (Key & Mask == Key).
type Match struct {
	Key  Key
	Mask Key
}

// Normalize clears bits of m.Key that m.Mask does not cover.
func (m *Match) Normalize() { m.Key.And(&m.Mask) }

// Matches reports whether packet key k satisfies m.
func (m *Match) Matches(k *Key) bool { return MaskedEqual(&m.Key, k, &m.Mask) }
