package ofctl

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// FormatActions writes an action list as ovs-ofctl prints it after
// "actions=": comma-separated, "drop" when empty.
func FormatActions(as []openflow.Action) string {
	var b strings.Builder
	formatActions(&b, as)
	return b.String()
}

func formatActions(b *strings.Builder, as []openflow.Action) {
	if len(as) == 0 {
		b.WriteString("drop")
		return
	}
	for i, a := range as {
		if i > 0 {
			b.WriteByte(',')
		}
		formatAction(b, a)
	}
}

// hex64 is C's "%#"PRIx64: "0x1f", or "0" for zero.
func hex64(x uint64) string {
	if x == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(x, 16)
}

func formatAction(b *strings.Builder, a openflow.Action) {
	switch a := a.(type) {
	case openflow.Output:
		if a.Port < openflow.PortMax {
			b.WriteString("output:")
		}
		b.WriteString(FormatPort(a.Port))
		if a.Port == openflow.PortController {
			fmt.Fprintf(b, ":%d", a.MaxLen)
		}
	case openflow.Controller:
		if a.Reason == reasonAction && a.ControllerID == 0 && len(a.UserData) == 0 && !a.Pause && isNoMeter(a.MeterID) {
			fmt.Fprintf(b, "CONTROLLER:%d", a.MaxLen)
			return
		}
		b.WriteString("controller(")
		var parts []string
		if a.Reason != reasonAction {
			r := strconv.Itoa(int(a.Reason))
			if int(a.Reason) < len(packetInReasons) {
				r = packetInReasons[a.Reason]
			}
			parts = append(parts, "reason="+r)
		}
		if a.MaxLen != 0xffff {
			parts = append(parts, fmt.Sprintf("max_len=%d", a.MaxLen))
		}
		if a.ControllerID != 0 {
			parts = append(parts, fmt.Sprintf("id=%d", a.ControllerID))
		}
		if len(a.UserData) > 0 {
			var u strings.Builder
			formatHexArg(&u, a.UserData)
			parts = append(parts, "userdata="+u.String())
		}
		if a.Pause {
			parts = append(parts, "pause")
		}
		if !isNoMeter(a.MeterID) {
			parts = append(parts, fmt.Sprintf("meter_id=%d", a.MeterID))
		}
		b.WriteString(strings.Join(parts, ","))
		b.WriteByte(')')
	case openflow.Enqueue:
		fmt.Fprintf(b, "enqueue:%s:%d", FormatPort(a.Port), a.Queue)
	case openflow.OutputReg:
		b.WriteString("output:" + FormatSubfield(a.Src))
	case openflow.SetVLANVID:
		if a.Push {
			fmt.Fprintf(b, "mod_vlan_vid:%d", a.VID)
		} else {
			fmt.Fprintf(b, "set_vlan_vid:%d", a.VID)
		}
	case openflow.SetVLANPCP:
		if a.Push {
			fmt.Fprintf(b, "mod_vlan_pcp:%d", a.PCP)
		} else {
			fmt.Fprintf(b, "set_vlan_pcp:%d", a.PCP)
		}
	case openflow.StripVLAN:
		if a.OF10 {
			b.WriteString("strip_vlan")
		} else {
			b.WriteString("pop_vlan")
		}
	case openflow.PushVLAN:
		fmt.Fprintf(b, "push_vlan:%#x", a.EthType)
	case openflow.SetEthSrc:
		b.WriteString("mod_dl_src:" + flow.FormatMAC(a.MAC[:], nil))
	case openflow.SetEthDst:
		b.WriteString("mod_dl_dst:" + flow.FormatMAC(a.MAC[:], nil))
	case openflow.SetIPv4Src:
		b.WriteString("mod_nw_src:" + flow.IPv4Addr(a.Addr).String())
	case openflow.SetIPv4Dst:
		b.WriteString("mod_nw_dst:" + flow.IPv4Addr(a.Addr).String())
	case openflow.SetIPDSCP:
		fmt.Fprintf(b, "mod_nw_tos:%d", a.TOS)
	case openflow.SetIPECN:
		fmt.Fprintf(b, "mod_nw_ecn:%d", a.ECN)
	case openflow.SetIPTTL:
		fmt.Fprintf(b, "mod_nw_ttl:%d", a.TTL)
	case openflow.SetL4SrcPort:
		fmt.Fprintf(b, "mod_tp_src:%d", a.Port)
	case openflow.SetL4DstPort:
		fmt.Fprintf(b, "mod_tp_dst:%d", a.Port)
	case openflow.DecTTL:
		b.WriteString("dec_ttl")
		if len(a.ControllerIDs) > 0 {
			b.WriteByte('(')
			for i, id := range a.ControllerIDs {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.Itoa(int(id)))
			}
			b.WriteByte(')')
		}
	case openflow.SetField:
		formatSetField(b, a)
	case openflow.RegMove:
		b.WriteString("move:" + FormatSubfield(a.Src) + "->" + FormatSubfield(a.Dst))
	case openflow.StackPush:
		b.WriteString("push:" + FormatSubfield(a.Field))
	case openflow.StackPop:
		b.WriteString("pop:" + FormatSubfield(a.Field))
	case openflow.Resubmit:
		if a.InPort != openflow.PortInPort && a.Table == openflow.TableCurrent && !a.CT {
			b.WriteString("resubmit:" + FormatPort(a.InPort))
			return
		}
		b.WriteString("resubmit(")
		if a.InPort != openflow.PortInPort {
			b.WriteString(FormatPort(a.InPort))
		}
		b.WriteByte(',')
		if a.Table != openflow.TableCurrent {
			b.WriteString(strconv.Itoa(int(a.Table)))
		}
		if a.CT {
			b.WriteString(",ct")
		}
		b.WriteByte(')')
	case openflow.GotoTable:
		fmt.Fprintf(b, "goto_table:%d", a.Table)
	case openflow.WriteMetadata:
		b.WriteString("write_metadata:" + hex64(a.Value))
		if a.Mask != ^uint64(0) {
			b.WriteString("/" + hex64(a.Mask))
		}
	case openflow.ClearActions:
		b.WriteString("clear_actions")
	case openflow.WriteActions:
		b.WriteString("write_actions(")
		formatActions(b, a.Actions)
		b.WriteByte(')')
	case openflow.Meter:
		fmt.Fprintf(b, "meter:%d", a.ID)
	case openflow.Clone:
		b.WriteString("clone(")
		formatActions(b, a.Actions)
		b.WriteByte(')')
	case openflow.Note:
		b.WriteString("note:")
		formatHexArg(b, a.Data)
	case openflow.SetTunnel:
		if a.ID > 0xffffffff || a.Wide {
			b.WriteString("set_tunnel64:" + hex64(a.ID))
		} else {
			b.WriteString("set_tunnel:" + hex64(a.ID))
		}
	case openflow.SetQueue:
		fmt.Fprintf(b, "set_queue:%d", a.ID)
	case openflow.PopQueue:
		b.WriteString("pop_queue")
	case openflow.Exit:
		b.WriteString("exit")
	case openflow.Group:
		fmt.Fprintf(b, "group:%d", a.ID)
	case openflow.Conjunction:
		fmt.Fprintf(b, "conjunction(%d,%d/%d)", a.ID, int(a.Clause)+1, a.NClauses)
	case openflow.CTClear:
		b.WriteString("ct_clear")
	case openflow.CopyTTLOut:
		b.WriteString("copy_ttl_out")
	case openflow.CopyTTLIn:
		b.WriteString("copy_ttl_in")
	case openflow.SetMPLSTTL:
		fmt.Fprintf(b, "set_mpls_ttl(%d)", a.TTL)
	case openflow.DecMPLSTTL:
		b.WriteString("dec_mpls_ttl")
	case openflow.SetMPLSLabel:
		fmt.Fprintf(b, "set_mpls_label(%d)", a.Label)
	case openflow.SetMPLSTC:
		fmt.Fprintf(b, "set_mpls_tc(%d)", a.TC)
	case openflow.PushMPLS:
		fmt.Fprintf(b, "push_mpls:0x%04x", a.EthType)
	case openflow.PopMPLS:
		fmt.Fprintf(b, "pop_mpls:0x%04x", a.EthType)
	case openflow.Unknown:
		b.WriteString(a.Name)
	default:
		fmt.Fprintf(b, "<unknown action %T>", a)
	}
}

