package openflow

import "fmt"

// StatsKind is the statistics / multipart type (OFPST_* / OFPMP_* numbers,
// which agree across versions for the kinds listed).
type StatsKind uint16

// Statistics kinds.
const (
	StatsDesc          StatsKind = 0
	StatsFlow          StatsKind = 1
	StatsAggregate     StatsKind = 2
	StatsTable         StatsKind = 3
	StatsPort          StatsKind = 4
	StatsQueue         StatsKind = 5
	StatsGroup         StatsKind = 6
	StatsGroupDesc     StatsKind = 7
	StatsGroupFeatures StatsKind = 8
	StatsMeter         StatsKind = 9
	StatsMeterConfig   StatsKind = 10
	StatsMeterFeatures StatsKind = 11
	StatsTableFeatures StatsKind = 12
	StatsPortDesc      StatsKind = 13
	StatsTableDesc     StatsKind = 14 // OF1.4+
	statsVendor        StatsKind = 0xffff
)

// Nicira stats subtypes.
const (
	nxstFlow      = 0
	nxstAggregate = 1
)

// StatsMore is OFPSF_REPLY_MORE / OFPMPF_REQ_MORE.
const StatsMore uint16 = 1

// FlowStatsRequest selects flows for FLOW and AGGREGATE requests.
type FlowStatsRequest struct {
	TableID    uint8
	OutPort    Port
	OutGroup   uint32
	Cookie     uint64
	CookieMask uint64
	Match      Match
}

// StatsRequest is OFPT_STATS_REQUEST / OFPT_MULTIPART_REQUEST, or an NXST
// vendor stats request when NX is set (FLOW and AGGREGATE only). Only the
// fields of Kind are meaningful.
type StatsRequest struct {
	Header
	Kind  StatsKind
	Flags uint16
	NX    bool
	Flow  FlowStatsRequest // StatsFlow, StatsAggregate
	Port  Port             // StatsPort, StatsQueue, StatsPortDesc (OF1.5)
	ID    uint32           // queue, group or meter id
	Body  []byte           // StatsTableFeatures: the raw request body
	// Monitors are the NX flow monitors (StatsFlowMonitor with NX).
	Monitors []FlowMonitorRequest
}

// Type implements Message.
func (*StatsRequest) Type() MsgType { return MsgStatsRequest }

// DescStats is the DESC reply body.
type DescStats struct {
	MfrDesc, HWDesc, SWDesc, SerialNum, DPDesc string
}

// FlowStats is one flow in a FLOW reply.
type FlowStats struct {
	TableID      uint8
	DurationSec  uint32
	DurationNSec uint32
	Priority     uint16
	IdleTimeout  uint16
	HardTimeout  uint16
	Flags        uint16
	Importance   uint16
	IdleAge      uint16 // NXST only: seconds since last use + 1 (0: unknown)
	HardAge      uint16 // NXST only
	Cookie       uint64
	PacketCount  uint64
	ByteCount    uint64
	Match        Match
	Actions      []Action
}

// AggregateStats is the AGGREGATE reply body.
type AggregateStats struct {
	PacketCount, ByteCount uint64
	FlowCount              uint32
}

// TableStats is one table in a TABLE reply. Name, Wildcards and MaxEntries
// exist on the wire in OF1.0 and OF1.2 (not OF1.3+); the capability bitmaps
// below them only in OF1.2 (OXM field bitmaps, action/instruction bitmaps).
type TableStats struct {
	TableID      uint8
	Name         string
	Wildcards    uint32
	MaxEntries   uint32
	ActiveCount  uint32
	LookupCount  uint64
	MatchedCount uint64

	OXMMatch, OXMWildcards         uint64
	WriteActions, ApplyActions     uint32
	WriteSetFields, ApplySetFields uint64
	MetadataMatch, MetadataWrite   uint64
	Instructions, Config           uint32
}

// PortStats is one port in a PORT reply; a counter of all ones is
// "unavailable".
type PortStats struct {
	PortNo                                 Port
	RxPackets, TxPackets, RxBytes, TxBytes uint64
	RxDropped, TxDropped, RxErrors         uint64
	TxErrors, RxFrameErr, RxOverErr        uint64
	RxCRCErr, Collisions                   uint64
	DurationSec, DurationNSec              uint32
	// Properties holds OF1.4+ properties other than Ethernet (for example
	// OVS's experimenter custom statistics), raw and padded, sent after
	// the Ethernet property.
	Properties []byte
}

// QueueStats is one queue in a QUEUE reply.
type QueueStats struct {
	PortNo                       Port
	QueueID                      uint32
	TxBytes, TxPackets, TxErrors uint64
	DurationSec, DurationNSec    uint32
}

// TableFeatures is one table in a TABLE_FEATURES reply; Properties is the
// raw property list (ofp_table_feature_prop_*), kept verbatim.
type TableFeatures struct {
	TableID       uint8
	Name          string
	MetadataMatch uint64
	MetadataWrite uint64
	Config        uint32
	MaxEntries    uint32
	Properties    []byte
}

