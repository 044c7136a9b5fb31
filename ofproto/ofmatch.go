package ofproto

import (
	"bytes"
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// MatchFromOpenFlow converts a decoded OXM/NXM (or converted OF1.0) match into
// a flow.Match, checking field validity and prerequisites as OVS does.
func MatchFromOpenFlow(om *openflow.Match) (flow.Match, error) {
	var m flow.Match
	seen := map[*flow.Field]bool{}
	for _, mf := range om.Fields {
		fd := flow.LookupHeader(mf.Header)
		if fd == nil {
			return m, fmt.Errorf("match field %#x: %w", mf.Header, openflow.ErrOFPBMCBadField)
		}
		if seen[fd] {
			return m, fmt.Errorf("match field %s repeated: %w", fd.Name, openflow.ErrOFPBMCDupField)
		}
		seen[fd] = true
		if len(mf.Value) != fd.Bytes || (mf.Mask != nil && len(mf.Mask) != fd.Bytes) {
			return m, fmt.Errorf("match field %s: %w", fd.Name, openflow.ErrOFPBMCBadLen)
		}
		if mf.Mask != nil && !fd.Maskable && !allOnes(mf.Mask) {
			return m, fmt.Errorf("match field %s is not maskable: %w", fd.Name, openflow.ErrOFPBMCBadMask)
		}
		if mf.Mask != nil {
			for i := range mf.Value {
				if mf.Value[i]&^mf.Mask[i] != 0 {
					return m, fmt.Errorf("match field %s: value has bits outside mask: %w", fd.Name, openflow.ErrOFPBMCBadWildcards)
				}
			}
		}
		mask := mf.Mask
		if mask == nil {
			mask = bytes.Repeat([]byte{0xff}, fd.Bytes)
		}
		fd.SetMasked(&m, mf.Value, mask)
	}
	for fd := range seen {
		if !fd.MatchPrereqsOK(&m) {
			return m, fmt.Errorf("match field %s: prerequisites not met: %w", fd.Name, openflow.ErrOFPBMCBadPrereq)
		}
	}
	m.Normalize()
	return m, nil
}

func allOnes(b []byte) bool {
	for _, x := range b {
		if x != 0xff {
			return false
		}
	}
	return true
}

// MatchToOpenFlow encodes m as NXM/OXM fields: for each group of key bits the
// first registry field whose prerequisites the match satisfies and that covers
// them. oxm selects OXM headers where the field has one (OpenFlow 1.2+).
func MatchToOpenFlow(m *flow.Match, oxm bool) openflow.Match {
	var om openflow.Match
	var covered flow.Key
	for _, fd := range flow.Fields() {
		if fd.NXMHeader == 0 && fd.OXMHeader == 0 {
			continue
		}
		if fd.IsWild(m) || !fd.MatchPrereqsOK(m) {
			continue
		}
		// Skip fields whose bits an earlier field already encoded.
		var fm flow.Key
		fd.SetMaskAll(&fm)
		fm.And(&m.Mask)
		probe := fm
		probe.And(&covered)
		if !probe.IsZero() {
			continue
		}
		v := make([]byte, fd.Bytes)
		mask := make([]byte, fd.Bytes)
		fd.GetMasked(m, v, mask)
		if isZero(mask) {
			continue
		}
		covered.Or(&fm)
		h := fd.NXMHeader
		if (oxm || h == 0) && fd.OXMHeader != 0 {
			h = fd.OXMHeader
		}
		mf := openflow.MatchField{Header: h, Value: v}
		if !allOnes(mask) {
			mf.Mask = mask
		}
		om.Fields = append(om.Fields, mf)
	}
	return om
}

func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
