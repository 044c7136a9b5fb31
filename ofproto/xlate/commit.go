package xlate

import (
	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
)

var (
	ones6  = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ones16 = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// commit brings the datapath packet (c.base) up to date with the flow (c.flow)
// by emitting set, push and pop actions, in OVS's order: Ethernet, L3, L4,
// VLAN, then skb_priority and pkt_mark. Every rewritten field becomes exact
// in the megaflow mask, so a rewrite never widens the flows it applies to.
func (c *ctx) commit() {
	f, b, wc := &c.flow, &c.base, &c.wc
	var s odp.SetMasked
	n := 0
	if f.DlSrc != b.DlSrc {
		s.Value.DlSrc, s.Mask.DlSrc, wc.DlSrc, b.DlSrc = f.DlSrc, ones6, ones6, f.DlSrc
		n++
	}
	if f.DlDst != b.DlDst {
		s.Value.DlDst, s.Mask.DlDst, wc.DlDst, b.DlDst = f.DlDst, ones6, ones6, f.DlDst
		n++
	}
	l3 := false
	switch {
	case b.DlType == 0x0800 || b.DlType == 0x86dd:
		// A flow with nw_proto 0 has no real L3 header to rewrite (OVS).
		if f.NwProto == 0 {
			break
		}
		l3 = true
		if b.DlType == 0x0800 {
			if f.NwSrc != b.NwSrc {
				s.Value.NwSrc, s.Mask.NwSrc, wc.NwSrc, b.NwSrc = f.NwSrc, 0xffffffff, 0xffffffff, f.NwSrc
				n++
			}
			if f.NwDst != b.NwDst {
				s.Value.NwDst, s.Mask.NwDst, wc.NwDst, b.NwDst = f.NwDst, 0xffffffff, 0xffffffff, f.NwDst
				n++
			}
		} else {
			if f.IPv6Src != b.IPv6Src {
				s.Value.IPv6Src, s.Mask.IPv6Src, wc.IPv6Src, b.IPv6Src = f.IPv6Src, ones16, ones16, f.IPv6Src
				n++
			}
			if f.IPv6Dst != b.IPv6Dst {
				s.Value.IPv6Dst, s.Mask.IPv6Dst, wc.IPv6Dst, b.IPv6Dst = f.IPv6Dst, ones16, ones16, f.IPv6Dst
				n++
			}
			if f.IPv6Label != b.IPv6Label {
				s.Value.IPv6Label, s.Mask.IPv6Label, wc.IPv6Label, b.IPv6Label = f.IPv6Label, 0xfffff, 0xfffff, f.IPv6Label
				n++
			}
		}
		if f.NwTOS != b.NwTOS {
			s.Value.NwTOS, s.Mask.NwTOS, wc.NwTOS, b.NwTOS = f.NwTOS, 0xff, 0xff, f.NwTOS
			n++
		}
		if f.NwTTL != b.NwTTL {
			s.Value.NwTTL, s.Mask.NwTTL, wc.NwTTL, b.NwTTL = f.NwTTL, 0xff, 0xff, f.NwTTL
			n++
		}
	case b.DlType == 0x0806 || b.DlType == 0x8035:
		if f.NwSrc != b.NwSrc {
			s.Value.NwSrc, s.Mask.NwSrc, wc.NwSrc, b.NwSrc = f.NwSrc, 0xffffffff, 0xffffffff, f.NwSrc
			n++
		}
		if f.NwDst != b.NwDst {
			s.Value.NwDst, s.Mask.NwDst, wc.NwDst, b.NwDst = f.NwDst, 0xffffffff, 0xffffffff, f.NwDst
			n++
		}
		if f.NwProto != b.NwProto {
			s.Value.NwProto, s.Mask.NwProto, wc.NwProto, b.NwProto = f.NwProto, 0xff, 0xff, f.NwProto
			n++
		}
		if f.ArpSHA != b.ArpSHA {
			s.Value.ArpSHA, s.Mask.ArpSHA, wc.ArpSHA, b.ArpSHA = f.ArpSHA, ones6, ones6, f.ArpSHA
			n++
		}
		if f.ArpTHA != b.ArpTHA {
			s.Value.ArpTHA, s.Mask.ArpTHA, wc.ArpTHA, b.ArpTHA = f.ArpTHA, ones6, ones6, f.ArpTHA
			n++
		}
	}
	if l3 && b.NwFrag&flow.FragLater == 0 {
		switch b.NwProto {
		case 6, 17, 132, 1, 58:
			if f.TpSrc != b.TpSrc {
				s.Value.TpSrc, s.Mask.TpSrc, wc.TpSrc, b.TpSrc = f.TpSrc, 0xffff, 0xffff, f.TpSrc
				n++
			}
			if f.TpDst != b.TpDst {
				s.Value.TpDst, s.Mask.TpDst, wc.TpDst, b.TpDst = f.TpDst, 0xffff, 0xffff, f.TpDst
				n++
			}
		}
	}
	if n > 0 {
		// The datapath needs the protocol context of the set fields.
		s.Value.DlType, s.Value.NwProto = b.DlType, s.Value.NwProto|b.NwProto&s.Mask.NwProto
		if s.Mask.NwProto == 0 {
			s.Value.NwProto = b.NwProto
		}
		set := s
		c.acts = append(c.acts, odp.Action{Type: odp.ActSet, Set: &set})
	}
	c.commitVLAN()
	var m odp.SetMasked
	n = 0
	if f.SkbPriority != b.SkbPriority {
		m.Value.SkbPriority, m.Mask.SkbPriority, wc.SkbPriority, b.SkbPriority = f.SkbPriority, 0xffffffff, 0xffffffff, f.SkbPriority
		n++
	}
	if f.PktMark != b.PktMark {
		m.Value.PktMark, m.Mask.PktMark, wc.PktMark, b.PktMark = f.PktMark, 0xffffffff, 0xffffffff, f.PktMark
		n++
	}
	if n > 0 {
		c.acts = append(c.acts, odp.Action{Type: odp.ActSet, Set: &m})
	}
}

func vlanCount(k *flow.Key) int {
	n := 0
	for n < flow.MaxVLANHeaders && k.VLANs[n].TCI&flow.VLANCFI != 0 {
		n++
	}
	return n
}

// commitVLAN pops the tags of the datapath packet that differ from the flow's
// and pushes the flow's, keeping the common innermost tags.
func (c *ctx) commitVLAN() {
	f, b := &c.flow, &c.base
	bn, fn := vlanCount(b), vlanCount(f)
	for bn > 0 && fn > 0 && b.VLANs[bn-1] == f.VLANs[fn-1] {
		bn--
		fn--
	}
	for i := 0; i < bn; i++ {
		c.acts = append(c.acts, odp.Action{Type: odp.ActPopVLAN})
		c.wc.VLANs[i] = flow.VLAN{TPID: 0xffff, TCI: 0xffff}
	}
	for i := fn - 1; i >= 0; i-- {
		c.acts = append(c.acts, odp.Action{Type: odp.ActPushVLAN, TPID: f.VLANs[i].TPID, TCI: f.VLANs[i].TCI})
	}
	b.VLANs = f.VLANs
}
