package ofproto

import (
	"fmt"
	"govs.dev/govs/flow"
	"time"

	"govs.dev/govs/netdev"
	"govs.dev/govs/openflow"
)

func (b *Bridge) validateFlowModLocked(fm *FlowMod) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.validateFlowMod(fm)
}

// portDescs describes every port for features and port-desc replies.
func (b *Bridge) portDescs() []openflow.PortDesc {
	var out []openflow.PortDesc
	for _, p := range b.Ports() {
		d := openflow.PortDesc{PortNo: p.OFPort, Name: p.Name, Config: p.Config}
		if p.Dev != nil {
			d.HWAddr = p.Dev.MAC()
			if p.Dev.Flags()&netdev.FlagUp == 0 {
				d.Config |= PortDown
			}
			if p.Dev.Flags()&netdev.FlagRunning == 0 {
				d.State |= 1 // OFPPS_LINK_DOWN
			}
		}
		out = append(out, d)
	}
	return out
}

// portMod applies OFPT_PORT_MOD config bits.
func (b *Bridge) portMod(m *openflow.PortMod) error {
	p := b.Port(m.PortNo)
	if p == nil {
		return openflow.ErrOFPPMFCBadPort
	}
	np := *p
	np.Config = np.Config&^m.Mask | m.Config&m.Mask
	if m.Mask&PortDown != 0 && p.Dev != nil {
		if np.Config&PortDown != 0 {
			_ = p.Dev.SetFlags(0, netdev.FlagUp)
		} else {
			_ = p.Dev.SetFlags(netdev.FlagUp, 0)
		}
	}
	b.SetPort(&np)
	return nil
}

func (c *conn) stats(m *openflow.StatsRequest) error {
	b := c.br
	now := b.backer.Now()
	rep := &openflow.StatsReply{Kind: m.Kind, NX: m.NX}
	switch m.Kind {
	case openflow.StatsDesc:
		rep.Desc = openflow.DescStats{MfrDesc: "Nicira, Inc.", HWDesc: "Open vSwitch", SWDesc: "3.1.0",
			SerialNum: "None", DPDesc: "None"}
	case openflow.StatsFlow, openflow.StatsAggregate:
		fm, err := c.statsFilter(m)
		if err != nil {
			return err
		}
		flows := b.DumpFlows(fm, now)
		if m.Kind == openflow.StatsAggregate {
			for _, f := range flows {
				rep.Aggregate.PacketCount += f.Packets
				rep.Aggregate.ByteCount += f.Bytes
				rep.Aggregate.FlowCount++
			}
			break
		}
		oxm := c.version >= openflow.Version12
		for _, f := range flows {
			r := f.Rule
			d := f.Duration.Truncate(time.Millisecond) // OVS reports milliseconds
			fs := openflow.FlowStats{
				TableID: r.Table, DurationSec: uint32(d / time.Second), DurationNSec: uint32(d % time.Second),
				Priority: r.Priority, IdleTimeout: r.IdleTimeout, HardTimeout: r.HardTimeout,
				Flags: wireFlags(r.Flags, c.version), Importance: r.Importance, Cookie: r.Cookie(),
				PacketCount: f.Packets, ByteCount: f.Bytes,
				Match:   MatchToOpenFlow(&r.Match, oxm),
				Actions: actionsFor(c.version, r.Actions()),
				IdleAge: uint16(min(f.IdleAge/time.Second+1, 0xffff)),
				HardAge: uint16(min(f.HardAge/time.Second+1, 0xffff)),
			}
			if r.Flags&FlagNoPktCounts != 0 {
				fs.PacketCount = ^uint64(0)
			}
			if r.Flags&FlagNoBytCounts != 0 {
				fs.ByteCount = ^uint64(0)
			}
			rep.Flows = append(rep.Flows, fs)
		}
	case openflow.StatsTable:
		n := NumTables - 1
		for i := 0; i < n; i++ {
			l, mt := b.TableStats(i)
			rep.Tables = append(rep.Tables, openflow.TableStats{TableID: uint8(i), Name: tableName(i),
				Wildcards: 0x3fffff, MaxEntries: 1000000, ActiveCount: uint32(b.TableCount(i)),
				LookupCount: l, MatchedCount: mt})
		}
	case openflow.StatsPort:
		for _, p := range b.Ports() {
			if m.Port != openflow.PortNone && m.Port != p.OFPort {
				continue
			}
			// Counters no device keeps read as all-ones ("?" in ovs-ofctl).
			ps := openflow.PortStats{PortNo: p.OFPort, RxFrameErr: netdev.Unknown, RxOverErr: netdev.Unknown,
				RxCRCErr: netdev.Unknown, Collisions: netdev.Unknown}
			if ctr := b.PatchStats(p.OFPort); p.Dev == nil && ctr != nil {
				// A patch port counts only what crossed it, as OVS's
				// patch vport does.
				ps.RxPackets, ps.RxBytes = ctr.RxPackets.Load(), ctr.RxBytes.Load()
				ps.TxPackets, ps.TxBytes = ctr.TxPackets.Load(), ctr.TxBytes.Load()
				ps.RxDropped, ps.TxDropped, ps.RxErrors, ps.TxErrors = netdev.Unknown, netdev.Unknown, netdev.Unknown, netdev.Unknown
			}
			if p.Dev != nil {
				st := p.Dev.Stats()
				ps.RxPackets, ps.TxPackets, ps.RxBytes, ps.TxBytes = st.RxPackets, st.TxPackets, st.RxBytes, st.TxBytes
				ps.RxDropped, ps.TxDropped, ps.RxErrors, ps.TxErrors = st.RxDropped, st.TxDropped, st.RxErrors, st.TxErrors
			}
			rep.Ports = append(rep.Ports, ps)
		}
		if m.Port != openflow.PortNone && len(rep.Ports) == 0 {
			return openflow.ErrOFPBRCBadPort
		}
	case openflow.StatsPortDesc:
		for _, d := range b.portDescs() {
			if m.Port == openflow.PortNone || m.Port == 0 || m.Port == d.PortNo {
				rep.PortDescs = append(rep.PortDescs, d)
			}
		}
	case openflow.StatsQueue, openflow.StatsGroup, openflow.StatsGroupDesc, openflow.StatsMeter, openflow.StatsMeterConfig:
		// No queues, groups or meters exist yet: empty replies.
	case openflow.StatsGroupFeatures, openflow.StatsMeterFeatures:
	case openflow.StatsTableFeatures:
		for i := 0; i < NumTables-1; i++ {
			rep.TableFeatures = append(rep.TableFeatures, openflow.TableFeatures{TableID: uint8(i), Name: tableName(i),
				MetadataMatch: ^uint64(0), MetadataWrite: ^uint64(0), MaxEntries: 1000000,
				Properties: tableFeatureProps(i)})
		}
	default:
		return openflow.ErrOFPBRCBadStat
	}
	return c.sendStats(m, rep)
}