// TableDesc is one table in a TABLE_DESC reply (OF1.4+); Properties are
// raw (eviction, vacancy).
type TableDesc struct {
	TableID    uint8
	Config     uint32
	Properties []byte
}

// GroupFeatures is the GROUP_FEATURES reply body.
type GroupFeatures struct {
	Types, Capabilities uint32
	MaxGroups, Actions  [4]uint32
}

// MeterFeatures is the METER_FEATURES reply body.
type MeterFeatures struct {
	MaxMeter, BandTypes, Capabilities uint32
	MaxBands, MaxColor                uint8
}

// StatsReply is OFPT_STATS_REPLY / OFPT_MULTIPART_REPLY or an NXST reply
// (NX). Only the fields of Kind are meaningful.
type StatsReply struct {
	Header
	Kind          StatsKind
	Flags         uint16
	NX            bool
	Desc          DescStats
	Flows         []FlowStats
	Aggregate     AggregateStats
	Tables        []TableStats
	Ports         []PortStats
	PortDescs     []PortDesc
	Queues        []QueueStats
	TableFeatures []TableFeatures
	TableDescs    []TableDesc
	QueueDescs    []QueueConfig
	Updates       []FlowUpdate // StatsFlowMonitor (NX)
	GroupFeatures GroupFeatures
	MeterFeatures MeterFeatures
	GroupDescs    []GroupDesc
	Groups        []GroupStats
	MeterConfigs  []MeterConfig
	Meters        []MeterStats
}

// Type implements Message.
func (*StatsReply) Type() MsgType { return MsgStatsReply }

func statsHeader(w *buf, version uint8, reply bool, xid uint32, kind StatsKind, flags uint16, nx bool, sub uint32) {
	var t uint8
	switch {
	case version == Version10 && reply:
		t = ofpt10StatsReply
	case version == Version10:
		t = ofpt10StatsRequest
	case reply:
		t = ofpt11StatsReply
	default:
		t = ofpt11StatsRequest
	}
	w.header(version, t, xid)
	if nx {
		w.u16(uint16(statsVendor))
	} else {
		w.u16(uint16(kind))
	}
	w.u16(flags)
	if version != Version10 {
		w.zeros(4)
	}
	if nx {
		w.u32(VendorNicira)
		w.u32(sub)
		if version == Version10 {
			w.zeros(4)
		}
	}
}

// decodeStatsHeader reads the stats header after ofp_header and returns
// kind, flags, NX flag and the NX subtype.
func decodeStatsHeader(version uint8, r *rd) (kind StatsKind, flags uint16, nx bool, sub uint32, err error) {
	kind, flags = StatsKind(r.u16()), r.u16()
	if version != Version10 {
		r.skip(4)
	}
	if !r.ok {
		return 0, 0, false, 0, fmt.Errorf("openflow: short stats header: %w", ErrOFPBRCBadLen)
	}
	if kind != statsVendor {
		return kind, flags, false, 0, nil
	}
	vendor := r.u32()
	if !r.ok {
		return 0, 0, false, 0, fmt.Errorf("openflow: short vendor stats: %w", ErrOFPBRCBadLen)
	}
	if vendor != VendorNicira {
		return 0, 0, false, 0, fmt.Errorf("openflow: stats vendor %#x: %w", vendor, ErrOFPBRCBadVendor)
	}
	sub = r.u32()
	if version == Version10 {
		r.skip(4)
	}
	if !r.ok {
		return 0, 0, false, 0, fmt.Errorf("openflow: short NX stats header: %w", ErrOFPBRCBadLen)
	}
	switch {
	case sub == nxstFlowMonitor && version <= Version12:
		return StatsFlowMonitor, flags, true, sub, nil
	case version != Version10 || sub > nxstAggregate:
		return 0, 0, false, 0, fmt.Errorf("openflow: NX stats subtype %d: %w", sub, ErrOFPBRCBadSubtype)
	}
	return StatsKind(sub) + StatsFlow, flags, true, sub, nil
}

