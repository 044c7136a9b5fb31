package xlate

import (
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
	"govs.dev/govs/openflow/ofctl"
)

// Bit ranges of fields are handled on network-order byte strings: bit 0 is the
// least significant bit of the last byte.

func getBit(b []byte, i int) bool { return b[len(b)-1-i/8]&(1<<(i%8)) != 0 }

func setBit(b []byte, i int, v bool) {
	if v {
		b[len(b)-1-i/8] |= 1 << (i % 8)
	} else {
		b[len(b)-1-i/8] &^= 1 << (i % 8)
	}
}

// field resolves a FieldRef, reporting unknown fields in the trace.
func (c *ctx) field(ref openflow.FieldRef) (*flow.Field, int, int) {
	fd := flow.LookupHeader(ref.Header)
	if fd == nil {
		c.note(fmt.Sprintf("unknown field 0x%x", ref.Header))
		return nil, 0, 0
	}
	n := ref.Bits
	if n == 0 {
		n = fd.Bits
	}
	if ref.Ofs+n > fd.Bytes*8 {
		c.note("field range out of bounds")
		return nil, 0, 0
	}
	return fd, ref.Ofs, n
}

// unwildcard marks bits [ofs, ofs+n) of fd as significant in the megaflow.
func (c *ctx) unwildcard(fd *flow.Field, ofs, n int) {
	m := make([]byte, fd.Bytes)
	fd.Get(&c.wc, m)
	for i := 0; i < n; i++ {
		setBit(m, ofs+i, true)
	}
	fd.Set(&c.wc, m)
}

// readRefBytes returns bits of a field range as a byte string of the range's
// width (rounded up to bytes), and unwildcards them.
func (c *ctx) readRefBytes(ref openflow.FieldRef) []byte {
	fd, ofs, n := c.field(ref)
	if fd == nil {
		return nil
	}
	v := make([]byte, fd.Bytes)
	fd.Get(&c.flow, v)
	c.unwildcard(fd, ofs, n)
	out := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		setBit(out, i, getBit(v, ofs+i))
	}
	return out
}

// readRef returns up to 64 bits of a field range as an integer.
func (c *ctx) readRef(ref openflow.FieldRef) uint64 {
	b := c.readRefBytes(ref)
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// writeRefBytes stores src (a range-width byte string) into a field range.
func (c *ctx) writeRefBytes(ref openflow.FieldRef, src []byte) {
	fd, ofs, n := c.field(ref)
	if fd == nil || len(src) == 0 {
		return
	}
	v := make([]byte, fd.Bytes)
	fd.Get(&c.flow, v)
	for i := 0; i < n && i < len(src)*8; i++ {
		setBit(v, ofs+i, getBit(src, i))
	}
	c.writeField(fd, v)
}

// writeField stores a whole field value, keeping OVS's special cases.
func (c *ctx) writeField(fd *flow.Field, v []byte) {
	if !fd.PrereqsOK(&c.flow) {
		c.note(fmt.Sprintf("skipping set_field %s: prerequisites not met", fd.Name))
		return
	}
	fd.UnwildcardPrereqs(&c.flow, &c.wc)
	fd.Set(&c.flow, v)
}

func (c *ctx) setField(a openflow.SetField) {
	fd := flow.LookupHeader(a.Header)
	if fd == nil {
		c.note(fmt.Sprintf("unknown field 0x%x", a.Header))
		return
	}
	if len(a.Value) != fd.Bytes || (len(a.Mask) != 0 && len(a.Mask) != fd.Bytes) {
		c.note("set_field: bad value length")
		return
	}
	// Setting vlan_vid or vlan_pcp on an untagged packet pushes a tag in
	// OpenFlow 1.2+ semantics only through push_vlan; OVS's set_field on
	// vlan_vid of an untagged packet is a no-op unless a tag exists.
	if !fd.PrereqsOK(&c.flow) {
		c.note(fmt.Sprintf("skipping set_field %s: prerequisites not met", fd.Name))
		return
	}
	fd.UnwildcardPrereqs(&c.flow, &c.wc)
	v := make([]byte, fd.Bytes)
	wm := make([]byte, fd.Bytes)
	fd.Get(&c.flow, v)
	fd.Get(&c.wc, wm)
	for i := range v {
		m := byte(0xff)
		if len(a.Mask) != 0 {
			m = a.Mask[i]
		}
		v[i] = v[i]&^m | a.Value[i]&m
		wm[i] |= m
	}
	fd.Set(&c.flow, v)
	// The written bits become exact in the megaflow, as in OVS.
	fd.Set(&c.wc, wm)
}

func (c *ctx) regMove(a openflow.RegMove) {
	src := c.readRefBytes(a.Src)
	if src == nil {
		return
	}
	c.writeRefBytes(a.Dst, src)
	if fd, ofs, n := c.field(a.Dst); fd != nil {
		c.unwildcard(fd, ofs, n)
		if c.tr != nil {
			c.note(fmt.Sprintf("-> %s is now %s", ofctl.FormatSubfield(a.Dst), c.subfieldValue(fd, ofs, n)))
		}
	}
}

// subfieldValue formats bits [ofs, ofs+n) of fd in the flow as hex, as the
// trace prints them.
func (c *ctx) subfieldValue(fd *flow.Field, ofs, n int) string {
	v := make([]byte, fd.Bytes)
	fd.Get(&c.flow, v)
	out := make([]byte, (n+7)/8)
	for i := 0; i < n; i++ {
		setBit(out, i, getBit(v, ofs+i))
	}
	var x uint64
	big := false
	for _, b := range out {
		if x>>56 != 0 {
			big = true
		}
		x = x<<8 | uint64(b)
	}
	if big {
		return fmt.Sprintf("0x%x", out)
	}
	return fmt.Sprintf("%#x", x)
}
