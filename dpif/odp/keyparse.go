package odp

import (
	"fmt"

	"govs.dev/govs/flow"
)

// Attributes a key level can hold; used to reject duplicates and to check
// that L3/L4 attributes agree with the Ethertype.
const (
	atPriority uint32 = 1 << iota
	atSkbMark
	atRecirc
	atDpHash
	atCtState
	atCtZone
	atCtMark
	atCtLabel
	atCtTuple4
	atCtTuple6
	atTunnel
	atInPort
	atPacketType
	atEth
	atVLAN
	atEthType
	atEncap
	atMPLS
	atIPv4
	atIPv6
	atARP
	atTCP
	atTCPFlags
	atUDP
	atSCTP
	atICMP
	atICMPv6
	atND
	atNDExt
)

const (
	atL3 = atMPLS | atIPv4 | atIPv6 | atARP
	atL4 = atTCP | atUDP | atSCTP | atICMP | atICMPv6
)

// keyLevel is one nesting level of a parsed key: the top level or the inside
// of an encap(). Values land directly in k/m except the Ethertype and VLAN
// TCI, whose meaning depends on the level.
type keyLevel struct {
	present        uint32
	k, m           flow.Key
	ethType, ethTM uint16
	tci, tciM      uint16
	encap          *keyLevel
}

// ParseKey parses a datapath flow key with masks in ODP syntax, the inverse
// of FormatKey and what "ovs-appctl dpctl/add-flow" accepts, e.g.
// "in_port(1),eth(src=00:00:00:00:00:01),eth_type(0x0800),ipv4(dst=10.0.0.0/255.0.0.0)".
//
// As in OVS: a field given without "/mask" is exact; a field or attribute
// left out is wildcarded, except that recirc_id defaults to an exact 0 and
// a key without a VLAN tag matches only untagged packets (mask of VLANs[0]
// all ones). ipv4/ipv6/arp/mpls imply eth_type when it is missing, and
// tcp/udp/sctp/icmp/icmpv6 imply the IP protocol when it is wildcarded.
// eth_type without eth() or packet_type() means an L3 packet, as in OVS
// (packet_type ns=1, id=Ethertype, mask zero).
// in_port takes a number or, with portByName (may be nil), a port name.
// An optional leading "ufid:UUID" is skipped.
//
// key is returned as written, not masked (OVS prints a partially masked
// field back with the value it was given); use flow.Match.Normalize to mask
// it. Errors wrap ErrSyntax. ParseKey never panics on any input.
func ParseKey(s string, portByName func(string) (uint32, bool)) (key, mask flow.Key, err error) {
	p := &keyParser{scanner: scanner{s: s}, portByName: portByName}
	p.skipDelims()
	if p.lit("ufid:") {
		w := p.word(delimiters)
		if _, err := ParseUFID("ufid:" + w); err != nil {
			return key, mask, err
		}
	}
	top := &keyLevel{}
	if err := p.level(top, 0); err != nil {
		return flow.Key{}, flow.Key{}, err
	}
	if err := p.build(top, &key, &mask); err != nil {
		return flow.Key{}, flow.Key{}, err
	}
	return key, mask, nil
}

type keyParser struct {
	scanner
	portByName func(string) (uint32, bool)
}

// level parses attributes up to the end of input (depth 0) or the ')' that
// closes an encap (which it does not consume).
func (p *keyParser) level(l *keyLevel, depth int) error {
	if depth > maxNesting {
		return p.errorf("too deeply nested")
	}
	for {
		p.skipDelims()
		if p.eof() {
			if depth > 0 {
				return p.errorf("missing ')' after encap")
			}
			return nil
		}
		if p.peek() == ')' {
			if depth == 0 {
				return p.errorf("unexpected ')'")
			}
			return nil
		}
		if err := p.attr(l, depth); err != nil {
			return err
		}
	}
}

func (p *keyParser) mark(l *keyLevel, bit uint32, name string) error {
	if l.present&bit != 0 {
		return p.errorf("duplicate %s attribute", name)
	}
	l.present |= bit
	return nil
}

// single parses the "v[/m])" body of a one-value attribute.
func (p *keyParser) single(bits int) (v, m uint64, err error) {
	if v, m, err = p.uintMasked(bits); err != nil {
		return
	}
	err = p.expect(")")
	return
}

