package ofctl

import (
	"errors"
	"fmt"
	"strings"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// maxNesting bounds clone()/write_actions() nesting, as OVS does.
const maxNesting = 100

// protocols is a set of OpenFlow protocol variants an action list or flow
// can be sent with; OVS tracks the same to reject impossible combinations.
type protocols uint8

const (
	pOF10 protocols = 1 << iota // OpenFlow 1.0 without extensions
	pNXM                        // OpenFlow 1.0 with Nicira extensions
	pOF11
	pOF12
	pOF13
	pOF14
	pOF15

	pAny     = pOF10 | pNXM | pOF11 | pOF12 | pOF13 | pOF14 | pOF15
	pOF10Any = pOF10 | pNXM
	pOF11Up  = pOF11 | pOF12 | pOF13 | pOF14 | pOF15
	pOF12Up  = pOF12 | pOF13 | pOF14 | pOF15
	pOF13Up  = pOF13 | pOF14 | pOF15
)

type actionParser struct {
	usable protocols
	depth  int
}

// ParseActions parses an action list in ovs-ofctl syntax (the text after
// "actions="), instructions included ("goto_table:1", "write_actions(...)",
// "meter:1"), in the order OVS requires. "drop" and "" give an empty list.
func ParseActions(s string) ([]openflow.Action, error) {
	p := actionParser{usable: pAny}
	return p.parse(s, true, "")
}

// instruction kinds in the order OpenFlow 1.1+ requires.
const (
	instMeter = iota
	instApply
	instClear
	instWrite
	instWriteMetadata
	instGoto
)

var instNames = []string{"meter", "apply_actions", "clear_actions", "write_actions", "write_metadata", "goto_table"}

func instOf(a openflow.Action) int {
	switch a.(type) {
	case openflow.Meter:
		return instMeter
	case openflow.ClearActions:
		return instClear
	case openflow.WriteActions:
		return instWrite
	case openflow.WriteMetadata:
		return instWriteMetadata
	case openflow.GotoTable:
		return instGoto
	}
	return instApply
}

func (p *actionParser) parse(s string, allowInst bool, outer string) ([]openflow.Action, error) {
	if p.depth >= maxNesting {
		//lint:ignore ST1005 OVS's exact message, which scripts and tests match
		return nil, errors.New("Action nested too deeply")
	}
	p.depth++
	defer func() { p.depth-- }()
	var out []openflow.Action
	drop := false
	sc := kvScanner{s: s}
	for {
		key, value, ok := sc.next()
		if !ok {
			break
		}
		if strings.EqualFold(key, "drop") {
			drop = true
			continue
		}
		if strings.EqualFold(key, "apply_actions") {
			return nil, errors.New("apply_actions is the default instruction")
		}
		as, err := p.parseOne(strings.ToLower(key), key, value)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	if drop && len(out) > 0 {
		return nil, errors.New("\"drop\" must not be accompanied by any other action or instruction")
	}
	for _, a := range out {
		if dst := dstField(a); dst != nil && (dst.ID == flow.FieldCtMark || dst.ID == flow.FieldCtLabel) {
			return nil, errors.New("cannot set CT fields outside of ct action")
		}
		if _, ok := a.(openflow.Meter); ok && outer != "" {
			return nil, fmt.Errorf("%s action doesn't support nested action meter", outer)
		}
	}
	if err := verifyActions(out, allowInst); err != nil {
		return nil, err
	}
	return out, nil
}

// dstField is the field an action writes, if any.
func dstField(a openflow.Action) *flow.Field {
	switch a := a.(type) {
	case openflow.SetField:
		return flow.LookupHeader(a.Header)
	case openflow.RegMove:
		return flow.LookupHeader(a.Dst.Header)
	case openflow.StackPop:
		return flow.LookupHeader(a.Field.Header)
	}
	return nil
}

// verifyActions checks instruction order and conjunction rules (OVS's
// ofpacts_verify).
func verifyActions(as []openflow.Action, allowInst bool) error {
	inst := instMeter
	for i, a := range as {
		if _, ok := a.(openflow.Conjunction); ok {
			for _, b := range as {
				switch b.(type) {
				case openflow.Conjunction, openflow.Note:
				default:
					return fmt.Errorf("\"conjunction\" actions may be used along with \"note\" but not any other kind of action (such as the \"%s\" action used here)", actionName(b))
				}
			}
			return nil
		}
		next := instOf(a)
		if i > 0 && ((inst == instApply && next < inst) || (inst != instApply && next <= inst)) {
			if next == inst {
				return fmt.Errorf("duplicate %s instruction not allowed, for OpenFlow 1.1+ compatibility", instNames[inst])
			}
			return fmt.Errorf("invalid instruction ordering: %s must appear before %s, for OpenFlow 1.1+ compatibility", instNames[next], instNames[inst])
		}
		if !allowInst && next != instApply && next != instMeter {
			return fmt.Errorf("%s instruction not allowed here", instNames[next])
		}
		inst = next
	}
	return nil
}

// actionName is OVS's name for an action type, for error messages.
func actionName(a openflow.Action) string {
	switch a := a.(type) {
	case openflow.Output:
		return "output"
	case openflow.Group:
		return "group"
	case openflow.Controller:
		return "controller"
	case openflow.Enqueue:
		return "enqueue"
	case openflow.OutputReg:
		return "output_reg"
	case openflow.SetField:
		return "set_field"
	case openflow.SetVLANVID:
		return "set_vlan_vid"
	case openflow.SetVLANPCP:
		return "set_vlan_pcp"
	case openflow.StripVLAN:
		return "strip_vlan"
	case openflow.PushVLAN:
		return "push_vlan"
	case openflow.SetEthSrc:
		return "mod_dl_src"
	case openflow.SetEthDst:
		return "mod_dl_dst"
	case openflow.SetIPv4Src:
		return "mod_nw_src"
	case openflow.SetIPv4Dst:
		return "mod_nw_dst"
	case openflow.SetIPDSCP:
		return "mod_nw_tos"
	case openflow.SetIPECN:
		return "mod_nw_ecn"
	case openflow.SetIPTTL:
		return "mod_nw_ttl"
	case openflow.SetL4SrcPort:
		return "mod_tp_src"
	case openflow.SetL4DstPort:
		return "mod_tp_dst"
	case openflow.RegMove:
		return "move"
	case openflow.StackPush:
		return "push"
	case openflow.StackPop:
		return "pop"
	case openflow.DecTTL:
		return "dec_ttl"
	case openflow.SetMPLSLabel:
		return "set_mpls_label"
	case openflow.SetMPLSTC:
		return "set_mpls_tc"
	case openflow.SetMPLSTTL:
		return "set_mpls_ttl"
	case openflow.DecMPLSTTL:
		return "dec_mpls_ttl"
	case openflow.PushMPLS:
		return "push_mpls"
	case openflow.PopMPLS:
		return "pop_mpls"
	case openflow.SetTunnel:
		return "set_tunnel"
	case openflow.SetQueue:
		return "set_queue"
	case openflow.PopQueue:
		return "pop_queue"
	case openflow.Resubmit:
		return "resubmit"
	case openflow.Conjunction:
		return "conjunction"
	case openflow.Note:
		return "note"
	case openflow.Exit:
		return "exit"
	case openflow.CTClear:
		return "ct_clear"
	case openflow.Clone:
		return "clone"
	case openflow.Meter:
		return "meter"
	case openflow.ClearActions:
		return "clear_actions"
	case openflow.WriteActions:
		return "write_actions"
	case openflow.WriteMetadata:
		return "write_metadata"
	case openflow.GotoTable:
		return "goto_table"
	case openflow.Unknown:
		return a.Name
	}
	return "<unknown>"
}

func one(a openflow.Action) []openflow.Action { return []openflow.Action{a} }

func (p *actionParser) parseOne(key, origKey, value string) ([]openflow.Action, error) {
	switch key {
	case "output":
		return parseOutput(value)
	case "group":
		id, err := strToU32(value)
		return one(openflow.Group{ID: id}), err
	case "controller":
		return parseController(value)
	case "enqueue":
		port, queue, ok := strings.Cut(strings.TrimLeft(value, ":q,"), ":")
		if !ok {
			port, queue, ok = strings.Cut(value, ",")
		}
		if !ok || port == "" {
			return nil, errors.New("\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"")
		}
		pt, pok := parsePort(port)
		if !pok {
			return nil, fmt.Errorf("%s: enqueue to unknown port", port)
		}
		q, err := strToU32(strings.TrimLeft(queue, ":q,"))
		return one(openflow.Enqueue{Port: pt, Queue: q}), err
	case "output_reg":
		return parseOutput(value)
	case "set_field":
		return parseSetField(value)
	case "load":
		return parseLoad(value)
	case "set_vlan_vid", "mod_vlan_vid":
		vid, err := strToU16(value, "VLAN VID")
		if err != nil {
			return nil, err
		}
		if vid&^0x0fff != 0 {
			return nil, fmt.Errorf("%s: not a valid VLAN VID", value)
		}
		return one(openflow.SetVLANVID{VID: vid, Push: key == "mod_vlan_vid"}), nil
	case "set_vlan_pcp", "mod_vlan_pcp":
		pcp, err := strToU8(value, "VLAN PCP")
		if err != nil {
			return nil, err
		}
		if pcp&^7 != 0 {
			return nil, fmt.Errorf("%s: not a valid VLAN PCP", value)
		}
		return one(openflow.SetVLANPCP{PCP: pcp, Push: key == "mod_vlan_pcp"}), nil
	case "strip_vlan":
		return one(openflow.StripVLAN{OF10: true}), nil
	case "pop_vlan":
		return one(openflow.StripVLAN{}), nil
	case "push_vlan":
		p.usable &= pOF11Up
		et, err := strToU16(value, "ethertype")
		if err != nil {
			return nil, err
		}
		if et != 0x8100 && et != 0x88a8 {
			return nil, fmt.Errorf("%s: not a valid VLAN ethertype", value)
		}
		return one(openflow.PushVLAN{EthType: et}), nil
	case "mod_dl_src", "mod_dl_dst":
		mac, ok := flow.ParseMAC(value)
		if !ok {
			return nil, fmt.Errorf("invalid mac address %s", value)
		}
		if key == "mod_dl_src" {
			return one(openflow.SetEthSrc{MAC: mac}), nil
		}
		return one(openflow.SetEthDst{MAC: mac}), nil
	case "mod_nw_src", "mod_nw_dst":
		ip, mask, err := flow.ParseIPv4Masked(value)
		if err != nil || mask != [4]byte{0xff, 0xff, 0xff, 0xff} {
			return nil, fmt.Errorf("%s: could not convert to IP address", value)
		}
		a := uint32(beUint(ip[:]))
		if key == "mod_nw_src" {
			return one(openflow.SetIPv4Src{Addr: a}), nil
		}
		return one(openflow.SetIPv4Dst{Addr: a}), nil
	case "mod_nw_tos":
		tos, err := strToU8(value, "TOS")
		if err != nil {
			return nil, err
		}
		if tos&^0xfc != 0 {
			return nil, fmt.Errorf("%s: not a valid TOS", value)
		}
		return one(openflow.SetIPDSCP{TOS: tos}), nil
	case "mod_nw_ecn":
		ecn, err := strToU8(value, "ECN")
		if err != nil {
			return nil, err
		}
		if ecn&^3 != 0 {
			return nil, fmt.Errorf("%s: not a valid ECN", value)
		}
		return one(openflow.SetIPECN{ECN: ecn}), nil
	case "mod_nw_ttl", "set_nw_ttl":
		ttl, err := strToU8(value, "TTL")
		return one(openflow.SetIPTTL{TTL: ttl}), err
	case "mod_tp_src":
		port, err := strToU16(value, "source port")
		return one(openflow.SetL4SrcPort{Port: port}), err
	case "mod_tp_dst":
		port, err := strToU16(value, "destination port")
		return one(openflow.SetL4DstPort{Port: port}), err
	case "move":
		return parseMove(value)
	case "push", "pop":
		f, r, rest, err := parseSubfield(value)
		if err == nil && rest != "" {
			err = errors.New("unexpected input following field syntax")
		}
		if err != nil {
			return nil, err
		}
		_ = f
		if key == "push" {
			return one(openflow.StackPush{Field: r}), nil
		}
		return one(openflow.StackPop{Field: r}), nil
	case "dec_ttl":
		if value == "" {
			return one(openflow.DecTTL{}), nil
		}
		var ids []uint16
		for _, f := range strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' }) {
			ids = append(ids, uint16(atoi(f)))
		}
		if len(ids) == 0 {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return nil, errors.New("dec_ttl_cnt_ids: expected at least one controller id.")
		}
		return one(openflow.DecTTL{ControllerIDs: ids, NX: true}), nil
	case "set_mpls_label":
		if value == "" {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return nil, errors.New("set_mpls_label: expected label.")
		}
		l, err := strToU32(value)
		return one(openflow.SetMPLSLabel{Label: l}), err
	case "set_mpls_tc":
		if value == "" {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return nil, errors.New("set_mpls_tc: expected tc.")
		}
		tc, err := strToU8(value, "MPLS TC")
		return one(openflow.SetMPLSTC{TC: tc}), err
	case "set_mpls_ttl":
		if value == "" {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return nil, errors.New("set_mpls_ttl: expected ttl.")
		}
		ttl, err := strToU8(value, "mpls_ttl")
		return one(openflow.SetMPLSTTL{TTL: ttl}), err
	case "dec_mpls_ttl":
		return one(openflow.DecMPLSTTL{}), nil
	case "push_mpls":
		et, err := strToU16(value, "push_mpls")
		return one(openflow.PushMPLS{EthType: et}), err
	case "pop_mpls":
		et, err := strToU16(value, "pop_mpls")
		return one(openflow.PopMPLS{EthType: et}), err
	case "set_tunnel", "set_tunnel64":
		id, err := strToU64(value)
		return one(openflow.SetTunnel{ID: id, Wide: key == "set_tunnel64"}), err
	case "set_queue":
		q, err := strToU32(value)
		return one(openflow.SetQueue{ID: q}), err
	case "pop_queue":
		return one(openflow.PopQueue{}), nil
	case "resubmit":
		return parseResubmit(value)
	case "conjunction":
		return parseConjunction(value)
	case "note":
		data, ok := parseHex(value)
		if !ok {
			return nil, errors.New("bad hex digit in `note' argument")
		}
		return one(openflow.Note{Data: data}), nil
	case "exit":
		return one(openflow.Exit{}), nil
	case "ct_clear":
		return one(openflow.CTClear{}), nil
	case "copy_ttl_out":
		return one(openflow.CopyTTLOut{}), nil
	case "copy_ttl_in":
		return one(openflow.CopyTTLIn{}), nil
	case "clone":
		as, err := p.parse(value, false, "clone")
		return one(openflow.Clone{Actions: as}), err
	case "meter":
		p.usable &= pOF13Up
		id, err := strToU32(value)
		return one(openflow.Meter{ID: id}), err
	case "clear_actions":
		p.usable &= pOF11Up
		return one(openflow.ClearActions{}), nil
	case "write_actions":
		p.usable &= pOF11Up
		as, err := p.parse(value, false, "write_actions")
		return one(openflow.WriteActions{Actions: as}), err
	case "write_metadata":
		p.usable &= pNXM | pOF11Up
		v, m, hasMask := strings.Cut(value, "/")
		mask := ^uint64(0)
		if hasMask {
			var err error
			if mask, err = strToU64(m); err != nil {
				return nil, err
			}
		}
		x, err := strToU64(v)
		return one(openflow.WriteMetadata{Value: x, Mask: mask}), err
	case "goto_table":
		p.usable &= pOF11Up
		t, ok := parseTable(value)
		if !ok {
			return nil, fmt.Errorf("unknown table \"%s\"", value)
		}
		return one(openflow.GotoTable{Table: t}), nil
	}
	switch key {
	case "bundle", "bundle_load", "fin_timeout", "learn", "multipath", "sample",
		"ct", "nat", "output_trunc", "check_pkt_larger", "encap", "decap",
		"dec_nsh_ttl", "delete_field", "debug_recirc", "debug_slow", "unroll_xlate":
		return nil, fmt.Errorf("%s: action not supported by govs", origKey)
	}
	if port, ok := parsePort(origKey); ok {
		return one(openflow.Output{Port: port}), nil
	}
	return nil, fmt.Errorf("unknown action %s", origKey)
}

func atoi(s string) int {
	n, neg := 0, false
	s = strings.TrimLeft(s, " \t")
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
		if n > 1<<31 {
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

func parseOutput(arg string) ([]openflow.Action, error) {
	if strings.Contains(arg, "port") && strings.Contains(arg, "max_len") {
		return nil, fmt.Errorf("%s: output with max_len (output_trunc) not supported by govs", arg)
	}
	if port, ok := parsePort(arg); ok {
		o := openflow.Output{Port: port}
		if port == openflow.PortController {
			o.MaxLen = 0xffff
		}
		return one(o), nil
	}
	if r, err := ParseSubfield(arg); err == nil {
		return one(openflow.OutputReg{Src: r, MaxLen: 0xffff}), nil
	}
	return nil, fmt.Errorf("%s: output to unknown port", arg)
}

// packetInReasons are OVS's names of packet-in reasons (OFPR_*).
var packetInReasons = []string{"no_match", "action", "invalid_ttl", "action_set", "group", "packet_out"}

const reasonAction = 1

func parseController(arg string) ([]openflow.Action, error) {
	c := openflow.Controller{MaxLen: 0xffff, Reason: reasonAction, MeterID: noMeter}
	switch {
	case arg == "":
	case strings.Trim(arg, "0123456789") == "":
		ml, err := strToU16(arg, "max_len")
		if err != nil {
			return nil, err
		}
		c.MaxLen = ml
	default:
		sc := kvScanner{s: arg}
		for {
			name, value, ok := sc.next()
			if !ok {
				break
			}
			var err error
			switch name {
			case "reason":
				found := false
				for i, r := range packetInReasons {
					if value == r {
						c.Reason, found = uint8(i), true
					}
				}
				if !found {
					return nil, fmt.Errorf("unknown reason \"%s\"", value)
				}
			case "max_len":
				c.MaxLen, err = strToU16(value, "max_len")
			case "id":
				c.ControllerID, err = strToU16(value, "id")
			case "userdata":
				d, ok := parseHex(value)
				if !ok {
					return nil, errors.New("bad hex digit in `controller' action `userdata'")
				}
				c.UserData = d
				if c.UserData == nil {
					c.UserData = []byte{}
				}
			case "pause":
				c.Pause = true
			case "meter_id":
				c.MeterID, err = strToU32(value)
			default:
				return nil, fmt.Errorf("unknown key \"%s\" parsing controller action", name)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	if c.Reason == reasonAction && c.ControllerID == 0 && c.UserData == nil && !c.Pause && isNoMeter(c.MeterID) {
		return one(openflow.Output{Port: openflow.PortController, MaxLen: c.MaxLen}), nil
	}
	c.V2 = c.UserData != nil || c.Pause || !isNoMeter(c.MeterID)
	return one(c), nil
}

// noMeter is the meter ID of a controller action without a meter.
const noMeter = 0xffffffff

func isNoMeter(id uint32) bool { return id == noMeter || id == 0 }

func splitArrow(arg string) (value, key string, err error) {
	i := strings.Index(arg, "->")
	if i < 0 {
		return "", "", fmt.Errorf("%s: missing `->'", arg)
	}
	if len(arg) <= i+2 {
		return "", "", fmt.Errorf("%s: missing field name following `->'", arg)
	}
	return arg[:i], arg[i+2:], nil
}

func parseSetField(arg string) ([]openflow.Action, error) {
	value, key, err := splitArrow(arg)
	if err != nil {
		return nil, err
	}
	f := flow.LookupName(key)
	if f == nil {
		return nil, fmt.Errorf("%s is not a valid OXM field name", key)
	}
	if !f.Writable {
		return nil, fmt.Errorf("%s is read-only", key)
	}
	v, m, err := f.ParseValue(value)
	if err != nil {
		return nil, err
	}
	if !valueValid(f, v) {
		return nil, fmt.Errorf("%s is not a valid value for field %s", value, key)
	}
	for i := range v {
		v[i] &= m[i]
	}
	return one(openflow.SetField{Header: fieldHeader(f), Value: v, Mask: m}), nil
}

// valueValid reports whether v is a value f can take (OVS's
// mf_is_value_valid for the fields govs has).
func valueValid(f *flow.Field, v []byte) bool {
	x := beUint(v)
	switch f.ID {
	case flow.FieldIPDSCP:
		return x&3 == 0
	case flow.FieldIPDSCPShifted:
		return x < 64
	case flow.FieldIPECN:
		return x < 4
	case flow.FieldIPFrag:
		return x&^flow.FragMask == 0
	case flow.FieldARPOp:
		return x < 256
	case flow.FieldIPv6Label, flow.FieldMPLSLabel:
		return x < 1<<20
	case flow.FieldMPLSTC, flow.FieldVLANPCP, flow.FieldDlVLANPCP:
		return x < 8
	case flow.FieldMPLSBOS:
		return x < 2
	case flow.FieldVLANVID:
		return x < 0x2000
	case flow.FieldDlVLAN:
		return x < 0x1000 || x == 0xffff
	case flow.FieldTunFlags:
		return x&^flow.TunFlagOAM == 0
	}
	return true
}

func parseLoad(arg string) ([]openflow.Action, error) {
	value, key, err := splitArrow(arg)
	if err != nil {
		return nil, err
	}
	f, r, rest, err := parseSubfield(key)
	if err == nil && rest != "" {
		err = errors.New("unexpected input following field syntax")
	}
	if err != nil {
		return nil, err
	}
	v := make([]byte, f.Bytes)
	if rest, err := flow.ParseInt(value, v); err != nil || rest != "" {
		return nil, fmt.Errorf("%s: cannot parse integer value", arg)
	}
	if !bitsZeroFrom(v, r.Bits) {
		return nil, fmt.Errorf("%s: value %s does not fit into %d bits", arg, f.FormatValue(v), r.Bits)
	}
	val, mask := make([]byte, f.Bytes), make([]byte, f.Bytes)
	for i := 0; i < r.Bits; i++ {
		if getBit(v, i) {
			setBit(val, r.Ofs+i)
		}
		setBit(mask, r.Ofs+i)
	}
	return one(openflow.SetField{Header: r.Header, Value: val, Mask: mask, Raw: openflow.SetFieldRawRegLoad}), nil
}

// Bit helpers over big-endian byte strings; bit 0 is the least significant.
func getBit(b []byte, i int) bool { return b[len(b)-1-i/8]&(1<<(i%8)) != 0 }
func setBit(b []byte, i int)      { b[len(b)-1-i/8] |= 1 << (i % 8) }

func bitsZeroFrom(b []byte, from int) bool {
	for i := from; i < len(b)*8; i++ {
		if getBit(b, i) {
			return false
		}
	}
	return true
}

func parseMove(arg string) ([]openflow.Action, error) {
	_, src, rest, err := parseSubfield(arg)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(rest, "->") {
		return nil, fmt.Errorf("%s: missing `->' following source", arg)
	}
	_, dst, rest, err := parseSubfield(rest[2:])
	if err != nil {
		return nil, err
	}
	if rest != "" {
		return nil, fmt.Errorf("%s: trailing garbage following destination", arg)
	}
	if src.Bits != dst.Bits {
		return nil, fmt.Errorf("%s: source field is %d bits wide but destination is %d bits wide", arg, src.Bits, dst.Bits)
	}
	return one(openflow.RegMove{Src: src, Dst: dst}), nil
}

func parseResubmit(arg string) ([]openflow.Action, error) {
	r := openflow.Resubmit{InPort: openflow.PortInPort, Table: openflow.TableCurrent}
	parts := strings.SplitN(arg, ",", 3)
	if parts[0] != "" {
		p, ok := parsePort(parts[0])
		if !ok {
			return nil, fmt.Errorf("%s: resubmit to unknown port", parts[0])
		}
		r.InPort = p
	}
	if len(parts) > 1 && parts[1] != "" {
		t, ok := parseTable(parts[1])
		if !ok {
			return nil, fmt.Errorf("%s: resubmit to unknown table", parts[1])
		}
		r.Table = t
	}
	if len(parts) > 2 && parts[2] != "" {
		ct := parts[2]
		if i := strings.IndexByte(ct, ','); i >= 0 {
			ct = ct[:i]
		}
		if ct != "ct" {
			return nil, fmt.Errorf("%s: unknown parameter", ct)
		}
		r.CT = true
	}
	if r.InPort == openflow.PortInPort && r.Table == openflow.TableCurrent {
		return nil, errors.New("at least one \"in_port\" or \"table\" must be specified on resubmit")
	}
	return one(r), nil
}

func parseConjunction(arg string) ([]openflow.Action, error) {
	bad := errors.New("\"conjunction\" syntax is \"conjunction(id,i/n)\"")
	idS, rest, ok := strings.Cut(arg, ",")
	if !ok {
		return nil, bad
	}
	cS, nS, ok := strings.Cut(rest, "/")
	if !ok {
		return nil, bad
	}
	id, _, err := parseCUint(strings.TrimSpace(idS))
	if err != nil {
		return nil, bad
	}
	c, err1 := strToU8(strings.TrimSpace(cS), "clause")
	n, err2 := strToU8(strings.TrimSpace(nS), "n_clauses")
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	switch {
	case n < 2:
		return nil, errors.New("conjunction must have at least 2 clauses")
	case n > 64:
		return nil, errors.New("conjunction must have at most 64 clauses")
	case c < 1:
		return nil, errors.New("clause index must be positive")
	case c > n:
		return nil, errors.New("clause index must be less than or equal to number of clauses")
	}
	return one(openflow.Conjunction{ID: uint32(id), Clause: c - 1, NClauses: n}), nil
}
