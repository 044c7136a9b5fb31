package packet

import (
	"encoding/binary"
	"sync/atomic"
	"unsafe"

	"govs.dev/govs/flow"
)

// Packet types of Meta.PacketType and flow.Key.PacketType.
const (
	PacketTypeEthernet = 0                   // (OFPHTN_ONF, 0)
	PacketTypeIPv4     = 1<<16 | 0x0800      // (OFPHTN_ETHERTYPE, 0x0800)
	PacketTypeIPv6     = 1<<16 | 0x86dd      // (OFPHTN_ETHERTYPE, 0x86dd)
	PacketTypeMPLS     = 1<<16 | EthTypeMPLS // (OFPHTN_ETHERTYPE, 0x8847)
)

// EtherType and IP protocol numbers used by Extract and Compose.
const (
	EthTypeIPv4    = 0x0800
	EthTypeARP     = 0x0806
	EthTypeRARP    = 0x8035
	EthTypeVLAN    = 0x8100
	EthTypeQinQ    = 0x88a8
	EthTypeIPv6    = 0x86dd
	EthTypeMPLS    = 0x8847
	EthTypeMPLSMC  = 0x8848
	EthTypeMin     = 0x0600 // smaller values are 802.3 lengths
	DlTypeNone     = 0x05ff // OVS's dl_type for 802.2 frames without SNAP
	ProtoICMP      = 1
	ProtoIGMP      = 2
	ProtoTCP       = 6
	ProtoUDP       = 17
	ProtoIPv6Hop   = 0
	ProtoIPv6Route = 43
	ProtoIPv6Frag  = 44
	ProtoAH        = 51
	ProtoICMPv6    = 58
	ProtoIPv6Dst   = 60
	ProtoSCTP      = 132
)

// ICMPv6 neighbour discovery constants.
const (
	icmp6NeighborSolicit = 135
	icmp6NeighborAdvert  = 136
	ndOptSourceLLA       = 1
	ndOptTargetLLA       = 2
)

// vlanLimit is how many VLAN tags Extract parses (OVS's flow_vlan_limit).
var vlanLimit atomic.Int32

func init() { vlanLimit.Store(flow.MaxVLANHeaders) }

// SetVLANLimit sets how many VLAN tags Extract parses, as OVS's
// other_config:vlan-limit does: 0 or less means flow.MaxVLANHeaders, larger
// values are capped to it. Tags beyond the limit are left in the payload and
// their TPID becomes the dl_type. Note that ovs-vswitchd applies a default of
// 1 when the database says nothing; the bridge layer must do the same. Safe
// for concurrent use.
func SetVLANLimit(n int) {
	if n <= 0 || n > flow.MaxVLANHeaders {
		n = flow.MaxVLANHeaders
	}
	vlanLimit.Store(int32(n))
}

// VLANLimit returns the limit set by SetVLANLimit.
func VLANLimit() int { return int(vlanLimit.Load()) }

// Extract fills k from p.Data() and p.Meta and sets p.Meta's layer offsets.
// It follows OVS's flow_extract: truncated or malformed headers stop the
// parse and leave what was valid so far. Hot path: no allocation; never
// panics.
func Extract(p *Packet, k *flow.Key) {
	extract(p.buf[p.off:p.off+p.n], &p.Meta, k)
}

// ExtractMap is Extract that also returns the key's word map: bit i is set
// for every word i of k.Words() that Extract may have written. Every word
// whose bit is clear is zero, so two keys with equal maps are equal when
// their mapped words are: the datapath's exact-match cache hashes and
// compares only those words, as OVS's miniflow does. The map is a
// superset of the nonzero words (a written field may be zero). Hot path: no
// allocation; never panics.
func ExtractMap(p *Packet, k *flow.Key) uint64 {
	return extract(p.buf[p.off:p.off+p.n], &p.Meta, k)
}

// The key's words must fit ExtractMap's 64-bit map.
var _ [64 - flow.KeyWords]struct{}