func (p *keyParser) attr(l *keyLevel, depth int) error {
	start := p.i
	name := p.word("(" + delimiters + ")")
	if !p.lit("(") {
		p.i = start
		return p.errorf("expected an attribute")
	}
	k, m := &l.k, &l.m
	var err error
	u32 := func(bit uint32, kv, mv *uint32) error {
		if err := p.mark(l, bit, name); err != nil {
			return err
		}
		v, mm, err := p.single(32)
		*kv, *mv = uint32(v), uint32(mm)
		return err
	}
	switch name {
	case "skb_priority":
		return u32(atPriority, &k.SkbPriority, &m.SkbPriority)
	case "skb_mark":
		return u32(atSkbMark, &k.PktMark, &m.PktMark)
	case "recirc_id":
		return u32(atRecirc, &k.RecircID, &m.RecircID)
	case "dp_hash":
		return u32(atDpHash, &k.DpHash, &m.DpHash)
	case "ct_mark":
		return u32(atCtMark, &k.CtMark, &m.CtMark)
	case "ct_zone":
		if err = p.mark(l, atCtZone, name); err != nil {
			return err
		}
		v, mm, err := p.single(16)
		k.CtZone, m.CtZone = uint16(v), uint16(mm)
		return err
	case "ct_state":
		if err = p.mark(l, atCtState, name); err != nil {
			return err
		}
		v, mm, err := p.flags(ctStateNames[:], 0xff)
		if err != nil {
			return err
		}
		// The datapath ct_state has 8 bits: "a|b" is exact on those.
		k.CtState, m.CtState = v&0xff, mm&0xff
		return p.expect(")")
	case "ct_label":
		if err = p.mark(l, atCtLabel, name); err != nil {
			return err
		}
		if k.CtLabel, m.CtLabel, err = p.u128Masked(); err != nil {
			return err
		}
		return p.expect(")")
	case "ct_tuple4":
		if err = p.mark(l, atCtTuple4, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=":    ipv4F(&k.CtNwSrc, &m.CtNwSrc),
			"dst=":    ipv4F(&k.CtNwDst, &m.CtNwDst),
			"proto=":  u8F(&k.CtNwProto, &m.CtNwProto),
			"tp_src=": u16F(&k.CtTpSrc, &m.CtTpSrc),
			"tp_dst=": u16F(&k.CtTpDst, &m.CtTpDst),
		})
	case "ct_tuple6":
		if err = p.mark(l, atCtTuple6, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=":      ipv6F(&k.CtIPv6Src, &m.CtIPv6Src),
			"dst=":      ipv6F(&k.CtIPv6Dst, &m.CtIPv6Dst),
			"proto=":    u8F(&k.CtNwProto, &m.CtNwProto),
			"tp_src=":   u16F(&k.CtTpSrc, &m.CtTpSrc),
			"tp_dst=":   u16F(&k.CtTpDst, &m.CtTpDst),
			"src_port=": u16F(&k.CtTpSrc, &m.CtTpSrc),
			"dst_port=": u16F(&k.CtTpDst, &m.CtTpDst),
		})
	case "tunnel":
		if err = p.mark(l, atTunnel, name); err != nil {
			return err
		}
		return p.tunnel(k, m)
	case "in_port":
		if err = p.mark(l, atInPort, name); err != nil {
			return err
		}
		return p.inPort(k, m)
	case "packet_type":
		if err = p.mark(l, atPacketType, name); err != nil {
			return err
		}
		var ns, nsm, id, idm uint16
		if err = p.fields(name, map[string]fieldParser{
			"ns=": u16F(&ns, &nsm),
			"id=": u16F(&id, &idm),
		}); err != nil {
			return err
		}
		k.PacketType = uint32(ns)<<16 | uint32(id)
		m.PacketType = uint32(nsm)<<16 | uint32(idm)
		return nil
	case "eth":
		if err = p.mark(l, atEth, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=": macF(&k.DlSrc, &m.DlSrc),
			"dst=": macF(&k.DlDst, &m.DlDst),
		})
	case "vlan":
		if err = p.mark(l, atVLAN, name); err != nil {
			return err
		}
		return p.vlan(l)
	case "eth_type":
		if err = p.mark(l, atEthType, name); err != nil {
			return err
		}
		v, mm, err := p.single(16)
		l.ethType, l.ethTM = uint16(v), uint16(mm)
		return err
	case "encap":
		if err = p.mark(l, atEncap, name); err != nil {
			return err
		}
		l.encap = &keyLevel{}
		if err := p.level(l.encap, depth+1); err != nil {
			return err
		}
		return p.expect(")")
	case "mpls":
		if err = p.mark(l, atMPLS, name); err != nil {
			return err
		}
		return p.mpls(k, m)
	case "ipv4":
		if err = p.mark(l, atIPv4, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=":   ipv4F(&k.NwSrc, &m.NwSrc),
			"dst=":   ipv4F(&k.NwDst, &m.NwDst),
			"proto=": u8F(&k.NwProto, &m.NwProto),
			"tos=":   u8F(&k.NwTOS, &m.NwTOS),
			"ttl=":   u8F(&k.NwTTL, &m.NwTTL),
			"frag=":  fragF(&k.NwFrag, &m.NwFrag),
		})
	case "ipv6":
		if err = p.mark(l, atIPv6, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=":    ipv6F(&k.IPv6Src, &m.IPv6Src),
			"dst=":    ipv6F(&k.IPv6Dst, &m.IPv6Dst),
			"label=":  labelF(&k.IPv6Label, &m.IPv6Label),
			"proto=":  u8F(&k.NwProto, &m.NwProto),
			"tclass=": u8F(&k.NwTOS, &m.NwTOS),
			"hlimit=": u8F(&k.NwTTL, &m.NwTTL),
			"frag=":   fragF(&k.NwFrag, &m.NwFrag),
		})
	case "arp":
		if err = p.mark(l, atARP, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"sip=": ipv4F(&k.NwSrc, &m.NwSrc),
			"tip=": ipv4F(&k.NwDst, &m.NwDst),
			"op=":  arpOpF(&k.NwProto, &m.NwProto),
			"sha=": macF(&k.ArpSHA, &m.ArpSHA),
			"tha=": macF(&k.ArpTHA, &m.ArpTHA),
		})
	case "tcp", "udp", "sctp":
		bit := map[string]uint32{"tcp": atTCP, "udp": atUDP, "sctp": atSCTP}[name]
		if err = p.mark(l, bit, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"src=": u16F(&k.TpSrc, &m.TpSrc),
			"dst=": u16F(&k.TpDst, &m.TpDst),
		})
	case "tcp_flags":
		if err = p.mark(l, atTCPFlags, name); err != nil {
			return err
		}
		v, mm, err := p.flags(tcpFlagNames[:], 0x0fff)
		if err != nil {
			return err
		}
		k.TCPFlags, m.TCPFlags = uint16(v), uint16(mm)
		return p.expect(")")
	case "icmp", "icmpv6":
		bit := atICMP
		if name == "icmpv6" {
			bit = atICMPv6
		}
		if err = p.mark(l, bit, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"type=": u8in16F(&k.TpSrc, &m.TpSrc),
			"code=": u8in16F(&k.TpDst, &m.TpDst),
		})
	case "nd":
		if err = p.mark(l, atND, name); err != nil {
			return err
		}
		return p.fields(name, map[string]fieldParser{
			"target=": ipv6F(&k.NDTarget, &m.NDTarget),
			"sll=":    macF(&k.ArpSHA, &m.ArpSHA),
			"tll=":    macF(&k.ArpTHA, &m.ArpTHA),
		})
	case "nd_ext":
		if err = p.mark(l, atNDExt, name); err != nil {
			return err
		}
		// Like stock's userspace datapath, accept and ignore ND
		// extensions: its flow keys never carry them.
		var rk, rm uint32
		var ok, om uint16
		return p.fields(name, map[string]fieldParser{
			"nd_reserved=":     u32F(&rk, &rm),
			"nd_options_type=": u8in16F(&ok, &om),
		})
	}
	p.i = start
	return p.errorf("unknown or unsupported attribute %q", name)
}

