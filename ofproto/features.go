package ofproto

import (
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// Instructions and OF1.3 action types every table supports.
var (
	tfInstructions = []uint64{1, 2, 3, 4, 5, 6}
	tfActions      = []uint64{0, 11, 12, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}
)

// oxmIDs returns the OXM headers of the fields that pass keep, with the
// has-mask bit (and doubled length) when hm is set and the field is maskable.
func oxmIDs(keep func(*flow.Field) bool, hm bool) []uint64 {
	var out []uint64
	for _, f := range flow.Fields() {
		h := f.OXMHeader
		if h == 0 || !keep(f) {
			continue
		}
		if hm && f.Maskable {
			if h>>32 != 0 { // experimenter: the length counts the 4-byte id
				w := h >> 32
				w = w&^0x1ff | 1<<8 | ((w&0xff)-4)*2 + 4
				h = w<<32 | h&0xffffffff
			} else {
				h = h&^0x1ff | 1<<8 | (h&0xff)*2
			}
		}
		out = append(out, h)
	}
	return out
}

// tableFeatureProps encodes the eight properties ovs-ofctl requires for
// table id.
func tableFeatureProps(id int) []byte {
	var next []uint8
	for t := id + 1; t < NumTables-1; t++ {
		next = append(next, uint8(t))
	}
	all := func(*flow.Field) bool { return true }
	writable := func(f *flow.Field) bool { return f.Writable }
	return openflow.AppendTableFeatureProps(nil, []openflow.TableFeatureProp{
		{Type: openflow.TFPInstructions, IDs: tfInstructions},
		{Type: openflow.TFPNextTables, Tables: next},
		{Type: openflow.TFPWriteActions, IDs: tfActions},
		{Type: openflow.TFPApplyActions, IDs: tfActions},
		{Type: openflow.TFPMatch, IDs: oxmIDs(all, true)},
		{Type: openflow.TFPWildcards, IDs: oxmIDs(all, false)},
		{Type: openflow.TFPWriteSetField, IDs: oxmIDs(writable, false)},
		{Type: openflow.TFPApplySetField, IDs: oxmIDs(writable, false)},
	})
}
