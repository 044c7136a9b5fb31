package odp

import (
	"strconv"
	"strings"

	"govs.dev/govs/flow"
)

// Ethertypes the key format cares about.
const (
	ethTypeIPv4    = 0x0800
	ethTypeARP     = 0x0806
	ethTypeRARP    = 0x8035
	ethTypeIPv6    = 0x86dd
	ethTypeVLAN    = 0x8100
	ethTypeVLAN8ad = 0x88a8
	ethTypeMPLS    = 0x8847
	ethTypeMPLSMc  = 0x8848
	ethTypeMin     = 0x0600 // smaller values are 802.3 lengths, not Ethertypes
	dlTypeNone     = 0x05ff // flow.Key.DlType of a frame without an Ethertype
)

// IP protocols with an L4 attribute.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
	protoSCTP   = 132
)

func isVLANType(t uint16) bool     { return t == ethTypeVLAN || t == ethTypeVLAN8ad }
func isMPLSType(t uint16) bool     { return t == ethTypeMPLS || t == ethTypeMPLSMc }
func isIPType(t uint16) bool       { return t == ethTypeIPv4 || t == ethTypeIPv6 }
func isARPType(t uint16) bool      { return t == ethTypeARP || t == ethTypeRARP }
func tcpFlagsBits(m uint16) uint16 { return m & 0x0fff }

// isND reports whether k is an ICMPv6 neighbour solicitation or
// advertisement, the packets whose key carries an nd() attribute.
func isND(k *flow.Key) bool {
	return k.DlType == ethTypeIPv6 && k.NwProto == protoICMPv6 && k.TpDst == 0 &&
		(k.TpSrc == 135 || k.TpSrc == 136)
}

// odpFrag converts flow.Key fragment bits to the ODP enumeration.
func odpFrag(f uint8) uint8 {
	switch {
	case f&flow.FragAny == 0:
		return odpFragNone
	case f&flow.FragLater != 0:
		return odpFragLater
	}
	return odpFragFirst
}

// odpFragMask converts a flow.Key fragment mask to the ODP all-or-nothing mask.
func odpFragMask(m uint8) uint8 {
	if m&flow.FragAny != 0 {
		return 0xff
	}
	return 0
}

// arpOpMask converts the flow.Key nw_proto mask to the 16-bit ARP op mask.
func arpOpMask(m uint8) uint16 {
	if m == 0xff {
		return 0xffff
	}
	return uint16(m)
}

// mplsDepth is the number of label stack entries in k: up to and including
// the bottom of stack, at most three.
func mplsDepth(k *flow.Key) int {
	for i := range k.MPLS {
		if k.MPLS[i]&0x100 != 0 {
			return i + 1
		}
	}
	return len(k.MPLS)
}

// FormatKey appends key under mask in the ODP syntax that OVS's
// odp_flow_format prints for a userspace-datapath flow (what
// "ovs-appctl dpctl/dump-flows" shows), e.g.
//
//	recirc_id(0),in_port(1),eth(src=00:01:02:03:04:05,dst=...),eth_type(0x0800),ipv4(src=10.0.0.1,proto=6,frag=no),tcp(dst=80)
//
// The attributes present are those OVS's datapath key would carry for key
// (eth only for Ethernet packets, ipv4/ipv6/arp/mpls by DlType, tcp/udp/...
// by NwProto, VLAN tags as eth_type(TPID),vlan(...),encap(...)). Unless
// verbose, an attribute whose mask is all zero is left out (except encap and,
// when packet_type is wildcarded, "eth()"), and inside an attribute a field
// with a zero mask is left out; a partially masked field prints value/mask.
// verbose is dpctl/dump-flows -m: every attribute and field, with "/0"
// masks. portName, if not nil, names an exactly matched in_port (return ""
// for a number).
//
// key should already be masked by mask. FormatKey reads key and mask only;
// it is safe for concurrent use with other readers.
func FormatKey(b *strings.Builder, key, mask *flow.Key, portName func(uint32) string, verbose bool) {
	w := keyWriter{b: b, verbose: verbose, first: true}
	w.top(key, mask, portName)
}

type keyWriter struct {
	b       *strings.Builder
	verbose bool
	first   bool // no attribute written yet at this nesting level
}