// fieldParser scans one field value (after "name=") into a key and mask.
type fieldParser func(p *scanner) error

// fields parses "name=value,..." up to and including the closing ')'.
func (p *keyParser) fields(attr string, fs map[string]fieldParser) error {
	seen := map[string]bool{}
	for !p.lit(")") {
		if p.eof() {
			return p.errorf("missing ')' after %s", attr)
		}
		if len(seen) > 0 && !p.lit(",") {
			return p.errorf("expected ',' or ')' in %s", attr)
		}
		name := p.word("=,)")
		if !p.lit("=") {
			return p.errorf("expected a field of %s", attr)
		}
		name += "="
		f, ok := fs[name]
		if !ok {
			p.i -= len(name)
			return p.errorf("unknown field %s of %s", name, attr)
		}
		if seen[name] {
			p.i -= len(name)
			return p.errorf("field %s given twice", name)
		}
		seen[name] = true
		if err := f(&p.scanner); err != nil {
			return err
		}
	}
	return nil
}

func u8F(k, m *uint8) fieldParser {
	return func(p *scanner) error {
		v, mm, err := p.uintMasked(8)
		*k, *m = uint8(v), uint8(mm)
		return err
	}
}

// u8in16F scans an 8-bit value stored in a 16-bit key field (ICMP type and
// code live in tp_src/tp_dst), with an 8-bit mask as OVS keeps it.
func u8in16F(k, m *uint16) fieldParser {
	return func(p *scanner) error {
		v, mm, err := p.uintMasked(8)
		*k, *m = uint16(v), uint16(mm)
		return err
	}
}

