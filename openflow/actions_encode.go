package openflow

import "fmt"

// EncodeActions appends acts as an OpenFlow action list of the given version
// (no instructions: instruction-only entries are an error).
func EncodeActions(dst []byte, version uint8, acts []Action) ([]byte, error) {
	w := buf{b: dst}
	for _, a := range acts {
		if err := encodeAction(&w, version, a); err != nil {
			return nil, err
		}
	}
	return w.b, nil
}

// nxHeader starts a Nicira action; finishNX pads and patches the length.
func nxHeader(w *buf, sub uint16) int {
	start := len(w.b)
	w.u16(ofpatVendor)
	w.u16(0)
	w.u32(VendorNicira)
	w.u16(sub)
	return start
}

func finishAction(w *buf, start, minLen int) {
	for len(w.b)-start < minLen {
		w.u8(0)
	}
	w.pad8(start)
	w.put16(start+2, uint16(len(w.b)-start))
}

func simple(w *buf, typ uint16, body func()) {
	start := len(w.b)
	w.u16(typ)
	w.u16(0)
	if body != nil {
		body()
	}
	finishAction(w, start, 8)
}

func nx(w *buf, sub uint16, minLen int, body func()) {
	start := nxHeader(w, sub)
	if body != nil {
		body()
	}
	finishAction(w, start, minLen)
}

func errUnencodable(a Action, version uint8) error {
	return fmt.Errorf("openflow: %T cannot be encoded in OpenFlow version %#x: %w", a, version, ErrOFPBACBadType)
}

