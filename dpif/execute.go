package dpif

import (
	"encoding/binary"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/packet"
)

// execute runs acts on p, which it owns; p is sent, recirculated or freed.
// k is p's key as extracted before the actions (read-only). Hot path: no
// allocation unless an action needs a copy of the packet (an output that is
// not the last action, clone, userspace).
func (l *loop) execute(p *packet.Packet, k *flow.Key, acts []odp.Action, depth int) {
	cut := 0
	for i := range acts {
		a := &acts[i]
		last := i == len(acts)-1
		switch a.Type {
		case odp.ActOutput:
			q := p
			if !last {
				if q = l.cache.Clone(p); q == nil {
					l.stats.dropAlloc.add(1)
					continue
				}
			}
			if cut > 0 {
				if q.Len() > cut {
					q.Truncate(cut)
				}
				cut = 0
			}
			l.output(q, a.Port)
			if last {
				return
			}
		case odp.ActUserspace:
			l.userspace(p, k, a.Userspace)
		case odp.ActSet:
			if a.Set != nil {
				setMasked(p, a.Set)
			}
		case odp.ActPushVLAN:
			pushVLAN(p, a.TPID, a.TCI)
		case odp.ActPopVLAN:
			popVLAN(p)
		case odp.ActRecirc:
			q := p
			if !last {
				if q = l.cache.Clone(p); q == nil {
					l.stats.dropAlloc.add(1)
					continue
				}
			}
			q.Meta.RecircID = a.ID
			switch {
			case depth+1 > maxRecircDepth:
				l.stats.dropRecircDepth.add(1)
				l.cache.Free(q)
			case len(l.recirc) == cap(l.recirc):
				l.stats.dropRecircDepth.add(1)
				l.cache.Free(q)
			default:
				l.recirc = append(l.recirc, recircPkt{p: q, depth: depth + 1})
			}
			if last {
				return
			}
		case odp.ActHash:
			packet.Extract(p, &l.hashKey)
			p.Meta.DpHash = hash5Tuple(&l.hashKey, a.Basis)
		case odp.ActClone:
			if q := l.cache.Clone(p); q != nil {
				l.execute(q, k, a.Nested, depth)
			} else {
				l.stats.dropAlloc.add(1)
			}
		case odp.ActTrunc:
			cut = int(a.Len)
		case odp.ActDrop:
			l.cache.Free(p)
			return
		}
	}
	l.cache.Free(p)
}

