package odp

import (
	"strings"

	"govs.dev/govs/flow"
)

var slowPathNames = [7]string{"cfm", "bfd", "lacp", "stp", "lldp", "action", "match"}

// FormatActions appends acts in ODP syntax as OVS's format_odp_actions
// prints them after "actions:" in dpctl/dump-flows and in ofproto/trace's
// "Datapath actions:": comma-separated, "drop" for an empty list, an
// output as its port number or, when portName (may be nil) returns a
// non-empty name, as that name (what dpctl/dump-flows -m does).
//
// Forms: 2, set(eth(src=..)), set(ipv4(src=1.2.3.4/255.255.255.0,ttl=3))
// (one set(...) per ODP key attribute that the ActSet's mask touches; fields
// with a zero mask are left out, partial masks print as value/mask),
// push_vlan(vid=..,pcp=..), pop_vlan, recirc(0x1), hash(l4(0)),
// clone(...), userspace(pid=..,slow_path(..)|controller(..)|userdata(..)),
// trunc(100), drop.
//
// For an ActSet, Value.DlType chooses between the arp and the ipv4/ipv6
// attributes (and nd for IPv6), and Value.NwProto between tcp, udp, sctp,
// icmp and icmpv6 for a port rewrite; those context fields need no mask.
// FormatActions only reads acts.
func FormatActions(b *strings.Builder, acts []Action, portName func(uint32) string) {
	if len(acts) == 0 {
		b.WriteString("drop")
		return
	}
	for i := range acts {
		if i > 0 {
			b.WriteByte(',')
		}
		formatAction(b, &acts[i], portName)
	}
}

func formatAction(b *strings.Builder, a *Action, portName func(uint32) string) {
	switch a.Type {
	case ActOutput:
		writePort(b, a.Port, portName)
	case ActUserspace:
		formatUserspace(b, a.Userspace)
	case ActSet:
		if a.Set == nil {
			b.WriteString("set()")
			return
		}
		formatSet(b, a.Set)
	case ActPushVLAN:
		b.WriteString("push_vlan(")
		if a.TPID != ethTypeVLAN {
			b.WriteString("tpid=0x")
			writeHex4(b, a.TPID)
			b.WriteByte(',')
		}
		writeVLANTCI(b, a.TCI, 0xffff, false)
		b.WriteByte(')')
	case ActPopVLAN:
		b.WriteString("pop_vlan")
	case ActRecirc:
		b.WriteString("recirc(")
		hexCAlt(b, uint64(a.ID))
		b.WriteByte(')')
	case ActHash:
		b.WriteString("hash(l4(")
		dec(b, uint64(a.Basis))
		b.WriteString("))")
	case ActClone:
		b.WriteString("clone(")
		FormatActions(b, a.Nested, portName)
		b.WriteByte(')')
	case ActTrunc:
		b.WriteString("trunc(")
		dec(b, uint64(a.Len))
		b.WriteByte(')')
	case ActDrop:
		b.WriteString("drop")
	default:
		b.WriteString("action(type=")
		dec(b, uint64(a.Type))
		b.WriteByte(')')
	}
}

func writePort(b *strings.Builder, port uint32, portName func(uint32) string) {
	if portName != nil {
		if n := portName(port); n != "" {
			b.WriteString(n)
			return
		}
	}
	dec(b, uint64(port))
}

func formatUserspace(b *strings.Builder, u *Userspace) {
	if u == nil {
		b.WriteString("userspace(error)")
		return
	}
	b.WriteString("userspace(pid=")
	dec(b, uint64(u.PID))
	switch u.Kind {
	case UserspaceSlowPath:
		b.WriteString(",slow_path(")
		writeFlags(b, slowPathNames[:], u.Reason, ',')
		b.WriteByte(')')
	case UserspaceController:
		c := &u.Controller
		b.WriteString(",controller(reason=")
		dec(b, uint64(uint16(u.Reason)))
		b.WriteString(",dont_send=")
		b.WriteString(boolDigit(c.DontSend))
		b.WriteString(",continuation=")
		b.WriteString(boolDigit(c.Continuation))
		b.WriteString(",recirc_id=")
		dec(b, uint64(c.RecircID))
		b.WriteString(",rule_cookie=")
		hexCAlt(b, c.RuleCookie)
		b.WriteString(",controller_id=")
		dec(b, uint64(c.ControllerID))
		b.WriteString(",max_len=")
		dec(b, uint64(c.MaxLen))
		b.WriteByte(')')
	default:
		if u.Cookie != nil {
			b.WriteString(",userdata(")
			const digits = "0123456789abcdef"
			for _, x := range u.Cookie {
				b.WriteByte(digits[x>>4])
				b.WriteByte(digits[x&15])
			}
			b.WriteByte(')')
		}
	}
	b.WriteByte(')')
}