func u16F(k, m *uint16) fieldParser {
	return func(p *scanner) error {
		v, mm, err := p.uintMasked(16)
		*k, *m = uint16(v), uint16(mm)
		return err
	}
}

func u32F(k, m *uint32) fieldParser {
	return func(p *scanner) error {
		v, mm, err := p.uintMasked(32)
		*k, *m = uint32(v), uint32(mm)
		return err
	}
}

func labelF(k, m *uint32) fieldParser {
	return func(p *scanner) error {
		v, err := p.uint(20)
		if err != nil {
			return err
		}
		mm := uint64(0xfffff)
		if p.lit("/") {
			if mm, err = p.uint(20); err != nil {
				return err
			}
		}
		*k, *m = uint32(v), uint32(mm)
		return nil
	}
}

func arpOpF(k, m *uint8) fieldParser {
	return func(p *scanner) error {
		v, mm, err := p.uintMasked(16)
		if err != nil {
			return err
		}
		if v > 0xff {
			return p.errorf("unsupported ARP opcode %d", v)
		}
		*k, *m = uint8(v), uint8(mm)
		return nil
	}
}

func ipv4F(k, m *uint32) fieldParser {
	return func(p *scanner) (err error) {
		*k, *m, err = p.ipv4Masked()
		return
	}
}

func ipv6F(k, m *[16]byte) fieldParser {
	return func(p *scanner) (err error) {
		*k, *m, err = p.ipv6Masked()
		return
	}
}

func macF(k, m *[6]byte) fieldParser {
	return func(p *scanner) (err error) {
		*k, *m, err = p.macMasked()
		return
	}
}

func fragF(k, m *uint8) fieldParser {
	return func(p *scanner) error {
		switch {
		case p.lit("no"):
			*k = 0
		case p.lit("first"):
			*k = flow.FragAny
		case p.lit("later"):
			*k = flow.FragAny | flow.FragLater
		default:
			return p.errorf("expected frag=no, first or later")
		}
		*m = flow.FragMask
		return nil
	}
}

// u128Masked scans a 128-bit number (hex "0x..." or decimal up to 64 bits)
// with an optional mask, in network byte order.
func (p *scanner) u128Masked() (v, m [16]byte, err error) {
	if v, err = p.u128(); err != nil {
		return
	}
	for i := range m {
		m[i] = 0xff
	}
	if p.lit("/") {
		m, err = p.u128()
	}
	return
}

func (p *scanner) u128() ([16]byte, error) {
	var a [16]byte
	if p.lit("0x") || p.lit("0X") {
		j := p.i
		for p.i < len(p.s) && digitVal(p.s[p.i]) < 16 {
			p.i++
		}
		digits := p.s[j:p.i]
		if len(digits) == 0 || len(digits) > 32 {
			return a, p.errorf("expected a 128-bit hex number")
		}
		for n, i := len(digits)-1, 15; n >= 0; n, i = n-2, i-1 {
			lo := digitVal(digits[n])
			hi := 0
			if n > 0 {
				hi = digitVal(digits[n-1])
			}
			a[i] = byte(hi<<4 | lo)
		}
		return a, nil
	}
	v, err := p.uint(64)
	if err != nil {
		return a, err
	}
	for i := 15; i >= 8; i-- {
		a[i] = byte(v)
		v >>= 8
	}
	return a, nil
}

