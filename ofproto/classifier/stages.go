package classifier

import "govs.dev/govs/flow"

// Stage numbers for staged lookup. They follow OVS's flow segments rather than
// flow.Key's word boundaries: OVS puts the conntrack original-tuple addresses
// in the L3 segment and nd_target, arp_sha/tha, tcp_flags and the conntrack
// original-tuple ports in the L4 segment, and the stage a field belongs to
// decides which wildcard bits a lookup reports. Membership is per bit, so a
// flow.Key word may be split between two stages.
const (
	stageMeta = iota
	stageL2
	stageL3
	stageL4
	numStages
)

// stageMasks[s] has every bit of every field that belongs to stage s.
var stageMasks = buildStageMasks()

func buildStageMasks() (m [numStages]flow.Key) {
	ones16 := [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ones6 := [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

	md := &m[stageMeta]
	md.TunID = ^uint64(0)
	md.TunSrc, md.TunDst = ones16, ones16
	md.TunFlags, md.TunTOS, md.TunTTL = ^uint16(0), 0xff, 0xff
	md.TunTpSrc, md.TunTpDst = ^uint16(0), ^uint16(0)
	md.Metadata = ^uint64(0)
	for i := range md.Regs {
		md.Regs[i] = ^uint32(0)
	}
	md.SkbPriority, md.PktMark, md.DpHash = ^uint32(0), ^uint32(0), ^uint32(0)
	md.InPort, md.RecircID, md.CtState = ^uint32(0), ^uint32(0), ^uint32(0)
	md.CtZone, md.CtNwProto, md.CtMark = ^uint16(0), 0xff, ^uint32(0)
	md.CtLabel = ones16
	md.PacketType, md.ActsetOut, md.ConjID = ^uint32(0), ^uint32(0), ^uint32(0)

	l2 := &m[stageL2]
	l2.DlDst, l2.DlSrc, l2.DlType = ones6, ones6, ^uint16(0)
	for i := range l2.VLANs {
		l2.VLANs[i] = flow.VLAN{TPID: ^uint16(0), TCI: ^uint16(0)}
	}
	for i := range l2.MPLS {
		l2.MPLS[i] = ^uint32(0)
	}

	l3 := &m[stageL3]
	l3.NwSrc, l3.NwDst = ^uint32(0), ^uint32(0)
	l3.CtNwSrc, l3.CtNwDst = ^uint32(0), ^uint32(0)
	l3.IPv6Src, l3.IPv6Dst = ones16, ones16
	l3.CtIPv6Src, l3.CtIPv6Dst = ones16, ones16
	l3.IPv6Label = ^uint32(0)
	l3.NwProto, l3.NwTOS, l3.NwTTL, l3.NwFrag = 0xff, 0xff, 0xff, 0xff

	l4 := &m[stageL4]
	l4.NDTarget = ones16
	l4.ArpSHA, l4.ArpTHA = ones6, ones6
	l4.TCPFlags, l4.TpSrc, l4.TpDst = ^uint16(0), ^uint16(0), ^uint16(0)
	l4.CtTpSrc, l4.CtTpDst = ^uint16(0), ^uint16(0)
	l4.NDReserved = ^uint32(0)
	return m
}

// maskWord is one nonzero 64-bit word of a mask.
type maskWord struct {
	idx  uint16
	mask uint64
}

// stageRange is the part of a subtable's mask that falls into one stage.
type stageRange struct {
	stage int
	words []maskWord
}

// maskWords lists the nonzero words of m restricted to r (nil r: all of m).
func maskWords(m, r *flow.Key) []maskWord {
	var out []maskWord
	mw := m.Words()
	for i, w := range mw {
		if r != nil {
			w &= r.Words()[i]
		}
		if w != 0 {
			out = append(out, maskWord{idx: uint16(i), mask: w})
		}
	}
	return out
}

// hashWords continues hash h over the words of k selected by ws. Hot path.
func hashWords(k *flow.Key, ws []maskWord, h uint64) uint64 {
	kw := k.Words()
	for _, w := range ws {
		h ^= (kw[w.idx] & w.mask) + uint64(w.idx)<<56
		h *= 0x9fb21c651e98df25
		h ^= h >> 29
	}
	return h
}

// hash32 folds a stage hash into the 32 bits the tables store.
func hash32(h uint64) uint32 {
	h ^= h >> 32
	h *= 0xd6e8feb86659fd93
	return uint32(h >> 32)
}

// wordsMatch reports whether a and b agree on the words ws. Hot path.
func wordsMatch(a, b *flow.Key, ws []maskWord) bool {
	aw, bw := a.Words(), b.Words()
	for _, w := range ws {
		if (aw[w.idx]^bw[w.idx])&w.mask != 0 {
			return false
		}
	}
	return true
}

// orWords ORs the mask words ws into wc. Hot path.
func orWords(wc *flow.Key, ws []maskWord) {
	ww := wc.Words()
	for _, w := range ws {
		ww[w.idx] |= w.mask
	}
}