// open starts attribute name.
func (w *keyWriter) open(name string) {
	if !w.first {
		w.b.WriteByte(',')
	}
	w.first = false
	w.b.WriteString(name)
	w.b.WriteByte('(')
}

func (w *keyWriter) close() { w.b.WriteByte(')') }

// show reports whether an attribute with the given "mask is all zero"
// status is printed.
func (w *keyWriter) show(wild bool) bool { return w.verbose || !wild }

func (w *keyWriter) fields() *fieldFmt { return &fieldFmt{b: w.b, verbose: w.verbose} }

// u32Attr prints skb_priority, skb_mark, recirc_id, dp_hash and ct_mark.
func (w *keyWriter) u32Attr(name string, v, m uint32) {
	if !w.show(m == 0) {
		return
	}
	w.open(name)
	hexCAlt(w.b, uint64(v))
	if m != 0xffffffff {
		w.b.WriteByte('/')
		hexCAlt(w.b, uint64(m))
	}
	w.close()
}

func (w *keyWriter) top(k, m *flow.Key, portName func(uint32) string) {
	w.u32Attr("skb_priority", k.SkbPriority, m.SkbPriority)
	if !isZero(k.TunSrc[:]) || !isZero(k.TunDst[:]) {
		w.tunnel(k, m)
	}
	w.u32Attr("skb_mark", k.PktMark, m.PktMark)

	// ct_state: flags, or +/- form when not exact; hex when verbose.
	if w.show(m.CtState == 0) {
		w.open("ct_state")
		switch {
		case w.verbose:
			hexCAlt(w.b, uint64(k.CtState))
			if m.CtState != 0xffffffff {
				w.b.WriteByte('/')
				hexCAlt(w.b, uint64(m.CtState))
			}
		case m.CtState != 0xffffffff:
			writeFlagsMasked(w.b, ctStateNames[:], k.CtState, m.CtState, 0xffffffff)
		default:
			writeFlags(w.b, ctStateNames[:], k.CtState, '|')
		}
		w.close()
	}
	if w.show(m.CtZone == 0) {
		w.open("ct_zone")
		hexCAlt(w.b, uint64(k.CtZone))
		if m.CtZone != 0xffff {
			w.b.WriteByte('/')
			hexCAlt(w.b, uint64(m.CtZone))
		}
		w.close()
	}
	w.u32Attr("ct_mark", k.CtMark, m.CtMark)
	if w.show(isZero(m.CtLabel[:])) {
		w.open("ct_label")
		writeHexBytes(w.b, k.CtLabel[:])
		if !isOnes(m.CtLabel[:]) {
			w.b.WriteByte('/')
			writeHexBytes(w.b, m.CtLabel[:])
		}
		w.close()
	}
	w.ctTuple(k, m)
	w.u32Attr("recirc_id", k.RecircID, m.RecircID)
	w.u32Attr("dp_hash", k.DpHash, m.DpHash)

	if w.show(m.InPort == 0) {
		w.open("in_port")
		name := ""
		if m.InPort == 0xffffffff && portName != nil {
			name = portName(k.InPort)
		}
		switch {
		case name != "":
			w.b.WriteString(name)
		case m.InPort == 0xffffffff:
			dec(w.b, uint64(k.InPort))
		default:
			dec(w.b, uint64(k.InPort))
			w.b.WriteByte('/')
			hexCAlt(w.b, uint64(m.InPort))
		}
		w.close()
	}

	// packet_type hides a wildcarded eth() only when it is itself shown.
	ptShown := w.show(m.PacketType == 0)
	if ptShown {
		w.open("packet_type")
		f := w.fields()
		f.uintField("ns", uint64(k.PacketType>>16), uint64(m.PacketType>>16), 0xffff, false)
		f.uintField("id", uint64(k.PacketType&0xffff), uint64(m.PacketType&0xffff), 0xffff, true)
		w.close()
	}
	if k.PacketType != 0 {
		w.l2_5(k, m, 0)
		return
	}
	wild := isZero(m.DlSrc[:]) && isZero(m.DlDst[:])
	if w.show(wild) {
		w.open("eth")
		f := w.fields()
		f.macField("src", k.DlSrc, m.DlSrc)
		f.macField("dst", k.DlDst, m.DlDst)
		w.close()
	} else if !ptShown {
		w.open("eth")
		w.close()
	}
	w.l2_5(k, m, 0)
}