func encodeAction(w *buf, v uint8, a Action) error {
	of10 := v == Version10
	switch a := a.(type) {
	case Output:
		if of10 {
			simple(w, ofpat10Output, func() { w.u16(uint16(a.Port)); w.u16(a.MaxLen) })
		} else {
			simple(w, ofpat11Output, func() { w.u32(port16to32(a.Port)); w.u16(a.MaxLen); w.zeros(6) })
		}
	case Enqueue:
		if !of10 {
			// OF1.1+ has no enqueue: set_queue, output, pop_queue.
			simple(w, ofpat11SetQueue, func() { w.u32(a.Queue) })
			simple(w, ofpat11Output, func() { w.u32(port16to32(a.Port)); w.u16(0); w.zeros(6) })
			nx(w, nxastPopQueue, 16, nil)
			return nil
		}
		simple(w, ofpat10Enqueue, func() { w.u16(uint16(a.Port)); w.zeros(6); w.u32(a.Queue) })
	case Controller:
		if a.V2 || a.UserData != nil || a.Pause || (a.MeterID != 0xffffffff && a.MeterID != 0) {
			start := nxHeader(w, nxastController2)
			w.zeros(6)
			prop := func(t uint16, val []byte) {
				ps := len(w.b)
				w.u16(t)
				w.u16(uint16(4 + len(val)))
				w.bytes(val)
				w.pad8(ps)
			}
			// OVS writes 16-bit property values as 4 bytes.
			if a.MaxLen != 0xffff {
				prop(0, append(u16b(a.MaxLen), 0, 0))
			}
			if a.ControllerID != 0 {
				prop(1, append(u16b(a.ControllerID), 0, 0))
			}
			if a.Reason != 1 {
				prop(2, []byte{a.Reason})
			}
			if a.UserData != nil {
				prop(3, a.UserData)
			}
			if a.Pause {
				prop(4, nil)
			}
			if a.MeterID != 0xffffffff && a.MeterID != 0 {
				prop(5, u32b(a.MeterID))
			}
			finishAction(w, start, 16)
		} else {
			nx(w, nxastController, 16, func() { w.u16(a.MaxLen); w.u16(a.ControllerID); w.u8(a.Reason) })
		}
	case OutputReg:
		if a.Src.Header>>32 != 0 {
			nx(w, nxastOutputReg2, 24, func() {
				w.u16(uint16(a.Src.Ofs<<6 | (a.Src.Bits-1)&0x3f))
				w.u16(a.MaxLen)
				putHeader(w, a.Src.Header)
			})
		} else {
			nx(w, nxastOutputReg, 24, func() {
				w.u16(uint16(a.Src.Ofs<<6 | (a.Src.Bits-1)&0x3f))
				w.u32(uint32(a.Src.Header))
				w.u16(a.MaxLen)
			})
		}
	case SetVLANVID:
		switch {
		case of10:
			simple(w, ofpat10SetVLANVID, func() { w.u16(a.VID) })
		case v == Version11:
			simple(w, ofpat11SetVLANVID, func() { w.u16(a.VID) })
		default:
			return encodeAction(w, v, SetField{Header: OXMVLANVID, Value: u16b(a.VID | 0x1000), Mask: u16b(0x1fff)})
		}
	case SetVLANPCP:
		switch {
		case of10:
			simple(w, ofpat10SetVLANPCP, func() { w.u8(a.PCP) })
		case v == Version11:
			simple(w, ofpat11SetVLANPCP, func() { w.u8(a.PCP) })
		default:
			return encodeAction(w, v, SetField{Header: NXMHeader(ClassOpenFlow, 7, 1), Value: []byte{a.PCP}, Mask: []byte{0xff}})
		}
	case StripVLAN:
		if of10 {
			simple(w, ofpat10StripVLAN, nil)
		} else {
			simple(w, ofpat11PopVLAN, nil)
		}
	case PushVLAN:
		if of10 {
			return errUnencodable(a, v)
		}
		simple(w, ofpat11PushVLAN, func() { w.u16(a.EthType) })
	case SetEthSrc:
		t := uint16(ofpat11SetDlSrc)
		if of10 {
			t = ofpat10SetDlSrc
		}
		simple(w, t, func() { w.bytes(a.MAC[:]); w.zeros(6) })
	case SetEthDst:
		t := uint16(ofpat11SetDlDst)
		if of10 {
			t = ofpat10SetDlDst
		}
		simple(w, t, func() { w.bytes(a.MAC[:]); w.zeros(6) })
	case SetIPv4Src:
		t := uint16(ofpat11SetNwSrc)
		if of10 {
			t = ofpat10SetNwSrc
		}
		simple(w, t, func() { w.u32(a.Addr) })
	case SetIPv4Dst:
		t := uint16(ofpat11SetNwDst)
		if of10 {
			t = ofpat10SetNwDst
		}
		simple(w, t, func() { w.u32(a.Addr) })
	case SetIPDSCP:
		t := uint16(ofpat11SetNwTOS)
		if of10 {
			t = ofpat10SetNwTOS
		}
		simple(w, t, func() { w.u8(a.TOS) })
	case SetIPECN:
		if of10 {
			return encodeAction(w, v, SetField{Header: NXMHeader(1, 28, 1), Value: []byte{a.ECN}, Mask: []byte{0xff}})
		}
		simple(w, ofpat11SetNwECN, func() { w.u8(a.ECN) })
	case SetIPTTL:
		if of10 {
			return encodeAction(w, v, SetField{Header: NXMHeader(1, 29, 1), Value: []byte{a.TTL}, Mask: []byte{0xff}})
		}
		simple(w, ofpat11SetNwTTL, func() { w.u8(a.TTL) })
	case SetL4SrcPort:
		t := uint16(ofpat11SetTpSrc)
		if of10 {
			t = ofpat10SetTpSrc
		}
		simple(w, t, func() { w.u16(a.Port) })
	case SetL4DstPort:
		t := uint16(ofpat11SetTpDst)
		if of10 {
			t = ofpat10SetTpDst
		}
		simple(w, t, func() { w.u16(a.Port) })
	case DecTTL:
		switch {
		case len(a.ControllerIDs) > 0 && !(len(a.ControllerIDs) == 1 && a.ControllerIDs[0] == 0):
			nx(w, nxastDecTTLCntIDs, 16, func() {
				w.u16(uint16(len(a.ControllerIDs)))
				w.zeros(4)
				for _, id := range a.ControllerIDs {
					w.u16(id)
				}
			})
		case of10 || a.NX:
			nx(w, nxastDecTTL, 16, nil)
		default:
			simple(w, ofpat11DecNwTTL, nil)
		}
	case SetField:
		return encodeSetField(w, v, a)
	case RegMove:
		if err := checkRef(a.Src); err != nil {
			return err
		}
		if err := checkRef(a.Dst); err != nil {
			return err
		}
		if a.Src.Bits != a.Dst.Bits {
			return fmt.Errorf("openflow: move of %d bits into %d: %w", a.Src.Bits, a.Dst.Bits, ErrOFPBACBadSetLen)
		}
		if v >= Version15 {
			simple(w, ofpat15CopyField, func() {
				w.u16(uint16(a.Src.Bits))
				w.u16(uint16(a.Src.Ofs))
				w.u16(uint16(a.Dst.Ofs))
				w.u16(0)
				putHeader(w, a.Src.Header)
				putHeader(w, a.Dst.Header)
			})
		} else {
			nx(w, nxastRegMove, 24, func() {
				w.u16(uint16(a.Src.Bits))
				w.u16(uint16(a.Src.Ofs))
				w.u16(uint16(a.Dst.Ofs))
				putHeader(w, a.Src.Header)
				putHeader(w, a.Dst.Header)
			})
		}
	case StackPush:
		return encodeStack(w, nxastStackPush, a.Field)
	case StackPop:
		return encodeStack(w, nxastStackPop, a.Field)
	case Resubmit:
		switch {
		case a.CT:
			nx(w, nxastResubmitTabCT, 16, func() { w.u16(uint16(a.InPort)); w.u8(a.Table) })
		default:
			nx(w, nxastResubmitTable, 16, func() { w.u16(uint16(a.InPort)); w.u8(a.Table) })
		}
	case WriteMetadata:
		if !of10 {
			return errUnencodable(a, v)
		}
		nx(w, nxastWriteMetadata, 32, func() { w.zeros(6); w.u64(a.Value); w.u64(a.Mask) })
	case Clone:
		start := nxHeader(w, nxastClone)
		w.zeros(6)
		for _, x := range a.Actions {
			if err := encodeAction(w, v, x); err != nil {
				return err
			}
		}
		finishAction(w, start, 16)
	case Note:
		nx(w, nxastNote, 16, func() { w.bytes(a.Data) })
	case SetTunnel:
		if a.Wide || a.ID > 0xffffffff {
			nx(w, nxastSetTunnel64, 24, func() { w.zeros(6); w.u64(a.ID) })
		} else {
			nx(w, nxastSetTunnel, 16, func() { w.zeros(2); w.u32(uint32(a.ID)) })
		}
	case SetQueue:
		if of10 {
			nx(w, nxastSetQueue, 16, func() { w.zeros(2); w.u32(a.ID) })
		} else {
			simple(w, ofpat11SetQueue, func() { w.u32(a.ID) })
		}
	case PopQueue:
		nx(w, nxastPopQueue, 16, nil)
	case Exit:
		nx(w, nxastExit, 16, nil)
	case Group:
		if of10 {
			nx(w, nxastGroup, 16, func() { w.zeros(2); w.u32(a.ID) })
		} else {
			simple(w, ofpat11Group, func() { w.u32(a.ID) })
		}
	case Conjunction:
		nx(w, nxastConjunction, 16, func() { w.u8(a.Clause); w.u8(a.NClauses); w.u32(a.ID) })
	case CTClear:
		nx(w, nxastCTClear, 16, nil)
	case CopyTTLOut:
		if of10 {
			return errUnencodable(a, v)
		}
		simple(w, ofpat11CopyTTLOut, nil)
	case CopyTTLIn:
		if of10 {
			return errUnencodable(a, v)
		}
		simple(w, ofpat11CopyTTLIn, nil)
	case SetMPLSTTL:
		if of10 {
			nx(w, nxastSetMPLSTTL, 16, func() { w.u8(a.TTL) })
		} else {
			simple(w, ofpat11SetMPLSTTL, func() { w.u8(a.TTL) })
		}
	case DecMPLSTTL:
		if of10 {
			nx(w, nxastDecMPLSTTL, 16, nil)
		} else {
			simple(w, ofpat11DecMPLSTTL, nil)
		}
	case SetMPLSLabel:
		switch {
		case of10:
			nx(w, nxastSetMPLSLabel, 16, func() { w.zeros(2); w.u32(a.Label) })
		case v == Version11:
			simple(w, ofpat11SetMPLSLbl, func() { w.u32(a.Label) })
		default:
			return encodeAction(w, v, SetField{Header: NXMHeader(ClassOpenFlow, 34, 4), Value: u32b(a.Label), Mask: u32b(0xffffffff)})
		}
	case SetMPLSTC:
		switch {
		case of10:
			nx(w, nxastSetMPLSTC, 16, func() { w.u8(a.TC) })
		case v == Version11:
			simple(w, ofpat11SetMPLSTC, func() { w.u8(a.TC) })
		default:
			return encodeAction(w, v, SetField{Header: NXMHeader(ClassOpenFlow, 35, 1), Value: []byte{a.TC}, Mask: []byte{0xff}})
		}
	case PushMPLS:
		if of10 {
			nx(w, nxastPushMPLS, 16, func() { w.u16(a.EthType) })
		} else {
			simple(w, ofpat11PushMPLS, func() { w.u16(a.EthType) })
		}
	case PopMPLS:
		if of10 {
			nx(w, nxastPopMPLS, 16, func() { w.u16(a.EthType) })
		} else {
			simple(w, ofpat11PopMPLS, func() { w.u16(a.EthType) })
		}
	case Meter:
		if v < Version15 {
			return errUnencodable(a, v)
		}
		simple(w, ofpat15Meter, func() { w.u32(a.ID) })
	case CT:
		start := nxHeader(w, nxastCT)
		w.u16(a.Flags)
		if a.ZoneSrc.Header != 0 {
			if err := checkRef(a.ZoneSrc); err != nil {
				return err
			}
			w.u32(uint32(a.ZoneSrc.Header))
			w.u16(uint16(a.ZoneSrc.Ofs<<6 | (a.ZoneSrc.Bits-1)&0x3f))
		} else {
			w.u32(0)
			w.u16(a.Zone)
		}
		w.u8(a.RecircTable)
		w.zeros(3)
		w.u16(a.Alg)
		for _, x := range a.Actions {
			if err := encodeAction(w, v, x); err != nil {
				return err
			}
		}
		finishAction(w, start, 24)
	case Learn:
		sub := uint16(nxastLearn)
		if a.V2 || a.Limit != 0 || a.Flags&LearnWriteResult != 0 {
			sub = nxastLearn2
		}
		start := nxHeader(w, sub)
		w.u16(a.IdleTimeout)
		w.u16(a.HardTimeout)
		w.u16(a.Priority)
		w.u64(a.Cookie)
		w.u16(a.Flags)
		w.u8(a.TableID)
		w.u8(0)
		w.u16(a.FinIdleTimeout)
		w.u16(a.FinHardTimeout)
		if sub == nxastLearn2 {
			w.u32(a.Limit)
			if a.Flags&LearnWriteResult != 0 {
				w.u16(uint16(a.ResultDst.Ofs))
				w.u16(0)
				putHeader(w, a.ResultDst.Header)
			} else {
				w.u32(0)
			}
		}
		for _, sp := range a.Specs {
			w.u16(uint16(sp.SrcType&1)<<13 | uint16(sp.DstType&3)<<11 | uint16(sp.NBits&0x7ff))
			if sp.SrcType == LearnSrcField {
				putHeader(w, sp.Src.Header)
				w.u16(uint16(sp.Src.Ofs))
			} else {
				imm := make([]byte, 2*((sp.NBits+15)/16))
				copy(imm[max(0, len(imm)-len(sp.SrcImm)):], sp.SrcImm)
				w.bytes(imm)
			}
			if sp.DstType != LearnDstOutput {
				putHeader(w, sp.Dst.Header)
				w.u16(uint16(sp.Dst.Ofs))
			}
		}
		finishAction(w, start, 16)
	case Multipath:
		if err := checkRef(a.Dst); err != nil {
			return err
		}
		nx(w, nxastMultipath, 32, func() {
			w.u16(a.Fields)
			w.u16(a.Basis)
			w.u16(0)
			w.u16(a.Algorithm)
			w.u16(a.MaxLink)
			w.u32(a.Arg)
			w.u16(0)
			w.u16(uint16(a.Dst.Ofs<<6 | (a.Dst.Bits-1)&0x3f))
			w.u32(uint32(a.Dst.Header))
		})
	case Bundle:
		sub := uint16(nxastBundle)
		var ofsNbits uint16
		if a.Dst.Header != 0 {
			sub = nxastBundleLoad
			ofsNbits = uint16(a.Dst.Ofs<<6 | (a.Dst.Bits-1)&0x3f)
		}
		nx(w, sub, 32, func() {
			w.u16(a.Algorithm)
			w.u16(a.Fields)
			w.u16(a.Basis)
			w.u32(uint32(NXMInPort))
			w.u16(uint16(len(a.Members)))
			w.u16(ofsNbits)
			w.u32(uint32(a.Dst.Header))
			w.zeros(4)
			for _, p := range a.Members {
				w.u16(uint16(p))
			}
		})
	case FinTimeout:
		nx(w, nxastFinTimeout, 16, func() { w.u16(a.IdleTimeout); w.u16(a.HardTimeout) })
	case OutputTrunc:
		nx(w, nxastOutputTrunc, 16, func() { w.u16(uint16(a.Port)); w.u32(a.MaxLen) })
	case CheckPktLarger:
		nx(w, nxastCheckPktLarger, 24, func() {
			w.u16(a.PktLen)
			w.u16(uint16(a.Dst.Ofs))
			putHeader(w, a.Dst.Header)
		})
	case Sample:
		sub, minLen := uint16(nxastSample), 24
		switch {
		case a.Direction != 0:
			sub, minLen = nxastSample3, 32
		case a.SamplingPort != PortNone:
			sub, minLen = nxastSample2, 32
		}
		nx(w, sub, minLen, func() {
			w.u16(a.Probability)
			w.u32(a.CollectorSetID)
			w.u32(a.ObsDomainID)
			w.u32(a.ObsPointID)
			if sub != nxastSample {
				w.u16(uint16(a.SamplingPort))
			}
			if sub == nxastSample3 {
				w.u8(a.Direction)
			}
		})
	case NAT:
		start := nxHeader(w, nxastNAT)
		w.zeros(2)
		w.u16(a.Flags)
		at := len(w.b)
		w.u16(0)
		var present uint16
		switch a.Family {
		case 4:
			if be32(a.AddrMin[:]) != 0 {
				w.bytes(a.AddrMin[:4])
				present |= natRangeIPv4Min
			}
			if be32(a.AddrMax[:]) != 0 {
				w.bytes(a.AddrMax[:4])
				present |= natRangeIPv4Max
			}
		case 6:
			if a.AddrMin != [16]byte{} {
				w.bytes(a.AddrMin[:])
				present |= natRangeIPv6Min
			}
			if a.AddrMax != [16]byte{} {
				w.bytes(a.AddrMax[:])
				present |= natRangeIPv6Max
			}
		}
		if a.Family != 0 {
			if a.PortMin != 0 {
				w.u16(a.PortMin)
				present |= natRangeProtoMin
			}
			if a.PortMax != 0 {
				w.u16(a.PortMax)
				present |= natRangeProtoMax
			}
		}
		w.put16(at, present)
		finishAction(w, start, 16)
	case Unknown:
		if a.Raw == nil || a.Version != v {
			return fmt.Errorf("openflow: unsupported action %q cannot be encoded: %w", a.Name, a.Err)
		}
		w.bytes(a.Raw)
	case GotoTable, ClearActions, WriteActions:
		return fmt.Errorf("openflow: instruction %T inside an action list: %w", a, ErrOFPBICUnknownInst)
	default:
		return fmt.Errorf("openflow: action %T: %w", a, ErrOFPBACBadType)
	}
	return nil
}

