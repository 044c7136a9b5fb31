package packet

import (
	"errors"
	"fmt"
)

// BatchSize is how many packets move through the datapath together. 32 is
// OVS's NETDEV_MAX_BURST: large enough that per-batch costs (a syscall, a
// cache lookup round, a lock) are amortised, small enough that a batch's
// buffers and keys stay in the L1/L2 caches and latency stays bounded.
const BatchSize = 32

// Handle is the index of a buffer in a Pool. Handles are dense: the first
// PoolConfig.Buffers handles name MTU-size buffers, the following
// PoolConfig.BigBuffers name 64 KiB buffers.
type Handle uint32

// OffsetNone marks an absent layer in Meta.L2Ofs, L3Ofs and L4Ofs.
const OffsetNone = 0xffff

// GSO types of Meta.GSOType, with the values of virtio_net.h's
// VIRTIO_NET_HDR_GSO_*.
const (
	GSONone  = 0
	GSOTCPv4 = 1
	GSOUDP   = 3
	GSOTCPv6 = 4
	GSOUDPL4 = 5
)

// Meta is the metadata that travels with a packet: the datapath metadata
// that Extract copies into the flow key, the offload state as carried by the
// virtio-net header, and the layer offsets that Extract computes.
//
// Meta is a plain value; it is owned by whoever owns the Packet it is in.
type Meta struct {
	InPort      uint32 // datapath port number the packet arrived on
	RecircID    uint32
	DpHash      uint32
	SkbPriority uint32
	PktMark     uint32
	// PacketType is the OpenFlow packet type, (namespace << 16) | type, as
	// in flow.Key: 0 for Ethernet frames; (1 << 16) | EtherType for a bare
	// L3 packet (for example after an L3 tunnel decapsulation), which
	// Extract parses from its first byte with that dl_type.
	PacketType uint32

	// Connection tracking state, as set by the ct action. Extract copies
	// the ct_* fields into the key only when CtState is nonzero, like OVS.
	CtState uint32
	CtZone  uint16
	CtMark  uint32
	CtLabel [16]byte
	// Original-direction tuple of the connection (ct_nw_proto, ct_nw_src,
	// ...). CtOrigIPv6 selects CtIPv6Src/Dst over CtNwSrc/Dst.
	CtOrigIPv6 bool
	CtNwProto  uint8
	CtNwSrc    uint32
	CtNwDst    uint32
	CtIPv6Src  [16]byte
	CtIPv6Dst  [16]byte
	CtTpSrc    uint16
	CtTpDst    uint16

	// Tunnel metadata after decapsulation. Addresses are IPv6 or
	// IPv4-mapped IPv6, as in flow.Key. A tunnel is present when TunDst
	// is set (not the zero or IPv4-mapped zero address).
	TunID    uint64
	TunSrc   [16]byte
	TunDst   [16]byte
	TunFlags uint16
	TunTOS   uint8
	TunTTL   uint8
	TunTpSrc uint16
	TunTpDst uint16

	// Offload state, as carried by the virtio-net header.
	//
	// CsumPartial: the L4 checksum is not computed yet; the checksum field
	// at CsumStart+CsumOffset holds the pseudo-header sum (not inverted)
	// and the checksum over the bytes from CsumStart must be completed
	// (CompleteChecksum) before the packet leaves through a device that
	// cannot offload it.
	CsumPartial bool
	CsumStart   uint16 // offset of the first byte summed, from Data()[0]
	CsumOffset  uint16 // offset of the checksum field from CsumStart
	// CsumVerified: the sender or kernel has verified the checksums.
	CsumVerified bool
	GSOType      uint8  // GSONone, GSOTCPv4, GSOTCPv6, GSOUDPL4
	GSOSize      uint16 // segment payload size (MSS) when GSOType != GSONone

	// Layer offsets from Data()[0], set by Extract; OffsetNone when the
	// layer is absent. L2_5Ofs is the start of the MPLS label stack.
	L2Ofs   uint16
	L2_5Ofs uint16
	L3Ofs   uint16
	L4Ofs   uint16
	// L2Pad is the number of bytes after the end of the IP packet (Ethernet
	// padding), set by Extract for IPv4 and IPv6.
	L2Pad uint16
	// L3OK: an IPv4 or IPv6 header passed its sanity checks (lengths).
	// L4OK: the L4 header Extract parsed (TCP, UDP, SCTP, ICMP, IGMP,
	// ICMPv6) is complete.
	L3OK bool
	L4OK bool
}

// ResetOffsets marks every layer absent.
func (m *Meta) ResetOffsets() {
	m.L2Ofs, m.L2_5Ofs, m.L3Ofs, m.L4Ofs = OffsetNone, OffsetNone, OffsetNone, OffsetNone
	m.L2Pad = 0
	m.L3OK, m.L4OK = false, false
}

// Size classes of a Pool.
const (
	classSmall = 0
	classBig   = 1
)

// SmallCapacity is the data capacity (after the headroom) of an MTU-size
// buffer: a 1500-byte MTU frame with two VLAN tags and room for
// encapsulation, rounded to 2 KiB.
const SmallCapacity = 2048