func decodeStatsRequest(h Header, r *rd) (Message, error) {
	kind, flags, nx, _, err := decodeStatsHeader(h.Version, r)
	if err != nil {
		return nil, err
	}
	m := &StatsRequest{Header: h, Kind: kind, Flags: flags, NX: nx}
	m.Flow.OutGroup = GroupAny
	empty := func() error {
		if len(r.b) != 0 {
			return fmt.Errorf("openflow: stats %d request body: %w", kind, ErrOFPBRCBadLen)
		}
		return nil
	}
	switch kind {
	case StatsDesc, StatsTable, StatsGroupFeatures, StatsMeterFeatures:
		err = empty()
	case StatsTableDesc:
		if h.Version < Version14 {
			return nil, fmt.Errorf("openflow: table desc in version %#x: %w", h.Version, ErrOFPBRCBadStat)
		}
		err = empty()
	case StatsFlowMonitor:
		if !nx {
			return nil, fmt.Errorf("openflow: OF1.4 flow monitor unsupported: %w", ErrOFPBRCBadStat)
		}
		m.Monitors, err = decodeFlowMonitorRequests(r)
	case StatsQueueDesc:
		if h.Version < Version14 {
			return nil, fmt.Errorf("openflow: queue desc in version %#x: %w", h.Version, ErrOFPBRCBadStat)
		}
		p := r.u32()
		m.ID = r.u32()
		var ok bool
		if m.Port, ok = port32to16(p); !ok && r.ok {
			return nil, fmt.Errorf("openflow: queue desc port %#x: %w", p, ErrOFPBACBadOutPort)
		}
		err = empty()
	case StatsFlow, StatsAggregate:
		f := &m.Flow
		switch {
		case nx:
			f.OutPort = Port(r.u16())
			ml := int(r.u16())
			f.TableID = r.u8()
			r.skip(3)
			if !r.ok {
				return nil, fmt.Errorf("openflow: short NXST request: %w", ErrOFPBRCBadLen)
			}
			f.Match, err = decodeNXMatch(r, ml)
		case h.Version == Version10:
			m10 := decodeMatch10(r)
			f.TableID = r.u8()
			r.skip(1)
			f.OutPort = Port(r.u16())
			f.Match = m10.ToFields()
		default:
			f.TableID = r.u8()
			r.skip(3)
			op := r.u32()
			f.OutGroup = r.u32()
			r.skip(4)
			f.Cookie, f.CookieMask = r.u64(), r.u64()
			if !r.ok {
				return nil, fmt.Errorf("openflow: short flow stats request: %w", ErrOFPBRCBadLen)
			}
			var ok bool
			if f.OutPort, ok = port32to16(op); !ok {
				return nil, fmt.Errorf("openflow: out_port %#x: %w", op, ErrOFPBACBadOutPort)
			}
			var n int
			f.Match, n, err = decodeOXMMatch(r.b)
			r.skip(n)
		}
		if err == nil {
			err = empty()
		}
	case StatsPort, StatsPortDesc:
		if kind == StatsPortDesc && h.Version < Version15 {
			m.Port = PortNone
			err = empty()
			break
		}
		if h.Version == Version10 {
			m.Port = Port(r.u16())
			r.skip(6)
		} else {
			p := r.u32()
			r.skip(4)
			var ok bool
			if m.Port, ok = port32to16(p); !ok {
				err = fmt.Errorf("openflow: stats port %#x: %w", p, ErrOFPBACBadOutPort)
			}
		}
		if err == nil {
			err = empty()
		}
	case StatsQueue:
		if h.Version == Version10 {
			m.Port = Port(r.u16())
			r.skip(2)
		} else {
			p := r.u32()
			var ok bool
			if m.Port, ok = port32to16(p); !ok {
				err = fmt.Errorf("openflow: stats port %#x: %w", p, ErrOFPBACBadOutPort)
			}
		}
		m.ID = r.u32()
		if err == nil {
			err = empty()
		}
	case StatsGroup, StatsMeter, StatsMeterConfig, StatsGroupDesc:
		if h.Version == Version10 || (kind >= StatsMeter && h.Version < Version13) {
			return nil, fmt.Errorf("openflow: stats type %d in version %#x: %w", kind, h.Version, ErrOFPBRCBadStat)
		}
		if kind == StatsGroupDesc && h.Version < Version15 {
			m.ID = GroupAny
			err = empty()
			break
		}
		m.ID = r.u32()
		r.skip(4)
		if err == nil {
			err = empty()
		}
	case StatsTableFeatures:
		if h.Version < Version13 {
			return nil, fmt.Errorf("openflow: table features in version %#x: %w", h.Version, ErrOFPBRCBadStat)
		}
		m.Body = clone(r.rest())
	default:
		return nil, fmt.Errorf("openflow: stats type %d: %w", kind, ErrOFPBRCBadStat)
	}
	if err != nil {
		return nil, err
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short stats request: %w", ErrOFPBRCBadLen)
	}
	return m, nil
}