// wordSpan is the word map of the size bytes at byte offset off of a key.
func wordSpan(off, size uintptr) uint64 {
	first, last := off/8, (off+size-1)/8
	return 1<<(last+1) - 1<<first
}

// Word maps of the key fields Extract writes, by parse step.
var (
	mapTunnel = wordSpan(unsafe.Offsetof(flow.Key{}.TunID),
		unsafe.Offsetof(flow.Key{}.TunTpDst)+2-unsafe.Offsetof(flow.Key{}.TunID))
	mapMeta = wordSpan(unsafe.Offsetof(flow.Key{}.DpHash), 4) |
		wordSpan(unsafe.Offsetof(flow.Key{}.InPort), 4) |
		wordSpan(unsafe.Offsetof(flow.Key{}.DlDst), 14) // DlDst, DlSrc, DlType
	mapMark = wordSpan(unsafe.Offsetof(flow.Key{}.SkbPriority), 4) |
		wordSpan(unsafe.Offsetof(flow.Key{}.PktMark), 4)
	mapRecirc = wordSpan(unsafe.Offsetof(flow.Key{}.RecircID), 4)
	mapCt     = wordSpan(unsafe.Offsetof(flow.Key{}.CtState), 4) |
		wordSpan(unsafe.Offsetof(flow.Key{}.CtZone), 2) |
		wordSpan(unsafe.Offsetof(flow.Key{}.CtMark), 4) |
		wordSpan(unsafe.Offsetof(flow.Key{}.CtLabel), 16)
	mapPacketType = wordSpan(unsafe.Offsetof(flow.Key{}.PacketType), 4)
	mapVLAN       = wordSpan(unsafe.Offsetof(flow.Key{}.VLANs), unsafe.Sizeof(flow.Key{}.VLANs))
	mapMPLS       = wordSpan(unsafe.Offsetof(flow.Key{}.MPLS), unsafe.Sizeof(flow.Key{}.MPLS))
	mapNw         = wordSpan(unsafe.Offsetof(flow.Key{}.IPv6Label), 8) // label, proto, tos, ttl, frag
	mapIPv4       = wordSpan(unsafe.Offsetof(flow.Key{}.NwSrc), 8) | mapNw
	mapIPv6       = wordSpan(unsafe.Offsetof(flow.Key{}.IPv6Src), 32) | mapNw
	mapCtNw       = wordSpan(unsafe.Offsetof(flow.Key{}.CtNwProto), 1)
	mapCt4        = wordSpan(unsafe.Offsetof(flow.Key{}.CtNwSrc), 8)
	mapCt6        = wordSpan(unsafe.Offsetof(flow.Key{}.CtIPv6Src), 32)
	mapCtTp       = wordSpan(unsafe.Offsetof(flow.Key{}.CtTpSrc), 4)
	mapARP        = wordSpan(unsafe.Offsetof(flow.Key{}.NwSrc), 8) | mapNw |
		wordSpan(unsafe.Offsetof(flow.Key{}.ArpSHA), 12)
	mapL4    = wordSpan(unsafe.Offsetof(flow.Key{}.TCPFlags), 6)
	mapNDRes = wordSpan(unsafe.Offsetof(flow.Key{}.NDReserved), 4)
	mapND    = wordSpan(unsafe.Offsetof(flow.Key{}.NDTarget), 16) |
		wordSpan(unsafe.Offsetof(flow.Key{}.ArpSHA), 12)
)

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// tunDstIsSet reports whether a tunnel destination (IPv6 or IPv4-mapped)
// is set, like OVS's flow_tnl_dst_is_set.
func tunDstIsSet(a *[16]byte) bool {
	hi := binary.BigEndian.Uint64(a[0:8])
	lo := binary.BigEndian.Uint64(a[8:16])
	return !(hi == 0 && (lo == 0 || lo == 0x0000ffff00000000))
}

// ExtractBytes is Extract on a plain byte slice: it fills k from data and
// meta and sets meta's layer offsets. Hot path: no allocation; never panics.
func ExtractBytes(data []byte, meta *Meta, k *flow.Key) {
	extract(data, meta, k)
}

