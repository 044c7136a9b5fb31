package packet

import (
	"encoding/binary"
	"errors"
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/packet/header"
)

// Errors of the offload helpers.
var (
	ErrBadOffload = errors.New("packet: bad offload metadata")
	ErrBatchFull  = errors.New("packet: batch full")
	ErrNoBuffers  = errors.New("packet: pool exhausted")
)

// SetFromVirtioNetHdr sets m's offload state from a virtio-net header, as
// received from a TAP or AF_PACKET socket. Unknown GSO types are an error.
func (m *Meta) SetFromVirtioNetHdr(h header.VirtioNetHdr) error {
	if !h.IsValid() {
		return fmt.Errorf("virtio-net header of %d bytes: %w", len(h), ErrBadOffload)
	}
	m.CsumPartial = h.Flags()&header.VirtioNetHdrFNeedsCsum != 0
	m.CsumVerified = h.Flags()&header.VirtioNetHdrFDataValid != 0
	m.CsumStart, m.CsumOffset = 0, 0
	if m.CsumPartial {
		m.CsumStart, m.CsumOffset = h.CsumStart(), h.CsumOffset()
	}
	gt := h.GSOType() &^ header.VirtioNetHdrGSOECN
	switch gt {
	case header.VirtioNetHdrGSONone:
		m.GSOType, m.GSOSize = GSONone, 0
		return nil
	case header.VirtioNetHdrGSOTCPv4, header.VirtioNetHdrGSOTCPv6, header.VirtioNetHdrGSOUDPL4:
		if h.GSOSize() == 0 {
			return fmt.Errorf("virtio-net header: GSO type %d with size 0: %w", gt, ErrBadOffload)
		}
		m.GSOType, m.GSOSize = gt, h.GSOSize()
		return nil
	default:
		return fmt.Errorf("virtio-net header: GSO type %d: %w", gt, ErrBadOffload)
	}
}

// PutVirtioNetHdr writes m's offload state into h (10 or 12 bytes; a
// 12-byte header gets num_buffers 0) for transmission on a TAP or
// AF_PACKET socket. hdrLen is the length of the headers a GSO packet
// replicates in each segment (L4Ofs + TCP header length).
func (m *Meta) PutVirtioNetHdr(h header.VirtioNetHdr, hdrLen uint16) {
	clear(h)
	var flags uint8
	if m.CsumPartial {
		flags |= header.VirtioNetHdrFNeedsCsum
		h.SetCsumStart(m.CsumStart)
		h.SetCsumOffset(m.CsumOffset)
	} else if m.CsumVerified {
		flags |= header.VirtioNetHdrFDataValid
	}
	h.SetFlags(flags)
	if m.GSOType != GSONone {
		h.SetGSOType(m.GSOType)
		h.SetGSOSize(m.GSOSize)
		h.SetHdrLen(hdrLen)
	}
}

// CompleteChecksum computes in software the L4 checksum of a
// checksum-partial packet: the sum over the bytes from CsumStart (whose
// checksum field holds the pseudo-header seed) is stored at
// CsumStart+CsumOffset, and CsumPartial is cleared. A packet that is not
// checksum-partial is left alone. Like Linux's skb_checksum_help, a result
// of 0 is stored as 0xffff.
func CompleteChecksum(p *Packet) error {
	m := &p.Meta
	if !m.CsumPartial {
		return nil
	}
	d := p.Data()
	start, at := int(m.CsumStart), int(m.CsumStart)+int(m.CsumOffset)
	if start > len(d) || at+2 > len(d) || at < start {
		return fmt.Errorf("complete checksum: start %d offset %d in a %d-byte packet: %w",
			m.CsumStart, m.CsumOffset, len(d), ErrBadOffload)
	}
	c := header.Checksum(d[start:], 0)
	if c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(d[at:], c)
	m.CsumPartial = false
	return nil
}

// gsoLayout checks that p is a GSO packet Segment can cut (TCP over IPv4
// or IPv6, or UDP for GSOUDPL4) and returns its L3 and L4 offsets, the end
// of its headers, whether it is IPv4, and whether it is UDP.
func gsoLayout(p *Packet) (l3, l4, hdrLen int, v4, udp bool, err error) {
	m := &p.Meta
	if m.GSOType != GSOTCPv4 && m.GSOType != GSOTCPv6 && m.GSOType != GSOUDPL4 || m.GSOSize == 0 {
		return 0, 0, 0, false, false, fmt.Errorf("segment: GSO type %d size %d: %w", m.GSOType, m.GSOSize, ErrBadOffload)
	}
	var k flow.Key
	saved := *m
	ExtractBytes(p.Data(), m, &k)
	l3, l4 = int(m.L3Ofs), int(m.L4Ofs)
	v4 = k.DlType == EthTypeIPv4
	var ok bool
	switch m.GSOType {
	case GSOTCPv4:
		ok = v4 && k.NwProto == ProtoTCP
	case GSOTCPv6:
		ok = k.DlType == EthTypeIPv6 && k.NwProto == ProtoTCP
	case GSOUDPL4:
		ok = (v4 || k.DlType == EthTypeIPv6) && k.NwProto == ProtoUDP
		udp = true
	}
	if !ok || !m.L4OK || k.NwFrag != 0 {
		*m = saved
		return 0, 0, 0, false, false, fmt.Errorf("segment: GSO type %d on a packet that is not %s over the matching IP version: %w",
			m.GSOType, map[bool]string{false: "TCP", true: "UDP"}[udp], ErrBadOffload)
	}
	if udp {
		hdrLen = l4 + header.UDPSize
	} else {
		hdrLen = l4 + header.TCP(p.Data()[l4:]).DataOffset()
	}
	return l3, l4, hdrLen, v4, udp, nil
}

