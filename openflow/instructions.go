package openflow

import "fmt"

// Instruction wire types (OpenFlow 1.1+).
const (
	ofpitGotoTable     = 1
	ofpitWriteMetadata = 2
	ofpitWriteActions  = 3
	ofpitApplyActions  = 4
	ofpitClearActions  = 5
	ofpitMeter         = 6
	ofpitExperimenter  = 0xffff
)

// DecodeInstructions parses an OpenFlow 1.1+ instruction list into the
// action model: apply-actions first, then Meter, ClearActions, WriteActions,
// WriteMetadata, GotoTable (as action.go describes). For OpenFlow 1.0 it
// decodes a plain action list.
func DecodeInstructions(version uint8, b []byte) ([]Action, error) {
	if version == Version10 {
		return DecodeActions(version, b)
	}
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("openflow: instruction list length %d: %w", len(b), ErrOFPBICBadLen)
	}
	var apply, tail []Action
	var meter, clear, write, wmd, gotoT []Action
	seen := map[uint16]bool{}
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, fmt.Errorf("openflow: truncated instruction: %w", ErrOFPBICBadLen)
		}
		t, n := be16(b), int(be16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, fmt.Errorf("openflow: instruction %d length %d: %w", t, n, ErrOFPBICBadLen)
		}
		if seen[t] {
			return nil, fmt.Errorf("openflow: instruction %d repeated: %w", t, ErrOFPBICDupInst)
		}
		seen[t] = true
		body := b[4:n]
		r := newRd(body)
		fixed := func(want int) error {
			if n != want {
				return fmt.Errorf("openflow: instruction %d length %d: %w", t, n, ErrOFPBICBadLen)
			}
			return nil
		}
		switch t {
		case ofpitGotoTable:
			if err := fixed(8); err != nil {
				return nil, err
			}
			gotoT = []Action{GotoTable{Table: r.u8()}}
		case ofpitWriteMetadata:
			if err := fixed(24); err != nil {
				return nil, err
			}
			r.skip(4)
			wmd = []Action{WriteMetadata{Value: r.u64(), Mask: r.u64()}}
		case ofpitWriteActions, ofpitApplyActions:
			acts, err := DecodeActions(version, body[4:])
			if err != nil {
				return nil, err
			}
			if t == ofpitApplyActions {
				// OF1.5 carries meter as an action; keep it in the tail.
				for _, a := range acts {
					if m, ok := a.(Meter); ok && meter == nil {
						meter = []Action{m}
						continue
					}
					apply = append(apply, a)
				}
			} else {
				write = []Action{WriteActions{Actions: acts}}
			}
		case ofpitClearActions:
			if err := fixed(8); err != nil {
				return nil, err
			}
			clear = []Action{ClearActions{}}
		case ofpitMeter:
			if version < Version13 {
				return nil, fmt.Errorf("openflow: meter instruction before OF1.3: %w", ErrOFPBICUnknownInst)
			}
			if err := fixed(8); err != nil {
				return nil, err
			}
			meter = []Action{Meter{ID: r.u32()}}
		case ofpitExperimenter:
			return nil, fmt.Errorf("openflow: experimenter instruction: %w", ErrOFPBICBadExperimenter)
		default:
			return nil, fmt.Errorf("openflow: instruction type %d: %w", t, ErrOFPBICUnknownInst)
		}
		b = b[n:]
	}
	tail = append(tail, meter...)
	tail = append(tail, clear...)
	tail = append(tail, write...)
	tail = append(tail, wmd...)
	tail = append(tail, gotoT...)
	return append(apply, tail...), nil
}

// EncodeInstructions appends acts as an instruction list of the given version
// (1.1+), or as a plain action list for OpenFlow 1.0 (where goto_table,
// clear/write_actions and meter cannot be expressed). Instructions go out in
// OVS's order: meter, apply, clear, write, write-metadata, goto.
func EncodeInstructions(dst []byte, version uint8, acts []Action) ([]byte, error) {
	w := buf{b: dst}
	var apply []Action
	var meter *Meter
	var clear bool
	var write *WriteActions
	var wmd *WriteMetadata
	var gotoT *GotoTable
	for _, a := range acts {
		switch a := a.(type) {
		case Meter:
			meter = &a
		case ClearActions:
			clear = true
		case WriteActions:
			write = &a
		case WriteMetadata:
			wmd = &a
		case GotoTable:
			gotoT = &a
		default:
			apply = append(apply, a)
		}
	}
	if version == Version10 {
		if meter != nil || clear || write != nil || gotoT != nil {
			return nil, fmt.Errorf("openflow: instructions in OpenFlow 1.0: %w", ErrOFPBICUnsupInst)
		}
		for _, a := range apply {
			if err := encodeAction(&w, version, a); err != nil {
				return nil, err
			}
		}
		if wmd != nil {
			if err := encodeAction(&w, version, *wmd); err != nil {
				return nil, err
			}
		}
		return w.b, nil
	}
	inst := func(t uint16, body func() error) error {
		start := len(w.b)
		w.u16(t)
		w.u16(0)
		if err := body(); err != nil {
			return err
		}
		w.pad8(start)
		w.put16(start+2, uint16(len(w.b)-start))
		return nil
	}
	actions := func(list []Action) func() error {
		return func() error {
			w.zeros(4)
			for _, a := range list {
				if err := encodeAction(&w, version, a); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if meter != nil && version <= Version14 {
		if version < Version13 {
			return nil, fmt.Errorf("openflow: meter before OF1.3: %w", ErrOFPBICUnsupInst)
		}
		if err := inst(ofpitMeter, func() error { w.u32(meter.ID); return nil }); err != nil {
			return nil, err
		}
	}
	if meter != nil && version >= Version15 {
		apply = append([]Action{*meter}, apply...)
	}
	if len(apply) > 0 {
		if err := inst(ofpitApplyActions, actions(apply)); err != nil {
			return nil, err
		}
	}
	if clear {
		_ = inst(ofpitClearActions, func() error { w.zeros(4); return nil })
	}
	if write != nil {
		if err := inst(ofpitWriteActions, actions(write.Actions)); err != nil {
			return nil, err
		}
	}
	if wmd != nil {
		_ = inst(ofpitWriteMetadata, func() error { w.zeros(4); w.u64(wmd.Value); w.u64(wmd.Mask); return nil })
	}
	if gotoT != nil {
		_ = inst(ofpitGotoTable, func() error { w.u8(gotoT.Table); w.zeros(3); return nil })
	}
	return w.b, nil
}