// l2_5 prints VLAN tag number depth onward: eth_type, vlan and encap, or
// the Ethertype and L3/L4 attributes.
func (w *keyWriter) l2_5(k, m *flow.Key, depth int) {
	if depth < flow.MaxVLANHeaders {
		tag, tmask := k.VLANs[depth], m.VLANs[depth]
		tpid := tag.TPID
		truncated := tag.TCI == 0
		if !truncated || isVLANType(k.DlType) && k.PacketType == 0 {
			if truncated {
				tpid = k.DlType
			}
			if tpid == 0 {
				tpid = ethTypeVLAN
			}
			w.open("eth_type")
			writeEthType(w.b, tpid)
			w.close()
			if w.show(tmask.TCI == 0) {
				w.open("vlan")
				writeVLANTCI(w.b, tag.TCI, tmask.TCI, w.verbose)
				w.close()
			}
			w.open("encap")
			if !truncated {
				inner := keyWriter{b: w.b, verbose: w.verbose, first: true}
				inner.l2_5(k, m, depth+1)
			}
			w.close()
			return
		}
	}

	if k.DlType < ethTypeMin {
		// No Ethertype in the key: OVS prints the mask's "exact non-Ethernet
		// II" marker after everything else at this level.
		if m.DlType != 0 {
			w.b.WriteString(",eth_type(0/0xffff)")
		}
		return
	}
	if w.show(m.DlType == 0) {
		w.open("eth_type")
		writeEthType(w.b, k.DlType)
		if m.DlType != 0xffff {
			w.b.WriteString("/0x")
			writeHex4(w.b, m.DlType)
		}
		w.close()
	}
	if isVLANType(k.DlType) {
		return
	}
	w.l3(k, m)
}

func (w *keyWriter) l3(k, m *flow.Key) {
	switch {
	case k.DlType == ethTypeIPv4:
		wild := m.NwSrc == 0 && m.NwDst == 0 && m.NwProto == 0 && m.NwTOS == 0 &&
			m.NwTTL == 0 && odpFragMask(m.NwFrag) == 0
		if w.show(wild) {
			w.open("ipv4")
			f := w.fields()
			f.ipv4Field("src", k.NwSrc, m.NwSrc)
			f.ipv4Field("dst", k.NwDst, m.NwDst)
			f.uintField("proto", uint64(k.NwProto), uint64(m.NwProto), 0xff, false)
			f.uintField("tos", uint64(k.NwTOS), uint64(m.NwTOS), 0xff, true)
			f.uintField("ttl", uint64(k.NwTTL), uint64(m.NwTTL), 0xff, false)
			f.fragField(odpFrag(k.NwFrag), odpFragMask(m.NwFrag))
			w.close()
		}
	case k.DlType == ethTypeIPv6:
		wild := isZero(m.IPv6Src[:]) && isZero(m.IPv6Dst[:]) && m.IPv6Label&0xfffff == 0 &&
			m.NwProto == 0 && m.NwTOS == 0 && m.NwTTL == 0 && odpFragMask(m.NwFrag) == 0
		if w.show(wild) {
			w.open("ipv6")
			w.ipv6Fields(k, m)
			w.close()
		}
	case isARPType(k.DlType):
		wild := m.NwSrc == 0 && m.NwDst == 0 && m.NwProto == 0 &&
			isZero(m.ArpSHA[:]) && isZero(m.ArpTHA[:])
		if w.show(wild) {
			w.open("arp")
			w.arpFields(k, m)
			w.close()
		}
	case isMPLSType(k.DlType):
		n := mplsDepth(k)
		wild, exact := true, true
		for i := 0; i < n; i++ {
			wild = wild && m.MPLS[i] == 0
			exact = exact && m.MPLS[i] == 0xffffffff
		}
		if w.show(wild) {
			w.open("mpls")
			writeMPLS(w.b, k.MPLS[:n], m.MPLS[:n], exact)
			w.close()
		}
		return
	default:
		return
	}
	if !isIPType(k.DlType) || k.NwFrag&flow.FragLater != 0 {
		return
	}
	w.l4(k, m)
}