func formatSetField(b *strings.Builder, a openflow.SetField) {
	f := flow.LookupHeader(a.Header)
	if f == nil || len(a.Value) != f.Bytes || (a.Mask != nil && len(a.Mask) != f.Bytes) {
		fmt.Fprintf(b, "set_field:<unknown field %#x>", a.Header)
		return
	}
	mask := a.Mask
	if mask == nil {
		mask = make([]byte, f.Bytes)
		for i := range mask {
			mask[i] = 0xff
		}
	}
	if a.Raw == openflow.SetFieldRawRegLoad {
		// One "load:" per contiguous run of mask bits, at most 64 bits each.
		first := true
		for start := 0; start < f.Bits; {
			for start < f.Bits && !getBit(mask, start) {
				start++
			}
			if start >= f.Bits {
				break
			}
			end := start
			for end < f.Bits && end < start+64 && getBit(mask, end) {
				end++
			}
			var v uint64
			for i := end - 1; i >= start; i-- {
				v <<= 1
				if getBit(a.Value, i) {
					v |= 1
				}
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.WriteString("load:" + hex64(v) + "->" + FormatSubfield(openflow.FieldRef{Header: a.Header, Ofs: start, Bits: end - start}))
			start = end
		}
		return
	}
	b.WriteString("set_field:" + f.FormatValueMasked(a.Value, mask) + "->" + f.Name)
}

// FormatMatch writes m as ovs-ofctl prints a flow's match, with
// "priority=N," first unless priority is the default 32768: shorthands
// (ip, tcp6, arp, ...) replace dl_type/nw_proto, fields come in OVS's
// order, exact values without masks, CIDR masks as prefix lengths, ports
// by reserved name. An empty match gives "".
func FormatMatch(m *flow.Match, priority int) string {
	var b strings.Builder
	formatMatch(&b, m, priority)
	return strings.TrimSuffix(b.String(), ",")
}

const defaultPriority = 32768

func formatMatch(b *strings.Builder, m *flow.Match, priority int) {
	k, w := &m.Key, &m.Mask
	if priority != defaultPriority {
		fmt.Fprintf(b, "priority=%d,", priority)
	}
	u32hex := func(name string, v, mask uint32) {
		if mask != 0 {
			b.WriteString(name + "=" + hex64(uint64(v)))
			if mask != 0xffffffff {
				b.WriteString("/" + hex64(uint64(mask)))
			}
			b.WriteByte(',')
		}
	}
	u64hex := func(name string, v, mask uint64) {
		if mask != 0 {
			b.WriteString(name + "=" + hex64(v))
			if mask != ^uint64(0) {
				b.WriteString("/" + hex64(mask))
			}
			b.WriteByte(',')
		}
	}
	be16 := func(name string, v, mask uint16) {
		if mask != 0 {
			if mask == 0xffff {
				fmt.Fprintf(b, "%s=%d,", name, v)
			} else {
				fmt.Fprintf(b, "%s=0x%x/0x%x,", name, v, mask)
			}
		}
	}
	ip4 := func(name string, v, mask uint32) {
		if mask != 0 {
			b.WriteString(name + "=" + flow.FormatIPv4Masked(v, mask) + ",")
		}
	}
	ip6 := func(name string, v, mask [16]byte) {
		if mask != ([16]byte{}) {
			b.WriteString(name + "=" + flow.FormatIPv6Masked(v, mask[:]) + ",")
		}
	}
	eth := func(name string, v, mask [6]byte) {
		if mask != ([6]byte{}) {
			b.WriteString(name + "=" + flow.FormatMAC(v[:], mask[:]) + ",")
		}
	}

	u32hex("pkt_mark", k.PktMark, w.PktMark)
	if w.RecircID != 0 {
		u32hex("recirc_id", k.RecircID, w.RecircID)
	}
	if w.DpHash != 0 {
		u32hex("dp_hash", k.DpHash, w.DpHash)
	}
	if w.ConjID != 0 {
		fmt.Fprintf(b, "conj_id=%d,", k.ConjID)
	}
	if w.SkbPriority != 0 {
		b.WriteString("skb_priority=" + hex64(uint64(k.SkbPriority)) + ",")
	}
	if w.ActsetOut != 0 {
		b.WriteString("actset_output=" + FormatPort(openflow.Port(k.ActsetOut)) + ",")
	}
	if w.CtState&0xff != 0 {
		b.WriteString("ct_state=" + flow.FormatCTState(k.CtState, w.CtState) + ",")
	}
	if w.CtZone != 0 {
		if w.CtZone == 0xffff {
			fmt.Fprintf(b, "ct_zone=%d,", k.CtZone)
		} else {
			fmt.Fprintf(b, "ct_zone=0x%x/0x%x,", k.CtZone, w.CtZone)
		}
	}
	u32hex("ct_mark", k.CtMark, w.CtMark)
	if w.CtLabel != ([16]byte{}) {
		b.WriteString("ct_label=" + flow.FormatHexBytes(k.CtLabel[:]))
		if !allOnes(w.CtLabel[:]) {
			b.WriteString("/" + flow.FormatHexBytes(w.CtLabel[:]))
		}
		b.WriteByte(',')
	}
	ip4("ct_nw_src", k.CtNwSrc, w.CtNwSrc)
	ip6("ct_ipv6_src", k.CtIPv6Src, w.CtIPv6Src)
	ip4("ct_nw_dst", k.CtNwDst, w.CtNwDst)
	ip6("ct_ipv6_dst", k.CtIPv6Dst, w.CtIPv6Dst)
	if w.CtNwProto != 0 {
		fmt.Fprintf(b, "ct_nw_proto=%d,", k.CtNwProto)
		be16("ct_tp_src", k.CtTpSrc, w.CtTpSrc)
		be16("ct_tp_dst", k.CtTpDst, w.CtTpDst)
	}
	dlType := k.DlType
	// Like OVS's match_format, a megaflow (recirc_id matched) always shows
	// its packet type, even the default Ethernet one ("eth").
	if k.PacketType == 0 && w.PacketType == 0xffffffff && w.RecircID != 0 {
		b.WriteString("eth,")
	} else if w.PacketType != 0 && !(k.PacketType == 0 && w.PacketType == 0xffffffff) {
		b.WriteString("packet_type=" + flow.FormatPacketType(k.PacketType, w.PacketType) + ",")
		if k.PacketType>>16 == 1 {
			dlType = uint16(k.PacketType)
		}
	}
	skipType, skipProto := false, false
	if w.DlType != 0 {
		skipType = true
		switch dlType {
		case flow.EthTypeIPv4, flow.EthTypeIPv6:
			v6 := dlType == flow.EthTypeIPv6
			name := map[bool]string{false: "ip", true: "ipv6"}[v6]
			if w.NwProto != 0 {
				skipProto = true
				switch {
				case !v6 && k.NwProto == flow.IPProtoICMP:
					name = "icmp"
				case v6 && k.NwProto == flow.IPProtoICMPv6:
					name = "icmp6"
				case k.NwProto == flow.IPProtoTCP:
					name = map[bool]string{false: "tcp", true: "tcp6"}[v6]
				case k.NwProto == flow.IPProtoUDP:
					name = map[bool]string{false: "udp", true: "udp6"}[v6]
				case k.NwProto == flow.IPProtoSCTP:
					name = map[bool]string{false: "sctp", true: "sctp6"}[v6]
				default:
					skipProto = false
				}
			}
			b.WriteString(name + ",")
		case flow.EthTypeARP:
			b.WriteString("arp,")
		case flow.EthTypeRARP:
			b.WriteString("rarp,")
		case flow.EthTypeMPLS:
			b.WriteString("mpls,")
		case flow.EthTypeMPLSMcast:
			b.WriteString("mplsm,")
		default:
			skipType = false
		}
	}
	for i := range k.Regs {
		u32hex("reg"+strconv.Itoa(i), k.Regs[i], w.Regs[i])
	}
	// Tunnel.
	u64hex("tun_id", k.TunID, w.TunID)
	if isV4Mapped(k.TunSrc) || isV4Mapped(k.TunDst) {
		ip4("tun_src", binary.BigEndian.Uint32(k.TunSrc[12:]), binary.BigEndian.Uint32(w.TunSrc[12:]))
		ip4("tun_dst", binary.BigEndian.Uint32(k.TunDst[12:]), binary.BigEndian.Uint32(w.TunDst[12:]))
	} else {
		ip6("tun_ipv6_src", k.TunSrc, w.TunSrc)
		ip6("tun_ipv6_dst", k.TunDst, w.TunDst)
	}
	if w.TunTOS != 0 {
		fmt.Fprintf(b, "tun_tos=%x,", k.TunTOS)
	}
	if w.TunTTL != 0 {
		fmt.Fprintf(b, "tun_ttl=%d,", k.TunTTL)
	}
	if w.TunFlags&flow.TunFlagOAM != 0 {
		// OVS compares against all tunnel flag bits here, so even an exact
		// match on the one public bit prints in +/- form.
		if k.TunFlags&flow.TunFlagOAM != 0 {
			b.WriteString("tun_flags=+oam,")
		} else {
			b.WriteString("tun_flags=-oam,")
		}
	}
	u64hex("metadata", k.Metadata, w.Metadata)
	if w.InPort != 0 {
		b.WriteString("in_port=" + FormatPort(openflow.Port(k.InPort)) + ",")
	}
	for i, v := range k.VLANs {
		mask := w.VLANs[i].TCI
		if mask == 0 {
			break
		}
		suffix := ""
		if i > 0 {
			suffix = strconv.Itoa(i)
		}
		vidMask, pcpMask, cfi := mask&0x0fff, mask&0xe000, mask&flow.VLANCFI
		tci := v.TCI
		if cfi != 0 && tci&flow.VLANCFI != 0 && (vidMask == 0 || vidMask == 0x0fff) &&
			(pcpMask == 0 || pcpMask == 0xe000) && (vidMask != 0 || pcpMask != 0) {
			if vidMask != 0 {
				fmt.Fprintf(b, "dl_vlan%s=%d,", suffix, tci&0x0fff)
			}
			if pcpMask != 0 {
				fmt.Fprintf(b, "dl_vlan_pcp%s=%d,", suffix, tci>>13)
			}
		} else if mask == 0xffff {
			fmt.Fprintf(b, "vlan_tci%s=0x%04x,", suffix, tci)
		} else {
			fmt.Fprintf(b, "vlan_tci%s=0x%04x/0x%04x,", suffix, tci, mask)
		}
	}
	eth("dl_src", k.DlSrc, w.DlSrc)
	eth("dl_dst", k.DlDst, w.DlDst)
	if !skipType && w.DlType != 0 {
		fmt.Fprintf(b, "dl_type=0x%04x,", dlType)
	}
	isARP := dlType == flow.EthTypeARP || dlType == flow.EthTypeRARP
	switch {
	case dlType == flow.EthTypeIPv6:
		ip6("ipv6_src", k.IPv6Src, w.IPv6Src)
		ip6("ipv6_dst", k.IPv6Dst, w.IPv6Dst)
		if w.IPv6Label != 0 {
			if w.IPv6Label&0xfffff == 0xfffff {
				fmt.Fprintf(b, "ipv6_label=0x%05x,", k.IPv6Label)
			} else {
				fmt.Fprintf(b, "ipv6_label=0x%05x/0x%05x,", k.IPv6Label, w.IPv6Label)
			}
		}
	case isARP:
		ip4("arp_spa", k.NwSrc, w.NwSrc)
		ip4("arp_tpa", k.NwDst, w.NwDst)
	default:
		ip4("nw_src", k.NwSrc, w.NwSrc)
		ip4("nw_dst", k.NwDst, w.NwDst)
	}
	if !skipProto && w.NwProto != 0 {
		if isARP {
			fmt.Fprintf(b, "arp_op=%d,", k.NwProto)
		} else {
			fmt.Fprintf(b, "nw_proto=%d,", k.NwProto)
		}
	}
	if isARP {
		eth("arp_sha", k.ArpSHA, w.ArpSHA)
		eth("arp_tha", k.ArpTHA, w.ArpTHA)
	}
	if w.NwTOS&0xfc != 0 {
		fmt.Fprintf(b, "nw_tos=%d,", k.NwTOS&0xfc)
	}
	if w.NwTOS&0x03 != 0 {
		fmt.Fprintf(b, "nw_ecn=%d,", k.NwTOS&0x03)
	}
	if w.NwTTL != 0 {
		fmt.Fprintf(b, "nw_ttl=%d,", k.NwTTL)
	}
	lse, lseMask := k.MPLS[0], w.MPLS[0]
	if lseMask&0xfffff000 != 0 {
		fmt.Fprintf(b, "mpls_label=%d,", lse>>12)
	}
	if lseMask&0xe00 != 0 {
		fmt.Fprintf(b, "mpls_tc=%d,", (lse>>9)&7)
	}
	if lseMask&0xff != 0 {
		fmt.Fprintf(b, "mpls_ttl=%d,", lse&0xff)
	}
	if lseMask&0x100 != 0 {
		fmt.Fprintf(b, "mpls_bos=%d,", (lse>>8)&1)
	}
	for i := 1; i < 3; i++ {
		if w.MPLS[i] != 0 {
			if w.MPLS[i] == 0xffffffff {
				fmt.Fprintf(b, "mpls_lse%d=%d,", i, k.MPLS[i])
			} else {
				fmt.Fprintf(b, "mpls_lse%d=0x%08x/0x%08x,", i, k.MPLS[i], w.MPLS[i])
			}
		}
	}
	if w.NwFrag&flow.FragMask != 0 {
		b.WriteString("nw_frag=" + flow.FormatFrag(k.NwFrag, w.NwFrag) + ",")
	}
	switch {
	case dlType == flow.EthTypeIPv4 && k.NwProto == flow.IPProtoICMP:
		be16("icmp_type", k.TpSrc, w.TpSrc)
		be16("icmp_code", k.TpDst, w.TpDst)
	case dlType == flow.EthTypeIPv6 && k.NwProto == flow.IPProtoICMPv6:
		be16("icmp_type", k.TpSrc, w.TpSrc)
		be16("icmp_code", k.TpDst, w.TpDst)
		ip6("nd_target", k.NDTarget, w.NDTarget)
		eth("nd_sll", k.ArpSHA, w.ArpSHA)
		eth("nd_tll", k.ArpTHA, w.ArpTHA)
		if w.NDReserved != 0 {
			if w.NDReserved == 0xffffffff {
				fmt.Fprintf(b, "nd_reserved=%d,", k.NDReserved)
			} else {
				fmt.Fprintf(b, "nd_reserved=0x%08x/0x%08x,", k.NDReserved, w.NDReserved)
			}
		}
	default:
		be16("tp_src", k.TpSrc, w.TpSrc)
		be16("tp_dst", k.TpDst, w.TpDst)
	}
	if (dlType == flow.EthTypeIPv4 || dlType == flow.EthTypeIPv6) && k.NwProto == flow.IPProtoTCP && w.TCPFlags != 0 {
		b.WriteString("tcp_flags=" + flow.FormatTCPFlags(k.TCPFlags, w.TCPFlags) + ",")
	}
}

func isV4Mapped(a [16]byte) bool {
	return a[10] == 0xff && a[11] == 0xff && a == [16]byte{10: 0xff, 11: 0xff, 12: a[12], 13: a[13], 14: a[14], 15: a[15]}
}

func allOnes(b []byte) bool {
	for _, x := range b {
		if x != 0xff {
			return false
		}
	}
	return true
}

// FlowStats are the per-flow values a dump-flows line shows besides the
// match and actions. ofproto fills it from a rule.
type FlowStats struct {
	Cookie      uint64
	DurationSec uint32 // time since the flow was added
	DurationNs  uint32
	Table       uint8
	Packets     uint64
	Bytes       uint64
	IdleTimeout uint16 // 0: none
	HardTimeout uint16 // 0: none
	Flags       FlowModFlags
	Importance  uint16
	IdleAge     int // seconds since last hit; < 0: omit
	HardAge     int // seconds since last modification; < 0: omit
	Priority    int
	Match       *flow.Match
	Actions     []openflow.Action
}

// FormatFlowStats writes one dump-flows line as ovs-ofctl prints it, with
// its leading space: " cookie=0x0, duration=1.234s, table=0, n_packets=0,
// n_bytes=0, idle_age=1, priority=10,ip actions=drop".
func FormatFlowStats(fs *FlowStats) string {
	var b strings.Builder
	b.WriteByte(' ')
	b.WriteString("cookie=0x" + strconv.FormatUint(fs.Cookie, 16) + ", ")
	b.WriteString("duration=" + formatDuration(fs.DurationSec, fs.DurationNs) + ", ")
	fmt.Fprintf(&b, "table=%d, ", fs.Table)
	fmt.Fprintf(&b, "n_packets=%d, n_bytes=%d, ", fs.Packets, fs.Bytes)
	if fs.IdleTimeout != 0 {
		fmt.Fprintf(&b, "idle_timeout=%d, ", fs.IdleTimeout)
	}
	if fs.HardTimeout != 0 {
		fmt.Fprintf(&b, "hard_timeout=%d, ", fs.HardTimeout)
	}
	b.WriteString(fs.Flags.format())
	if fs.Importance != 0 {
		fmt.Fprintf(&b, "importance=%d, ", fs.Importance)
	}
	if fs.IdleAge >= 0 {
		fmt.Fprintf(&b, "idle_age=%d, ", fs.IdleAge)
	}
	if fs.HardAge >= 0 && fs.HardAge != int(fs.DurationSec) {
		fmt.Fprintf(&b, "hard_age=%d, ", fs.HardAge)
	}
	var m flow.Match
	if fs.Match != nil {
		m = *fs.Match
	}
	if s := FormatMatch(&m, fs.Priority); s != "" {
		b.WriteString(s + " ")
	}
	b.WriteString("actions=" + FormatActions(fs.Actions))
	return b.String()
}

// formatDuration is OVS's ofp_print_duration: no decimals for whole
// seconds, three for whole milliseconds, otherwise as many as needed.
func formatDuration(sec, nsec uint32) string {
	s := strconv.FormatUint(uint64(sec), 10)
	if nsec > 0 {
		if msec := nsec / 1000000; msec*1000000 == nsec {
			s += fmt.Sprintf(".%03d", msec)
		} else {
			s += "." + strings.TrimRight(fmt.Sprintf("%09d", nsec), "0")
		}
	}
	return s + "s"
}
