package openflow

import (
	"errors"
	"fmt"
)

// Action wire type numbers.
const (
	ofpat10Output     = 0
	ofpat10SetVLANVID = 1
	ofpat10SetVLANPCP = 2
	ofpat10StripVLAN  = 3
	ofpat10SetDlSrc   = 4
	ofpat10SetDlDst   = 5
	ofpat10SetNwSrc   = 6
	ofpat10SetNwDst   = 7
	ofpat10SetNwTOS   = 8
	ofpat10SetTpSrc   = 9
	ofpat10SetTpDst   = 10
	ofpat10Enqueue    = 11

	ofpat11Output      = 0
	ofpat11SetVLANVID  = 1
	ofpat11SetVLANPCP  = 2
	ofpat11SetDlSrc    = 3
	ofpat11SetDlDst    = 4
	ofpat11SetNwSrc    = 5
	ofpat11SetNwDst    = 6
	ofpat11SetNwTOS    = 7
	ofpat11SetNwECN    = 8
	ofpat11SetTpSrc    = 9
	ofpat11SetTpDst    = 10
	ofpat11CopyTTLOut  = 11
	ofpat11CopyTTLIn   = 12
	ofpat11SetMPLSLbl  = 13
	ofpat11SetMPLSTC   = 14
	ofpat11SetMPLSTTL  = 15
	ofpat11DecMPLSTTL  = 16
	ofpat11PushVLAN    = 17
	ofpat11PopVLAN     = 18
	ofpat11PushMPLS    = 19
	ofpat11PopMPLS     = 20
	ofpat11SetQueue    = 21
	ofpat11Group       = 22
	ofpat11SetNwTTL    = 23
	ofpat11DecNwTTL    = 24
	ofpat12SetField    = 25
	ofpat13PushPBB     = 26
	ofpat13PopPBB      = 27
	ofpat15CopyField   = 28
	ofpat15Meter       = 29
	ofpatVendor        = 0xffff
	onfActionCopyField = 3200
)

// Nicira action subtypes.
const (
	nxastResubmit       = 1
	nxastSetTunnel      = 2
	nxastSetQueue       = 4
	nxastPopQueue       = 5
	nxastRegMove        = 6
	nxastRegLoad        = 7
	nxastNote           = 8
	nxastSetTunnel64    = 9
	nxastMultipath      = 10
	nxastBundle         = 12
	nxastBundleLoad     = 13
	nxastResubmitTable  = 14
	nxastOutputReg      = 15
	nxastLearn          = 16
	nxastExit           = 17
	nxastDecTTL         = 18
	nxastFinTimeout     = 19
	nxastController     = 20
	nxastDecTTLCntIDs   = 21
	nxastWriteMetadata  = 22
	nxastPushMPLS       = 23
	nxastPopMPLS        = 24
	nxastSetMPLSTTL     = 25
	nxastDecMPLSTTL     = 26
	nxastStackPush      = 27
	nxastStackPop       = 28
	nxastSample         = 29
	nxastSetMPLSLabel   = 30
	nxastSetMPLSTC      = 31
	nxastOutputReg2     = 32
	nxastRegLoad2       = 33
	nxastConjunction    = 34
	nxastCT             = 35
	nxastNAT            = 36
	nxastController2    = 37
	nxastSample2        = 38
	nxastOutputTrunc    = 39
	nxastGroup          = 40
	nxastSample3        = 41
	nxastClone          = 42
	nxastCTClear        = 43
	nxastResubmitTabCT  = 44
	nxastLearn2         = 45
	nxastEncap          = 46
	nxastDecap          = 47
	nxastDecNSHTTL      = 48
	nxastCheckPktLarger = 49
	nxastDeleteField    = 50
	nxastSample4        = 51
	nxastDebugRecirc    = 254
	nxastDebugSlow      = 255
)

// unimplementedNX names the Nicira actions whose framing the codec checks but
// whose contents govs does not model yet; they decode to Unknown.
var unimplementedNX = map[uint16]string{
	nxastEncap: "encap", nxastDecap: "decap", nxastDecNSHTTL: "dec_nsh_ttl",
	nxastDeleteField: "delete_field", nxastDebugRecirc: "debug_recirc", nxastDebugSlow: "debug_slow",
}

// unimplementedLen gives the exact (positive) or minimum (negative) length
// OVS accepts for each unimplemented Nicira action.
var unimplementedLen = map[uint16]int{
	nxastEncap: -16, nxastDecap: -16, nxastDecNSHTTL: 16, nxastDeleteField: -16,
	nxastDebugRecirc: 16, nxastDebugSlow: 16,
}

// maxActionDepth bounds nesting of clone/write_actions so hostile input
// cannot recurse without limit.
const maxActionDepth = 16

// DecodeActions parses an OpenFlow action list of the given version (as
// `ovs-ofctl parse-actions` takes it).
func DecodeActions(version uint8, b []byte) ([]Action, error) {
	return decodeActions(version, b, 0)
}

