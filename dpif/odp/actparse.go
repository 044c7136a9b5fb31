package odp

import (
	"fmt"
	"strings"

	"govs.dev/govs/flow"
)

// ParseActions parses datapath actions in ODP syntax, the inverse of
// FormatActions and what "ovs-appctl dpctl/add-flow" accepts after the key.
// "drop" and the empty string are the empty list. An output port is a
// number or, with portByName (may be nil), a port name. It accepts what
// FormatActions prints, including forms OVS 3.1 prints but cannot parse
// back (recirc(0x1), hash(l4(0)), clone(drop)). Each set(...) becomes one
// ActSet whose Value also carries the context FormatActions needs (DlType
// for ipv4/ipv6/arp/nd, NwProto for tcp/udp/sctp/icmp/icmpv6) with a zero
// mask. Errors wrap ErrSyntax; ParseActions never panics on any input.
func ParseActions(s string, portByName func(string) (uint32, bool)) ([]Action, error) {
	p := &actParser{keyParser: keyParser{scanner: scanner{s: s}, portByName: portByName}}
	if strings.EqualFold(strings.Trim(s, delimiters), "drop") {
		return nil, nil
	}
	acts, err := p.list(0)
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errorf("unexpected ')'")
	}
	return acts, nil
}

type actParser struct {
	keyParser
}

// list parses actions up to the end of input or a ')' (not consumed).
func (p *actParser) list(depth int) ([]Action, error) {
	if depth > maxNesting {
		return nil, p.errorf("actions too deeply nested")
	}
	var acts []Action
	for {
		p.skipDelims()
		if p.eof() || p.peek() == ')' {
			return acts, nil
		}
		if depth > 0 && p.lit("drop") {
			continue
		}
		a, err := p.action(depth)
		if err != nil {
			return nil, err
		}
		acts = append(acts, a)
		if !p.eof() && p.peek() != ')' && strings.IndexByte(delimiters, p.peek()) < 0 {
			return nil, p.errorf("expected ',' between actions")
		}
	}
}

func (p *actParser) action(depth int) (Action, error) {
	if c := p.peek(); c >= '0' && c <= '9' {
		v, err := p.uint(32)
		return Action{Type: ActOutput, Port: uint32(v)}, err
	}
	if p.lit("trunc(") {
		v, err := p.uint(32)
		if err != nil {
			return Action{}, err
		}
		return Action{Type: ActTrunc, Len: uint32(v)}, p.expect(")")
	}
	if p.portByName != nil {
		start := p.i
		w := p.word(delimiters + ")")
		if port, ok := p.portByName(w); ok && w != "" {
			return Action{Type: ActOutput, Port: port}, nil
		}
		p.i = start
	}
	switch {
	case p.lit("recirc("):
		v, err := p.uint(32)
		if err != nil {
			return Action{}, err
		}
		return Action{Type: ActRecirc, ID: uint32(v)}, p.expect(")")
	case p.lit("hash(l4("):
		v, err := p.uint(32)
		if err != nil {
			return Action{}, err
		}
		return Action{Type: ActHash, Basis: uint32(v)}, p.expect("))")
	case p.lit("userspace("):
		return p.userspace()
	case p.lit("set("):
		return p.set(depth)
	case p.lit("push_vlan("):
		return p.pushVLAN()
	case p.lit("pop_vlan"):
		return Action{Type: ActPopVLAN}, nil
	case p.lit("clone("):
		nested, err := p.list(depth + 1)
		if err != nil {
			return Action{}, err
		}
		if nested == nil {
			nested = []Action{}
		}
		return Action{Type: ActClone, Nested: nested}, p.expect(")")
	}
	return Action{}, p.errorf("unknown or unsupported action")
}

func (p *actParser) pushVLAN() (Action, error) {
	a := Action{Type: ActPushVLAN, TPID: ethTypeVLAN}
	if p.lit("tpid=") {
		v, err := p.uint(16)
		if err != nil {
			return a, err
		}
		a.TPID = uint16(v)
		if err := p.expect(","); err != nil {
			return a, err
		}
	}
	vid, pcp, cfi := uint64(0), uint64(0), uint64(1)
	var err error
	if err = p.expect("vid="); err != nil {
		return a, err
	}
	if vid, err = p.uint(16); err != nil {
		return a, err
	}
	if err = p.expect(",pcp="); err != nil {
		return a, err
	}
	if pcp, err = p.uint(8); err != nil {
		return a, err
	}
	if p.lit(",cfi=") {
		if cfi, err = p.uint(8); err != nil {
			return a, err
		}
	}
	if vid > 0xfff || pcp > 7 {
		return a, p.errorf("push_vlan vid or pcp out of range")
	}
	a.TCI = uint16(vid) | uint16(pcp)<<13
	if cfi != 0 {
		a.TCI |= flow.VLANCFI
	}
	return a, p.expect(")")
}