// extract is ExtractBytes returning ExtractMap's word map.
func extract(data []byte, meta *Meta, k *flow.Key) uint64 {
	if wm, ok := extractFast(data, meta, k); ok {
		return wm
	}
	return extractGeneric(data, meta, k)
}

// extractFast extracts the most common frame in a straight line: Ethernet
// II without a VLAN tag, IPv4 without options and not a fragment, carrying
// TCP or UDP whose header is all there, with packet metadata without
// tunnel, conntrack, marks or recirculation. For anything else it reports
// false without touching k or meta, and extractGeneric runs. Its results
// equal extractGeneric's (FuzzExtract compares them). Hot path.
func extractFast(data []byte, m *Meta, k *flow.Key) (uint64, bool) {
	if len(data) < 14+20+8 || m.PacketType != PacketTypeEthernet || m.CtState != 0 ||
		m.SkbPriority|m.PktMark|m.RecircID != 0 || tunDstIsSet(&m.TunDst) {
		return 0, false
	}
	ip := data[14:]
	tot := int(be16(ip[2:4]))
	if be16(data[12:14]) != EthTypeIPv4 || ip[0]&0x0f != 5 || be16(ip[6:8])&0x3fff != 0 ||
		tot < 20+8 || tot > len(ip) || len(ip)-tot > 0xffff {
		return 0, false
	}
	l4 := ip[20:tot]
	proto := ip[9]
	var flags uint16
	switch proto {
	case ProtoTCP:
		if len(l4) < 20 {
			return 0, false
		}
		if hl := int(l4[12]>>4) * 4; hl < 20 || len(l4) < hl {
			return 0, false
		}
		flags = be16(l4[12:14]) & 0x0fff
	case ProtoUDP:
	default:
		return 0, false
	}
	*k = flow.Key{}
	k.DpHash = m.DpHash
	k.InPort = m.InPort
	*(*[12]byte)(unsafe.Pointer(&k.DlDst)) = [12]byte(data[0:12])
	k.DlType = EthTypeIPv4
	k.NwSrc = be32(ip[12:16])
	k.NwDst = be32(ip[16:20])
	k.NwTOS = ip[1]
	k.NwTTL = ip[8]
	k.NwProto = proto
	k.TCPFlags = flags
	k.TpSrc = be16(l4[0:2])
	k.TpDst = be16(l4[2:4])
	m.L2Ofs, m.L2_5Ofs, m.L3Ofs, m.L4Ofs = 0, OffsetNone, 14, 14+20
	m.L2Pad = uint16(len(ip) - tot)
	m.L3OK, m.L4OK = true, true
	return mapMeta | mapIPv4 | mapL4, true
}