func decodeActions(version uint8, b []byte, depth int) ([]Action, error) {
	if depth > maxActionDepth {
		return nil, fmt.Errorf("openflow: actions nested too deeply: %w", ErrOFPBACBadLen)
	}
	if len(b)%8 != 0 {
		return nil, fmt.Errorf("openflow: action list length %d not a multiple of 8: %w", len(b), ErrOFPBRCBadLen)
	}
	var out []Action
	for len(b) > 0 {
		if len(b) < 8 {
			return nil, fmt.Errorf("openflow: truncated action: %w", ErrOFPBACBadLen)
		}
		n := int(be16(b[2:]))
		if n < 8 || n%8 != 0 || n > len(b) {
			return nil, fmt.Errorf("openflow: action type %d length %d: %w", be16(b), n, ErrOFPBACBadLen)
		}
		a, err := decodeAction(version, b[:n], depth)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		b = b[n:]
	}
	return out, nil
}

func port32to16(p uint32) (Port, bool) {
	switch {
	case p < uint32(PortMax):
		return Port(p), true
	case p >= 0xffffff00:
		return Port(p - 0xffff0000), true
	}
	return 0, false
}

func port16to32(p Port) uint32 {
	if p >= PortMax {
		return uint32(p) + 0xffff0000
	}
	return uint32(p)
}

func badLen(what string, n int) error {
	return fmt.Errorf("openflow: %s action length %d: %w", what, n, ErrOFPBACBadLen)
}

// fixedLen checks an action's exact length.
func fixedLen(what string, b []byte, want int) error {
	if len(b) != want {
		return badLen(what, len(b))
	}
	return nil
}

func decodeAction(version uint8, b []byte, depth int) (Action, error) {
	typ := be16(b)
	if typ == ofpatVendor {
		return decodeVendorAction(version, b, depth)
	}
	if version == Version10 {
		return decodeAction10(typ, b)
	}
	return decodeAction11(version, typ, b)
}