func encodeStatsRequest(w *buf, m *StatsRequest) error {
	sub := nxStatsSub(m.Kind, m.NX)
	statsHeader(w, m.Version, false, m.XID, m.Kind, m.Flags, m.NX, sub)
	switch m.Kind {
	case StatsDesc, StatsTable, StatsGroupFeatures, StatsMeterFeatures, StatsTableDesc:
	case StatsFlow, StatsAggregate:
		f := &m.Flow
		switch {
		case m.NX:
			w.u16(uint16(f.OutPort))
			at := len(w.b)
			w.u16(0)
			w.u8(f.TableID)
			w.zeros(3)
			n, err := appendNXMatch(w, &f.Match)
			if err != nil {
				return err
			}
			w.put16(at, uint16(n))
		case m.Version == Version10:
			m10, err := Match10FromFields(&f.Match)
			if err != nil {
				return err
			}
			appendMatch10(w, &m10)
			w.u8(f.TableID)
			w.u8(0)
			w.u16(uint16(f.OutPort))
		default:
			w.u8(f.TableID)
			w.zeros(3)
			w.u32(port16to32(f.OutPort))
			w.u32(f.OutGroup)
			w.zeros(4)
			w.u64(f.Cookie)
			w.u64(f.CookieMask)
			return appendMatch11Plus(w, m.Version, &f.Match)
		}
	case StatsPort, StatsPortDesc:
		if m.Kind == StatsPortDesc && m.Version < Version15 {
			break
		}
		if m.Version == Version10 {
			w.u16(uint16(m.Port))
			w.zeros(6)
		} else {
			w.u32(port16to32(m.Port))
			w.zeros(4)
		}
	case StatsQueue:
		if m.Version == Version10 {
			w.u16(uint16(m.Port))
			w.zeros(2)
		} else {
			w.u32(port16to32(m.Port))
		}
		w.u32(m.ID)
	case StatsQueueDesc:
		w.u32(port16to32(m.Port))
		w.u32(m.ID)
	case StatsFlowMonitor:
		if !m.NX {
			return fmt.Errorf("openflow: OF1.4 flow monitor unsupported: %w", ErrOFPBRCBadStat)
		}
		return encodeFlowMonitorRequests(w, m.Monitors)
	case StatsGroup, StatsMeter, StatsMeterConfig, StatsGroupDesc:
		if m.Kind == StatsGroupDesc && m.Version < Version15 {
			break
		}
		w.u32(m.ID)
		w.zeros(4)
	case StatsTableFeatures:
		w.bytes(m.Body)
	default:
		return fmt.Errorf("openflow: stats kind %d: %w", m.Kind, ErrOFPBRCBadStat)
	}
	return nil
}