// extractGeneric is extract for every frame and metadata, following OVS's
// flow_extract step by step.
func extractGeneric(data []byte, meta *Meta, k *flow.Key) (wm uint64) {
	*k = flow.Key{}
	m := meta
	wm = mapMeta

	// Metadata.
	if tunDstIsSet(&m.TunDst) {
		wm |= mapTunnel
		k.TunID = m.TunID
		k.TunSrc = m.TunSrc
		k.TunDst = m.TunDst
		k.TunFlags = m.TunFlags
		k.TunTOS = m.TunTOS
		k.TunTTL = m.TunTTL
		k.TunTpSrc = m.TunTpSrc
		k.TunTpDst = m.TunTpDst
	}
	// Metadata words that are zero stay out of the map: most packets
	// carry no mark and are not recirculated.
	if m.SkbPriority|m.PktMark != 0 {
		wm |= mapMark
		k.SkbPriority = m.SkbPriority
		k.PktMark = m.PktMark
	}
	k.DpHash = m.DpHash
	k.InPort = m.InPort
	if m.RecircID != 0 {
		wm |= mapRecirc
		k.RecircID = m.RecircID
	}
	ct := m.CtState != 0
	if ct {
		wm |= mapCt
		k.CtState = m.CtState
		k.CtZone = m.CtZone
		k.CtMark = m.CtMark
		k.CtLabel = m.CtLabel
	}

	m.L2Ofs, m.L2_5Ofs, m.L3Ofs, m.L4Ofs = OffsetNone, OffsetNone, OffsetNone, OffsetNone
	m.L2Pad = 0
	m.L3OK, m.L4OK = false, false

	var dlType uint16
	off := 0
	if m.PacketType != PacketTypeEthernet {
		// A bare L3 packet: the packet type gives the dl_type.
		wm |= mapPacketType
		k.PacketType = m.PacketType
		dlType = uint16(m.PacketType)
		k.DlType = dlType
	} else {
		// Link layer: a full Ethernet header is required.
		if len(data) < 14 {
			return
		}
		m.L2Ofs = 0
		// DlDst and DlSrc are adjacent in the key as in the frame.
		*(*[12]byte)(unsafe.Pointer(&k.DlDst)) = [12]byte(data[0:12])
		off = 12
		dlType = be16(data[12:14])
		if dlType == EthTypeVLAN || dlType == EthTypeQinQ {
			limit := int(vlanLimit.Load())
			for n := 0; n < limit; n++ {
				tpid := be16(data[off:])
				if tpid != EthTypeVLAN && tpid != EthTypeQinQ || len(data)-off < 6 {
					break
				}
				wm |= mapVLAN
				k.VLANs[n] = flow.VLAN{TPID: tpid, TCI: be16(data[off+2:]) | flow.VLANCFI}
				off += 4
			}
			dlType = be16(data[off:])
		}
		off += 2
		if dlType < EthTypeMin {
			dlType = parseLLC(data, &off, dlType)
		}
		k.DlType = dlType
	}

	// MPLS label stack.
	if dlType == EthTypeMPLS || dlType == EthTypeMPLSMC {
		m.L2_5Ofs = uint16(off)
		wm |= mapMPLS
		for n := 0; len(data)-off >= 4; n++ {
			lse := be32(data[off:])
			if n < len(k.MPLS) {
				k.MPLS[n] = lse
			}
			off += 4
			if lse&0x100 != 0 {
				break
			}
		}
	}

	// Network layer.
	m.L3Ofs = uint16(off)
	rest := data[off:]
	var nwProto, nwTOS, nwTTL, nwFrag uint8
	var ctTpSrc, ctTpDst uint16
	switch dlType {
	case EthTypeIPv4:
		if len(rest) < 20 {
			return
		}
		ihl := int(rest[0]&0x0f) * 4
		if ihl < 20 || len(rest) < ihl {
			return
		}
		tot := int(be16(rest[2:]))
		if tot > len(rest) || ihl > tot || len(rest)-tot > 0xffff {
			return
		}
		m.L2Pad = uint16(len(rest) - tot)
		rest = rest[:tot]
		wm |= mapIPv4
		k.NwSrc = be32(rest[12:])
		k.NwDst = be32(rest[16:])
		if ct && !m.CtOrigIPv6 {
			wm |= mapCtNw
			k.CtNwProto = m.CtNwProto
			if m.CtNwProto != 0 {
				wm |= mapCt4 | mapCtTp
				k.CtNwSrc = m.CtNwSrc
				k.CtNwDst = m.CtNwDst
				ctTpSrc, ctTpDst = m.CtTpSrc, m.CtTpDst
			}
		}
		nwTOS = rest[1]
		nwTTL = rest[8]
		nwProto = rest[9]
		if fo := be16(rest[6:]); fo&0x3fff != 0 {
			nwFrag = flow.FragAny
			if fo&0x1fff != 0 {
				nwFrag |= flow.FragLater
			}
		}
		rest = rest[ihl:]
		off += ihl
	case EthTypeIPv6:
		if len(rest) < 40 {
			return
		}
		plen := int(be16(rest[4:]))
		if plen+40 > len(rest) || len(rest)-(plen+40) > 0xffff {
			return
		}
		nh := rest[:40]
		rest = rest[40:]
		off += 40
		m.L2Pad = uint16(len(rest) - plen)
		rest = rest[:plen]
		wm |= mapIPv6
		// IPv6Src and IPv6Dst are adjacent in the key as in the header.
		*(*[32]byte)(unsafe.Pointer(&k.IPv6Src)) = [32]byte(nh[8:40])
		if ct && m.CtOrigIPv6 {
			wm |= mapCtNw
			k.CtNwProto = m.CtNwProto
			if m.CtNwProto != 0 {
				wm |= mapCt6 | mapCtTp
				k.CtIPv6Src = m.CtIPv6Src
				k.CtIPv6Dst = m.CtIPv6Dst
				ctTpSrc, ctTpDst = m.CtTpSrc, m.CtTpDst
			}
		}
		tcFlow := be32(nh[0:])
		nwTOS = uint8(tcFlow >> 20)
		nwTTL = nh[7]
		nwProto = nh[6]
		var ok bool
		var n int
		n, nwProto, nwFrag, ok = parseIPv6Ext(rest, nwProto)
		if !ok {
			m.L3OK = true
			return
		}
		rest = rest[n:]
		off += n
		k.IPv6Label = tcFlow & 0xfffff
	case EthTypeARP, EthTypeRARP:
		if len(rest) >= 28 && be16(rest[0:]) == 1 && be16(rest[2:]) == EthTypeIPv4 &&
			rest[4] == 6 && rest[5] == 4 {
			wm |= mapARP
			k.NwSrc = be32(rest[14:])
			k.NwDst = be32(rest[24:])
			if op := be16(rest[6:]); op <= 0xff {
				k.NwProto = uint8(op)
			}
			copy(k.ArpSHA[:], rest[8:14])
			copy(k.ArpTHA[:], rest[18:24])
		}
		return
	default:
		return
	}

	m.L3OK = true
	m.L4Ofs = uint16(off)
	k.NwFrag = nwFrag
	k.NwTOS = nwTOS
	k.NwTTL = nwTTL
	k.NwProto = nwProto
	if nwFrag&flow.FragLater != 0 {
		return
	}
	wm |= mapL4
	switch nwProto {
	case ProtoTCP:
		if len(rest) >= 20 {
			hl := int(rest[12]>>4) * 4
			if hl >= 20 && len(rest) >= hl {
				k.TCPFlags = be16(rest[12:]) & 0x0fff
				k.TpSrc = be16(rest[0:])
				k.TpDst = be16(rest[2:])
				k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
				m.L4OK = true
			}
		}
	case ProtoUDP:
		if len(rest) >= 8 {
			k.TpSrc = be16(rest[0:])
			k.TpDst = be16(rest[2:])
			k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
			m.L4OK = true
		}
	case ProtoSCTP:
		if len(rest) >= 12 {
			k.TpSrc = be16(rest[0:])
			k.TpDst = be16(rest[2:])
			k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
			m.L4OK = true
		}
	case ProtoICMP:
		if len(rest) >= 8 {
			k.TpSrc = uint16(rest[0])
			k.TpDst = uint16(rest[1])
			k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
			m.L4OK = true
		}
	case ProtoIGMP:
		if len(rest) >= 8 {
			k.TpSrc = uint16(rest[0])
			k.TpDst = uint16(rest[1])
			k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
			// OVS keeps the IGMP group in the word it shares with
			// nd_reserved (igmp_group_ip4).
			wm |= mapNDRes
			k.NDReserved = be32(rest[4:])
			m.L4OK = true
		}
	case ProtoICMPv6:
		if len(rest) >= 8 {
			m.L4OK = true
			typ, code := rest[0], rest[1]
			k.TpSrc = uint16(typ)
			k.TpDst = uint16(code)
			if code != 0 || (typ != icmp6NeighborSolicit && typ != icmp6NeighborAdvert) {
				k.CtTpSrc, k.CtTpDst = ctTpSrc, ctTpDst
				return
			}
			wm |= mapNDRes | mapND
			extractND(rest, k)
		}
	}
	return wm
}