func (p *actParser) userspace() (Action, error) {
	u := &Userspace{}
	a := Action{Type: ActUserspace, Userspace: u}
	if err := p.expect("pid="); err != nil {
		return a, err
	}
	pid, err := p.uint(32)
	if err != nil {
		return a, err
	}
	u.PID = uint32(pid)
	switch {
	case p.lit(",slow_path("):
		u.Kind = UserspaceSlowPath
		// OVS prints reasons separated by ',' and parses them separated
		// by '|'; accept both, and numbers.
		for !p.lit(")") {
			if p.eof() {
				return a, p.errorf("missing ')' after slow_path")
			}
			if c := p.peek(); c >= '0' && c <= '9' {
				v, err := p.uint(32)
				if err != nil {
					return a, err
				}
				if v>>len(slowPathNames) != 0 {
					return a, p.errorf("unknown slow_path reason bits")
				}
				u.Reason |= uint32(v)
			} else {
				bit, ok := p.flagName(slowPathNames[:], ",|)")
				if !ok {
					return a, p.errorf("unknown slow_path reason")
				}
				u.Reason |= bit
			}
			if !p.lit(",") {
				p.lit("|")
			}
		}
	case p.lit(",controller("):
		u.Kind = UserspaceController
		c := &u.Controller
		var vals [7]uint64
		for i, f := range []struct {
			name string
			bits int
		}{{"reason=", 16}, {",dont_send=", 8}, {",continuation=", 8}, {",recirc_id=", 32},
			{",rule_cookie=", 64}, {",controller_id=", 16}, {",max_len=", 16}} {
			if err := p.expect(f.name); err != nil {
				return a, err
			}
			var err error
			if f.name == ",rule_cookie=" {
				// C's "%x": hex with an optional 0x prefix.
				if !p.lit("0x") {
					p.lit("0X")
				}
				vals[i], err = p.hex64()
			} else {
				vals[i], err = p.uint(f.bits)
			}
			if err != nil {
				return a, err
			}
		}
		u.Reason = uint32(vals[0])
		c.DontSend, c.Continuation = vals[1] != 0, vals[2] != 0
		c.RecircID, c.RuleCookie = uint32(vals[3]), vals[4]
		c.ControllerID, c.MaxLen = uint16(vals[5]), uint16(vals[6])
		if err := p.expect(")"); err != nil {
			return a, err
		}
	case p.lit(",userdata("):
		hex := p.word(")")
		if len(hex)%2 != 0 {
			return a, p.errorf("odd number of hex digits in userdata")
		}
		u.Cookie = make([]byte, len(hex)/2)
		for i := range u.Cookie {
			hi, lo := digitVal(hex[2*i]), digitVal(hex[2*i+1])
			if hi > 15 || lo > 15 {
				return a, p.errorf("bad hex digit in userdata")
			}
			u.Cookie[i] = byte(hi<<4 | lo)
		}
		if err := p.expect(")"); err != nil {
			return a, err
		}
	}
	return a, p.expect(")")
}

// hex64 scans up to 16 hex digits.
func (p *scanner) hex64() (uint64, error) {
	j := p.i
	var v uint64
	for p.i < len(p.s) && digitVal(p.s[p.i]) < 16 {
		if p.i-j == 16 {
			return 0, p.errorf("hex number too long")
		}
		v = v<<4 | uint64(digitVal(p.s[p.i]))
		p.i++
	}
	if p.i == j {
		return 0, p.errorf("expected a hex number")
	}
	return v, nil
}

// settable lists the key attributes a set action may rewrite and the
// context each one implies: Ethertype and IP protocol.
var settable = map[uint32]struct {
	dlType uint16
	proto  uint8
}{
	atTunnel:   {},
	atPriority: {},
	atSkbMark:  {},
	atEth:      {},
	atIPv4:     {ethTypeIPv4, 0},
	atIPv6:     {ethTypeIPv6, 0},
	atARP:      {ethTypeARP, 0},
	atND:       {ethTypeIPv6, protoICMPv6},
	atTCP:      {0, protoTCP},
	atUDP:      {0, protoUDP},
	atSCTP:     {0, protoSCTP},
	atICMP:     {ethTypeIPv4, protoICMP},
	atICMPv6:   {ethTypeIPv6, protoICMPv6},
}

func (p *actParser) set(depth int) (Action, error) {
	l := &keyLevel{}
	start := p.i
	if err := p.attr(l, depth+1); err != nil {
		return Action{}, err
	}
	ctx, ok := settable[l.present]
	if !ok {
		p.i = start
		return Action{}, p.errorf("attribute cannot be set")
	}
	if l.m.IsZero() {
		p.i = start
		return Action{}, fmt.Errorf("%w: set() rewrites nothing", ErrSyntax)
	}
	s := &SetMasked{Value: l.k, Mask: l.m}
	if l.present == atTunnel {
		// set(tunnel(...)) is never masked: it replaces the whole tunnel key.
		s.Mask.TunID, s.Mask.TunFlags = ^uint64(0), 0xffff
		s.Mask.TunTOS, s.Mask.TunTTL = 0xff, 0xff
		s.Mask.TunTpSrc, s.Mask.TunTpDst = 0xffff, 0xffff
		for i := range s.Mask.TunSrc {
			s.Mask.TunSrc[i], s.Mask.TunDst[i] = 0xff, 0xff
		}
	}
	// Value keeps bits outside the mask as written: OVS prints them back.
	if ctx.dlType != 0 {
		s.Value.DlType = ctx.dlType
	}
	if ctx.proto != 0 && s.Mask.NwProto == 0 {
		s.Value.NwProto = ctx.proto
	}
	return Action{Type: ActSet, Set: s}, p.expect(")")
}