func decodeStatsReply(h Header, r *rd) (Message, error) {
	kind, flags, nx, _, err := decodeStatsHeader(h.Version, r)
	if err != nil {
		return nil, err
	}
	m := &StatsReply{Header: h, Kind: kind, Flags: flags, NX: nx}
	v := h.Version
	switch kind {
	case StatsDesc:
		d := &m.Desc
		d.MfrDesc, d.HWDesc, d.SWDesc = cstring(r.take(256)), cstring(r.take(256)), cstring(r.take(256))
		d.SerialNum, d.DPDesc = cstring(r.take(32)), cstring(r.take(256))
	case StatsFlow:
		for r.ok && len(r.b) > 0 {
			var fs FlowStats
			if fs, err = decodeFlowStats(v, nx, r); err != nil {
				return nil, err
			}
			m.Flows = append(m.Flows, fs)
		}
	case StatsAggregate:
		a := &m.Aggregate
		if v >= Version15 {
			st, err := pullOXS(r)
			if err != nil {
				return nil, err
			}
			a.PacketCount, a.ByteCount, a.FlowCount = st.packets, st.bytes, st.flows
			break
		}
		a.PacketCount, a.ByteCount, a.FlowCount = r.u64(), r.u64(), r.u32()
		r.skip(4)
	case StatsTable:
		for r.ok && len(r.b) > 0 {
			var t TableStats
			t.TableID = r.u8()
			switch v {
			case Version10:
				r.skip(3)
				t.Name = cstring(r.take(32))
				t.Wildcards, t.MaxEntries = r.u32(), r.u32()
			case Version11:
				r.skip(7)
				t.Name = cstring(r.take(32))
				t.Wildcards = r.u32()
				t.OXMMatch = uint64(r.u32())
				t.Instructions, t.WriteActions, t.ApplyActions = r.u32(), r.u32(), r.u32()
				t.Config, t.MaxEntries = r.u32(), r.u32()
			case Version12:
				r.skip(7)
				t.Name = cstring(r.take(32))
				t.OXMMatch, t.OXMWildcards = r.u64(), r.u64()
				t.WriteActions, t.ApplyActions = r.u32(), r.u32()
				t.WriteSetFields, t.ApplySetFields = r.u64(), r.u64()
				t.MetadataMatch, t.MetadataWrite = r.u64(), r.u64()
				t.Instructions, t.Config, t.MaxEntries = r.u32(), r.u32(), r.u32()
			default:
				r.skip(3)
			}
			t.ActiveCount, t.LookupCount, t.MatchedCount = r.u32(), r.u64(), r.u64()
			m.Tables = append(m.Tables, t)
		}
	case StatsPort:
		for r.ok && len(r.b) > 0 {
			var p PortStats
			if p, err = decodePortStats(v, r); err != nil {
				return nil, err
			}
			m.Ports = append(m.Ports, p)
		}
	case StatsPortDesc:
		for r.ok && len(r.b) > 0 {
			var p PortDesc
			if p, err = decodePortDesc(v, r); err != nil {
				return nil, err
			}
			m.PortDescs = append(m.PortDescs, p)
		}
	case StatsQueue:
		for r.ok && len(r.b) > 0 {
			var q QueueStats
			if v >= Version14 {
				if n := r.u16(); n != 48 {
					return nil, fmt.Errorf("openflow: queue stats length %d: %w", n, ErrOFPBRCBadLen)
				}
				r.skip(6)
			}
			if v == Version10 {
				q.PortNo = Port(r.u16())
				r.skip(2)
			} else {
				q.PortNo, _ = port32to16(r.u32())
			}
			q.QueueID = r.u32()
			q.TxBytes, q.TxPackets, q.TxErrors = r.u64(), r.u64(), r.u64()
			if v >= Version13 {
				q.DurationSec, q.DurationNSec = r.u32(), r.u32()
			}
			m.Queues = append(m.Queues, q)
		}
	case StatsTableFeatures:
		for r.ok && len(r.b) > 0 {
			var t TableFeatures
			n := int(r.u16())
			t.TableID = r.u8()
			r.skip(5)
			t.Name = cstring(r.take(32))
			t.MetadataMatch, t.MetadataWrite = r.u64(), r.u64()
			t.Config, t.MaxEntries = r.u32(), r.u32()
			if n < 64 {
				return nil, fmt.Errorf("openflow: table features length %d: %w", n, ErrOFPBPCBadLen)
			}
			t.Properties = clone(r.take(n - 64))
			m.TableFeatures = append(m.TableFeatures, t)
		}
	case StatsQueueDesc:
		if m.QueueDescs, err = decodeQueueDescs(r); err != nil {
			return nil, err
		}
	case StatsFlowMonitor:
		if !nx {
			return nil, fmt.Errorf("openflow: OF1.4 flow monitor unsupported: %w", ErrOFPBRCBadStat)
		}
		if m.Updates, err = decodeFlowUpdates(v, r); err != nil {
			return nil, err
		}
	case StatsTableDesc:
		for r.ok && len(r.b) > 0 {
			n := int(r.u16())
			d := TableDesc{TableID: r.u8()}
			r.skip(1)
			d.Config = r.u32()
			if n < 8 || !r.need(n-8) {
				return nil, fmt.Errorf("openflow: table desc length %d: %w", n, ErrOFPBRCBadLen)
			}
			d.Properties = clone(r.take(n - 8))
			m.TableDescs = append(m.TableDescs, d)
		}
	case StatsGroupFeatures:
		g := &m.GroupFeatures
		g.Types, g.Capabilities = r.u32(), r.u32()
		for i := range g.MaxGroups {
			g.MaxGroups[i] = r.u32()
		}
		for i := range g.Actions {
			g.Actions[i] = r.u32()
		}
	case StatsMeterFeatures:
		f := &m.MeterFeatures
		f.MaxMeter, f.BandTypes, f.Capabilities = r.u32(), r.u32(), r.u32()
		f.MaxBands, f.MaxColor = r.u8(), r.u8()
		r.skip(2)
	case StatsGroupDesc:
		for r.ok && len(r.b) > 0 {
			d, err := decodeGroupDesc(v, r)
			if err != nil {
				return nil, err
			}
			m.GroupDescs = append(m.GroupDescs, d)
		}
	case StatsGroup:
		for r.ok && len(r.b) > 0 {
			g, err := decodeGroupStats(v, r)
			if err != nil {
				return nil, err
			}
			m.Groups = append(m.Groups, g)
		}
	case StatsMeterConfig:
		for r.ok && len(r.b) > 0 {
			c, err := decodeMeterConfig(v, r)
			if err != nil {
				return nil, err
			}
			m.MeterConfigs = append(m.MeterConfigs, c)
		}
	case StatsMeter:
		for r.ok && len(r.b) > 0 {
			s, err := decodeMeterStats(r)
			if err != nil {
				return nil, err
			}
			m.Meters = append(m.Meters, s)
		}
	default:
		return nil, fmt.Errorf("openflow: stats reply type %d: %w", kind, ErrOFPBRCBadStat)
	}
	if !r.ok || len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: stats reply type %d length: %w", kind, ErrOFPBRCBadLen)
	}
	return m, nil
}