func (w *keyWriter) ipv6Fields(k, m *flow.Key) {
	f := w.fields()
	f.ipv6Field("src", k.IPv6Src, m.IPv6Src)
	f.ipv6Field("dst", k.IPv6Dst, m.IPv6Dst)
	full := ^uint64(0) // never equal: print the mask
	if m.IPv6Label&0xfffff == 0xfffff {
		full = uint64(m.IPv6Label) // all 20 label bits: no mask
	}
	f.uintField("label", uint64(k.IPv6Label), uint64(m.IPv6Label), full, true)
	f.uintField("proto", uint64(k.NwProto), uint64(m.NwProto), 0xff, false)
	f.uintField("tclass", uint64(k.NwTOS), uint64(m.NwTOS), 0xff, true)
	f.uintField("hlimit", uint64(k.NwTTL), uint64(m.NwTTL), 0xff, false)
	f.fragField(odpFrag(k.NwFrag), odpFragMask(m.NwFrag))
}

func (w *keyWriter) arpFields(k, m *flow.Key) {
	f := w.fields()
	f.ipv4Field("sip", k.NwSrc, m.NwSrc)
	f.ipv4Field("tip", k.NwDst, m.NwDst)
	f.uintField("op", uint64(k.NwProto), uint64(arpOpMask(m.NwProto)), 0xffff, false)
	f.macField("sha", k.ArpSHA, m.ArpSHA)
	f.macField("tha", k.ArpTHA, m.ArpTHA)
}

func (w *keyWriter) tpAttr(name string, k, m *flow.Key) {
	if !w.show(m.TpSrc == 0 && m.TpDst == 0) {
		return
	}
	w.open(name)
	f := w.fields()
	f.uintField("src", uint64(k.TpSrc), uint64(m.TpSrc), 0xffff, false)
	f.uintField("dst", uint64(k.TpDst), uint64(m.TpDst), 0xffff, false)
	w.close()
}

func (w *keyWriter) icmpAttr(name string, k, m *flow.Key) {
	mt, mc := uint8(m.TpSrc), uint8(m.TpDst)
	if !w.show(mt == 0 && mc == 0) {
		return
	}
	w.open(name)
	f := w.fields()
	f.uintField("type", uint64(uint8(k.TpSrc)), uint64(mt), 0xff, false)
	f.uintField("code", uint64(uint8(k.TpDst)), uint64(mc), 0xff, false)
	w.close()
}

func (w *keyWriter) l4(k, m *flow.Key) {
	switch {
	case k.NwProto == protoTCP:
		w.tpAttr("tcp", k, m)
		if k.TCPFlags != 0 || m.TCPFlags != 0 {
			fm := tcpFlagsBits(m.TCPFlags)
			if w.show(fm == 0) {
				w.open("tcp_flags")
				if fm == 0x0fff {
					writeFlags(w.b, tcpFlagNames[:], uint32(k.TCPFlags), '|')
				} else {
					writeFlagsMasked(w.b, tcpFlagNames[:], uint32(k.TCPFlags), uint32(fm), 0x0fff)
				}
				w.close()
			}
		}
	case k.NwProto == protoUDP:
		w.tpAttr("udp", k, m)
	case k.NwProto == protoSCTP:
		w.tpAttr("sctp", k, m)
	case k.NwProto == protoICMP && k.DlType == ethTypeIPv4:
		w.icmpAttr("icmp", k, m)
	case k.NwProto == protoICMPv6 && k.DlType == ethTypeIPv6:
		w.icmpAttr("icmpv6", k, m)
		if !isND(k) {
			return
		}
		// The mask carries nd() only when ICMP type and code are exact.
		ndMasked := m.TpSrc == 0xff && m.TpDst == 0xff
		var zero flow.Key
		nm := m
		if !ndMasked {
			nm = &zero
		}
		wild := isZero(nm.NDTarget[:]) && isZero(nm.ArpSHA[:]) && isZero(nm.ArpTHA[:])
		if w.show(wild) {
			w.open("nd")
			f := w.fields()
			f.ipv6Field("target", k.NDTarget, nm.NDTarget)
			f.macField("sll", k.ArpSHA, nm.ArpSHA)
			f.macField("tll", k.ArpTHA, nm.ArpTHA)
			w.close()
		}
	}
}