func (p *keyParser) inPort(k, m *flow.Key) error {
	if c := p.peek(); c >= '0' && c <= '9' {
		v, mm, err := p.single(32)
		k.InPort, m.InPort = uint32(v), uint32(mm)
		return err
	}
	name := p.word(")")
	if p.portByName != nil {
		if n, ok := p.portByName(name); ok && p.lit(")") {
			k.InPort, m.InPort = n, 0xffffffff
			return nil
		}
	}
	p.i -= len(name)
	return p.errorf("unknown in_port %q", name)
}

// vlan parses vid=,pcp=,cfi= fields; the CFI bit defaults to set and exact.
func (p *keyParser) vlan(l *keyLevel) error {
	tci, mask := uint16(flow.VLANCFI), uint16(flow.VLANCFI)
	field := func(shift, bits uint) fieldParser {
		return func(p *scanner) error {
			v, err := p.uint(16)
			if err != nil {
				return err
			}
			if v>>bits != 0 {
				return p.errorf("value %d too large for %d bits", v, bits)
			}
			all := uint16(1<<bits-1) << shift
			tci = tci&^all | uint16(v)<<shift
			mm := uint64(1<<bits - 1)
			if p.lit("/") {
				if mm, err = p.uint(16); err != nil {
					return err
				}
				if mm>>bits != 0 {
					return p.errorf("mask %d too large for %d bits", mm, bits)
				}
			}
			mask = mask&^all | uint16(mm)<<shift
			return nil
		}
	}
	if err := p.fields("vlan", map[string]fieldParser{
		"vid=": field(0, 12),
		"pcp=": field(13, 3),
		"cfi=": field(12, 1),
	}); err != nil {
		return err
	}
	l.tci, l.tciM = tci, mask
	return nil
}

// mpls parses one or more label stack entries: label=,tc=,ttl=,bos= groups;
// a field seen again starts the next entry.
func (p *keyParser) mpls(k, m *flow.Key) error {
	n := 0
	var seen uint8
	type part struct {
		name        string
		shift, bits uint
		bit         uint8
	}
	parts := []part{{"label=", 12, 20, 1}, {"tc=", 9, 3, 2}, {"ttl=", 0, 8, 4}, {"bos=", 8, 1, 8}}
	first := true
	for !p.lit(")") {
		if p.eof() {
			return p.errorf("missing ')' after mpls")
		}
		if !first && !p.lit(",") {
			return p.errorf("expected ',' or ')' in mpls")
		}
		first = false
		var pt *part
		for i := range parts {
			if p.lit(parts[i].name) {
				pt = &parts[i]
				break
			}
		}
		if pt == nil {
			return p.errorf("unknown field of mpls")
		}
		if seen&pt.bit != 0 {
			n++
			seen = 0
			if n == len(k.MPLS) {
				return p.errorf("too many MPLS labels")
			}
		}
		seen |= pt.bit
		v, err := p.uint(32)
		if err != nil {
			return err
		}
		mm := uint64(1<<pt.bits - 1)
		if p.lit("/") {
			if mm, err = p.uint(32); err != nil {
				return err
			}
		}
		if v>>pt.bits != 0 || mm>>pt.bits != 0 {
			return p.errorf("mpls field out of range")
		}
		all := uint32(1<<pt.bits-1) << pt.shift
		k.MPLS[n] = k.MPLS[n]&^all | uint32(v)<<pt.shift
		m.MPLS[n] = m.MPLS[n]&^all | uint32(mm)<<pt.shift
	}
	if first {
		return p.errorf("empty mpls")
	}
	for i := 0; i < n; i++ {
		if k.MPLS[i]&0x100 != 0 {
			return p.errorf("MPLS bottom of stack set in an outer label")
		}
	}
	if n+1 < len(k.MPLS) && k.MPLS[n]&0x100 == 0 {
		return p.errorf("MPLS bottom of stack missing")
	}
	return nil
}

