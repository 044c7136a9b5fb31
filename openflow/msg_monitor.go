package openflow

import "fmt"

// Nicira flow monitoring (NXST_FLOW_MONITOR in OpenFlow 1.0-1.2, with
// NXT_FLOW_MONITOR_CANCEL/PAUSED/RESUMED).

// StatsFlowMonitor is the flow-monitor multipart kind (NX subtype 2; the
// OF1.4 number).
const StatsFlowMonitor StatsKind = 16

const nxstFlowMonitor = 2

// Flow monitor flags (NXFMF_*).
const (
	MonitorInitial uint16 = 1 << 0
	MonitorAdd     uint16 = 1 << 1
	MonitorDelete  uint16 = 1 << 2
	MonitorModify  uint16 = 1 << 3
	MonitorActions uint16 = 1 << 4
	MonitorOwn     uint16 = 1 << 5
)

// Flow update events (NXFME_*).
const (
	UpdateAdded    uint16 = 0
	UpdateDeleted  uint16 = 1
	UpdateModified uint16 = 2
	UpdateAbbrev   uint16 = 3
)

// FlowMonitorRequest is one monitor of a flow-monitor request.
type FlowMonitorRequest struct {
	ID      uint32
	Flags   uint16
	OutPort Port
	TableID uint8
	Match   Match
}

// FlowUpdate is one entry of a flow-monitor reply or unsolicited update.
// For UpdateAbbrev only XID is meaningful.
type FlowUpdate struct {
	Event       uint16
	Reason      uint16
	Priority    uint16
	IdleTimeout uint16
	HardTimeout uint16
	TableID     uint8
	Cookie      uint64
	Match       Match
	Actions     []Action
	XID         uint32
}

// More message kinds.
const (
	MsgFlowMonitorCancel MsgType = iota + 140
	MsgFlowMonitorPaused
	MsgFlowMonitorResumed
)

const (
	nxtFlowMonitorCancel  = 21
	nxtFlowMonitorPaused  = 22
	nxtFlowMonitorResumed = 23
)

// FlowMonitorCancel is NXT_FLOW_MONITOR_CANCEL.
type FlowMonitorCancel struct {
	Header
	ID uint32
}

// FlowMonitorPaused is NXT_FLOW_MONITOR_PAUSED; Resumed is false, or
// NXT_FLOW_MONITOR_RESUMED with Resumed set.
type FlowMonitorPaused struct {
	Header
	Resumed bool
}

// Type implements Message.
func (*FlowMonitorCancel) Type() MsgType { return MsgFlowMonitorCancel }

// Type implements Message.
func (m *FlowMonitorPaused) Type() MsgType {
	if m.Resumed {
		return MsgFlowMonitorResumed
	}
	return MsgFlowMonitorPaused
}

func decodeFlowMonitorRequests(r *rd) ([]FlowMonitorRequest, error) {
	var out []FlowMonitorRequest
	for r.ok && len(r.b) > 0 {
		q := FlowMonitorRequest{ID: r.u32(), Flags: r.u16(), OutPort: Port(r.u16())}
		ml := int(r.u16())
		q.TableID = r.u8()
		if !zeroTail(r.take(5)) {
			return nil, fmt.Errorf("openflow: flow monitor padding: %w", ErrNXBRCMustBeZero)
		}
		if !r.ok {
			return nil, fmt.Errorf("openflow: short flow monitor request: %w", ErrOFPBRCBadLen)
		}
		if q.Flags&^0x3f != 0 {
			return nil, fmt.Errorf("openflow: flow monitor flags %#x: %w", q.Flags, ErrOFPMOFCBadFlags)
		}
		var err error
		if q.Match, err = decodeNXMatch(r, ml); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

func encodeFlowMonitorRequests(w *buf, qs []FlowMonitorRequest) error {
	for _, q := range qs {
		w.u32(q.ID)
		w.u16(q.Flags)
		w.u16(uint16(q.OutPort))
		at := len(w.b)
		w.u16(0)
		w.u8(q.TableID)
		w.zeros(5)
		n, err := appendNXMatch(w, &q.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
	}
	return nil
}

func decodeFlowUpdates(v uint8, r *rd) ([]FlowUpdate, error) {
	var out []FlowUpdate
	for r.ok && len(r.b) > 0 {
		n, ev := int(r.u16()), r.u16()
		if n < 8 || n%8 != 0 || !r.need(n-4) {
			return nil, fmt.Errorf("openflow: flow update length %d: %w", n, ErrOFPBRCBadLen)
		}
		e := newRd(r.take(n - 4))
		u := FlowUpdate{Event: ev}
		if ev == UpdateAbbrev {
			if n != 8 {
				return nil, fmt.Errorf("openflow: abbreviated flow update length %d: %w", n, ErrOFPBRCBadLen)
			}
			u.XID = e.u32()
			out = append(out, u)
			continue
		}
		if ev > UpdateAbbrev {
			return nil, fmt.Errorf("openflow: flow update event %d: %w", ev, ErrNXBRCFmBadEvent)
		}
		u.Reason, u.Priority, u.IdleTimeout, u.HardTimeout = e.u16(), e.u16(), e.u16(), e.u16()
		ml := int(e.u16())
		u.TableID = e.u8()
		e.skip(1)
		u.Cookie = e.u64()
		if !e.ok {
			return nil, fmt.Errorf("openflow: short flow update: %w", ErrOFPBRCBadLen)
		}
		var err error
		if u.Match, err = decodeNXMatch(e, ml); err != nil {
			return nil, err
		}
		if u.Actions, err = DecodeActions(v, e.rest()); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func encodeFlowUpdates(w *buf, v uint8, us []FlowUpdate) error {
	for _, u := range us {
		start := len(w.b)
		w.u16(0)
		w.u16(u.Event)
		if u.Event == UpdateAbbrev {
			w.u32(u.XID)
			w.put16(start, 8)
			continue
		}
		w.u16(u.Reason)
		w.u16(u.Priority)
		w.u16(u.IdleTimeout)
		w.u16(u.HardTimeout)
		at := len(w.b)
		w.u16(0)
		w.u8(u.TableID)
		w.u8(0)
		w.u64(u.Cookie)
		n, err := appendNXMatch(w, &u.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
		if w.b, err = EncodeActions(w.b, v, u.Actions); err != nil {
			return err
		}
		w.put16(start, uint16(len(w.b)-start))
	}
	return nil
}