// ctTuple prints ct_tuple4 or ct_tuple6, the original direction of the
// tracked connection, present when the key has a ct_nw_proto.
func (w *keyWriter) ctTuple(k, m *flow.Key) {
	if k.CtNwProto == 0 && m.CtNwProto == 0 && m.CtNwSrc == 0 && m.CtNwDst == 0 &&
		isZero(m.CtIPv6Src[:]) && isZero(m.CtIPv6Dst[:]) && m.CtTpSrc == 0 && m.CtTpDst == 0 {
		return
	}
	switch k.DlType {
	case ethTypeIPv4:
		if !w.show(m.CtNwSrc == 0 && m.CtNwDst == 0 && m.CtNwProto == 0) {
			return
		}
		w.open("ct_tuple4")
		f := w.fields()
		f.ipv4Field("src", k.CtNwSrc, m.CtNwSrc)
		f.ipv4Field("dst", k.CtNwDst, m.CtNwDst)
		f.uintField("proto", uint64(k.CtNwProto), uint64(m.CtNwProto), 0xff, false)
		f.uintField("tp_src", uint64(k.CtTpSrc), uint64(m.CtTpSrc), 0xffff, false)
		f.uintField("tp_dst", uint64(k.CtTpDst), uint64(m.CtTpDst), 0xffff, false)
		w.close()
	case ethTypeIPv6:
		if !w.show(isZero(m.CtIPv6Src[:]) && isZero(m.CtIPv6Dst[:]) && m.CtNwProto == 0) {
			return
		}
		w.open("ct_tuple6")
		f := w.fields()
		f.ipv6Field("src", k.CtIPv6Src, m.CtIPv6Src)
		f.ipv6Field("dst", k.CtIPv6Dst, m.CtIPv6Dst)
		f.uintField("proto", uint64(k.CtNwProto), uint64(m.CtNwProto), 0xff, false)
		f.uintField("src_port", uint64(k.CtTpSrc), uint64(m.CtTpSrc), 0xffff, false)
		f.uintField("dst_port", uint64(k.CtTpDst), uint64(m.CtTpDst), 0xffff, false)
		w.close()
	}
}

// tunnel prints the tunnel() attribute of a packet received on a tunnel.
func (w *keyWriter) tunnel(k, m *flow.Key) {
	w.open("tunnel")
	f := w.fields()
	w.tunnelFields(f, k, m, false)
	w.close()
}

// tunnelFieldsExact prints a tunnel key with no masks (a set(tunnel(...))).
func (w *keyWriter) tunnelFieldsExact(f *fieldFmt, k, all *flow.Key) {
	w.tunnelFields(f, k, all, true)
}

func (w *keyWriter) tunnelFields(f *fieldFmt, k, m *flow.Key, exact bool) {
	var flags, mflags uint32
	if k.TunID != 0 || k.TunFlags&flow.TunFlagKey != 0 {
		f.name("tun_id")
		hexPlain(f.b, k.TunID)
		if m.TunID != ^uint64(0) {
			f.b.WriteByte('/')
			hexCAlt(f.b, m.TunID)
		}
		flags |= flow.TunFlagKey
		mflags |= flow.TunFlagKey
	}
	v4mask := func(a [16]byte) uint32 {
		if exact {
			return 0xffffffff
		}
		v, _ := mappedV4(a)
		return v
	}
	if v4, ok := mappedV4(k.TunSrc); ok {
		f.ipv4Field("src", v4, v4mask(m.TunSrc))
	} else if !isZero(k.TunSrc[:]) {
		f.ipv6Field("ipv6_src", k.TunSrc, m.TunSrc)
	}
	if v4, ok := mappedV4(k.TunDst); ok {
		f.ipv4Field("dst", v4, v4mask(m.TunDst))
	} else if !isZero(k.TunDst[:]) {
		f.ipv6Field("ipv6_dst", k.TunDst, m.TunDst)
	}
	if k.TunTOS != 0 {
		f.uintField("tos", uint64(k.TunTOS), uint64(m.TunTOS), 0xff, true)
	}
	f.uintField("ttl", uint64(k.TunTTL), uint64(m.TunTTL), 0xff, false)
	if k.TunTpSrc != 0 {
		f.uintField("tp_src", uint64(k.TunTpSrc), uint64(m.TunTpSrc), 0xffff, false)
	}
	if k.TunTpDst != 0 {
		f.uintField("tp_dst", uint64(k.TunTpDst), uint64(m.TunTpDst), 0xffff, false)
	}
	const other = flow.TunFlagOAM | flow.TunFlagDontFrag | flow.TunFlagCsum
	flags |= uint32(k.TunFlags) & other
	mflags |= uint32(m.TunFlags) & other
	if f.verbose || mflags != 0 {
		f.sep()
		f.b.WriteString("flags(")
		if exact {
			mflags = 0xf
		}
		writeFlagsMasked(f.b, tunFlagNames[:], flags, mflags, 0xf)
		f.b.WriteByte(')')
	}
}