func (p *keyParser) tunnel(k, m *flow.Key) error {
	var src, srcM, dst, dstM uint32
	var hasSrc, hasDst bool
	fs := map[string]fieldParser{
		"tun_id=": func(p *scanner) error {
			v, mm, err := p.uintMasked(64)
			k.TunID, m.TunID = v, mm
			k.TunFlags |= flow.TunFlagKey
			return err
		},
		"src=": func(p *scanner) (err error) {
			hasSrc = true
			src, srcM, err = p.ipv4Masked()
			return
		},
		"dst=": func(p *scanner) (err error) {
			hasDst = true
			dst, dstM, err = p.ipv4Masked()
			return
		},
		"ipv6_src=": ipv6F(&k.TunSrc, &m.TunSrc),
		"ipv6_dst=": ipv6F(&k.TunDst, &m.TunDst),
		"tos=":      u8F(&k.TunTOS, &m.TunTOS),
		"ttl=":      u8F(&k.TunTTL, &m.TunTTL),
		"tp_src=":   u16F(&k.TunTpSrc, &m.TunTpSrc),
		"tp_dst=":   u16F(&k.TunTpDst, &m.TunTpDst),
	}
	seen := map[string]bool{}
	for !p.lit(")") {
		if p.eof() {
			return p.errorf("missing ')' after tunnel")
		}
		if len(seen) > 0 && !p.lit(",") {
			return p.errorf("expected ',' or ')' in tunnel")
		}
		if p.lit("flags(") {
			if seen["flags"] {
				return p.errorf("flags given twice")
			}
			seen["flags"] = true
			v, mm, err := p.flags(tunFlagNames[:], 0xf)
			if err != nil {
				return err
			}
			if err := p.expect(")"); err != nil {
				return err
			}
			const other = flow.TunFlagOAM | flow.TunFlagDontFrag | flow.TunFlagCsum
			k.TunFlags = k.TunFlags&^other | uint16(v)&other
			m.TunFlags = m.TunFlags&^other | uint16(mm)&other
			continue
		}
		name := p.word("=,)") + "="
		f, ok := fs[name]
		if !ok || !p.lit("=") {
			return p.errorf("unknown tunnel field %s", name)
		}
		if seen[name] {
			return p.errorf("field %s given twice", name)
		}
		seen[name] = true
		if err := f(&p.scanner); err != nil {
			return err
		}
	}
	if (hasSrc && seen["ipv6_src="]) || (hasDst && seen["ipv6_dst="]) {
		return p.errorf("tunnel with both IPv4 and IPv6 addresses")
	}
	if hasSrc {
		k.TunSrc, m.TunSrc = mapV4(src), mapV4(srcM)
	}
	if hasDst {
		k.TunDst, m.TunDst = mapV4(dst), mapV4(dstM)
	}
	if isZero(k.TunSrc[:]) && isZero(k.TunDst[:]) {
		return p.errorf("tunnel needs a source or destination address")
	}
	return nil
}

// mapV4 returns a as an IPv4-mapped IPv6 address (the mask form maps the
// same way, with the ::ffff: prefix exact).
func mapV4(a uint32) [16]byte {
	var r [16]byte
	r[10], r[11] = 0xff, 0xff
	r[12], r[13], r[14], r[15] = byte(a>>24), byte(a>>16), byte(a>>8), byte(a)
	return r
}