// parseLLC handles an 802.3 length in place of an EtherType: an LLC/SNAP
// header with the Ethernet OUI gives the EtherType, anything else is
// DlTypeNone, like OVS's parse_ethertype.
func parseLLC(data []byte, off *int, dlType uint16) uint16 {
	if dlType >= EthTypeMin {
		return dlType
	}
	if len(data)-*off < 8 {
		return DlTypeNone
	}
	llc := data[*off : *off+8]
	if llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] != 0 || llc[4] != 0 || llc[5] != 0 {
		return DlTypeNone
	}
	*off += 8
	if t := be16(llc[6:]); t >= EthTypeMin {
		return t
	}
	return DlTypeNone
}

// extractND parses a neighbour solicitation or advertisement (rest starts at
// the ICMPv6 header) like OVS's parse_icmpv6.
func extractND(rest []byte, k *flow.Key) {
	k.NDReserved = be32(rest[4:])
	rest = rest[8:]
	if len(rest) < 16 {
		return
	}
	var target, sha, tha [16]byte
	copy(target[:], rest[:16])
	rest = rest[16:]
	var optType uint16
	valid := true
	for len(rest) >= 8 {
		optLen := int(rest[1]) * 8
		if optLen == 0 || optLen > len(rest) {
			break
		}
		switch {
		case rest[0] == ndOptSourceLLA && optLen == 8:
			if !isZeroMAC(sha[:6]) {
				valid = false
			} else {
				copy(sha[:6], rest[2:8])
				if optType == 0 {
					optType = ndOptSourceLLA
				}
			}
		case rest[0] == ndOptTargetLLA && optLen == 8:
			if !isZeroMAC(tha[:6]) {
				valid = false
			} else {
				copy(tha[:6], rest[2:8])
				if optType == 0 {
					optType = ndOptTargetLLA
				}
			}
		}
		if !valid {
			break
		}
		rest = rest[optLen:]
	}
	// OVS keeps the option type even when it drops a duplicated option.
	k.TCPFlags = optType
	if !valid {
		return
	}
	k.NDTarget = target
	copy(k.ArpSHA[:], sha[:6])
	copy(k.ArpTHA[:], tha[:6])
}

