package openflow

import "fmt"

// OXS (OpenFlow 1.5 flow statistics) fields of class OFPXSC_OPENFLOW_BASIC.
const (
	oxsClassBasic   = 0x8002
	oxsDuration     = 0
	oxsIdleTime     = 1
	oxsFlowCount    = 3
	oxsPacketCount  = 4
	oxsByteCount    = 5
	oxsUnknownCount = ^uint64(0)
)

// oxsStats are the statistics an OXS list can carry; a field is absent when
// its has-bit is false.
type oxsStats struct {
	hasDuration, hasIdle, hasPackets, hasBytes, hasFlows bool
	durSec, durNSec, idleSec                             uint32
	packets, bytes                                       uint64
	flows                                                uint32
}

func putOXS(w *buf, s *oxsStats) {
	start := len(w.b)
	w.u32(0)
	entry := func(field uint8, n int) {
		w.u32(uint32(oxsClassBasic)<<16 | uint32(field)<<9 | uint32(n))
	}
	if s.hasDuration {
		entry(oxsDuration, 8)
		w.u32(s.durSec)
		w.u32(s.durNSec)
	}
	if s.hasIdle {
		entry(oxsIdleTime, 8)
		w.u32(s.idleSec)
		w.u32(0)
	}
	if s.hasPackets {
		entry(oxsPacketCount, 8)
		w.u64(s.packets)
	}
	if s.hasBytes {
		entry(oxsByteCount, 8)
		w.u64(s.bytes)
	}
	if s.hasFlows {
		entry(oxsFlowCount, 4)
		w.u32(s.flows)
	}
	w.put16(start+2, uint16(len(w.b)-start))
	w.pad8(start)
}

func pullOXS(r *rd) (oxsStats, error) {
	var s oxsStats
	r.skip(2)
	n := int(r.u16())
	if !r.ok || n < 4 || !r.need((n+7)&^7-4) {
		return s, fmt.Errorf("openflow: OXS stats length %d: %w", n, ErrOFPBRCBadLen)
	}
	body := newRd(r.take(n - 4))
	r.skip((n+7)&^7 - n)
	for body.ok && len(body.b) > 0 {
		h := body.u32()
		l := int(uint8(h))
		if uint16(h>>16) == 0xffff {
			body.skip(l)
			continue
		}
		v := newRd(body.take(l))
		if !body.ok {
			break
		}
		if uint16(h>>16) != oxsClassBasic {
			continue
		}
		switch uint8(h>>9) & 0x7f {
		case oxsDuration:
			s.hasDuration, s.durSec, s.durNSec = true, v.u32(), v.u32()
		case oxsIdleTime:
			s.hasIdle, s.idleSec = true, v.u32()
		case oxsPacketCount:
			s.hasPackets, s.packets = true, v.u64()
		case oxsByteCount:
			s.hasBytes, s.bytes = true, v.u64()
		case oxsFlowCount:
			s.hasFlows, s.flows = true, v.u32()
		}
		if !v.ok {
			return s, fmt.Errorf("openflow: OXS field %#x length %d: %w", h, l, ErrOFPBRCBadLen)
		}
	}
	if !body.ok {
		return s, fmt.Errorf("openflow: truncated OXS stats: %w", ErrOFPBRCBadLen)
	}
	return s, nil
}