// BigCapacity is the data capacity of a GSO buffer: the largest IP packet
// (64 KiB) plus its L2 headers.
const BigCapacity = 65536 + 256

// Errors of the buffer operations.
var (
	ErrNoHeadroom = errors.New("packet: not enough headroom")
	ErrNoTailroom = errors.New("packet: not enough tailroom")
	ErrTooShort   = errors.New("packet: packet shorter than requested")
)

// Packet is a packet buffer descriptor. The bytes live off-heap in the
// pool's mmap'd slab; the descriptor itself is preallocated by the pool.
//
// A Packet is owned by one goroutine at a time (see the package comment) and
// its methods are not safe for concurrent use.
type Packet struct {
	Meta Meta

	buf    []byte // the whole buffer: headroom + capacity
	off    uint32 // offset of the first data byte in buf
	n      uint32 // data length
	handle Handle
	class  uint8
	free   bool   // in a free list (catches double frees)
	gen    uint32 // allocations of this buffer, in debug builds
	pool   *Pool
}

// Generation returns how many times the buffer has been allocated in a
// debug build (-tags govsdebug), 0 otherwise: a holder that remembers it
// can detect that a packet it still points to was freed and reused.
func (p *Packet) Generation() uint32 { return p.gen }

// Data returns the packet's bytes. The slice aliases the buffer and is valid
// until the next operation that changes the packet's start or length, or
// until the packet is freed.
func (p *Packet) Data() []byte { return p.buf[p.off : p.off+p.n : p.off+p.n] }

// Len returns the packet's length in bytes.
func (p *Packet) Len() int { return int(p.n) }

// Headroom returns how many bytes Push can prepend.
func (p *Packet) Headroom() int { return int(p.off) }

// Tailroom returns how many bytes Append can add.
func (p *Packet) Tailroom() int { return len(p.buf) - int(p.off+p.n) }

// Handle returns the packet's handle in its pool.
func (p *Packet) Handle() Handle { return p.handle }

// Push prepends n bytes using the headroom and returns them (their contents
// are undefined). Layer offsets in Meta are not adjusted.
func (p *Packet) Push(n int) ([]byte, error) {
	if n < 0 || n > int(p.off) {
		return nil, fmt.Errorf("push %d bytes with %d of headroom: %w", n, p.off, ErrNoHeadroom)
	}
	p.off -= uint32(n)
	p.n += uint32(n)
	return p.buf[p.off : p.off+uint32(n) : p.off+uint32(n)], nil
}

// Pull drops n bytes from the front of the packet.
func (p *Packet) Pull(n int) error {
	if n < 0 || n > int(p.n) {
		return fmt.Errorf("pull %d bytes from a %d-byte packet: %w", n, p.n, ErrTooShort)
	}
	p.off += uint32(n)
	p.n -= uint32(n)
	return nil
}

// Truncate keeps the first n bytes of the packet. It does nothing if the
// packet is not longer than n; a negative n empties the packet.
func (p *Packet) Truncate(n int) {
	if n < 0 {
		n = 0
	}
	if n < int(p.n) {
		p.n = uint32(n)
	}
}

// SetData replaces the packet's contents by a copy of b, keeping the
// configured headroom if b fits after it and using the headroom otherwise.
func (p *Packet) SetData(b []byte) error {
	if len(b) > len(p.buf) {
		return fmt.Errorf("set %d bytes in a %d-byte buffer: %w", len(b), len(p.buf), ErrNoTailroom)
	}
	off := uint32(p.pool.headroom)
	if int(off)+len(b) > len(p.buf) {
		off = uint32(len(p.buf) - len(b))
	}
	p.off = off
	p.n = uint32(len(b))
	copy(p.buf[p.off:], b)
	return nil
}

// Append adds n bytes at the end of the packet and returns them (their
// contents are undefined).
func (p *Packet) Append(n int) ([]byte, error) {
	if n < 0 || n > p.Tailroom() {
		return nil, fmt.Errorf("append %d bytes with %d of tailroom: %w", n, p.Tailroom(), ErrNoTailroom)
	}
	end := p.off + p.n
	p.n += uint32(n)
	return p.buf[end : end+uint32(n) : end+uint32(n)], nil
}

// Batch is a group of up to BatchSize packets that move through the
// datapath together. A Batch is a plain value owned by one goroutine; the
// packets in it are owned by whoever owns the batch.
type Batch struct {
	Pkts [BatchSize]*Packet
	N    int
}

// Add appends p and reports whether there was room. Hot path.
func (b *Batch) Add(p *Packet) bool {
	if b.N >= BatchSize {
		return false
	}
	b.Pkts[b.N] = p
	b.N++
	return true
}

// Reset empties the batch without freeing its packets.
func (b *Batch) Reset() {
	clear(b.Pkts[:b.N])
	b.N = 0
}

// Slice returns the batch's packets. The slice aliases the batch.
func (b *Batch) Slice() []*Packet { return b.Pkts[:b.N] }

// Full reports whether the batch holds BatchSize packets.
func (b *Batch) Full() bool { return b.N >= BatchSize }
