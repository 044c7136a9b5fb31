package ofctl

import (
	"errors"
	"fmt"
	"strings"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// Command is the flow_mod command a flow specification is parsed for; it
// decides which keywords are allowed (OVS's parse_ofp_str).
type Command int

// Commands. CommandQuery is dump-flows/dump-aggregate syntax (match and
// out_port/out_group only).
const (
	CommandAdd Command = iota
	CommandModify
	CommandModifyStrict
	CommandDelete
	CommandDeleteStrict
	CommandQuery
)

// FlowModFlags are the OFPFF_* flags of a flow.
type FlowModFlags uint8

// Flow flags, in OVS's print order.
const (
	FlagSendFlowRem FlowModFlags = 1 << iota
	FlagCheckOverlap
	FlagResetCounts
	FlagNoPacketCounts
	FlagNoByteCounts
)

func (f FlowModFlags) format() string {
	var b strings.Builder
	for i, name := range []string{"send_flow_rem", "check_overlap", "reset_counts", "no_packet_counts", "no_byte_counts"} {
		if f&(1<<i) != 0 {
			b.WriteString(name + " ")
		}
	}
	return b.String()
}

// DefaultPriority is the priority of a flow that does not give one.
const DefaultPriority = defaultPriority

// TableAll in FlowSpec.Table means "no table given" (all tables for
// delete/modify, table 0 for add).
const TableAll = 0xff

// FlowSpec is a parsed flow specification. The caller owns it.
type FlowSpec struct {
	Command  Command
	Match    flow.Match
	Priority int   // DefaultPriority unless given
	Table    uint8 // TableAll unless given
	// Cookie is the new cookie for add/modify (ModifyCookie says whether
	// one was given), or with CookieMask != 0 the cookie to match.
	Cookie       uint64
	CookieMask   uint64
	ModifyCookie bool
	IdleTimeout  uint16
	HardTimeout  uint16
	Importance   uint16
	Flags        FlowModFlags
	OutPort      openflow.Port // PortNone unless given
	OutGroup     uint32        // OFPG_ANY (0xffffffff) unless given
	Actions      []openflow.Action
}

// protocolNames maps the shorthand keywords to dl_type and nw_proto.
var protocolNames = map[string]struct {
	dlType  uint16
	nwProto uint8
}{
	"ip": {flow.EthTypeIPv4, 0}, "ipv4": {flow.EthTypeIPv4, 0}, "ip4": {flow.EthTypeIPv4, 0},
	"arp": {flow.EthTypeARP, 0}, "icmp": {flow.EthTypeIPv4, flow.IPProtoICMP},
	"tcp": {flow.EthTypeIPv4, flow.IPProtoTCP}, "udp": {flow.EthTypeIPv4, flow.IPProtoUDP},
	"sctp": {flow.EthTypeIPv4, flow.IPProtoSCTP}, "ipv6": {flow.EthTypeIPv6, 0},
	"ip6": {flow.EthTypeIPv6, 0}, "icmp6": {flow.EthTypeIPv6, flow.IPProtoICMPv6},
	"tcp6": {flow.EthTypeIPv6, flow.IPProtoTCP}, "udp6": {flow.EthTypeIPv6, flow.IPProtoUDP},
	"sctp6": {flow.EthTypeIPv6, flow.IPProtoSCTP}, "rarp": {flow.EthTypeRARP, 0},
	"mpls": {flow.EthTypeMPLS, 0}, "mplsm": {flow.EthTypeMPLSMcast, 0},
}

var (
	dlTypeField  = flow.LookupName("dl_type")
	nwProtoField = flow.LookupName("nw_proto")
)

func setExact16(f *flow.Field, m *flow.Match, v uint16) {
	f.SetMasked(m, []byte{byte(v >> 8), byte(v)}, []byte{0xff, 0xff})
}

// ParseFlow parses a flow specification in ovs-ofctl syntax for cmd, with
// OVS's error messages. As a switch would after receiving the flow, match
// fields whose prerequisites the match does not establish are dropped
// ("tp_dst=80" without "tcp" matches everything), and the actions are
// checked against the match ("actions are invalid with specified match
// (OFPBAC_MATCH_INCONSISTENT)").
func ParseFlow(s string, cmd Command) (*FlowSpec, error) {
	fs := &FlowSpec{
		Command:  cmd,
		Priority: DefaultPriority,
		Table:    TableAll,
		OutPort:  openflow.PortNone,
		OutGroup: 0xffffffff,
	}
	var allowOutPort, allowActions, allowTimeout, allowPriority, allowFlags, allowImportance bool
	switch cmd {
	case CommandAdd:
		allowActions, allowTimeout, allowPriority, allowFlags, allowImportance = true, true, true, true, true
	case CommandModify, CommandModifyStrict:
		allowActions, allowTimeout, allowPriority, allowFlags = true, true, true, true
	case CommandDelete, CommandQuery:
		allowOutPort = true
	case CommandDeleteStrict:
		allowOutPort, allowPriority = true, true
	default:
		return nil, fmt.Errorf("ofctl: unknown command %d", cmd)
	}
	actStr := ""
	if allowActions {
		i := strings.Index(s, "action")
		if i < 0 {
			return nil, errors.New("must specify an action")
		}
		j := strings.IndexByte(s[i:], '=')
		if j < 0 {
			return nil, errors.New("must specify an action")
		}
		actStr = s[i+j+1:]
		s = s[:i]
	}
	usable := pAny
	m := &fs.Match
	sc := kvScanner{s: s}
	for {
		name, value, ok := sc.next()
		if !ok {
			break
		}
		var err error
		if p, ok := protocolNames[name]; ok {
			setExact16(dlTypeField, m, p.dlType)
			if p.nwProto != 0 {
				nwProtoField.SetMasked(m, []byte{p.nwProto}, []byte{0xff})
			}
			continue
		}
		switch {
		case name == "eth":
			m.Key.PacketType, m.Mask.PacketType = 0, 0xffffffff
			continue
		case allowFlags && name == "send_flow_rem":
			fs.Flags |= FlagSendFlowRem
			continue
		case allowFlags && name == "check_overlap":
			fs.Flags |= FlagCheckOverlap
			continue
		case allowFlags && name == "reset_counts":
			fs.Flags |= FlagResetCounts
			usable &= pOF12Up
			continue
		case allowFlags && name == "no_packet_counts":
			fs.Flags |= FlagNoPacketCounts
			usable &= pOF13Up
			continue
		case allowFlags && name == "no_byte_counts":
			fs.Flags |= FlagNoByteCounts
			usable &= pOF13Up
			continue
		case name == "no_readonly_table" || name == "allow_hidden_fields":
			continue
		}
		if f := flow.LookupName(name); f != nil {
			if value == "" {
				value = "0/0"
			}
			v, mask, err := f.ParseValue(value)
			if err != nil {
				return nil, err
			}
			f.SetMasked(m, v, mask)
			continue
		}
		if strings.Contains(name, "[") {
			if err := parseSubfieldMatch(name, value, m); err != nil {
				return nil, err
			}
			continue
		}
		if value == "" {
			return nil, fmt.Errorf("field %s missing value", name)
		}
		switch {
		case name == "table":
			t, ok := parseTable(value)
			if !ok {
				return nil, fmt.Errorf("unknown table \"%s\"", value)
			}
			fs.Table = t
		case allowOutPort && name == "out_port":
			p, ok := parsePort(value)
			if !ok {
				err = fmt.Errorf("%s is not a valid OpenFlow port", value)
			}
			fs.OutPort = p
		case allowOutPort && name == "out_group":
			usable &= pOF11Up
			g, ok := parseGroup(value)
			if !ok {
				err = fmt.Errorf("%s is not a valid OpenFlow group", value)
			}
			fs.OutGroup = g
		case allowPriority && name == "priority":
			var p uint16
			p, err = strToU16(value, name)
			fs.Priority = int(p)
		case allowTimeout && name == "idle_timeout":
			fs.IdleTimeout, err = strToU16(value, name)
		case allowTimeout && name == "hard_timeout":
			fs.HardTimeout, err = strToU16(value, name)
		case allowImportance && name == "importance":
			fs.Importance, err = strToU16(value, name)
		case name == "cookie":
			if c, mask, ok := strings.Cut(value, "/"); ok {
				if cmd == CommandAdd {
					return nil, errors.New("flow additions cannot use a cookie mask")
				}
				if fs.Cookie, err = strToU64(c); err != nil {
					return nil, err
				}
				fs.CookieMask, err = strToU64(mask)
				if fs.CookieMask != 0 {
					usable &= pNXM | pOF11Up
				}
			} else {
				if cmd != CommandAdd && cmd != CommandModify && cmd != CommandModifyStrict {
					return nil, fmt.Errorf("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie=%s/-1)", value)
				}
				fs.Cookie, err = strToU64(value)
				fs.ModifyCookie = true
			}
		case name == "duration" || name == "n_packets" || name == "n_bytes" || name == "idle_age" || name == "hard_age":
			// dump-flows output can be fed back in.
		default:
			err = fmt.Errorf("unknown keyword %s", name)
		}
		if err != nil {
			return nil, err
		}
	}
	// Fields without any NXM/OXM code point cannot be sent to a switch.
	if m.Mask.SkbPriority != 0 || m.Mask.TunTOS != 0 || m.Mask.TunTTL != 0 {
		usable = 0
	}
	if err := checkMatchConsistency(m); err != nil {
		return nil, err
	}
	if allowActions {
		p := actionParser{usable: pAny}
		as, err := p.parse(actStr, true, "")
		if err != nil {
			return nil, err
		}
		usable &= p.usable
		cm := fs.Match
		table := fs.Table
		if table == TableAll && cmd == CommandAdd {
			table = 0 // added to table 0
		}
		if err := checkActions(as, &cm, table, &usable); err == nil && usable == 0 {
			return nil, errors.New("actions are invalid with specified match (OFPBAC_MATCH_INCONSISTENT)")
		} else if err != nil {
			return nil, fmt.Errorf("actions are invalid with specified match (%s)", err.Error())
		}
		fs.Actions = as
	}
	NormalizeMatch(m)
	return fs, nil
}

func parseGroup(s string) (uint32, bool) {
	switch strings.ToLower(s) {
	case "all":
		return 0xfffffffc, true
	case "any":
		return 0xffffffff, true
	}
	x, err := strToU32(s)
	return x, err == nil && x <= 0xffffff00
}

// parseSubfieldMatch handles "reg0[0..3]=5": it sets those bits exactly.
func parseSubfieldMatch(name, value string, m *flow.Match) error {
	f, r, rest, err := parseSubfield(name)
	if err == nil && rest != "" {
		err = fmt.Errorf("%s: unexpected input following field syntax", name)
	}
	if err != nil {
		return err
	}
	val := make([]byte, f.Bytes)
	if rest, err := flow.ParseInt(value, val); err != nil || rest != "" {
		return fmt.Errorf("%s: cannot parse integer value: %s", name, value)
	}
	if !bitsZeroFrom(val, r.Bits) {
		return fmt.Errorf("%s: value %s does not fit into %d bits", name, f.FormatValue(val), r.Bits)
	}
	fp := f
	v, mask := make([]byte, f.Bytes), make([]byte, f.Bytes)
	fp.GetMasked(m, v, mask)
	for i := 0; i < r.Bits; i++ {
		if getBit(val, i) {
			setBit(v, r.Ofs+i)
		} else {
			v[len(v)-1-(r.Ofs+i)/8] &^= 1 << ((r.Ofs + i) % 8)
		}
		setBit(mask, r.Ofs+i)
	}
	fp.SetMasked(m, v, mask)
	return nil
}

// checkMatchConsistency rejects conntrack tuple fields of the wrong IP
// version, as a switch decoding the flow does.
func checkMatchConsistency(m *flow.Match) error {
	w := &m.Mask
	dl := m.Key.DlType
	if ((w.CtNwSrc != 0 || w.CtNwDst != 0) && dl != flow.EthTypeIPv4) ||
		((w.CtIPv6Src != [16]byte{} || w.CtIPv6Dst != [16]byte{}) && dl != flow.EthTypeIPv6) {
		return fmt.Errorf("conntrack tuple fields do not match the IP version: %w", errMatchInconsistent)
	}
	return nil
}

// errMatchInconsistent and friends are the OpenFlow errors OVS's action
// check reports, by name.
type ofpErr string

func (e ofpErr) Error() string { return string(e) }

const (
	errMatchInconsistent ofpErr = "OFPBAC_MATCH_INCONSISTENT"
	errBadOutPort        ofpErr = "OFPBAC_BAD_OUT_PORT"
	errBadTableID        ofpErr = "OFPBIC_BAD_TABLE_ID"
	errBadSetArgument    ofpErr = "OFPBAC_BAD_SET_ARGUMENT"
	errBadTag            ofpErr = "OFPBAC_BAD_TAG"
)

// checkActions checks actions against the match they will run on (OVS's
// ofpacts_check), narrowing usable. It tracks VLAN pushes and pops in m.
func checkActions(as []openflow.Action, m *flow.Match, table uint8, usable *protocols) error {
	k := &m.Key
	isIP := func() bool { return k.DlType == flow.EthTypeIPv4 || k.DlType == flow.EthTypeIPv6 }
	inconsistent := func() { *usable &= pOF10Any }
	checkDst := func(r openflow.FieldRef) error {
		if f := flow.LookupHeader(r.Header); f != nil && !f.Writable {
			return errBadSetArgument
		}
		return nil
	}
	checkRef := func(r openflow.FieldRef) error {
		f := flow.LookupHeader(r.Header)
		if f == nil {
			return errBadSetArgument
		}
		if !f.MatchPrereqsOK(m) {
			return errMatchInconsistent
		}
		return nil
	}
	for _, a := range as {
		switch a := a.(type) {
		case openflow.Output:
			if a.Port >= openflow.PortMax && a.Port < openflow.PortInPort || a.Port == openflow.PortNone {
				return errBadOutPort
			}
		case openflow.Enqueue:
			if a.Port >= openflow.PortMax && a.Port != openflow.PortInPort && a.Port != openflow.PortLocal {
				return errBadOutPort
			}
		case openflow.OutputReg:
			if err := checkRef(a.Src); err != nil {
				return err
			}
		case openflow.SetVLANVID:
			if k.VLANs[0].TCI&flow.VLANCFI == 0 && !a.Push {
				inconsistent()
			}
			k.VLANs[0].TCI |= flow.VLANCFI
		case openflow.SetVLANPCP:
			if k.VLANs[0].TCI&flow.VLANCFI == 0 && !a.Push {
				inconsistent()
			}
			k.VLANs[0].TCI |= flow.VLANCFI
		case openflow.StripVLAN:
			if k.VLANs[0].TCI&flow.VLANCFI == 0 {
				inconsistent()
			}
			k.VLANs[0] = k.VLANs[1]
			k.VLANs[1] = flow.VLAN{}
		case openflow.PushVLAN:
			if k.VLANs[1].TCI&flow.VLANCFI != 0 {
				return errBadTag
			}
			k.VLANs[1] = k.VLANs[0]
			k.VLANs[0].TCI |= flow.VLANCFI
		case openflow.SetIPv4Src, openflow.SetIPv4Dst:
			if k.DlType != flow.EthTypeIPv4 {
				inconsistent()
			}
		case openflow.SetIPDSCP, openflow.SetIPECN, openflow.SetIPTTL, openflow.DecTTL:
			if !isIP() {
				inconsistent()
			}
		case openflow.SetL4SrcPort, openflow.SetL4DstPort:
			if !isIP() || k.NwFrag&flow.FragLater != 0 ||
				(k.NwProto != flow.IPProtoTCP && k.NwProto != flow.IPProtoUDP && k.NwProto != flow.IPProtoSCTP) {
				inconsistent()
			}
		case openflow.SetField:
			f := flow.LookupHeader(a.Header)
			if f == nil {
				return errBadSetArgument
			}
			if !f.Writable {
				return errBadSetArgument
			}
			if a.Raw == openflow.SetFieldRawRegLoad {
				if !f.MatchPrereqsOK(m) {
					return errMatchInconsistent
				}
			} else if !f.PrereqsOK(k) || (f.ID == flow.FieldVLANVID && k.VLANs[0].TCI&flow.VLANCFI == 0) {
				return errMatchInconsistent
			}
			if f.ID == flow.FieldVLANTCI && len(a.Value) == 2 {
				k.VLANs[0].TCI = uint16(a.Value[0])<<8 | uint16(a.Value[1])
			}
		case openflow.RegMove:
			if err := checkRef(a.Src); err != nil {
				return err
			}
			if err := checkRef(a.Dst); err != nil {
				return err
			}
			if err := checkDst(a.Dst); err != nil {
				return err
			}
		case openflow.StackPush:
			if err := checkRef(a.Field); err != nil {
				return err
			}
		case openflow.StackPop:
			if err := checkRef(a.Field); err != nil {
				return err
			}
			if err := checkDst(a.Field); err != nil {
				return err
			}
		case openflow.Resubmit:
			if a.CT && !(&flow.Field{Prereq: flow.PrereqCT}).MatchPrereqsOK(m) {
				return errMatchInconsistent
			}
		case openflow.GotoTable:
			if table != TableAll && a.Table <= table {
				return errBadTableID
			}
		case openflow.Clone:
			c := *m
			if err := checkActions(a.Actions, &c, table, usable); err != nil {
				return err
			}
		case openflow.WriteActions:
			c := *m
			if err := checkActions(a.Actions, &c, table, usable); err != nil {
				return err
			}
		}
	}
	return nil
}

// NormalizeMatch clears the parts of m that an OpenFlow encoder leaves out
// because the match does not establish their prerequisites (OVS's
// nx_put_raw): L3 fields need an IP or ARP dl_type, L4 fields the matching
// nw_proto, ND fields an ND type, and so on. ParseFlow applies it so that
// its result equals what a switch would receive.
func NormalizeMatch(m *flow.Match) {
	k, w := &m.Key, &m.Mask
	clearL3 := func() {
		k.NwSrc, w.NwSrc, k.NwDst, w.NwDst = 0, 0, 0, 0
		k.IPv6Src, w.IPv6Src, k.IPv6Dst, w.IPv6Dst = [16]byte{}, [16]byte{}, [16]byte{}, [16]byte{}
		k.IPv6Label, w.IPv6Label = 0, 0
		k.NwTOS, w.NwTOS, k.NwTTL, w.NwTTL, k.NwFrag, w.NwFrag = 0, 0, 0, 0, 0, 0
	}
	clearL4 := func() {
		k.TpSrc, w.TpSrc, k.TpDst, w.TpDst = 0, 0, 0, 0
		k.TCPFlags, w.TCPFlags = 0, 0
		k.NDTarget, w.NDTarget = [16]byte{}, [16]byte{}
		k.NDReserved, w.NDReserved = 0, 0
	}
	clearARPHW := func() {
		k.ArpSHA, w.ArpSHA, k.ArpTHA, w.ArpTHA = [6]byte{}, [6]byte{}, [6]byte{}, [6]byte{}
	}
	dl := k.DlType
	if w.DlType == 0 {
		dl = 0
	}
	if dl != flow.EthTypeMPLS && dl != flow.EthTypeMPLSMcast {
		k.MPLS, w.MPLS = [3]uint32{}, [3]uint32{}
	}
	switch {
	case dl == flow.EthTypeIPv4 || dl == flow.EthTypeIPv6:
		if dl == flow.EthTypeIPv4 {
			k.IPv6Src, w.IPv6Src, k.IPv6Dst, w.IPv6Dst = [16]byte{}, [16]byte{}, [16]byte{}, [16]byte{}
			k.IPv6Label, w.IPv6Label = 0, 0
		} else {
			k.NwSrc, w.NwSrc, k.NwDst, w.NwDst = 0, 0, 0, 0
		}
		if w.NwProto == 0 {
			k.NwProto = 0
			clearL4()
			clearARPHW()
			break
		}
		nd := false
		switch k.NwProto {
		case flow.IPProtoTCP:
		case flow.IPProtoUDP, flow.IPProtoSCTP:
			k.TCPFlags, w.TCPFlags = 0, 0
		case flow.IPProtoICMP, flow.IPProtoICMPv6:
			if (k.NwProto == flow.IPProtoICMP) != (dl == flow.EthTypeIPv4) {
				clearL4()
				break
			}
			k.TpSrc, w.TpSrc = k.TpSrc&0xff, w.TpSrc&0xff
			k.TpDst, w.TpDst = k.TpDst&0xff, w.TpDst&0xff
			k.TCPFlags, w.TCPFlags = 0, 0
			if w.TpSrc != 0 {
				w.TpSrc = 0xffff
			}
			if w.TpDst != 0 {
				w.TpDst = 0xffff
			}
			nd = k.NwProto == flow.IPProtoICMPv6 && w.TpSrc != 0 && w.TpDst != 0 && k.TpDst == 0 &&
				(k.TpSrc == 135 || k.TpSrc == 136)
		default:
			clearL4()
		}
		if !nd {
			k.NDTarget, w.NDTarget = [16]byte{}, [16]byte{}
			k.NDReserved, w.NDReserved = 0, 0
			clearARPHW()
		} else if k.TpSrc == 135 {
			k.ArpTHA, w.ArpTHA = [6]byte{}, [6]byte{}
		} else {
			k.ArpSHA, w.ArpSHA = [6]byte{}, [6]byte{}
		}
	case dl == flow.EthTypeARP || dl == flow.EthTypeRARP:
		k.IPv6Src, w.IPv6Src, k.IPv6Dst, w.IPv6Dst = [16]byte{}, [16]byte{}, [16]byte{}, [16]byte{}
		k.IPv6Label, w.IPv6Label = 0, 0
		k.NwTOS, w.NwTOS, k.NwTTL, w.NwTTL, k.NwFrag, w.NwFrag = 0, 0, 0, 0, 0, 0
		clearL4()
	default:
		clearL3()
		k.NwProto, w.NwProto = 0, 0
		clearL4()
		clearARPHW()
	}
	if k.CtNwProto == 0 {
		w.CtNwProto = 0
		k.CtTpSrc, w.CtTpSrc, k.CtTpDst, w.CtTpDst = 0, 0, 0, 0
	}
}