// NumSegments returns how many segments Segment makes of p.
func NumSegments(p *Packet) (int, error) {
	_, _, hdrLen, _, _, err := gsoLayout(p)
	if err != nil {
		return 0, err
	}
	return numSegs(p.Len()-int(p.Meta.L2Pad)-hdrLen, int(p.Meta.GSOSize)), nil
}

func numSegs(payload, mss int) int {
	if payload <= 0 {
		return 1
	}
	return (payload + mss - 1) / mss
}

// Segment cuts a GSO packet into segments of at most GSOSize payload bytes
// allocated from c and appended to out, with the headers replicated and
// fixed up as a NIC or the kernel's software GSO would: IPv4 total length,
// id (incremented per segment) and header checksum; IPv6 payload length;
// for TCP (GSOTCPv4, GSOTCPv6) sequence numbers, FIN/PSH only on the last
// segment, CWR only on the first; for UDP (GSOUDPL4) the UDP length; and
// full L4 checksums. p is not modified (beyond its layer offsets) and stays
// owned by the caller. If all segments do not fit in out, Segment adds none
// and returns ErrBatchFull; use SegmentFrom to spread a large packet over
// several batches.
func Segment(p *Packet, c *Cache, out *Batch) error {
	n, err := NumSegments(p)
	if err != nil {
		return err
	}
	if n > BatchSize-out.N {
		return fmt.Errorf("segment: %d segments, %d free slots: %w", n, BatchSize-out.N, ErrBatchFull)
	}
	_, err = SegmentFrom(p, c, out, 0)
	return err
}

// SegmentFrom is Segment starting at segment first and stopping when out
// is full. It returns the index of the next segment to produce, equal to
// NumSegments(p) when done. On a pool exhaustion it frees the segments it
// added and returns ErrNoBuffers with first.
func SegmentFrom(p *Packet, c *Cache, out *Batch, first int) (int, error) {
	l3, l4, hdrLen, v4, udp, err := gsoLayout(p)
	if err != nil {
		return first, err
	}
	// Ethernet padding after the IP packet is not payload.
	d := p.Data()
	d = d[:len(d)-int(p.Meta.L2Pad)]
	mss := int(p.Meta.GSOSize)
	payload := len(d) - hdrLen
	n := numSegs(payload, mss)
	var seq0 uint32
	var flags0 uint16
	if !udp {
		tcp0 := header.TCP(d[l4:])
		seq0, flags0 = tcp0.Seq(), tcp0.Flags()
	}
	var id0 uint16
	if v4 {
		id0 = header.IPv4(d[l3:]).ID()
	}
	proto := uint8(ProtoTCP)
	if udp {
		proto = ProtoUDP
	}
	startN := out.N
	i := first
	for ; i < n && !out.Full(); i++ {
		lo := min(i*mss, max(payload, 0))
		hi := min(lo+mss, max(payload, 0))
		q := c.Alloc(hdrLen + hi - lo)
		if q == nil {
			for _, s := range out.Pkts[startN:out.N] {
				c.Free(s)
			}
			clear(out.Pkts[startN:out.N])
			out.N = startN
			return first, fmt.Errorf("segment %d of %d: %w", i, n, ErrNoBuffers)
		}
		s := q.Data()
		copy(s, d[:hdrLen])
		copy(s[hdrLen:], d[hdrLen+lo:hdrLen+hi])
		q.Meta = p.Meta
		q.Meta.GSOType, q.Meta.GSOSize = GSONone, 0
		q.Meta.CsumPartial, q.Meta.CsumStart, q.Meta.CsumOffset = false, 0, 0

		l4Len := len(s) - l4
		var pseudo uint32
		if v4 {
			ip := header.IPv4(s[l3:])
			ip.SetTotalLength(uint16(len(s) - l3))
			ip.SetID(id0 + uint16(i))
			ip.UpdateChecksum()
			pseudo = ip.PseudoHeaderSum(proto, uint16(l4Len))
		} else {
			ip := header.IPv6(s[l3:])
			ip.SetPayloadLength(uint16(len(s) - l3 - header.IPv6MinimumSize))
			pseudo = ip.PseudoHeaderSum(proto, uint32(l4Len))
		}
		if udp {
			u := header.UDP(s[l4:])
			u.SetLength(uint16(l4Len))
			u.SetChecksum(0)
			cs := header.Checksum(s[l4:], pseudo)
			if cs == 0 {
				cs = 0xffff
			}
			u.SetChecksum(cs)
		} else {
			tcp := header.TCP(s[l4:])
			tcp.SetSeq(seq0 + uint32(lo))
			f := flags0
			if i != n-1 {
				f &^= header.TCPFlagFin | header.TCPFlagPsh
			}
			if i != 0 {
				f &^= header.TCPFlagCwr
			}
			tcp.SetFlags(f)
			tcp.SetChecksum(0)
			tcp.SetChecksum(header.Checksum(s[l4:], pseudo))
		}
		out.Add(q)
	}
	return i, nil
}