// sendStats sends a multipart reply, split into as many messages as the
// 64 KiB limit needs (flow dumps, table features).
func (c *conn) sendStats(req *openflow.StatsRequest, rep *openflow.StatsReply) error {
	rep.Header = openflow.Header{Version: c.version, XID: req.XID}
	msgs, err := openflow.EncodeStatsReplies(rep, 0)
	if err != nil {
		return fmt.Errorf("encode %v reply: %w", req.Kind, err)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, b := range msgs {
		if err := c.write(b); err != nil {
			return err
		}
	}
	return nil
}

func tableName(i int) string { return fmt.Sprintf("table%d", i) }

// statsFilter converts a flow/aggregate stats request to a FlowMod filter.
func (c *conn) statsFilter(m *openflow.StatsRequest) (*FlowMod, error) {
	fr := m.Flow
	om := fr.Match
	cookie, mask := fr.Cookie, fr.CookieMask
	if m.NX || c.version == openflow.Version10 {
		var rest []openflow.MatchField
		for _, f := range om.Fields {
			if f.Header == nxmCookieHeader {
				cookie, mask = be64(f.Value), ^uint64(0)
				if f.Mask != nil {
					mask = be64(f.Mask)
				}
				continue
			}
			rest = append(rest, f)
		}
		om.Fields = rest
	}
	match, err := MatchFromOpenFlow(&om)
	if err != nil {
		return nil, err
	}
	return &FlowMod{Match: match, Table: fr.TableID, Cookie: cookie, CookieMask: mask, OutPort: fr.OutPort}, nil
}

// actionsFor returns a rule's actions as OVS encodes them for a connection
// of version: OpenFlow 1.0 has no instructions, so goto_table goes out as
// resubmit(,TABLE), clear_actions, write_actions, meter and push_vlan are
// left out, and set_field becomes a legacy action or reg_load.
func actionsFor(version uint8, acts []openflow.Action) []openflow.Action {
	if version != openflow.Version10 {
		return acts
	}
	out := make([]openflow.Action, 0, len(acts))
	for _, a := range acts {
		switch a := a.(type) {
		case openflow.GotoTable:
			out = append(out, openflow.Resubmit{InPort: openflow.PortInPort, Table: a.Table})
		case openflow.ClearActions, openflow.WriteActions, openflow.Meter:
		case openflow.PushVLAN:
			// OpenFlow 1.0 pushes a tag as a side effect of the
			// mod_vlan_vid/mod_vlan_pcp that follows.
		case openflow.Clone:
			out = append(out, openflow.Clone{Actions: actionsFor(version, a.Actions)})
		case openflow.SetField:
			out = append(out, setFieldOF10(a))
		default:
			out = append(out, a)
		}
	}
	return out
}

// setFieldOF10 is OVS's encoding of a set_field for OpenFlow 1.0, which has
// no set_field: the legacy action of the field if it has one, otherwise a
// reg_load. (A set_field that came in as reg_load stays one.)
func setFieldOF10(a openflow.SetField) openflow.Action {
	if a.Raw != openflow.SetFieldRawSetField {
		return a
	}
	fd := flow.LookupHeader(a.Header)
	if fd == nil {
		return a
	}
	v := a.Value
	be := func() uint64 {
		var x uint64
		for _, b := range v {
			x = x<<8 | uint64(b)
		}
		return x
	}
	switch fd.Name {
	case "eth_src":
		if len(v) == 6 {
			return openflow.SetEthSrc{MAC: [6]byte(v)}
		}
	case "eth_dst":
		if len(v) == 6 {
			return openflow.SetEthDst{MAC: [6]byte(v)}
		}
	case "ipv4_src":
		return openflow.SetIPv4Src{Addr: uint32(be())}
	case "ipv4_dst":
		return openflow.SetIPv4Dst{Addr: uint32(be())}
	case "vlan_vid":
		return openflow.SetVLANVID{VID: uint16(be()) & 0x0fff}
	case "vlan_pcp":
		return openflow.SetVLANPCP{PCP: uint8(be())}
	case "ip_dscp":
		return openflow.SetIPDSCP{TOS: uint8(be()) << 2}
	case "nw_tos":
		return openflow.SetIPDSCP{TOS: uint8(be())}
	case "tcp_src", "udp_src":
		return openflow.SetL4SrcPort{Port: uint16(be())}
	case "tcp_dst", "udp_dst":
		return openflow.SetL4DstPort{Port: uint16(be())}
	}
	if fd.NXMHeader != 0 {
		a.Raw = openflow.SetFieldRawRegLoad
	}
	return a
}