func encodeStack(w *buf, sub uint16, f FieldRef) error {
	if err := checkRef(f); err != nil {
		return err
	}
	nx(w, sub, 24, func() {
		w.u16(uint16(f.Ofs))
		putHeader(w, f.Header)
		w.u16(uint16(f.Bits))
	})
	return nil
}

func isOnes(b []byte) bool {
	for _, c := range b {
		if c != 0xff {
			return false
		}
	}
	return true
}

func encodeSetField(w *buf, v uint8, s SetField) error {
	n := HeaderPayloadLen(s.Header)
	if n <= 0 || len(s.Value) != n || (s.Mask != nil && len(s.Mask) != n) {
		return fmt.Errorf("openflow: set_field %#x value length %d: %w", s.Header, len(s.Value), ErrOFPBACBadSetLen)
	}
	mask := s.Mask
	if mask == nil {
		mask = onesMask(n)
	}
	full := isOnes(mask)
	if s.Raw == SetFieldRawRegLoad && v <= Version14 && s.Header>>32 == 0 {
		if ofs, nbits, val, ok := setFieldToRegLoad(SetField{Value: s.Value, Mask: mask}); ok {
			nx(w, nxastRegLoad, 24, func() {
				w.u16(uint16(ofs<<6 | (nbits - 1)))
				w.u32(uint32(s.Header))
				w.u64(val)
			})
			return nil
		}
	}
	tlv := func() {
		f := MatchField{Header: s.Header, Value: s.Value}
		if !full {
			f.Mask = mask
		}
		m := Match{Fields: []MatchField{f}}
		_ = appendTLVs(w, &m)
	}
	if v >= Version15 || (v >= Version12 && full) {
		simple(w, ofpat12SetField, tlv)
		return nil
	}
	nx(w, nxastRegLoad2, 16, func() { w.zeros(6); tlv() })
	return nil
}