func decodeAction10(typ uint16, b []byte) (Action, error) {
	r := newRd(b[4:])
	want := 8
	var a Action
	switch typ {
	case ofpat10Output:
		a = Output{Port: Port(r.u16()), MaxLen: r.u16()}
	case ofpat10SetVLANVID:
		vid := r.u16()
		if vid > 0xfff {
			return nil, fmt.Errorf("openflow: vlan vid %d: %w", vid, ErrOFPBACBadArgument)
		}
		a = SetVLANVID{VID: vid, Push: true}
	case ofpat10SetVLANPCP:
		pcp := r.u8()
		if pcp > 7 {
			return nil, fmt.Errorf("openflow: vlan pcp %d: %w", pcp, ErrOFPBACBadArgument)
		}
		a = SetVLANPCP{PCP: pcp, Push: true}
	case ofpat10StripVLAN:
		a = StripVLAN{OF10: true}
	case ofpat10SetDlSrc:
		a, want = SetEthSrc{MAC: r.mac()}, 16
	case ofpat10SetDlDst:
		a, want = SetEthDst{MAC: r.mac()}, 16
	case ofpat10SetNwSrc:
		a = SetIPv4Src{Addr: r.u32()}
	case ofpat10SetNwDst:
		a = SetIPv4Dst{Addr: r.u32()}
	case ofpat10SetNwTOS:
		tos := r.u8()
		if tos&3 != 0 {
			return nil, fmt.Errorf("openflow: nw_tos %#x has ECN bits: %w", tos, ErrOFPBACBadArgument)
		}
		a = SetIPDSCP{TOS: tos}
	case ofpat10SetTpSrc:
		a = SetL4SrcPort{Port: r.u16()}
	case ofpat10SetTpDst:
		a = SetL4DstPort{Port: r.u16()}
	case ofpat10Enqueue:
		p := Port(r.u16())
		r.skip(6)
		a, want = Enqueue{Port: p, Queue: r.u32()}, 16
		if p >= PortMax && p != PortInPort && p != PortLocal {
			return nil, fmt.Errorf("openflow: enqueue port %#x: %w", p, ErrOFPBACBadOutPort)
		}
	default:
		return nil, fmt.Errorf("openflow: OF1.0 action type %d: %w", typ, ErrOFPBACBadType)
	}
	if err := fixedLen(fmt.Sprintf("OF1.0 type %d", typ), b, want); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeAction11(version uint8, typ uint16, b []byte) (Action, error) {
	r := newRd(b[4:])
	want := 8
	var a Action
	switch typ {
	case ofpat11Output:
		p32 := r.u32()
		p, ok := port32to16(p32)
		if !ok {
			return nil, fmt.Errorf("openflow: output port %#x: %w", p32, ErrOFPBACBadOutPort)
		}
		a, want = Output{Port: p, MaxLen: r.u16()}, 16
	case ofpat11SetVLANVID:
		vid := r.u16()
		if vid > 0xfff {
			return nil, fmt.Errorf("openflow: vlan vid %d: %w", vid, ErrOFPBACBadArgument)
		}
		a = SetVLANVID{VID: vid}
	case ofpat11SetVLANPCP:
		pcp := r.u8()
		if pcp > 7 {
			return nil, fmt.Errorf("openflow: vlan pcp %d: %w", pcp, ErrOFPBACBadArgument)
		}
		a = SetVLANPCP{PCP: pcp}
	case ofpat11SetDlSrc:
		a, want = SetEthSrc{MAC: r.mac()}, 16
	case ofpat11SetDlDst:
		a, want = SetEthDst{MAC: r.mac()}, 16
	case ofpat11SetNwSrc:
		a = SetIPv4Src{Addr: r.u32()}
	case ofpat11SetNwDst:
		a = SetIPv4Dst{Addr: r.u32()}
	case ofpat11SetNwTOS:
		tos := r.u8()
		if tos&3 != 0 {
			return nil, fmt.Errorf("openflow: nw_tos %#x: %w", tos, ErrOFPBACBadArgument)
		}
		a = SetIPDSCP{TOS: tos}
	case ofpat11SetNwECN:
		ecn := r.u8()
		if ecn > 3 {
			return nil, fmt.Errorf("openflow: nw_ecn %d: %w", ecn, ErrOFPBACBadArgument)
		}
		a = SetIPECN{ECN: ecn}
	case ofpat11SetTpSrc:
		a = SetL4SrcPort{Port: r.u16()}
	case ofpat11SetTpDst:
		a = SetL4DstPort{Port: r.u16()}
	case ofpat11CopyTTLOut:
		a = CopyTTLOut{}
	case ofpat11CopyTTLIn:
		a = CopyTTLIn{}
	case ofpat11SetMPLSLbl:
		a = SetMPLSLabel{Label: r.u32()}
	case ofpat11SetMPLSTC:
		a = SetMPLSTC{TC: r.u8()}
	case ofpat11SetMPLSTTL:
		a = SetMPLSTTL{TTL: r.u8()}
	case ofpat11DecMPLSTTL:
		a = DecMPLSTTL{}
	case ofpat11PushVLAN:
		et := r.u16()
		if et != 0x8100 && et != 0x88a8 {
			return nil, fmt.Errorf("openflow: push_vlan ethertype %#x: %w", et, ErrOFPBACBadArgument)
		}
		a = PushVLAN{EthType: et}
	case ofpat11PopVLAN:
		a = StripVLAN{}
	case ofpat11PushMPLS:
		et := r.u16()
		if et != 0x8847 && et != 0x8848 {
			return nil, fmt.Errorf("openflow: push_mpls ethertype %#x: %w", et, ErrOFPBACBadArgument)
		}
		a = PushMPLS{EthType: et}
	case ofpat11PopMPLS:
		a = PopMPLS{EthType: r.u16()}
	case ofpat11SetQueue:
		a = SetQueue{ID: r.u32()}
	case ofpat11Group:
		a = Group{ID: r.u32()}
	case ofpat11SetNwTTL:
		a = SetIPTTL{TTL: r.u8()}
	case ofpat11DecNwTTL:
		a = DecTTL{}
	case ofpat12SetField:
		if version < Version12 {
			return nil, fmt.Errorf("openflow: set_field in OF1.1: %w", ErrOFPBACBadType)
		}
		return decodeSetField(version, b[4:], SetFieldRawSetField)
	case ofpat13PushPBB, ofpat13PopPBB:
		return nil, fmt.Errorf("openflow: PBB actions unsupported: %w", ErrOFPBACBadType)
	case ofpat15CopyField:
		if version < Version15 {
			return nil, fmt.Errorf("openflow: copy_field before OF1.5: %w", ErrOFPBACBadType)
		}
		return decodeCopyField(b[4:])
	case ofpat15Meter:
		if version < Version15 {
			return nil, fmt.Errorf("openflow: meter action before OF1.5: %w", ErrOFPBACBadType)
		}
		a = Meter{ID: r.u32()}
	default:
		return nil, fmt.Errorf("openflow: action type %d: %w", typ, ErrOFPBACBadType)
	}
	if err := fixedLen(fmt.Sprintf("type %d", typ), b, want); err != nil {
		return nil, err
	}
	return a, nil
}

// decodeSetField parses an OXM TLV followed by zero padding (the body of
// OFPAT_SET_FIELD and NXAST_REG_LOAD2).
func decodeSetField(version uint8, b []byte, raw SetFieldRaw) (Action, error) {
	f, n, err := decodeTLV(b)
	switch {
	case err == nil:
	case errors.Is(err, ErrOFPBMCBadWildcards):
		return nil, fmt.Errorf("openflow: set_field: %w", err)
	case len(b) >= 4 && b[3] == 0:
		// A zero-length header names no field OVS knows.
		return nil, fmt.Errorf("openflow: set_field with empty field: %w", ErrOFPBACBadSetType)
	default:
		return nil, fmt.Errorf("openflow: set_field: %v: %w", err, ErrOFPBACBadSetLen)
	}
	for _, c := range b[n:] {
		if c != 0 {
			return nil, fmt.Errorf("openflow: set_field padding: %w", ErrOFPBACBadSetArgument)
		}
	}
	if f.Mask != nil && raw == SetFieldRawSetField && version < Version15 && version != 0 {
		// OVS reports a masked OFPAT_SET_FIELD before OF1.5 as a length
		// problem.
		return nil, fmt.Errorf("openflow: masked set_field before OF1.5: %w", ErrOFPBACBadSetLen)
	}
	if f.Mask == nil {
		f.Mask = onesMask(len(f.Value))
	}
	return SetField{Header: f.Header, Value: f.Value, Mask: f.Mask, Raw: raw}, nil
}

func onesMask(n int) []byte {
	m := make([]byte, n)
	for i := range m {
		m[i] = 0xff
	}
	return m
}

// pullHeader reads a 4- or 8-byte NXM/OXM header in FieldRef form.
func pullHeader(r *rd) (uint64, bool) {
	h := r.u32()
	if !r.ok {
		return 0, false
	}
	if h&0x100 != 0 {
		return 0, false
	}
	if uint16(h>>16) == ClassExperimenter {
		e := r.u32()
		return uint64(h)<<32 | uint64(e), r.ok
	}
	return uint64(h), true
}

func putHeader(w *buf, h uint64) {
	if h>>32 != 0 {
		w.u64(h)
	} else {
		w.u32(uint32(h))
	}
}

// checkRef checks that a bit range lies inside its field.
func checkRef(f FieldRef) error {
	if f.Bits <= 0 || f.Ofs < 0 || f.Ofs+f.Bits > HeaderPayloadLen(f.Header)*8 {
		return fmt.Errorf("openflow: bits %d..%d outside field %#x: %w", f.Ofs, f.Ofs+f.Bits-1, f.Header, ErrOFPBACBadSetLen)
	}
	return nil
}

func zeroTail(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func decodeCopyField(b []byte) (Action, error) {
	r := newRd(b)
	nbits, sofs, dofs := int(r.u16()), int(r.u16()), int(r.u16())
	r.skip(2)
	src, ok1 := pullHeader(r)
	dst, ok2 := pullHeader(r)
	if !ok1 || !ok2 || !zeroTail(r.rest()) {
		return nil, fmt.Errorf("openflow: copy_field: %w", ErrOFPBACBadLen)
	}
	m := RegMove{Src: FieldRef{Header: src, Ofs: sofs, Bits: nbits}, Dst: FieldRef{Header: dst, Ofs: dofs, Bits: nbits}}
	if err := checkRef(m.Src); err != nil {
		return nil, err
	}
	if err := checkRef(m.Dst); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeVendorAction(version uint8, b []byte, depth int) (Action, error) {
	if len(b) < 10 {
		return nil, badLen("vendor", len(b))
	}
	vendor := be32(b[4:])
	if vendor == VendorONF {
		// ONF copy_field (OF1.3-1.4): exp_type and 2 pad bytes, then the
		// OF1.5 copy_field body. It re-encodes as NXAST_REG_MOVE.
		if len(b) >= 16 && be16(b[8:]) == onfActionCopyField {
			return decodeCopyField(b[12:])
		}
		return nil, fmt.Errorf("openflow: ONF action: %w", ErrOFPBACBadVendorType)
	}
	if vendor != VendorNicira {
		return nil, fmt.Errorf("openflow: action vendor %#x: %w", vendor, ErrOFPBACBadVendor)
	}
	sub := be16(b[8:])
	body := b[10:]
	r := newRd(body)
	want := 16
	var a Action
	switch sub {
	case nxastResubmit:
		a = Resubmit{InPort: Port(r.u16()), Table: TableCurrent}
	case nxastResubmitTable, nxastResubmitTabCT:
		p := Port(r.u16())
		t := r.u8()
		if !zeroTail(r.take(3)) {
			return nil, fmt.Errorf("openflow: resubmit padding: %w", ErrOFPBACBadArgument)
		}
		a = Resubmit{InPort: p, Table: t, CT: sub == nxastResubmitTabCT}
	case nxastSetTunnel:
		r.skip(2)
		a = SetTunnel{ID: uint64(r.u32())}
	case nxastSetTunnel64:
		r.skip(6)
		a, want = SetTunnel{ID: r.u64(), Wide: true}, 24
	case nxastSetQueue:
		r.skip(2)
		a = SetQueue{ID: r.u32()}
	case nxastPopQueue:
		a = PopQueue{}
	case nxastExit:
		a = Exit{}
	case nxastDecTTL:
		a = DecTTL{NX: true}
	case nxastCTClear:
		a = CTClear{}
	case nxastRegMove:
		nbits, sofs, dofs := int(r.u16()), int(r.u16()), int(r.u16())
		src, ok1 := pullHeader(r)
		dst, ok2 := pullHeader(r)
		if !ok1 || !ok2 || !zeroTail(r.rest()) || len(b) < 24 {
			return nil, fmt.Errorf("openflow: reg_move: %w", ErrOFPBACBadLen)
		}
		m := RegMove{Src: FieldRef{Header: src, Ofs: sofs, Bits: nbits}, Dst: FieldRef{Header: dst, Ofs: dofs, Bits: nbits}}
		if err := checkRef(m.Src); err != nil {
			return nil, err
		}
		if err := checkRef(m.Dst); err != nil {
			return nil, err
		}
		return m, nil
	case nxastRegLoad:
		if len(b) != 24 {
			return nil, badLen("reg_load", len(b))
		}
		ofsNbits := r.u16()
		dst := uint64(r.u32())
		v := r.u64()
		return regLoadToSetField(dst, int(ofsNbits>>6), int(ofsNbits&0x3f)+1, v)
	case nxastRegLoad2:
		if len(b) < 16 || !zeroTail(body[:6]) {
			return nil, fmt.Errorf("openflow: reg_load2 header: %w", ErrOFPBACBadLen)
		}
		a, err := decodeSetField(0, body[6:], SetFieldRawSetField)
		if err != nil {
			return nil, err
		}
		return a, nil
	case nxastNote:
		return Note{Data: clone(body)}, nil
	case nxastOutputReg:
		ofsNbits := r.u16()
		src := uint64(r.u32())
		ml := r.u16()
		if !zeroTail(r.rest()) {
			return nil, fmt.Errorf("openflow: output_reg padding: %w", ErrNXBACMustBeZero)
		}
		o := OutputReg{Src: FieldRef{Header: src, Ofs: int(ofsNbits >> 6), Bits: int(ofsNbits&0x3f) + 1}, MaxLen: ml}
		if len(b) != 24 {
			return nil, badLen("output_reg", len(b))
		}
		if err := checkRef(o.Src); err != nil {
			return nil, err
		}
		return o, nil
	case nxastOutputReg2:
		ofsNbits := r.u16()
		ml := r.u16()
		src, ok := pullHeader(r)
		if !ok || len(b) < 24 {
			return nil, badLen("output_reg2", len(b))
		}
		if !zeroTail(r.rest()) {
			return nil, fmt.Errorf("openflow: output_reg2 padding: %w", ErrNXBACMustBeZero)
		}
		o := OutputReg{Src: FieldRef{Header: src, Ofs: int(ofsNbits >> 6), Bits: int(ofsNbits&0x3f) + 1}, MaxLen: ml}
		if err := checkRef(o.Src); err != nil {
			return nil, err
		}
		return o, nil
	case nxastController:
		c := Controller{MaxLen: r.u16(), ControllerID: r.u16(), Reason: r.u8(), MeterID: 0xffffffff}
		a = c
	case nxastController2:
		return decodeController2(b)
	case nxastDecTTLCntIDs:
		n := int(r.u16())
		if !zeroTail(r.take(4)) {
			return nil, fmt.Errorf("openflow: dec_ttl_cnt_ids: %w", ErrNXBRCMustBeZero)
		}
		if 16+2*n > len(b) {
			return nil, badLen("dec_ttl_cnt_ids", len(b))
		}
		d := DecTTL{NX: true, ControllerIDs: make([]uint16, n)}
		for i := range d.ControllerIDs {
			d.ControllerIDs[i] = r.u16()
		}
		if (16+2*n+7)&^7 != len(b) {
			return nil, badLen("dec_ttl_cnt_ids", len(b))
		}
		return d, nil
	case nxastWriteMetadata:
		r.skip(6)
		a, want = WriteMetadata{Value: r.u64(), Mask: r.u64()}, 32
	case nxastPushMPLS:
		et := r.u16()
		if et != 0x8847 && et != 0x8848 {
			return nil, fmt.Errorf("openflow: push_mpls ethertype %#x: %w", et, ErrOFPBACBadArgument)
		}
		a = PushMPLS{EthType: et}
	case nxastPopMPLS:
		a = PopMPLS{EthType: r.u16()}
	case nxastSetMPLSTTL:
		a = SetMPLSTTL{TTL: r.u8()}
	case nxastDecMPLSTTL:
		a = DecMPLSTTL{}
	case nxastSetMPLSLabel:
		r.skip(2)
		a = SetMPLSLabel{Label: r.u32()}
	case nxastSetMPLSTC:
		a = SetMPLSTC{TC: r.u8()}
	case nxastGroup:
		r.skip(2)
		a = Group{ID: r.u32()}
	case nxastStackPush, nxastStackPop:
		ofs := int(r.u16())
		h, ok := pullHeader(r)
		nbits := int(r.u16())
		if !ok || len(b) != 24 && len(b) != 32 {
			return nil, badLen("stack", len(b))
		}
		if !zeroTail(r.rest()) {
			return nil, fmt.Errorf("openflow: stack action padding: %w", ErrOFPBACBadArgument)
		}
		f := FieldRef{Header: h, Ofs: ofs, Bits: nbits}
		if err := checkRef(f); err != nil {
			return nil, err
		}
		if sub == nxastStackPush {
			return StackPush{Field: f}, nil
		}
		return StackPop{Field: f}, nil
	case nxastConjunction:
		clause, n := r.u8(), r.u8()
		id := r.u32()
		if n < 2 || n > 64 || clause >= n {
			return nil, fmt.Errorf("openflow: conjunction clause %d of %d: %w", clause, n, ErrNXBACBadConjunction)
		}
		a = Conjunction{ID: id, Clause: clause, NClauses: n}
	case nxastCT:
		return decodeCT(version, b, depth)
	case nxastLearn, nxastLearn2:
		return decodeLearn(b, sub == nxastLearn2)
	case nxastNAT:
		return decodeNAT(b)
	case nxastClone:
		if len(b) < 16 || !zeroTail(body[:6]) {
			return nil, badLen("clone", len(b))
		}
		acts, err := decodeActions(version, b[16:], depth+1)
		if err != nil {
			return nil, err
		}
		return Clone{Actions: acts}, nil
	case nxastMultipath:
		if len(b) != 32 {
			return nil, badLen("multipath", len(b))
		}
		m := Multipath{Fields: r.u16(), Basis: r.u16()}
		r.skip(2)
		m.Algorithm, m.MaxLink, m.Arg = r.u16(), r.u16(), r.u32()
		r.skip(2)
		ofsNbits := r.u16()
		m.Dst = FieldRef{Header: uint64(r.u32()), Ofs: int(ofsNbits >> 6), Bits: int(ofsNbits&0x3f) + 1}
		if m.Fields > 6 || m.Algorithm > 3 {
			return nil, fmt.Errorf("openflow: multipath fields %d algorithm %d: %w", m.Fields, m.Algorithm, ErrOFPBACBadArgument)
		}
		if err := checkRef(m.Dst); err != nil {
			return nil, err
		}
		return m, nil
	case nxastBundle, nxastBundleLoad:
		if len(b) < 32 {
			return nil, badLen("bundle", len(b))
		}
		bd := Bundle{Algorithm: r.u16(), Fields: r.u16(), Basis: r.u16()}
		mtype := r.u32()
		n := int(r.u16())
		ofsNbits := r.u16()
		dst := r.u32()
		if !zeroTail(r.take(4)) && sub == nxastBundle {
			return nil, fmt.Errorf("openflow: bundle padding: %w", ErrOFPBACBadArgument)
		}
		if 32+2*n > len(b) {
			return nil, badLen("bundle", len(b))
		}
		for i := 0; i < n; i++ {
			bd.Members = append(bd.Members, Port(r.u16()))
		}
		bad := bd.Fields > 6 || n > 2048 || bd.Algorithm > 1 || mtype != uint32(NXMInPort)
		if sub == nxastBundleLoad {
			// OVS validates fields, algorithm and member type for
			// bundle_load too but then overwrites the result, so only
			// the destination is checked here.
			bd.Dst = FieldRef{Header: uint64(dst), Ofs: int(ofsNbits >> 6), Bits: int(ofsNbits&0x3f) + 1}
			if err := checkRef(bd.Dst); err != nil {
				return nil, err
			}
			if bd.Dst.Bits < 16 {
				return nil, fmt.Errorf("openflow: bundle_load into %d bits: %w", bd.Dst.Bits, ErrOFPBACBadArgument)
			}
		} else if bad || ofsNbits != 0 || dst != 0 {
			return nil, fmt.Errorf("openflow: bundle fields %d algorithm %d member type %#x: %w", bd.Fields, bd.Algorithm, mtype, ErrOFPBACBadArgument)
		}
		return bd, nil
	case nxastFinTimeout:
		a = FinTimeout{IdleTimeout: r.u16(), HardTimeout: r.u16()}
	case nxastOutputTrunc:
		p := Port(r.u16())
		ml := r.u32()
		if p >= PortMax && p != PortLocal && p != PortInPort {
			return nil, fmt.Errorf("openflow: output_trunc port %#x: %w", p, ErrOFPBACBadOutPort)
		}
		a = OutputTrunc{Port: p, MaxLen: ml}
	case nxastCheckPktLarger:
		pl, ofs := r.u16(), r.u16()
		h, ok := pullHeader(r)
		if !ok || len(b) != 24 {
			return nil, badLen("check_pkt_larger", len(b))
		}
		c := CheckPktLarger{PktLen: pl, Dst: FieldRef{Header: h, Ofs: int(ofs), Bits: 1}}
		if err := checkRef(c.Dst); err != nil {
			return nil, err
		}
		return c, nil
	case nxastSample, nxastSample2, nxastSample3:
		sm := Sample{Probability: r.u16(), CollectorSetID: r.u32(), ObsDomainID: r.u32(), ObsPointID: r.u32(), SamplingPort: PortNone}
		want = 24
		if sub != nxastSample {
			want = 32
			sm.SamplingPort = Port(r.u16())
			if sub == nxastSample3 {
				sm.Direction = r.u8()
				if sm.Direction > 2 {
					return nil, fmt.Errorf("openflow: sample direction %d: %w", sm.Direction, ErrOFPBACBadArgument)
				}
			}
		}
		if sm.Probability == 0 {
			return nil, fmt.Errorf("openflow: sample probability 0: %w", ErrOFPBACBadArgument)
		}
		a = sm
	default:
		if name, ok := unimplementedNX[sub]; ok {
			if n := unimplementedLen[sub]; n > 0 && len(b) != n || n < 0 && len(b) < -n {
				return nil, badLen(name, len(b))
			}
			return Unknown{Name: name, Err: ErrOFPBACBadVendorType, Raw: clone(b), Version: version}, nil
		}
		return nil, fmt.Errorf("openflow: Nicira action subtype %d: %w", sub, ErrOFPBACBadVendorType)
	}
	if err := fixedLen(fmt.Sprintf("NX subtype %d", sub), b, want); err != nil {
		return nil, err
	}
	return a, nil
}

func decodeController2(b []byte) (Action, error) {
	if len(b) < 16 || !zeroTail(b[10:16]) {
		return nil, fmt.Errorf("openflow: controller2 header: %w", ErrNXBRCMustBeZero)
	}
	c := Controller{MaxLen: 0xffff, Reason: 1, MeterID: 0xffffffff, V2: true}
	p := b[16:]
	for len(p) > 0 {
		if len(p) < 4 {
			return nil, fmt.Errorf("openflow: controller2 property: %w", ErrOFPBPCBadLen)
		}
		t, n := be16(p), int(be16(p[2:]))
		padded := (n + 7) &^ 7
		if n < 4 || padded > len(p) {
			return nil, fmt.Errorf("openflow: controller2 property length %d: %w", n, ErrOFPBPCBadLen)
		}
		v := p[4:n]
		bad := func(want int) error {
			if len(v) != want {
				return fmt.Errorf("openflow: controller2 property %d length: %w", t, ErrOFPBPCBadLen)
			}
			return nil
		}
		// As OVS's ofpprop_parse_u8/u16: 8- and 16-bit values may have
		// any payload at least that long (OVS itself pads a u16 to 4).
		short := func(want int) error {
			if len(v) < want {
				return fmt.Errorf("openflow: controller2 property %d length: %w", t, ErrOFPBPCBadLen)
			}
			return nil
		}
		var err error
		switch t {
		case 0:
			if err = short(2); err == nil {
				c.MaxLen = be16(v)
			}
		case 1:
			if err = short(2); err == nil {
				c.ControllerID = be16(v)
			}
		case 2:
			if err = short(1); err == nil {
				c.Reason = v[0]
			}
		case 3:
			c.UserData = clone(v)
		case 4:
			err = bad(0)
			c.Pause = true
		case 5:
			if err = bad(4); err == nil {
				c.MeterID = be32(v)
			}
		default:
			err = fmt.Errorf("openflow: controller2 property %d: %w", t, ErrOFPBPCBadType)
		}
		if err != nil {
			return nil, err
		}
		p = p[padded:]
	}
	return c, nil
}

// regLoadToSetField turns NXAST_REG_LOAD's (field, ofs, nbits, value) into a
// SetField with value and mask spread over the whole field.
func regLoadToSetField(dst uint64, ofs, nbits int, v uint64) (Action, error) {
	ref := FieldRef{Header: dst, Ofs: ofs, Bits: nbits}
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	if nbits < 64 && v>>uint(nbits) != 0 {
		return nil, fmt.Errorf("openflow: reg_load value %#x exceeds %d bits: %w", v, nbits, ErrOFPBACBadArgument)
	}
	n := HeaderPayloadLen(dst)
	val, mask := make([]byte, n), make([]byte, n)
	for i := 0; i < nbits; i++ {
		bit := ofs + i
		byteIdx := n - 1 - bit/8
		mask[byteIdx] |= 1 << (bit % 8)
		if v>>uint(i)&1 != 0 {
			val[byteIdx] |= 1 << (bit % 8)
		}
	}
	return SetField{Header: dst, Value: val, Mask: mask, Raw: SetFieldRawRegLoad}, nil
}

// setFieldToRegLoad finds the single contiguous run of mask bits (at most
// 64) and the value in it; ok is false when NXAST_REG_LOAD cannot express it.
func setFieldToRegLoad(s SetField) (ofs, nbits int, v uint64, ok bool) {
	n := len(s.Mask)
	if n == 0 || len(s.Value) != n {
		return 0, 0, 0, false
	}
	first, last := -1, -1
	for bit := 0; bit < n*8; bit++ {
		if s.Mask[n-1-bit/8]>>(bit%8)&1 != 0 {
			if first < 0 {
				first = bit
			} else if last != bit-1 {
				return 0, 0, 0, false
			}
			last = bit
		}
	}
	if first < 0 || last-first+1 > 64 {
		return 0, 0, 0, false
	}
	for bit := first; bit <= last; bit++ {
		if s.Value[n-1-bit/8]>>(bit%8)&1 != 0 {
			v |= 1 << uint(bit-first)
		}
	}
	return first, last - first + 1, v, true
}

func decodeCT(version uint8, b []byte, depth int) (Action, error) {
	if len(b) < 24 {
		return nil, badLen("ct", len(b))
	}
	r := newRd(b[10:24])
	c := CT{Flags: r.u16()}
	zsrc := r.u32()
	zone := r.u16()
	c.RecircTable = r.u8()
	r.skip(3)
	c.Alg = r.u16()
	if c.Flags&CTForce != 0 && c.Flags&CTCommit == 0 {
		return nil, fmt.Errorf("openflow: ct(force) without commit: %w", ErrOFPBACBadArgument)
	}
	if zsrc != 0 {
		c.ZoneSrc = FieldRef{Header: uint64(zsrc), Ofs: int(zone >> 6), Bits: int(zone&0x3f) + 1}
		if err := checkRef(c.ZoneSrc); err != nil {
			return nil, err
		}
		if c.ZoneSrc.Bits != 16 {
			return nil, fmt.Errorf("openflow: ct zone of %d bits: %w", c.ZoneSrc.Bits, ErrOFPBACBadSetLen)
		}
	} else {
		c.Zone = zone
	}
	acts, err := decodeActions(version, b[24:], depth+1)
	if err != nil {
		return nil, err
	}
	c.Actions = acts
	if c.Flags&CTCommit == 0 {
		for _, a := range acts {
			if n, ok := a.(NAT); !ok || n.Flags != 0 || n.Family != 0 {
				return nil, fmt.Errorf("openflow: ct actions without commit: %w", ErrOFPBACBadArgument)
			}
		}
	}
	return c, nil
}

// NX_NAT_RANGE_* bits.
const (
	natRangeIPv4Min  = 1 << 0
	natRangeIPv4Max  = 1 << 1
	natRangeIPv6Min  = 1 << 2
	natRangeIPv6Max  = 1 << 3
	natRangeProtoMin = 1 << 4
	natRangeProtoMax = 1 << 5
)

func decodeNAT(b []byte) (Action, error) {
	if len(b) < 16 {
		return nil, badLen("nat", len(b))
	}
	r := newRd(b[10:])
	r.skip(2)
	n := NAT{Flags: r.u16()}
	present := r.u16()
	bad := func(why string) error {
		return fmt.Errorf("openflow: nat %s: %w", why, ErrOFPBACBadArgument)
	}
	if n.Flags&^0x1f != 0 || n.Flags&NATSrc != 0 && n.Flags&NATDst != 0 ||
		n.Flags&NATProtoHash != 0 && n.Flags&NATProtoRandom != 0 {
		return nil, bad("flags")
	}
	switch {
	case present&natRangeIPv4Min != 0:
		if present&(natRangeIPv6Min|natRangeIPv6Max) != 0 {
			return nil, bad("mixed families")
		}
		n.Family = 4
		copy(n.AddrMin[:4], r.take(4))
		if !r.ok || be32(n.AddrMin[:]) == 0 {
			return nil, bad("ipv4 min")
		}
		if present&natRangeIPv4Max != 0 {
			copy(n.AddrMax[:4], r.take(4))
			if !r.ok || be32(n.AddrMax[:]) < be32(n.AddrMin[:]) {
				return nil, bad("ipv4 max")
			}
		}
	case present&natRangeIPv4Max != 0:
		return nil, bad("ipv4 max without min")
	case present&natRangeIPv6Min != 0:
		n.Family = 6
		copy(n.AddrMin[:], r.take(16))
		if !r.ok || n.AddrMin == [16]byte{} {
			return nil, bad("ipv6 min")
		}
		if present&natRangeIPv6Max != 0 {
			copy(n.AddrMax[:], r.take(16))
			if !r.ok || string(n.AddrMax[:]) < string(n.AddrMin[:]) {
				return nil, bad("ipv6 max")
			}
		}
	case present&natRangeIPv6Max != 0:
		return nil, bad("ipv6 max without min")
	}
	if present&natRangeProtoMin != 0 {
		if n.Family == 0 {
			return nil, bad("port range without address")
		}
		n.PortMin = r.u16()
		if !r.ok || n.PortMin == 0 {
			return nil, bad("port min")
		}
		if present&natRangeProtoMax != 0 {
			n.PortMax = r.u16()
			if !r.ok || n.PortMax < n.PortMin {
				return nil, bad("port max")
			}
		}
	} else if present&natRangeProtoMax != 0 {
		return nil, bad("port max without min")
	}
	return n, nil
}

func decodeLearn(b []byte, v2 bool) (Action, error) {
	fixed := 32
	if v2 {
		fixed = 40
	}
	if len(b) < fixed {
		return nil, badLen("learn", len(b))
	}
	r := newRd(b[10:])
	l := Learn{V2: v2, IdleTimeout: r.u16(), HardTimeout: r.u16(), Priority: r.u16(), Cookie: r.u64(), Flags: r.u16(), TableID: r.u8()}
	pad := r.u8()
	l.FinIdleTimeout, l.FinHardTimeout = r.u16(), r.u16()
	if pad != 0 || l.TableID == 0xff {
		return nil, fmt.Errorf("openflow: learn header: %w", ErrOFPBACBadArgument)
	}
	allowed := LearnSendFlowRem | LearnDeleteLearned
	if v2 {
		allowed |= LearnWriteResult
		l.Limit = r.u32()
		rofs := r.u16()
		if r.u16() != 0 {
			return nil, fmt.Errorf("openflow: learn2 padding: %w", ErrNXBACMustBeZero)
		}
		if l.Flags&^allowed != 0 {
			return nil, fmt.Errorf("openflow: learn flags %#x: %w", l.Flags, ErrOFPBACBadArgument)
		}
		if l.Flags&LearnWriteResult != 0 {
			h, ok := pullHeader(r)
			if !ok {
				return nil, badLen("learn2", len(b))
			}
			l.ResultDst = FieldRef{Header: h, Ofs: int(rofs), Bits: 1}
			if err := checkRef(l.ResultDst); err != nil {
				return nil, err
			}
		} else if rofs != 0 {
			return nil, fmt.Errorf("openflow: learn2 result offset without write_result: %w", ErrOFPBACBadArgument)
		}
	} else if l.Flags&^allowed != 0 {
		return nil, fmt.Errorf("openflow: learn flags %#x: %w", l.Flags, ErrOFPBACBadArgument)
	}
	for r.ok && len(r.b) >= 2 {
		hdr := be16(r.b)
		if hdr == 0 {
			break
		}
		r.skip(2)
		sp := LearnSpec{NBits: int(hdr & 0x7ff), SrcType: uint8(hdr>>13) & 1, DstType: uint8(hdr>>11) & 3}
		if hdr>>14 != 0 || sp.DstType == 3 || sp.DstType == LearnDstOutput && sp.SrcType != LearnSrcField {
			return nil, fmt.Errorf("openflow: learn spec %#x: %w", hdr, ErrOFPBACBadArgument)
		}
		sub := func() (FieldRef, error) {
			h, ok := pullHeader(r)
			ofs := r.u16()
			if !ok || !r.ok {
				return FieldRef{}, badLen("learn spec", len(b))
			}
			f := FieldRef{Header: h, Ofs: int(ofs), Bits: sp.NBits}
			return f, checkRef(f)
		}
		var err error
		if sp.SrcType == LearnSrcField {
			if sp.Src, err = sub(); err != nil {
				return nil, err
			}
		} else {
			sp.SrcImm = clone(r.take(2 * ((sp.NBits + 15) / 16)))
			if !r.ok {
				return nil, badLen("learn spec", len(b))
			}
		}
		if sp.DstType != LearnDstOutput {
			if sp.Dst, err = sub(); err != nil {
				return nil, err
			}
		}
		l.Specs = append(l.Specs, sp)
	}
	if !r.ok || !zeroTail(r.b) {
		return nil, fmt.Errorf("openflow: learn trailing bytes: %w", ErrOFPBACBadArgument)
	}
	return l, nil
}
