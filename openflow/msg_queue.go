package openflow

import "fmt"

// Queue configuration messages: OFPT_QUEUE_GET_CONFIG_REQUEST/REPLY
// (OF1.0-1.3) and, from OF1.4, the QUEUE_DESC multipart kind.

const (
	ofpt10QueueGetConfigReq = 20
	ofpt10QueueGetConfigRep = 21
	ofpt11QueueGetConfigReq = 22
	ofpt11QueueGetConfigRep = 23

	queuePropMinRate = 1
	queuePropMaxRate = 2
)

// Message kinds of this file.
const (
	MsgQueueGetConfigRequest MsgType = 130
	MsgQueueGetConfigReply   MsgType = 131
)

// StatsQueueDesc is the OF1.4+ QUEUE_DESC multipart kind.
const StatsQueueDesc StatsKind = 15

// QueueAll is OFPQ_ALL.
const QueueAll uint32 = 0xffffffff

// RateUnset marks an absent min/max rate.
const RateUnset uint16 = 0xffff

// QueueConfig describes one queue: rates are in tenths of a percent,
// RateUnset when absent. Port is carried per queue from OF1.2 on.
type QueueConfig struct {
	QueueID uint32
	Port    Port
	MinRate uint16
	MaxRate uint16
}

// QueueGetConfigRequest is OFPT_QUEUE_GET_CONFIG_REQUEST (OF1.0-1.3).
type QueueGetConfigRequest struct {
	Header
	Port Port
}

// QueueGetConfigReply is OFPT_QUEUE_GET_CONFIG_REPLY (OF1.0-1.3).
type QueueGetConfigReply struct {
	Header
	Port   Port
	Queues []QueueConfig
}

// Type implements Message.
func (*QueueGetConfigRequest) Type() MsgType { return MsgQueueGetConfigRequest }

// Type implements Message.
func (*QueueGetConfigReply) Type() MsgType { return MsgQueueGetConfigReply }

func decodeQueueGetConfigRequest(h Header, r *rd) (Message, error) {
	m := &QueueGetConfigRequest{Header: h}
	if h.Version == Version10 {
		m.Port = Port(r.u16())
		r.skip(2)
	} else {
		p := r.u32()
		r.skip(4)
		var ok bool
		if m.Port, ok = port32to16(p); !ok && r.ok {
			return nil, fmt.Errorf("openflow: queue config port %#x: %w", p, ErrOFPBACBadOutPort)
		}
	}
	if !r.ok || len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: queue_get_config_request length: %w", ErrOFPBRCBadLen)
	}
	return m, nil
}

func decodeQueueGetConfigReply(h Header, r *rd) (Message, error) {
	m := &QueueGetConfigReply{Header: h}
	if h.Version == Version10 {
		m.Port = Port(r.u16())
		r.skip(6)
	} else {
		m.Port, _ = port32to16(r.u32())
		r.skip(4)
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short queue_get_config_reply: %w", ErrOFPBRCBadLen)
	}
	for len(r.b) > 0 {
		q := QueueConfig{QueueID: r.u32(), Port: m.Port, MinRate: RateUnset, MaxRate: RateUnset}
		hl := 8
		if h.Version >= Version12 {
			q.Port, _ = port32to16(r.u32())
			hl = 16
		}
		n := int(r.u16())
		if hl == 16 {
			r.skip(6)
		} else {
			r.skip(2)
		}
		if n < hl || n%8 != 0 || !r.need(n-hl) {
			return nil, fmt.Errorf("openflow: queue length %d: %w", n, ErrOFPBRCBadLen)
		}
		props := newRd(r.take(n - hl))
		for len(props.b) > 0 {
			t, l := props.u16(), int(props.u16())
			if l < 4 || l%8 != 0 || !props.need(l-4) {
				return nil, fmt.Errorf("openflow: queue property length %d: %w", l, ErrOFPBRCBadLen)
			}
			body := newRd(props.take(l - 4))
			body.skip(4)
			rate := body.u16()
			switch {
			case t == queuePropMinRate && body.ok:
				q.MinRate = rate
			case t == queuePropMaxRate && body.ok:
				q.MaxRate = rate
			}
		}
		m.Queues = append(m.Queues, q)
	}
	return m, nil
}