func isZeroMAC(b []byte) bool {
	return b[0]|b[1]|b[2]|b[3]|b[4]|b[5] == 0
}

// parseIPv6Ext skips IPv6 extension headers starting with next header proto,
// like OVS's parse_ipv6_ext_hdrs: it returns how many bytes it consumed, the
// final protocol (ProtoIPv6Frag for a later fragment), the fragment bits and
// false if an extension header is truncated.
func parseIPv6Ext(b []byte, proto uint8) (n int, nwProto, frag uint8, ok bool) {
	for {
		switch proto {
		case ProtoIPv6Hop, ProtoIPv6Route, ProtoIPv6Dst, ProtoAH, ProtoIPv6Frag:
		default:
			return n, proto, frag, true
		}
		if len(b)-n < 8 {
			return n, proto, frag, false
		}
		h := b[n:]
		switch proto {
		case ProtoIPv6Hop, ProtoIPv6Route, ProtoIPv6Dst:
			proto = h[0]
			l := (int(h[1]) + 1) * 8
			if l > len(h) {
				return n, proto, frag, false
			}
			n += l
		case ProtoAH:
			proto = h[0]
			l := (int(h[1]) + 2) * 4
			if l > len(h) {
				return n, proto, frag, false
			}
			n += l
		case ProtoIPv6Frag:
			proto = h[0]
			n += 8
			if offlg := be16(h[2:]); offlg != 0 {
				frag = flow.FragAny
				if offlg&0xfff8 != 0 {
					frag |= flow.FragLater
					return n, ProtoIPv6Frag, frag, true
				}
			}
		}
	}
}