func decodeFlowStats(v uint8, nx bool, r *rd) (FlowStats, error) {
	var f FlowStats
	n := int(r.u16())
	if n < 8 || !r.need(n-2) {
		return f, fmt.Errorf("openflow: flow stats entry length %d: %w", n, ErrOFPBRCBadLen)
	}
	e := newRd(r.take(n - 2))
	f.TableID = e.u8()
	e.skip(1)
	var err error
	switch {
	case nx:
		f.DurationSec, f.DurationNSec = e.u32(), e.u32()
		f.Priority, f.IdleTimeout, f.HardTimeout = e.u16(), e.u16(), e.u16()
		ml := int(e.u16())
		f.IdleAge, f.HardAge = e.u16(), e.u16()
		f.Cookie, f.PacketCount, f.ByteCount = e.u64(), e.u64(), e.u64()
		if !e.ok {
			return f, fmt.Errorf("openflow: short NX flow stats: %w", ErrOFPBRCBadLen)
		}
		if f.Match, err = decodeNXMatch(e, ml); err != nil {
			return f, err
		}
		f.Actions, err = DecodeActions(v, e.rest())
	case v == Version10:
		m10 := decodeMatch10(e)
		f.Match = m10.ToFields()
		f.DurationSec, f.DurationNSec = e.u32(), e.u32()
		f.Priority, f.IdleTimeout, f.HardTimeout = e.u16(), e.u16(), e.u16()
		e.skip(6)
		f.Cookie, f.PacketCount, f.ByteCount = e.u64(), e.u64(), e.u64()
		if !e.ok {
			return f, fmt.Errorf("openflow: short flow stats: %w", ErrOFPBRCBadLen)
		}
		f.Actions, err = DecodeActions(v, e.rest())
	case v >= Version11 && v <= Version14:
		f.DurationSec, f.DurationNSec = e.u32(), e.u32()
		f.Priority, f.IdleTimeout, f.HardTimeout = e.u16(), e.u16(), e.u16()
		f.Flags, f.Importance = e.u16(), e.u16()
		if v < Version14 {
			f.Importance = 0
		}
		e.skip(2)
		f.Cookie, f.PacketCount, f.ByteCount = e.u64(), e.u64(), e.u64()
		if !e.ok {
			return f, fmt.Errorf("openflow: short flow stats: %w", ErrOFPBRCBadLen)
		}
		var n int
		if f.Match, n, err = decodeOXMMatch(e.b); err != nil {
			return f, err
		}
		e.skip(n)
		f.Actions, err = DecodeInstructions(v, e.rest())
	case v >= Version15:
		// ofp15_flow_desc: the two bytes read above were pad2.
		f.TableID = e.u8()
		e.skip(1)
		f.Priority, f.IdleTimeout, f.HardTimeout = e.u16(), e.u16(), e.u16()
		f.Flags, f.Importance = e.u16(), e.u16()
		f.Cookie = e.u64()
		if !e.ok {
			return f, fmt.Errorf("openflow: short flow desc: %w", ErrOFPBRCBadLen)
		}
		var n int
		if f.Match, n, err = decodeOXMMatch(e.b); err != nil {
			return f, err
		}
		e.skip(n)
		var st oxsStats
		if st, err = pullOXS(e); err != nil {
			return f, err
		}
		f.DurationSec, f.DurationNSec, f.PacketCount, f.ByteCount = st.durSec, st.durNSec, st.packets, st.bytes
		if st.hasIdle {
			f.IdleAge = uint16(st.idleSec) + 1
		}
		f.Actions, err = DecodeInstructions(v, e.rest())
	default:
		return f, fmt.Errorf("openflow: flow stats in version %#x: %w", v, ErrOFPBRCBadStat)
	}
	return f, err
}