// build turns the parsed levels into a key and mask.
func (p *keyParser) build(top *keyLevel, key, mask *flow.Key) error {
	*key, *mask = top.k, top.m
	if top.present&atRecirc == 0 {
		mask.RecircID = 0xffffffff // recirc_id is exact 0 unless given
	}
	if top.present&(atEth|atPacketType) == 0 && top.present&atEthType != 0 {
		// No Ethernet header: as in OVS, the Ethertype is the packet type
		// (an L3 packet), with a wildcarded packet_type mask.
		key.PacketType = 1<<16 | uint32(top.ethType)
	}
	if top.present&atEth != 0 && key.PacketType != 0 {
		return fmt.Errorf("%w: eth() with a non-Ethernet packet_type", ErrSyntax)
	}
	if top.present&(atND|atNDExt|atL4|atTCPFlags|atL3) != 0 && top.present&atEncap != 0 {
		return fmt.Errorf("%w: L3/L4 attributes outside encap() of a VLAN key", ErrSyntax)
	}

	for l := top.encap; l != nil; l = l.encap {
		if l.present&^(atEthType|atVLAN|atEncap|atL3|atL4|atTCPFlags|atND|atNDExt) != 0 {
			return fmt.Errorf("%w: metadata or L2 attribute inside encap()", ErrSyntax)
		}
	}
	cur := top
	depth := 0
	for ; ; depth++ {
		tagged := cur.present&atEthType != 0 && isVLANType(cur.ethType) &&
			cur.present&(atVLAN|atEncap) != 0 && depth < flow.MaxVLANHeaders
		if !tagged {
			break
		}
		if cur.present&atVLAN != 0 && cur.tci&flow.VLANCFI == 0 {
			// Truncated 802.1Q header: the TPID is the Ethertype.
			if cur.encap != nil && cur.encap.present != 0 {
				return fmt.Errorf("%w: attributes inside encap() of a truncated VLAN header", ErrSyntax)
			}
			key.DlType, mask.DlType = cur.ethType, 0xffff
			if cur.tci != 0 {
				return fmt.Errorf("%w: vlan TCI %#x without the CFI bit", ErrSyntax, cur.tci)
			}
			mask.VLANs[depth] = flow.VLAN{TPID: 0xffff, TCI: cur.tciM}
			return nil
		}
		key.VLANs[depth] = flow.VLAN{TPID: cur.ethType, TCI: cur.tci}
		mask.VLANs[depth] = flow.VLAN{TPID: 0xffff, TCI: cur.tciM}
		if cur.present&atVLAN == 0 {
			// eth_type(0x8100),encap(...) without vlan(): a tag with TCI 0
			// is no tag; treat as truncated.
			if cur.encap != nil && cur.encap.present != 0 {
				return fmt.Errorf("%w: encap() without vlan()", ErrSyntax)
			}
			key.VLANs[depth] = flow.VLAN{}
			key.DlType, mask.DlType = cur.ethType, 0xffff
			mask.VLANs[depth] = flow.VLAN{TPID: 0xffff, TCI: 0xffff}
			return nil
		}
		if cur.encap == nil {
			cur = &keyLevel{}
		} else {
			cur = cur.encap
		}
	}
	if cur.present&(atVLAN|atEncap) != 0 {
		return fmt.Errorf("%w: vlan()/encap() without a VLAN eth_type", ErrSyntax)
	}
	if depth == 0 || depth < flow.MaxVLANHeaders && cur.present&atEthType != 0 && isVLANType(cur.ethType) {
		// No tag: a missing VLAN means "untagged"; a VLAN Ethertype
		// without vlan() is a truncated tag, exactly.
		mask.VLANs[depth] = flow.VLAN{TPID: 0xffff, TCI: 0xffff}
	}
	if cur != top {
		copyL3L4(key, &cur.k)
		copyL3L4(mask, &cur.m)
	}
	if err := p.buildL3(cur, key, mask); err != nil {
		return err
	}
	switch {
	case top.present&atCtTuple4 != 0 && top.present&atCtTuple6 != 0:
		return fmt.Errorf("%w: both ct_tuple4 and ct_tuple6", ErrSyntax)
	case top.present&atCtTuple4 != 0 && key.DlType != ethTypeIPv4:
		return fmt.Errorf("%w: ct_tuple4 needs eth_type(0x0800)", ErrSyntax)
	case top.present&atCtTuple6 != 0 && key.DlType != ethTypeIPv6:
		return fmt.Errorf("%w: ct_tuple6 needs eth_type(0x86dd)", ErrSyntax)
	}
	return nil
}

// copyL3L4 copies the fields below the Ethertype.
func copyL3L4(dst, src *flow.Key) {
	dst.MPLS = src.MPLS
	dst.NwSrc, dst.NwDst = src.NwSrc, src.NwDst
	dst.IPv6Src, dst.IPv6Dst, dst.NDTarget = src.IPv6Src, src.IPv6Dst, src.NDTarget
	dst.IPv6Label = src.IPv6Label
	dst.NwProto, dst.NwTOS, dst.NwTTL, dst.NwFrag = src.NwProto, src.NwTOS, src.NwTTL, src.NwFrag
	dst.ArpSHA, dst.ArpTHA = src.ArpSHA, src.ArpTHA
	dst.TCPFlags, dst.TpSrc, dst.TpDst = src.TCPFlags, src.TpSrc, src.TpDst
	dst.NDReserved = src.NDReserved
}