var tunFlagNames = [4]string{"oam", "df", "csum", "key"}

// mappedV4 returns the IPv4 address of an IPv4-mapped IPv6 address.
func mappedV4(a [16]byte) (uint32, bool) {
	if !isZero(a[:10]) || a[10] != 0xff || a[11] != 0xff {
		return 0, false
	}
	return uint32(a[12])<<24 | uint32(a[13])<<16 | uint32(a[14])<<8 | uint32(a[15]), true
}

func writeEthType(b *strings.Builder, t uint16) {
	b.WriteString("0x")
	writeHex4(b, t)
}

// writeHex4 writes t as four hex digits.
func writeHex4(b *strings.Builder, t uint16) {
	const digits = "0123456789abcdef"
	b.WriteByte(digits[t>>12])
	b.WriteByte(digits[t>>8&15])
	b.WriteByte(digits[t>>4&15])
	b.WriteByte(digits[t&15])
}

func hexString(v uint64) string { return strconv.FormatUint(v, 16) }

// writeHexBytes writes bs as one big-endian hex number without leading
// zeros ("0" when zero), like OVS's ds_put_hex.
func writeHexBytes(b *strings.Builder, bs []byte) {
	const digits = "0123456789abcdef"
	printed := false
	for _, x := range bs {
		if x == 0 && !printed {
			continue
		}
		if !printed {
			b.WriteString("0x")
			if x>>4 != 0 {
				b.WriteByte(digits[x>>4])
			}
			b.WriteByte(digits[x&15])
			printed = true
			continue
		}
		b.WriteByte(digits[x>>4])
		b.WriteByte(digits[x&15])
	}
	if !printed {
		b.WriteByte('0')
	}
}

// writeVLANTCI prints a TCI under mask as vid=..,pcp=..[,cfi=0].
func writeVLANTCI(b *strings.Builder, tci, mask uint16, verbose bool) {
	f := fieldFmt{b: b}
	vid, vidm := tci&0xfff, mask&0xfff
	pcp, pcpm := tci>>13, mask>>13
	if verbose || vid != 0 || vidm != 0 {
		f.name("vid")
		dec(b, uint64(vid))
		if vidm != 0xfff {
			b.WriteString("/0x")
			b.WriteString(hexString(uint64(vidm)))
		}
	}
	if verbose || pcp != 0 || pcpm != 0 {
		f.name("pcp")
		dec(b, uint64(pcp))
		if pcpm != 7 {
			b.WriteString("/0x")
			b.WriteString(hexString(uint64(pcpm)))
		}
	}
	if tci&flow.VLANCFI == 0 {
		f.sep()
		b.WriteString("cfi=0")
	}
}

// writeMPLS prints label stack entries, with masks unless exact.
func writeMPLS(b *strings.Builder, lse, mask []uint32, exact bool) {
	for i, e := range lse {
		if i > 0 {
			b.WriteByte(',')
		}
		label, tc, ttl, bos := e>>12, e>>9&7, e&0xff, e>>8&1
		if exact {
			b.WriteString("label=")
			dec(b, uint64(label))
			b.WriteString(",tc=")
			dec(b, uint64(tc))
			b.WriteString(",ttl=")
			dec(b, uint64(ttl))
			b.WriteString(",bos=")
			dec(b, uint64(bos))
			continue
		}
		m := mask[i]
		b.WriteString("label=")
		dec(b, uint64(label))
		b.WriteString("/0x")
		b.WriteString(hexString(uint64(m >> 12)))
		b.WriteString(",tc=")
		dec(b, uint64(tc))
		b.WriteByte('/')
		b.WriteString(hexString(uint64(m >> 9 & 7)))
		b.WriteString(",ttl=")
		dec(b, uint64(ttl))
		b.WriteString("/0x")
		b.WriteString(hexString(uint64(m & 0xff)))
		b.WriteString(",bos=")
		dec(b, uint64(bos))
		b.WriteByte('/')
		b.WriteString(hexString(uint64(m >> 8 & 1)))
	}
}