func encodeFlowStats(w *buf, v uint8, nx bool, f *FlowStats) error {
	start := len(w.b)
	w.u16(0)
	if v >= Version15 {
		w.zeros(2)
	}
	w.u8(f.TableID)
	w.u8(0)
	var err error
	switch {
	case v >= Version15:
		w.u16(f.Priority)
		w.u16(f.IdleTimeout)
		w.u16(f.HardTimeout)
		w.u16(f.Flags)
		w.u16(f.Importance)
		w.u64(f.Cookie)
		if err = appendOXMMatch(w, &f.Match); err != nil {
			return err
		}
		putOXS(w, &oxsStats{hasDuration: true, durSec: f.DurationSec, durNSec: f.DurationNSec,
			hasIdle: f.IdleAge > 0, idleSec: uint32(f.IdleAge) - 1,
			hasPackets: true, packets: f.PacketCount, hasBytes: true, bytes: f.ByteCount})
		if w.b, err = EncodeInstructions(w.b, v, f.Actions); err != nil {
			return err
		}
	case nx:
		w.u32(f.DurationSec)
		w.u32(f.DurationNSec)
		w.u16(f.Priority)
		w.u16(f.IdleTimeout)
		w.u16(f.HardTimeout)
		at := len(w.b)
		w.u16(0)
		w.u16(f.IdleAge)
		w.u16(f.HardAge)
		w.u64(f.Cookie)
		w.u64(f.PacketCount)
		w.u64(f.ByteCount)
		n, err := appendNXMatch(w, &f.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
		w.b, err = EncodeInstructions(w.b, v, f.Actions)
		if err != nil {
			return err
		}
	case v == Version10:
		m10, err := Match10FromFields(&f.Match)
		if err != nil {
			return err
		}
		appendMatch10(w, &m10)
		w.u32(f.DurationSec)
		w.u32(f.DurationNSec)
		w.u16(f.Priority)
		w.u16(f.IdleTimeout)
		w.u16(f.HardTimeout)
		w.zeros(6)
		w.u64(f.Cookie)
		w.u64(f.PacketCount)
		w.u64(f.ByteCount)
		if w.b, err = EncodeInstructions(w.b, v, f.Actions); err != nil {
			return err
		}
	case v >= Version11 && v <= Version14:
		w.u32(f.DurationSec)
		w.u32(f.DurationNSec)
		w.u16(f.Priority)
		w.u16(f.IdleTimeout)
		w.u16(f.HardTimeout)
		if v >= Version13 {
			w.u16(f.Flags)
		} else {
			w.u16(0)
		}
		if v >= Version14 {
			w.u16(f.Importance)
		} else {
			w.u16(0)
		}
		w.zeros(2)
		w.u64(f.Cookie)
		w.u64(f.PacketCount)
		w.u64(f.ByteCount)
		// Stock OVS sends OXM here even in OpenFlow 1.1.
		if err = appendOXMMatch(w, &f.Match); err != nil {
			return err
		}
		if w.b, err = EncodeInstructions(w.b, v, f.Actions); err != nil {
			return err
		}
	default:
		return fmt.Errorf("openflow: flow stats in version %#x not implemented: %w", v, ErrOFPBRCBadStat)
	}
	w.put16(start, uint16(len(w.b)-start))
	return nil
}

func decodePortStats(v uint8, r *rd) (PortStats, error) {
	var p PortStats
	var plen int
	switch {
	case v == Version10:
		p.PortNo = Port(r.u16())
		r.skip(6)
	case v <= Version13:
		p.PortNo, _ = port32to16(r.u32())
		r.skip(4)
	default:
		plen = int(r.u16())
		r.skip(2)
		p.PortNo, _ = port32to16(r.u32())
		p.DurationSec, p.DurationNSec = r.u32(), r.u32()
	}
	p.RxPackets, p.TxPackets, p.RxBytes, p.TxBytes = r.u64(), r.u64(), r.u64(), r.u64()
	p.RxDropped, p.TxDropped, p.RxErrors, p.TxErrors = r.u64(), r.u64(), r.u64(), r.u64()
	if v >= Version14 {
		if plen < 80 || !r.need(plen-80) {
			return p, fmt.Errorf("openflow: port stats length %d: %w", plen, ErrOFPBRCBadLen)
		}
		pb := r.take(plen - 80)
		for len(pb) > 0 {
			if len(pb) < 4 {
				return p, fmt.Errorf("openflow: port stats property: %w", ErrOFPBPCBadLen)
			}
			t, l := be16(pb), int(be16(pb[2:]))
			padded := (l + 7) &^ 7
			if l < 4 || padded > len(pb) {
				return p, fmt.Errorf("openflow: port stats property length %d: %w", l, ErrOFPBPCBadLen)
			}
			if t == 0 && l >= 40 {
				body := newRd(pb[8:l])
				p.RxFrameErr, p.RxOverErr, p.RxCRCErr, p.Collisions = body.u64(), body.u64(), body.u64(), body.u64()
			} else {
				p.Properties = append(p.Properties, pb[:padded]...)
			}
			pb = pb[padded:]
		}
		return p, nil
	}
	p.RxFrameErr, p.RxOverErr, p.RxCRCErr, p.Collisions = r.u64(), r.u64(), r.u64(), r.u64()
	if v == Version13 {
		p.DurationSec, p.DurationNSec = r.u32(), r.u32()
	}
	return p, nil
}

func encodePortStats(w *buf, v uint8, p *PortStats) {
	switch {
	case v == Version10:
		w.u16(uint16(p.PortNo))
		w.zeros(6)
	case v <= Version13:
		w.u32(port16to32(p.PortNo))
		w.zeros(4)
	default:
		w.u16(uint16(80 + 40 + len(p.Properties)))
		w.zeros(2)
		w.u32(port16to32(p.PortNo))
		w.u32(p.DurationSec)
		w.u32(p.DurationNSec)
	}
	for _, c := range []uint64{p.RxPackets, p.TxPackets, p.RxBytes, p.TxBytes, p.RxDropped, p.TxDropped, p.RxErrors, p.TxErrors} {
		w.u64(c)
	}
	if v >= Version14 {
		w.u16(0)
		w.u16(40)
		w.zeros(4)
	}
	for _, c := range []uint64{p.RxFrameErr, p.RxOverErr, p.RxCRCErr, p.Collisions} {
		w.u64(c)
	}
	if v >= Version14 {
		w.bytes(p.Properties)
	}
	if v == Version13 {
		w.u32(p.DurationSec)
		w.u32(p.DurationNSec)
	}
}

func encodeStatsReply(w *buf, m *StatsReply) error {
	sub := nxStatsSub(m.Kind, m.NX)
	statsHeader(w, m.Version, true, m.XID, m.Kind, m.Flags, m.NX, sub)
	v := m.Version
	switch m.Kind {
	case StatsDesc:
		d := &m.Desc
		putString(w, d.MfrDesc, 256)
		putString(w, d.HWDesc, 256)
		putString(w, d.SWDesc, 256)
		putString(w, d.SerialNum, 32)
		putString(w, d.DPDesc, 256)
	case StatsFlow:
		for i := range m.Flows {
			if err := encodeFlowStats(w, v, m.NX, &m.Flows[i]); err != nil {
				return err
			}
		}
	case StatsAggregate:
		if v >= Version15 {
			a := &m.Aggregate
			putOXS(w, &oxsStats{hasPackets: true, packets: a.PacketCount, hasBytes: true, bytes: a.ByteCount, hasFlows: true, flows: a.FlowCount})
			break
		}
		w.u64(m.Aggregate.PacketCount)
		w.u64(m.Aggregate.ByteCount)
		w.u32(m.Aggregate.FlowCount)
		w.zeros(4)
	case StatsTable:
		for _, t := range m.Tables {
			w.u8(t.TableID)
			switch v {
			case Version10:
				w.zeros(3)
				putString(w, t.Name, 32)
				w.u32(t.Wildcards)
				w.u32(t.MaxEntries)
			case Version11:
				w.zeros(7)
				putString(w, t.Name, 32)
				w.u32(t.Wildcards)
				w.u32(uint32(t.OXMMatch))
				w.u32(t.Instructions)
				w.u32(t.WriteActions)
				w.u32(t.ApplyActions)
				w.u32(t.Config)
				w.u32(t.MaxEntries)
			case Version12:
				w.zeros(7)
				putString(w, t.Name, 32)
				w.u64(t.OXMMatch)
				w.u64(t.OXMWildcards)
				w.u32(t.WriteActions)
				w.u32(t.ApplyActions)
				w.u64(t.WriteSetFields)
				w.u64(t.ApplySetFields)
				w.u64(t.MetadataMatch)
				w.u64(t.MetadataWrite)
				w.u32(t.Instructions)
				w.u32(t.Config)
				w.u32(t.MaxEntries)
			default:
				w.zeros(3)
			}
			w.u32(t.ActiveCount)
			w.u64(t.LookupCount)
			w.u64(t.MatchedCount)
		}
	case StatsPort:
		for i := range m.Ports {
			encodePortStats(w, v, &m.Ports[i])
		}
	case StatsPortDesc:
		for i := range m.PortDescs {
			encodePortDesc(w, v, &m.PortDescs[i])
		}
	case StatsQueue:
		for _, q := range m.Queues {
			if v >= Version14 {
				w.u16(48)
				w.zeros(6)
			}
			if v == Version10 {
				w.u16(uint16(q.PortNo))
				w.zeros(2)
			} else {
				w.u32(port16to32(q.PortNo))
			}
			w.u32(q.QueueID)
			w.u64(q.TxBytes)
			w.u64(q.TxPackets)
			w.u64(q.TxErrors)
			if v >= Version13 {
				w.u32(q.DurationSec)
				w.u32(q.DurationNSec)
			}
		}
	case StatsTableFeatures:
		for _, t := range m.TableFeatures {
			start := len(w.b)
			w.u16(0)
			w.u8(t.TableID)
			w.zeros(5)
			putString(w, t.Name, 32)
			w.u64(t.MetadataMatch)
			w.u64(t.MetadataWrite)
			w.u32(t.Config)
			w.u32(t.MaxEntries)
			w.bytes(t.Properties)
			w.put16(start, uint16(len(w.b)-start))
		}
	case StatsQueueDesc:
		encodeQueueDescs(w, m.QueueDescs)
	case StatsFlowMonitor:
		if !m.NX {
			return fmt.Errorf("openflow: OF1.4 flow monitor unsupported: %w", ErrOFPBRCBadStat)
		}
		return encodeFlowUpdates(w, v, m.Updates)
	case StatsTableDesc:
		for _, d := range m.TableDescs {
			w.u16(uint16(8 + len(d.Properties)))
			w.u8(d.TableID)
			w.u8(0)
			w.u32(d.Config)
			w.bytes(d.Properties)
		}
	case StatsGroupFeatures:
		g := &m.GroupFeatures
		w.u32(g.Types)
		w.u32(g.Capabilities)
		for _, x := range g.MaxGroups {
			w.u32(x)
		}
		for _, x := range g.Actions {
			w.u32(x)
		}
	case StatsMeterFeatures:
		f := &m.MeterFeatures
		w.u32(f.MaxMeter)
		w.u32(f.BandTypes)
		w.u32(f.Capabilities)
		w.u8(f.MaxBands)
		w.u8(f.MaxColor)
		w.zeros(2)
	case StatsGroupDesc:
		for i := range m.GroupDescs {
			if err := encodeGroupDesc(w, v, &m.GroupDescs[i]); err != nil {
				return err
			}
		}
	case StatsGroup:
		for i := range m.Groups {
			encodeGroupStats(w, v, &m.Groups[i])
		}
	case StatsMeterConfig:
		for i := range m.MeterConfigs {
			encodeMeterConfig(w, v, &m.MeterConfigs[i])
		}
	case StatsMeter:
		for i := range m.Meters {
			encodeMeterStats(w, &m.Meters[i])
		}
	default:
		return fmt.Errorf("openflow: stats reply kind %d: %w", m.Kind, ErrOFPBRCBadStat)
	}
	return nil
}

// nxStatsSub is the Nicira stats subtype of an NX stats kind.
func nxStatsSub(k StatsKind, nx bool) uint32 {
	switch {
	case !nx:
		return 0
	case k == StatsFlowMonitor:
		return nxstFlowMonitor
	}
	return uint32(k - StatsFlow)
}