func boolDigit(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

// formatSet prints the set(...) actions of one SetMasked, one per ODP key
// attribute it touches, in the order OVS commits them.
func formatSet(b *strings.Builder, s *SetMasked) {
	v, m := &s.Value, &s.Mask
	n := 0
	open := func(attr string) *fieldFmt {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString("set(")
		b.WriteString(attr)
		b.WriteByte('(')
		return &fieldFmt{b: b}
	}
	closeSet := func() { b.WriteString("))") }

	if !isZero(m.TunSrc[:]) || !isZero(m.TunDst[:]) || m.TunID != 0 || m.TunFlags != 0 ||
		m.TunTOS != 0 || m.TunTTL != 0 || m.TunTpSrc != 0 || m.TunTpDst != 0 {
		f := open("tunnel")
		f.verbose = true
		var all flow.Key
		for i := range all.Bytes() {
			all.Bytes()[i] = 0xff
		}
		w := keyWriter{b: b, verbose: true}
		w.tunnelFieldsExact(f, v, &all)
		closeSet()
	}
	if !isZero(m.DlSrc[:]) || !isZero(m.DlDst[:]) {
		f := open("eth")
		f.macField("src", v.DlSrc, m.DlSrc)
		f.macField("dst", v.DlDst, m.DlDst)
		closeSet()
	}
	nw := m.NwSrc != 0 || m.NwDst != 0 || m.NwProto != 0 || m.NwTOS != 0 || m.NwTTL != 0 ||
		m.NwFrag != 0
	v6 := !isZero(m.IPv6Src[:]) || !isZero(m.IPv6Dst[:]) || m.IPv6Label != 0
	l2addr := !isZero(m.ArpSHA[:]) || !isZero(m.ArpTHA[:])
	switch {
	case isARPType(v.DlType):
		if nw || l2addr {
			f := open("arp")
			f.ipv4Field("sip", v.NwSrc, m.NwSrc)
			f.ipv4Field("tip", v.NwDst, m.NwDst)
			f.uintField("op", uint64(v.NwProto), uint64(arpOpMask(m.NwProto)), 0xffff, false)
			f.macField("sha", v.ArpSHA, m.ArpSHA)
			f.macField("tha", v.ArpTHA, m.ArpTHA)
			closeSet()
		}
	case v.DlType == ethTypeIPv6 || v6:
		if v6 || nw {
			open("ipv6")
			w := keyWriter{b: b}
			w.ipv6Fields(v, m)
			closeSet()
		}
		if !isZero(m.NDTarget[:]) || l2addr {
			f := open("nd")
			f.ipv6Field("target", v.NDTarget, m.NDTarget)
			f.macField("sll", v.ArpSHA, m.ArpSHA)
			f.macField("tll", v.ArpTHA, m.ArpTHA)
			closeSet()
		}
	default:
		if nw {
			f := open("ipv4")
			f.ipv4Field("src", v.NwSrc, m.NwSrc)
			f.ipv4Field("dst", v.NwDst, m.NwDst)
			f.uintField("proto", uint64(v.NwProto), uint64(m.NwProto), 0xff, false)
			f.uintField("tos", uint64(v.NwTOS), uint64(m.NwTOS), 0xff, true)
			f.uintField("ttl", uint64(v.NwTTL), uint64(m.NwTTL), 0xff, false)
			f.fragField(odpFrag(v.NwFrag), odpFragMask(m.NwFrag))
			closeSet()
		}
		if l2addr {
			// A Layer-2 address rewrite outside ARP and ND: print as arp.
			f := open("arp")
			f.macField("sha", v.ArpSHA, m.ArpSHA)
			f.macField("tha", v.ArpTHA, m.ArpTHA)
			closeSet()
		}
	}
	if m.TpSrc != 0 || m.TpDst != 0 {
		switch v.NwProto {
		case protoICMP, protoICMPv6:
			name := "icmp"
			if v.NwProto == protoICMPv6 {
				name = "icmpv6"
			}
			f := open(name)
			f.uintField("type", uint64(uint8(v.TpSrc)), uint64(uint8(m.TpSrc)), 0xff, false)
			f.uintField("code", uint64(uint8(v.TpDst)), uint64(uint8(m.TpDst)), 0xff, false)
			closeSet()
		default:
			name := "tcp"
			switch v.NwProto {
			case protoUDP:
				name = "udp"
			case protoSCTP:
				name = "sctp"
			}
			f := open(name)
			f.uintField("src", uint64(v.TpSrc), uint64(m.TpSrc), 0xffff, false)
			f.uintField("dst", uint64(v.TpDst), uint64(m.TpDst), 0xffff, false)
			closeSet()
		}
	}
	if m.SkbPriority != 0 {
		open("skb_priority")
		writeMaskedHex(b, v.SkbPriority, m.SkbPriority)
		closeSet()
	}
	if m.PktMark != 0 {
		open("skb_mark")
		writeMaskedHex(b, v.PktMark, m.PktMark)
		closeSet()
	}
	if n == 0 {
		b.WriteString("set()")
	}
}

func writeMaskedHex(b *strings.Builder, v, m uint32) {
	hexCAlt(b, uint64(v))
	if m != 0xffffffff {
		b.WriteByte('/')
		hexCAlt(b, uint64(m))
	}
}