// hash5Tuple is the dp_hash of the hash(l4(basis)) action: a hash of the
// addresses, protocol and ports, never 0 (0 means "no hash" to OVS).
func hash5Tuple(k *flow.Key, basis uint32) uint32 {
	h := uint64(basis) ^ 0x9e3779b97f4a7c15
	mix := func(v uint64) {
		h ^= v
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	if k.IsIPv6() {
		mix(binary.LittleEndian.Uint64(k.IPv6Src[:8]) ^ binary.LittleEndian.Uint64(k.IPv6Src[8:]))
		mix(binary.LittleEndian.Uint64(k.IPv6Dst[:8]) ^ binary.LittleEndian.Uint64(k.IPv6Dst[8:]))
	} else {
		mix(uint64(k.NwSrc)<<32 | uint64(k.NwDst))
	}
	mix(uint64(k.NwProto)<<32 | uint64(k.TpSrc)<<16 | uint64(k.TpDst))
	r := uint32(h ^ h>>32)
	if r == 0 {
		r = 1
	}
	return r
}

// Ethernet types the actions look at.
const (
	ethIPv4 = 0x0800
	ethIPv6 = 0x86dd
	ethARP  = 0x0806
	ethVLAN = 0x8100
	ethQinQ = 0x88a8
)

// pushVLAN inserts a tag after the MAC addresses. Layer offsets move by 4.
func pushVLAN(p *packet.Packet, tpid, tci uint16) {
	if p.Len() < 12 {
		return
	}
	if _, err := p.Push(4); err != nil {
		return
	}
	d := p.Data()
	copy(d[0:12], d[4:16])
	binary.BigEndian.PutUint16(d[12:], tpid)
	binary.BigEndian.PutUint16(d[14:], tci&^flow.VLANCFI)
	shiftOffsets(&p.Meta, 4)
}

// popVLAN removes the outer tag, if any.
func popVLAN(p *packet.Packet) {
	d := p.Data()
	if len(d) < 18 {
		return
	}
	if t := binary.BigEndian.Uint16(d[12:]); t != ethVLAN && t != ethQinQ {
		return
	}
	copy(d[4:16], d[0:12])
	p.Pull(4)
	shiftOffsets(&p.Meta, -4)
}

func shiftOffsets(m *packet.Meta, by int) {
	for _, o := range []*uint16{&m.L2_5Ofs, &m.L3Ofs, &m.L4Ofs} {
		if *o != packet.OffsetNone {
			*o = uint16(int(*o) + by)
		}
	}
	if m.CsumPartial {
		m.CsumStart = uint16(int(m.CsumStart) + by)
	}
}

// l3 returns the packet's L3 offset and Ethernet type, computing them from
// the headers when Extract's offsets are absent.
func l3(p *packet.Packet) (int, uint16) {
	d := p.Data()
	off := 12
	for off+2 <= len(d) {
		t := binary.BigEndian.Uint16(d[off:])
		if t == ethVLAN || t == ethQinQ {
			off += 4
			continue
		}
		if p.Meta.L3Ofs != packet.OffsetNone {
			return int(p.Meta.L3Ofs), t
		}
		return off + 2, t
	}
	return -1, 0
}

// setMasked applies a masked set action to the packet's headers and
// metadata, keeping checksums right. Hot path.
func setMasked(p *packet.Packet, s *odp.SetMasked) {
	v, m := &s.Value, &s.Mask
	md := &p.Meta
	md.SkbPriority = md.SkbPriority&^m.SkbPriority | v.SkbPriority&m.SkbPriority
	md.PktMark = md.PktMark&^m.PktMark | v.PktMark&m.PktMark
	if m.TunID|uint64(m.TunFlags)|uint64(m.TunTOS)|uint64(m.TunTTL)|uint64(m.TunTpSrc)|uint64(m.TunTpDst) != 0 ||
		m.TunSrc != ([16]byte{}) || m.TunDst != ([16]byte{}) {
		md.TunID = md.TunID&^m.TunID | v.TunID&m.TunID
		maskBytes(md.TunSrc[:], v.TunSrc[:], m.TunSrc[:])
		maskBytes(md.TunDst[:], v.TunDst[:], m.TunDst[:])
		md.TunFlags = md.TunFlags&^m.TunFlags | v.TunFlags&m.TunFlags
		md.TunTOS = md.TunTOS&^m.TunTOS | v.TunTOS&m.TunTOS
		md.TunTTL = md.TunTTL&^m.TunTTL | v.TunTTL&m.TunTTL
		md.TunTpSrc = md.TunTpSrc&^m.TunTpSrc | v.TunTpSrc&m.TunTpSrc
		md.TunTpDst = md.TunTpDst&^m.TunTpDst | v.TunTpDst&m.TunTpDst
	}
	d := p.Data()
	if len(d) < 14 {
		return
	}
	maskBytes(d[0:6], v.DlDst[:], m.DlDst[:])
	maskBytes(d[6:12], v.DlSrc[:], m.DlSrc[:])
	if tm := m.VLANs[0].TCI &^ flow.VLANCFI; tm != 0 && len(d) >= 18 {
		if t := binary.BigEndian.Uint16(d[12:]); t == ethVLAN || t == ethQinQ {
			old := binary.BigEndian.Uint16(d[14:])
			binary.BigEndian.PutUint16(d[14:], old&^tm|v.VLANs[0].TCI&tm)
		}
	}
	off, typ := l3(p)
	if off < 0 {
		return
	}
	switch typ {
	case ethIPv4:
		setIPv4(p, d, off, v, m)
	case ethIPv6:
		setIPv6(p, d, off, v, m)
	case ethARP:
		setARP(d, off, v, m)
	}
}

func maskBytes(dst, val, mask []byte) {
	for i := range dst {
		dst[i] = dst[i]&^mask[i] | val[i]&mask[i]
	}
}

// l4csum describes where a packet's L4 checksum is and whether it covers the
// IP pseudo-header.
type l4csum struct {
	off     int  // offset of the checksum field, -1 if none
	pseudo  bool // the pseudo-header is covered (TCP, UDP, ICMPv6)
	udp     bool // 0 means "no checksum" and 0xffff stands for 0
	partial bool // the field holds the non-inverted pseudo-header seed
}

// l4Checksum locates the L4 checksum of a non-fragment (or first fragment
// with a complete L4 header is not rewritten, as OVS does not either).
func l4Checksum(p *packet.Packet, d []byte, l4 int, proto uint8, v6 bool) (c l4csum, ports bool) {
	c.off = -1
	if l4 < 0 || l4 >= len(d) {
		return c, false
	}
	switch proto {
	case 6:
		if l4+20 <= len(d) {
			c.off, c.pseudo = l4+16, true
		}
		ports = true
	case 17:
		if l4+8 <= len(d) {
			c.off, c.pseudo, c.udp = l4+6, true, true
		}
		ports = true
	case 132:
		ports = true // SCTP: CRC32c, not incrementally updatable
	case 1:
		if !v6 && l4+4 <= len(d) {
			c.off = l4 + 2
		}
	case 58:
		if v6 && l4+4 <= len(d) {
			c.off, c.pseudo = l4+2, true
		}
	}
	if c.off >= 0 && p.Meta.CsumPartial && int(p.Meta.CsumStart)+int(p.Meta.CsumOffset) == c.off {
		c.partial = true
	}
	return c, ports
}

// update16 adjusts checksum c for a covered 16-bit change. pseudoOnly says
// the word is in the pseudo-header, which a partial seed includes; data
// words are left to whoever completes a partial checksum.
func (c *l4csum) update(d []byte, old, nw uint16, pseudoOnly bool) {
	if c.off < 0 || old == nw {
		return
	}
	cur := binary.BigEndian.Uint16(d[c.off:])
	switch {
	case c.partial:
		if pseudoOnly {
			binary.BigEndian.PutUint16(d[c.off:], packet.UpdateSum16(cur, old, nw))
		}
	case c.udp && cur == 0:
		// No checksum.
	default:
		n := packet.UpdateChecksum16(cur, old, nw)
		if c.udp && n == 0 {
			n = 0xffff
		}
		binary.BigEndian.PutUint16(d[c.off:], n)
	}
}

func (c *l4csum) update32(d []byte, old, nw uint32, pseudoOnly bool) {
	c.update(d, uint16(old>>16), uint16(nw>>16), pseudoOnly)
	c.update(d, uint16(old), uint16(nw), pseudoOnly)
}

func setIPv4(p *packet.Packet, d []byte, off int, v, m *flow.Key) {
	if off+20 > len(d) || d[off]>>4 != 4 {
		return
	}
	ihl := int(d[off]&0xf) * 4
	if ihl < 20 || off+ihl > len(d) {
		return
	}
	ip := d[off:]
	csum := binary.BigEndian.Uint16(ip[10:])
	proto := ip[9]
	later := binary.BigEndian.Uint16(ip[6:])&0x1fff != 0
	l4 := -1
	if !later {
		l4 = off + ihl
	}
	lc, ports := l4Checksum(p, d, l4, proto, false)
	if m.NwSrc != 0 {
		old := binary.BigEndian.Uint32(ip[12:])
		nw := old&^m.NwSrc | v.NwSrc&m.NwSrc
		binary.BigEndian.PutUint32(ip[12:], nw)
		csum = packet.UpdateChecksum32(csum, old, nw)
		if lc.pseudo {
			lc.update32(d, old, nw, true)
		}
	}
	if m.NwDst != 0 {
		old := binary.BigEndian.Uint32(ip[16:])
		nw := old&^m.NwDst | v.NwDst&m.NwDst
		binary.BigEndian.PutUint32(ip[16:], nw)
		csum = packet.UpdateChecksum32(csum, old, nw)
		if lc.pseudo {
			lc.update32(d, old, nw, true)
		}
	}
	if m.NwTOS != 0 || m.NwTTL != 0 {
		oldW := binary.BigEndian.Uint16(ip[0:])
		ip[1] = ip[1]&^m.NwTOS | v.NwTOS&m.NwTOS
		csum = packet.UpdateChecksum16(csum, oldW, binary.BigEndian.Uint16(ip[0:]))
		oldW = binary.BigEndian.Uint16(ip[8:])
		ip[8] = ip[8]&^m.NwTTL | v.NwTTL&m.NwTTL
		csum = packet.UpdateChecksum16(csum, oldW, binary.BigEndian.Uint16(ip[8:]))
	}
	binary.BigEndian.PutUint16(ip[10:], csum)
	if l4 >= 0 {
		setL4(d, l4, proto, &lc, ports, v, m)
	}
}

func setIPv6(p *packet.Packet, d []byte, off int, v, m *flow.Key) {
	if off+40 > len(d) || d[off]>>4 != 6 {
		return
	}
	ip := d[off:]
	l4, proto := -1, uint8(0)
	if p.Meta.L4Ofs != packet.OffsetNone {
		l4 = int(p.Meta.L4Ofs)
		proto = ip[6]
		if p.Meta.L4Ofs != uint16(off+40) {
			// Extension headers: take the protocol from nothing we can
			// trust cheaply; leave L4 checksums alone.
			l4 = -1
		}
	}
	lc, ports := l4Checksum(p, d, l4, proto, true)
	for _, a := range []struct {
		at       int
		val, msk *[16]byte
	}{{8, &v.IPv6Src, &m.IPv6Src}, {24, &v.IPv6Dst, &m.IPv6Dst}} {
		if *a.msk == ([16]byte{}) {
			continue
		}
		var old, nw [16]byte
		copy(old[:], ip[a.at:a.at+16])
		for i := range nw {
			nw[i] = old[i]&^a.msk[i] | a.val[i]&a.msk[i]
		}
		copy(ip[a.at:], nw[:])
		if lc.pseudo {
			for i := 0; i < 16; i += 2 {
				lc.update(d, binary.BigEndian.Uint16(old[i:]), binary.BigEndian.Uint16(nw[i:]), true)
			}
		}
	}
	if m.NwTOS != 0 || m.IPv6Label != 0 {
		w := binary.BigEndian.Uint32(ip[0:])
		tm := uint32(m.NwTOS)<<20 | m.IPv6Label&0xfffff
		tv := uint32(v.NwTOS)<<20 | v.IPv6Label&0xfffff
		binary.BigEndian.PutUint32(ip[0:], w&^tm|tv&tm)
	}
	ip[7] = ip[7]&^m.NwTTL | v.NwTTL&m.NwTTL
	if l4 >= 0 {
		setL4(d, l4, proto, &lc, ports, v, m)
	}
}

// setL4 rewrites TCP/UDP/SCTP ports or ICMP type and code.
func setL4(d []byte, l4 int, proto uint8, lc *l4csum, ports bool, v, m *flow.Key) {
	if m.TpSrc == 0 && m.TpDst == 0 {
		return
	}
	if ports {
		if l4+4 > len(d) {
			return
		}
		for _, f := range []struct {
			at       int
			val, msk uint16
		}{{0, v.TpSrc, m.TpSrc}, {2, v.TpDst, m.TpDst}} {
			if f.msk == 0 {
				continue
			}
			old := binary.BigEndian.Uint16(d[l4+f.at:])
			nw := old&^f.msk | f.val&f.msk
			binary.BigEndian.PutUint16(d[l4+f.at:], nw)
			lc.update(d, old, nw, false)
		}
		if proto == 132 {
			sctpCRC(d[l4:])
		}
		return
	}
	if l4+2 > len(d) {
		return
	}
	old := binary.BigEndian.Uint16(d[l4:])
	d[l4] = d[l4]&^uint8(m.TpSrc) | uint8(v.TpSrc&m.TpSrc)
	d[l4+1] = d[l4+1]&^uint8(m.TpDst) | uint8(v.TpDst&m.TpDst)
	lc.update(d, old, binary.BigEndian.Uint16(d[l4:]), false)
}

// sctpCRC recomputes an SCTP packet's CRC32c checksum.
func sctpCRC(b []byte) {
	if len(b) < 12 {
		return
	}
	binary.LittleEndian.PutUint32(b[8:], 0)
	binary.LittleEndian.PutUint32(b[8:], crc32c(b))
}

func setARP(d []byte, off int, v, m *flow.Key) {
	if off+28 > len(d) {
		return
	}
	a := d[off:]
	if m.NwProto != 0 {
		a[7] = a[7]&^m.NwProto | v.NwProto&m.NwProto
	}
	maskBytes(a[8:14], v.ArpSHA[:], m.ArpSHA[:])
	if m.NwSrc != 0 {
		old := binary.BigEndian.Uint32(a[14:])
		binary.BigEndian.PutUint32(a[14:], old&^m.NwSrc|v.NwSrc&m.NwSrc)
	}
	maskBytes(a[18:24], v.ArpTHA[:], m.ArpTHA[:])
	if m.NwDst != 0 {
		old := binary.BigEndian.Uint32(a[24:])
		binary.BigEndian.PutUint32(a[24:], old&^m.NwDst|v.NwDst&m.NwDst)
	}
}
