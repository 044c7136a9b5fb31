package classifier

import (
	"math"

	"govs.dev/govs/flow"
)

// trieCtx caches one prefix trie's answer for the packet being looked up.
type trieCtx struct {
	done     bool
	maskBits uint
	plens    [4]uint32 // bit n-1 set: rules with an n-bit prefix may match
}

// Lookup returns the highest-priority rule visible in version that matches
// key, or nil. If wc is not nil, Lookup ORs into it the bits of key that the
// answer depended on, as OVS's classifier_lookup does: every packet that
// agrees with key on those bits gets the same answer. Staged lookup and the
// prefix tries keep those bits as few as OVS keeps them, so the result can
// feed a megaflow that matches stock OVS's.
//
// Hot path: safe for concurrent use with the writer and other readers, no
// locks, no allocation.
func (c *Classifier) Lookup(key *flow.Key, version uint64, wc *flow.Key) *Rule {
	v := c.v.Load()
	var ctx [MaxPrefixFields]trieCtx
	var hard *entry
	hardPri := int64(math.MinInt64)
	for i := range v.subs {
		vs := &v.subs[i]
		if int64(vs.pri) <= hardPri {
			break
		}
		e := v.findMatchWC(vs, key, version, &ctx, wc)
		if e != nil && int64(e.pri) > hardPri {
			hard, hardPri = e, int64(e.pri)
		}
	}
	if hard == nil {
		return nil
	}
	return hard.rule
}

// findMatchWC looks key up in one subtable, stage by stage (OVS
// find_match_wc). Hot path.
func (v *view) findMatchWC(vs *viewSub, key *flow.Key, version uint64, ctx *[MaxPrefixFields]trieCtx, wc *flow.Key) *entry {
	st := vs.st
	s := st.state.Load()
	if wc == nil {
		var h uint64
		for i := range st.ranges {
			h = hashWords(key, st.ranges[i].words, h)
		}
		return st.find(s, key, version, hash32(h))
	}
	e, used, ports, adjPorts, ok := v.stagedFind(vs, s, key, version, ctx, wc)
	if ok {
		orWords(wc, st.words)
		return e
	}
	for i := 0; i < used; i++ {
		orWords(wc, st.ranges[i].words)
	}
	if adjPorts {
		wc.TpSrc, wc.TpDst = uint16(ports>>16), uint16(ports)
	}
	return nil
}

// stagedFind does the staged part of findMatchWC. ok false means the
// subtable was ruled out after its first used ranges, and if adjPorts the
// wildcards of tp_src/tp_dst are to be set to ports afterwards; ok
// true means the whole mask was looked at (e may still be nil).
func (v *view) stagedFind(vs *viewSub, s *subState, key *flow.Key, version uint64, ctx *[MaxPrefixFields]trieCtx, wc *flow.Key) (e *entry, used int, ports uint32, adjPorts bool, ok bool) {
	st := vs.st
	var h uint64
	nIdx := len(s.indices)
	for i := 0; i < nIdx; i++ {
		r := &st.ranges[i]
		if v.checkTries(ctx, vs, r.stage, key, wc) {
			return nil, i, 0, false, false
		}
		h = hashWords(key, r.words, h)
		if !s.indices[i].contains(hash32(h)) {
			return nil, i + 1, 0, false, false
		}
	}
	if len(st.ranges) > 0 {
		r := &st.ranges[nIdx]
		if v.checkTries(ctx, vs, r.stage, key, wc) {
			return nil, nIdx, 0, false, false
		}
		h = hashWords(key, r.words, h)
	}
	e = st.find(s, key, version, hash32(h))
	if e == nil && st.ports != nil {
		// Nothing matched and the last stage has ports. The whole mask was
		// looked at, but for tp_src/tp_dst the ports trie says how few
		// leading bits rule the subtable out (OVS 3.1 with the fix for
		// CVE-2023-5366, as Debian ships it).
		val := [5]uint32{portsValue(key) & st.portsMask}
		var plens [4]uint32
		mbits := st.ports.lookup(&val, 32, &plens)
		pm := st.portsMask&prefixMask32(mbits) | portsValue(wc)
		return nil, len(st.ranges), pm, true, false
	}
	return e, 0, 0, false, true
}

func prefixMask32(n uint) uint32 {
	if n == 0 {
		return 0
	}
	return ^uint32(0) << (32 - n)
}

// checkTries reports whether a prefix trie rules the subtable out before
// its range in stage is looked at; if so it has set in wc the prefix bits
// that decision needs (OVS check_tries). Hot path.
func (v *view) checkTries(ctx *[MaxPrefixFields]trieCtx, vs *viewSub, stage int, key *flow.Key, wc *flow.Key) bool {
	for j := 0; j < v.nTries; j++ {
		plen := vs.plen[j]
		if plen == 0 {
			continue
		}
		f := v.fields[j]
		if f.stage != stage {
			continue
		}
		c := &ctx[j]
		if !c.done {
			c.done = true
			if f.prereq(key) {
				val := f.value(key)
				c.maskBits = v.tries[j].lookup(&val, uint(f.nBits), &c.plens)
			} else {
				c.plens = [4]uint32{^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)}
				c.maskBits = 0
			}
		}
		if !plensBit(&c.plens, plen-1) {
			if c.maskBits <= plen {
				f.setPrefixBits(wc, int(c.maskBits))
				return true
			}
			if f.prefixBitsSet(wc, int(c.maskBits)) {
				return true
			}
		}
	}
	return false
}