// buildL3 settles the Ethertype and checks that the L3/L4 attributes agree
// with it.
func (p *keyParser) buildL3(l *keyLevel, key, mask *flow.Key) error {
	pr := l.present
	if pr&atEthType != 0 {
		if l.ethType < ethTypeMin {
			// Not an Ethertype: "frames without one", exact or not at all.
			switch l.ethTM {
			case 0xffff:
				key.DlType, mask.DlType = dlTypeNone, 0xffff
			case 0:
				key.DlType, mask.DlType = 0, 0
			default:
				return fmt.Errorf("%w: cannot bitwise match non-Ethernet II eth_type %#x", ErrSyntax, l.ethType)
			}
		} else {
			key.DlType, mask.DlType = l.ethType, l.ethTM
		}
	} else {
		switch {
		case pr&atIPv4 != 0:
			key.DlType = ethTypeIPv4
		case pr&atIPv6 != 0:
			key.DlType = ethTypeIPv6
		case pr&atARP != 0:
			key.DlType = ethTypeARP
		case pr&atMPLS != 0:
			key.DlType = ethTypeMPLS
		case pr&(atICMP) != 0:
			key.DlType = ethTypeIPv4
		case pr&(atICMPv6|atND|atNDExt) != 0:
			key.DlType = ethTypeIPv6
		}
		if key.DlType != 0 {
			mask.DlType = 0xffff
		}
	}
	if pr&(atL3|atL4|atTCPFlags|atND|atNDExt) == 0 {
		return nil
	}
	if mask.DlType != 0xffff {
		return fmt.Errorf("%w: L3 attributes need an exact eth_type", ErrSyntax)
	}
	if n := bitsSet(pr & atL3); n > 1 {
		return fmt.Errorf("%w: more than one L3 attribute", ErrSyntax)
	}
	want := map[uint32]func(uint16) bool{
		atIPv4: func(t uint16) bool { return t == ethTypeIPv4 },
		atIPv6: func(t uint16) bool { return t == ethTypeIPv6 },
		atARP:  isARPType,
		atMPLS: isMPLSType,
	}
	for bit, ok := range want {
		if pr&bit != 0 && !ok(key.DlType) {
			return fmt.Errorf("%w: L3 attribute does not match eth_type(%#04x)", ErrSyntax, key.DlType)
		}
	}
	l4 := pr & (atL4 | atTCPFlags | atND | atNDExt)
	if l4 == 0 {
		return nil
	}
	if !isIPType(key.DlType) {
		return fmt.Errorf("%w: L4 attribute without IP", ErrSyntax)
	}
	if mask.NwFrag&flow.FragLater != 0 && key.NwFrag&flow.FragLater != 0 {
		return fmt.Errorf("%w: L4 attribute in a later fragment", ErrSyntax)
	}
	if bitsSet(pr&atL4) > 1 {
		return fmt.Errorf("%w: more than one L4 attribute", ErrSyntax)
	}
	var proto uint8
	switch {
	case pr&(atTCP|atTCPFlags) != 0:
		proto = protoTCP
		if pr&(atUDP|atSCTP|atICMP|atICMPv6|atND|atNDExt) != 0 {
			return fmt.Errorf("%w: tcp_flags without tcp", ErrSyntax)
		}
	case pr&atUDP != 0:
		proto = protoUDP
	case pr&atSCTP != 0:
		proto = protoSCTP
	case pr&atICMP != 0:
		proto = protoICMP
		if key.DlType != ethTypeIPv4 {
			return fmt.Errorf("%w: icmp without ipv4", ErrSyntax)
		}
	default:
		proto = protoICMPv6
		if key.DlType != ethTypeIPv6 {
			return fmt.Errorf("%w: icmpv6 without ipv6", ErrSyntax)
		}
	}
	switch {
	case mask.NwProto == 0:
		key.NwProto, mask.NwProto = proto, 0xff
	case mask.NwProto != 0xff || key.NwProto != proto:
		return fmt.Errorf("%w: L4 attribute does not match the IP protocol", ErrSyntax)
	}
	ndWild := isZero(mask.NDTarget[:]) && isZero(mask.ArpSHA[:]) && isZero(mask.ArpTHA[:])
	if pr&atND != 0 && !ndWild {
		if pr&atICMPv6 == 0 || !isND(key) || mask.TpSrc != 0xff || mask.TpDst != 0xff {
			return fmt.Errorf("%w: nd() needs icmpv6(type=135 or 136,code=0)", ErrSyntax)
		}
	}
	return nil
}

func bitsSet(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
