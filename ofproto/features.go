package ofproto

import (
	"encoding/binary"

	"govs.dev/govs/flow"
)

// Table-features property types (OFPTFPT_*).
const (
	tfptInstructions  = 0
	tfptNextTables    = 2
	tfptWriteActions  = 4
	tfptApplyActions  = 6
	tfptMatch         = 8
	tfptWildcards     = 10
	tfptWriteSetfield = 12
	tfptApplySetfield = 14
)

// Instructions and OF1.3 action types every table supports.
var (
	tfInstructions = []uint16{1, 2, 3, 4, 5, 6}
	tfActions      = []uint16{0, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}
)

// appendProp appends one property padded to 8 bytes.
func appendProp(b []byte, typ uint16, payload []byte) []byte {
	n := 4 + len(payload)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(n))
	b = append(b, payload...)
	for n%8 != 0 {
		b = append(b, 0)
		n++
	}
	return b
}

// oxmList returns the OXM headers of the fields that pass keep, with the
// has-mask bit when hm is set and the field is maskable.
func oxmList(keep func(*flow.Field) bool, hm bool) []byte {
	var out []byte
	for _, f := range flow.Fields() {
		h := f.OXMHeader
		if h == 0 || !keep(f) {
			continue
		}
		if h>>32 != 0 { // experimenter OXM: 32-bit header then experimenter id
			hdr := uint32(h >> 32)
			if hm && f.Maskable {
				hdr = hdr&^0xff | 1<<8 | (hdr&0xff-4)*2 + 4
			}
			out = binary.BigEndian.AppendUint32(out, hdr)
			out = binary.BigEndian.AppendUint32(out, uint32(h))
			continue
		}
		hdr := uint32(h)
		if hm && f.Maskable {
			hdr = hdr&^0x1ff | 1<<8 | (hdr&0xff)*2
		}
		out = binary.BigEndian.AppendUint32(out, hdr)
	}
	return out
}

// tableFeatureProps encodes the eight properties ovs-ofctl requires for
// table id.
func tableFeatureProps(id int) []byte {
	var b []byte
	var p []byte
	for _, t := range tfInstructions {
		p = binary.BigEndian.AppendUint16(p, t)
		p = binary.BigEndian.AppendUint16(p, 4)
	}
	b = appendProp(b, tfptInstructions, p)
	p = nil
	for t := id + 1; t < NumTables-1; t++ {
		p = append(p, byte(t))
	}
	b = appendProp(b, tfptNextTables, p)
	p = nil
	for _, t := range tfActions {
		p = binary.BigEndian.AppendUint16(p, t)
		p = binary.BigEndian.AppendUint16(p, 4)
	}
	b = appendProp(b, tfptWriteActions, p)
	b = appendProp(b, tfptApplyActions, p)
	all := func(*flow.Field) bool { return true }
	b = appendProp(b, tfptMatch, oxmList(all, true))
	b = appendProp(b, tfptWildcards, oxmList(all, false))
	writable := func(f *flow.Field) bool { return f.Writable }
	b = appendProp(b, tfptWriteSetfield, oxmList(writable, false))
	b = appendProp(b, tfptApplySetfield, oxmList(writable, false))
	return b
}
