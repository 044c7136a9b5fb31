package openflow

import "fmt"

// Table-feature property types.
const (
	TFPInstructions       uint16 = 0
	TFPInstructionsMiss   uint16 = 1
	TFPNextTables         uint16 = 2
	TFPNextTablesMiss     uint16 = 3
	TFPWriteActions       uint16 = 4
	TFPWriteActionsMiss   uint16 = 5
	TFPApplyActions       uint16 = 6
	TFPApplyActionsMiss   uint16 = 7
	TFPMatch              uint16 = 8
	TFPWildcards          uint16 = 10
	TFPWriteSetField      uint16 = 12
	TFPWriteSetFieldMiss  uint16 = 13
	TFPApplySetField      uint16 = 14
	TFPApplySetFieldMiss  uint16 = 15
	TFPTableSyncFrom      uint16 = 16 // OF1.5
	TFPWriteCopyField     uint16 = 18 // OF1.5
	TFPWriteCopyFieldMiss uint16 = 19
	TFPApplyCopyField     uint16 = 20
	TFPApplyCopyFieldMiss uint16 = 21
	TFPExperimenter       uint16 = 0xfffe
	TFPExperimenterMiss   uint16 = 0xffff
)

// TableFeatureProp is one property of a TABLE_FEATURES entry. Which field
// is used depends on Type:
//   - instruction and action lists: IDs holds one entry per id, the type for
//     a 4-byte id or 1<<63 | type<<32 | experimenter for an 8-byte one;
//   - next-tables and table-sync-from: Tables;
//   - OXM lists (match, wildcards, set-field, copy-field): IDs holds each
//     header as on the wire (has-mask bit kept), experimenter headers in
//     the 64-bit form;
//   - anything else: Raw is the payload.
type TableFeatureProp struct {
	Type   uint16
	IDs    []uint64
	Tables []uint8
	Raw    []byte
}

func tfpKind(t uint16) byte {
	switch {
	case t <= TFPApplyActionsMiss && t != TFPNextTables && t != TFPNextTablesMiss:
		return 'a' // instruction or action ids
	case t == TFPNextTables || t == TFPNextTablesMiss || t == TFPTableSyncFrom:
		return 't'
	case t >= TFPMatch && t <= TFPApplySetFieldMiss && t != 9 && t != 11, t >= TFPWriteCopyField && t <= TFPApplyCopyFieldMiss:
		return 'o'
	}
	return 'r'
}

// ParseTableFeatureProps parses a TABLE_FEATURES property list (as kept in
// TableFeatures.Properties).
func ParseTableFeatureProps(b []byte) ([]TableFeatureProp, error) {
	var out []TableFeatureProp
	for len(b) > 0 {
		if len(b) < 4 {
			return nil, fmt.Errorf("openflow: table feature property: %w", ErrOFPBPCBadLen)
		}
		t, l := be16(b), int(be16(b[2:]))
		padded := (l + 7) &^ 7
		if l < 4 || padded > len(b) {
			return nil, fmt.Errorf("openflow: table feature property %d length %d: %w", t, l, ErrOFPBPCBadLen)
		}
		p := TableFeatureProp{Type: t}
		body := b[4:l]
		switch tfpKind(t) {
		case 'a':
			for len(body) > 0 {
				if len(body) < 4 {
					return nil, fmt.Errorf("openflow: table feature id: %w", ErrOFPBPCBadLen)
				}
				it, il := be16(body), int(be16(body[2:]))
				switch {
				case il == 4:
					p.IDs = append(p.IDs, uint64(it))
				case il == 8 && len(body) >= 8:
					p.IDs = append(p.IDs, 1<<63|uint64(it)<<32|uint64(be32(body[4:])))
				default:
					return nil, fmt.Errorf("openflow: table feature id length %d: %w", il, ErrOFPBPCBadLen)
				}
				body = body[il:]
			}
		case 't':
			p.Tables = clone(body)
			if p.Tables == nil {
				p.Tables = []uint8{}
			}
		case 'o':
			for len(body) > 0 {
				if len(body) < 4 {
					return nil, fmt.Errorf("openflow: table feature OXM: %w", ErrOFPBPCBadLen)
				}
				h := be32(body)
				if uint16(h>>16) == ClassExperimenter {
					if len(body) < 8 {
						return nil, fmt.Errorf("openflow: table feature OXM: %w", ErrOFPBPCBadLen)
					}
					p.IDs = append(p.IDs, uint64(h)<<32|uint64(be32(body[4:])))
					body = body[8:]
					continue
				}
				p.IDs = append(p.IDs, uint64(h))
				body = body[4:]
			}
		default:
			p.Raw = clone(body)
		}
		out = append(out, p)
		b = b[padded:]
	}
	return out, nil
}

// AppendTableFeatureProps appends props in wire form, each padded to 8
// bytes.
func AppendTableFeatureProps(dst []byte, props []TableFeatureProp) []byte {
	w := buf{b: dst}
	for _, p := range props {
		start := len(w.b)
		w.u16(p.Type)
		w.u16(0)
		switch tfpKind(p.Type) {
		case 'a':
			for _, id := range p.IDs {
				if id>>63 != 0 {
					w.u16(uint16(id >> 32))
					w.u16(8)
					w.u32(uint32(id))
				} else {
					w.u16(uint16(id))
					w.u16(4)
				}
			}
		case 't':
			w.bytes(p.Tables)
		case 'o':
			for _, h := range p.IDs {
				putHeader(&w, h)
			}
		default:
			w.bytes(p.Raw)
		}
		w.put16(start+2, uint16(len(w.b)-start))
		w.pad8(start)
	}
	return w.b
}