func encodeQueueGetConfig(w *buf, m Message) error {
	v := m.Head().Version
	if v > Version13 {
		return fmt.Errorf("openflow: queue_get_config after OF1.3 (use QUEUE_DESC): %w", ErrOFPBRCBadType)
	}
	switch m := m.(type) {
	case *QueueGetConfigRequest:
		if v == Version10 {
			w.header(v, ofpt10QueueGetConfigReq, m.XID)
			w.u16(uint16(m.Port))
			w.zeros(2)
		} else {
			w.header(v, ofpt11QueueGetConfigReq, m.XID)
			w.u32(port16to32(m.Port))
			w.zeros(4)
		}
	case *QueueGetConfigReply:
		if v == Version10 {
			w.header(v, ofpt10QueueGetConfigRep, m.XID)
			w.u16(uint16(m.Port))
			w.zeros(6)
		} else {
			w.header(v, ofpt11QueueGetConfigRep, m.XID)
			w.u32(port16to32(m.Port))
			w.zeros(4)
		}
		for _, q := range m.Queues {
			start := len(w.b)
			w.u32(q.QueueID)
			at := 0
			if v >= Version12 {
				w.u32(port16to32(q.Port))
				at = len(w.b)
				w.u16(0)
				w.zeros(6)
			} else {
				at = len(w.b)
				w.u16(0)
				w.zeros(2)
			}
			for _, p := range []struct {
				t    uint16
				rate uint16
			}{{queuePropMinRate, q.MinRate}, {queuePropMaxRate, q.MaxRate}} {
				if p.rate != RateUnset {
					w.u16(p.t)
					w.u16(16)
					w.zeros(4)
					w.u16(p.rate)
					w.zeros(6)
				}
			}
			w.put16(at, uint16(len(w.b)-start))
		}
	}
	return nil
}

func decodeQueueDescs(r *rd) ([]QueueConfig, error) {
	var out []QueueConfig
	for r.ok && len(r.b) > 0 {
		q := QueueConfig{MinRate: RateUnset, MaxRate: RateUnset}
		q.Port, _ = port32to16(r.u32())
		q.QueueID = r.u32()
		n := int(r.u16())
		r.skip(6)
		if n < 16 || n%8 != 0 || !r.need(n-16) {
			return nil, fmt.Errorf("openflow: queue desc length %d: %w", n, ErrOFPBRCBadLen)
		}
		props := newRd(r.take(n - 16))
		for len(props.b) > 0 {
			t, l := props.u16(), int(props.u16())
			if l < 4 || !props.need((l+7)&^7-4) {
				return nil, fmt.Errorf("openflow: queue desc property: %w", ErrOFPBPCBadLen)
			}
			body := newRd(props.take(l - 4))
			props.skip((l+7)&^7 - l)
			switch t {
			case queuePropMinRate:
				q.MinRate = body.u16()
			case queuePropMaxRate:
				q.MaxRate = body.u16()
			default:
				return nil, fmt.Errorf("openflow: queue desc property %d: %w", t, ErrOFPBPCBadType)
			}
			if !body.ok || len(body.b) != 0 {
				return nil, fmt.Errorf("openflow: queue desc property %d length: %w", t, ErrOFPBPCBadLen)
			}
		}
		out = append(out, q)
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: truncated queue desc: %w", ErrOFPBRCBadLen)
	}
	return out, nil
}

func encodeQueueDescs(w *buf, qs []QueueConfig) {
	for _, q := range qs {
		start := len(w.b)
		w.u32(port16to32(q.Port))
		w.u32(q.QueueID)
		at := len(w.b)
		w.u16(0)
		w.zeros(6)
		for _, p := range []struct {
			t    uint16
			rate uint16
		}{{queuePropMinRate, q.MinRate}, {queuePropMaxRate, q.MaxRate}} {
			if p.rate != RateUnset {
				w.u16(p.t)
				w.u16(6)
				w.u16(p.rate)
				w.zeros(2)
			}
		}
		w.put16(at, uint16(len(w.b)-start))
	}
}
