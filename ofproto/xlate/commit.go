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
// VLAN, then skb_priority and pkt_mark.
//
// As in OVS's commit_odp_actions, each header's set action is masked by the
// megaflow wildcards of its writable fields (the bits translation read or
// wrote) and emitted only if the flow differs from the packet under that
// mask. Every action that rewrites a field unwildcards it, so a rewrite never
// widens the flows it applies to.
func (c *ctx) commit() {
	f, b, w := &c.flow, &c.base, &c.wc
	var s odp.SetMasked
	n := 0

	// Ethernet.
	if f.PacketType == 0 {
		full := w.DlSrc == ones6 && w.DlDst == ones6
		if maskedDiff6(f.DlSrc, b.DlSrc, w.DlSrc) || maskedDiff6(f.DlDst, b.DlDst, w.DlDst) {
			if full || maskedDiff6(f.DlSrc, b.DlSrc, w.DlSrc) {
				s.Value.DlSrc, s.Mask.DlSrc = f.DlSrc, w.DlSrc
			}
			if full || maskedDiff6(f.DlDst, b.DlDst, w.DlDst) {
				s.Value.DlDst, s.Mask.DlDst = f.DlDst, w.DlDst
			}
			b.DlSrc, b.DlDst = f.DlSrc, f.DlDst
			n++
		}
	}

	// L3 and L4: only for a flow that really has an L3 header. A masked
	// set carries the fields that changed, each with its megaflow mask.
	l3 := f.NwProto != 0 && (b.DlType == flow.EthTypeIPv4 || b.DlType == flow.EthTypeIPv6)
	switch {
	case l3 && b.DlType == flow.EthTypeIPv4:
		if d := (f.NwSrc ^ b.NwSrc) & w.NwSrc; d != 0 {
			s.Value.NwSrc, s.Mask.NwSrc = f.NwSrc, w.NwSrc
			n++
		}
		if d := (f.NwDst ^ b.NwDst) & w.NwDst; d != 0 {
			s.Value.NwDst, s.Mask.NwDst = f.NwDst, w.NwDst
			n++
		}
		if d := (f.NwTOS ^ b.NwTOS) & w.NwTOS; d != 0 {
			s.Value.NwTOS, s.Mask.NwTOS = f.NwTOS, w.NwTOS
			n++
		}
		if d := (f.NwTTL ^ b.NwTTL) & w.NwTTL; d != 0 {
			s.Value.NwTTL, s.Mask.NwTTL = f.NwTTL, w.NwTTL
			n++
		}
		b.NwSrc, b.NwDst, b.NwTOS, b.NwTTL = f.NwSrc, f.NwDst, f.NwTOS, f.NwTTL
	case l3 && b.DlType == flow.EthTypeIPv6:
		if maskedDiff16(f.IPv6Src, b.IPv6Src, w.IPv6Src) {
			s.Value.IPv6Src, s.Mask.IPv6Src = f.IPv6Src, w.IPv6Src
			n++
		}
		if maskedDiff16(f.IPv6Dst, b.IPv6Dst, w.IPv6Dst) {
			s.Value.IPv6Dst, s.Mask.IPv6Dst = f.IPv6Dst, w.IPv6Dst
			n++
		}
		if (f.IPv6Label^b.IPv6Label)&w.IPv6Label != 0 {
			s.Value.IPv6Label, s.Mask.IPv6Label = f.IPv6Label, w.IPv6Label
			n++
		}
		if (f.NwTOS^b.NwTOS)&w.NwTOS != 0 {
			s.Value.NwTOS, s.Mask.NwTOS = f.NwTOS, w.NwTOS
			n++
		}
		if (f.NwTTL^b.NwTTL)&w.NwTTL != 0 {
			s.Value.NwTTL, s.Mask.NwTTL = f.NwTTL, w.NwTTL
			n++
		}
		b.IPv6Src, b.IPv6Dst, b.IPv6Label, b.NwTOS, b.NwTTL = f.IPv6Src, f.IPv6Dst, f.IPv6Label, f.NwTOS, f.NwTTL
	case b.DlType == flow.EthTypeARP || b.DlType == flow.EthTypeRARP:
		full := w.NwSrc == ^uint32(0) && w.NwDst == ^uint32(0) && w.NwProto == 0xff && w.ArpSHA == ones6 && w.ArpTHA == ones6
		if full || (f.NwSrc^b.NwSrc)&w.NwSrc != 0 {
			s.Value.NwSrc, s.Mask.NwSrc = f.NwSrc, w.NwSrc
		}
		if full || (f.NwDst^b.NwDst)&w.NwDst != 0 {
			s.Value.NwDst, s.Mask.NwDst = f.NwDst, w.NwDst
		}
		if full || (f.NwProto^b.NwProto)&w.NwProto != 0 {
			s.Value.NwProto, s.Mask.NwProto = f.NwProto, w.NwProto
		}
		if full || maskedDiff6(f.ArpSHA, b.ArpSHA, w.ArpSHA) {
			s.Value.ArpSHA, s.Mask.ArpSHA = f.ArpSHA, w.ArpSHA
		}
		if full || maskedDiff6(f.ArpTHA, b.ArpTHA, w.ArpTHA) {
			s.Value.ArpTHA, s.Mask.ArpTHA = f.ArpTHA, w.ArpTHA
		}
		if s.Mask.NwSrc|s.Mask.NwDst != 0 || s.Mask.NwProto != 0 || s.Mask.ArpSHA != ([6]byte{}) || s.Mask.ArpTHA != ([6]byte{}) {
			n++
		}
		b.NwSrc, b.NwDst, b.NwProto, b.ArpSHA, b.ArpTHA = f.NwSrc, f.NwDst, f.NwProto, f.ArpSHA, f.ArpTHA
	}
	if l3 && b.NwFrag&flow.FragLater == 0 {
		switch f.NwProto {
		case flow.IPProtoTCP, flow.IPProtoUDP, flow.IPProtoSCTP, flow.IPProtoICMP, flow.IPProtoICMPv6:
			icmp := f.NwProto == flow.IPProtoICMP || f.NwProto == flow.IPProtoICMPv6
			ms, md := w.TpSrc, w.TpDst
			if icmp {
				ms, md = ms&0xff, md&0xff
			}
			full := ms == md && (ms == 0xffff || icmp && ms == 0xff)
			ds, dd := (f.TpSrc^b.TpSrc)&ms != 0, (f.TpDst^b.TpDst)&md != 0
			if ds || dd {
				if full || ds {
					s.Value.TpSrc, s.Mask.TpSrc = f.TpSrc, ms
				}
				if full || dd {
					s.Value.TpDst, s.Mask.TpDst = f.TpDst, md
				}
				n++
			}
			b.TpSrc, b.TpDst = f.TpSrc, f.TpDst
		}
	}
	if n > 0 {
		// The datapath needs the protocol context of the set fields.
		s.Value.DlType, s.Value.NwProto = b.DlType, b.NwProto
		set := s
		c.acts = append(c.acts, odp.Action{Type: odp.ActSet, Set: &set})
	}

	c.commitVLAN()

	var m odp.SetMasked
	n = 0
	if f.SkbPriority != b.SkbPriority {
		m.Value.SkbPriority, m.Mask.SkbPriority, w.SkbPriority, b.SkbPriority = f.SkbPriority, 0xffffffff, 0xffffffff, f.SkbPriority
		n++
	}
	if f.PktMark != b.PktMark {
		m.Value.PktMark, m.Mask.PktMark, w.PktMark, b.PktMark = f.PktMark, 0xffffffff, 0xffffffff, f.PktMark
		n++
	}
	if n > 0 {
		c.acts = append(c.acts, odp.Action{Type: odp.ActSet, Set: &m})
	}
}

func maskedDiff6(a, b, m [6]byte) bool {
	for i := range a {
		if (a[i]^b[i])&m[i] != 0 {
			return true
		}
	}
	return false
}

func maskedDiff16(a, b, m [16]byte) bool {
	for i := range a {
		if (a[i]^b[i])&m[i] != 0 {
			return true
		}
	}
	return false
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
