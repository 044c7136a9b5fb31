package openflow

import (
	"encoding/binary"
	"fmt"
)

// MatchField is one NXM/OXM entry. Header is the field's header without the
// has-mask bit, with the length of the unmasked entry: class<<16 | field<<9 |
// len for the 32-bit form; for experimenter OXMs (class 0xffff) it is that
// 32-bit word (whose length counts the 4-byte experimenter id) shifted left 32
// bits, OR the experimenter id. Mask is nil for an unmasked entry and has the
// length of Value otherwise.
type MatchField struct {
	Header uint64
	Value  []byte
	Mask   []byte
}

// Match is a list of match fields in wire order. It is a plain value owned by
// its holder.
type Match struct {
	Fields []MatchField
}

// Field returns the first field with header h.
func (m *Match) Field(h uint64) (MatchField, bool) {
	for _, f := range m.Fields {
		if f.Header == h {
			return f, true
		}
	}
	return MatchField{}, false
}

// HeaderClass returns the header's OXM/NXM class.
func HeaderClass(h uint64) uint16 {
	if h>>32 != 0 {
		return uint16(h >> 48)
	}
	return uint16(h >> 16)
}

// HeaderField returns the header's field number.
func HeaderField(h uint64) uint8 {
	if h>>32 != 0 {
		return uint8(h>>41) & 0x7f
	}
	return uint8(h>>9) & 0x7f
}

// HeaderPayloadLen returns the length of an unmasked value of the field
// (excluding any experimenter id).
func HeaderPayloadLen(h uint64) int {
	if h>>32 != 0 {
		return int(uint8(h>>32)) - 4
	}
	return int(uint8(h))
}

// NXMHeader builds a 32-bit-form header for class, field and value length.
func NXMHeader(class uint16, field uint8, length int) uint64 {
	return uint64(class)<<16 | uint64(field&0x7f)<<9 | uint64(uint8(length))
}

// ExperimenterHeader builds a 64-bit-form header for an experimenter OXM.
func ExperimenterHeader(experimenter uint32, field uint8, length int) uint64 {
	return (uint64(0xffff)<<16|uint64(field&0x7f)<<9|uint64(uint8(length+4)))<<32 | uint64(experimenter)
}

// OXM/NXM classes.
const (
	ClassNXM0         uint16 = 0x0000
	ClassNXM1         uint16 = 0x0001
	ClassOpenFlow     uint16 = 0x8000
	ClassPacketRegs   uint16 = 0x8001
	ClassExperimenter uint16 = 0xffff
)

// Headers of the fields the OpenFlow 1.0 match can express (NXM names).
var (
	NXMInPort   = NXMHeader(0, 0, 2)
	NXMEthDst   = NXMHeader(0, 1, 6)
	NXMEthSrc   = NXMHeader(0, 2, 6)
	NXMEthType  = NXMHeader(0, 3, 2)
	NXMVLANTCI  = NXMHeader(0, 4, 2)
	NXMIPTOS    = NXMHeader(0, 5, 1)
	NXMIPProto  = NXMHeader(0, 6, 1)
	NXMIPSrc    = NXMHeader(0, 7, 4)
	NXMIPDst    = NXMHeader(0, 8, 4)
	NXMTCPSrc   = NXMHeader(0, 9, 2)
	NXMTCPDst   = NXMHeader(0, 10, 2)
	NXMUDPSrc   = NXMHeader(0, 11, 2)
	NXMUDPDst   = NXMHeader(0, 12, 2)
	NXMICMPType = NXMHeader(0, 13, 1)
	NXMICMPCode = NXMHeader(0, 14, 1)
	NXMARPOp    = NXMHeader(0, 15, 2)
	NXMARPSPA   = NXMHeader(0, 16, 4)
	NXMARPTPA   = NXMHeader(0, 17, 4)
	NXMTunID    = NXMHeader(1, 16, 8)
	OXMInPort   = NXMHeader(ClassOpenFlow, 0, 4)
	OXMMetadata = NXMHeader(ClassOpenFlow, 2, 8)
	OXMVLANVID  = NXMHeader(ClassOpenFlow, 6, 2)
	OXMSCTPSrc  = NXMHeader(ClassOpenFlow, 17, 2)
	OXMSCTPDst  = NXMHeader(ClassOpenFlow, 18, 2)
	OXMPktType  = NXMHeader(ClassOpenFlow, 44, 4)
)

// NXMReg returns the header of NXM_NX_REGi (32 bits).
func NXMReg(i int) uint64 { return NXMHeader(1, uint8(i), 4) }

// decodeTLVs parses a list of NXM/OXM entries filling exactly b. It checks
// structure only: lengths, masks of the right size, no 1-bits in a value
// where its mask is 0, no duplicate field.
func decodeTLVs(b []byte) (Match, error) {
	var m Match
	for len(b) > 0 {
		f, n, err := decodeTLV(b)
		if err != nil {
			return Match{}, err
		}
		for _, g := range m.Fields {
			if g.Header == f.Header {
				return Match{}, fmt.Errorf("openflow: match field %#x repeated: %w", f.Header, ErrOFPBMCDupField)
			}
		}
		m.Fields = append(m.Fields, f)
		b = b[n:]
	}
	return m, nil
}

// decodeTLV parses one entry, returning it and its wire length.
func decodeTLV(b []byte) (MatchField, int, error) {
	if len(b) < 4 {
		return MatchField{}, 0, fmt.Errorf("openflow: %d trailing bytes in match: %w", len(b), ErrOFPBMCBadLen)
	}
	h32 := binary.BigEndian.Uint32(b)
	hasMask := h32&0x100 != 0
	wireLen := int(uint8(h32))
	class := uint16(h32 >> 16)
	hdrLen := 4
	var exp uint32
	payload := wireLen
	if class == ClassExperimenter {
		if len(b) < 8 || wireLen < 4 {
			return MatchField{}, 0, fmt.Errorf("openflow: short experimenter match field: %w", ErrOFPBMCBadLen)
		}
		exp = binary.BigEndian.Uint32(b[4:])
		hdrLen = 8
		payload = wireLen - 4
	}
	if payload == 0 || (hasMask && payload%2 != 0) {
		return MatchField{}, 0, fmt.Errorf("openflow: match field %#08x has bad length %d: %w", h32, wireLen, ErrOFPBMCBadLen)
	}
	total := hdrLen + payload
	if len(b) < total {
		return MatchField{}, 0, fmt.Errorf("openflow: match field %#08x truncated: %w", h32, ErrOFPBMCBadLen)
	}
	p := b[hdrLen:total]
	f := MatchField{}
	vlen := payload
	if hasMask {
		vlen = payload / 2
		f.Value = clone(p[:vlen])
		f.Mask = clone(p[vlen:])
		for i := range f.Value {
			if f.Value[i]&^f.Mask[i] != 0 {
				return MatchField{}, 0, fmt.Errorf("openflow: match field %#08x has 1-bits outside its mask: %w", h32, ErrOFPBMCBadWildcards)
			}
		}
	} else {
		f.Value = clone(p)
	}
	h := uint64(h32&^0x1ff) | uint64(uint8(hdrLen-4+vlen))
	if class == ClassExperimenter {
		f.Header = h<<32 | uint64(exp)
	} else {
		f.Header = h
	}
	return f, total, nil
}

// appendTLVs appends m's entries.
func appendTLVs(w *buf, m *Match) error {
	for _, f := range m.Fields {
		plen := HeaderPayloadLen(f.Header)
		if plen <= 0 || len(f.Value) != plen || (f.Mask != nil && len(f.Mask) != plen) {
			return fmt.Errorf("openflow: match field %#x: value length %d, want %d: %w", f.Header, len(f.Value), plen, ErrOFPBMCBadLen)
		}
		h32 := uint32(f.Header)
		if f.Header>>32 != 0 {
			h32 = uint32(f.Header >> 32)
		}
		if f.Mask != nil {
			h32 = h32&^0xff | 0x100 | uint32(uint8(int(uint8(h32))+plen))
		}
		w.u32(h32)
		if f.Header>>32 != 0 {
			w.u32(uint32(f.Header))
		}
		w.bytes(f.Value)
		w.bytes(f.Mask)
	}
	return nil
}

// DecodeNXM parses a bare NXM/OXM entry list (as `ovs-ofctl parse-nxm`
// takes it).
func DecodeNXM(b []byte) (Match, error) { return decodeTLVs(b) }

// EncodeNXM appends m as a bare entry list.
func EncodeNXM(dst []byte, m *Match) ([]byte, error) {
	w := buf{b: dst}
	err := appendTLVs(&w, m)
	return w.b, err
}

// decodeOXMMatch parses an ofp11+ ofp_match of type OFPMT_OXM including its
// padding, returning the match and the bytes consumed.
func decodeOXMMatch(b []byte) (Match, int, error) {
	if len(b) < 4 {
		return Match{}, 0, fmt.Errorf("openflow: short ofp_match: %w", ErrOFPBMCBadLen)
	}
	typ, n := be16(b), int(be16(b[2:]))
	switch {
	case typ == 0 && (n != ofp11MatchLen || len(b) < ofp11MatchLen):
		return Match{}, 0, fmt.Errorf("openflow: standard ofp_match length %d: %w", n, ErrOFPBMCBadLen)
	case typ == 0:
		m, err := decodeMatch11(b)
		return m, ofp11MatchLen, err
	case typ != 1:
		return Match{}, 0, fmt.Errorf("openflow: ofp_match type %d unsupported: %w", typ, ErrOFPBMCBadType)
	}
	padded := (n + 7) &^ 7
	if n < 4 || padded > len(b) {
		return Match{}, 0, fmt.Errorf("openflow: ofp_match length %d: %w", n, ErrOFPBMCBadLen)
	}
	m, err := decodeTLVs(b[4:n])
	if err != nil {
		return Match{}, 0, err
	}
	return m, padded, nil
}

// appendMatch11Plus writes the ofp_match of an OF1.1+ message: the
// standard match in OF1.1, OXM from OF1.2 on.
func appendMatch11Plus(w *buf, version uint8, m *Match) error {
	if version == Version11 {
		return appendMatch11(w, m)
	}
	return appendOXMMatch(w, m)
}

func appendOXMMatch(w *buf, m *Match) error {
	start := len(w.b)
	w.u16(1)
	w.u16(0)
	if err := appendTLVs(w, m); err != nil {
		return err
	}
	w.put16(start+2, uint16(len(w.b)-start))
	w.pad8(start)
	return nil
}

// OpenFlow 1.0 ofp_match wildcard bits.
const (
	ofpfwInPort    = 1 << 0
	ofpfwDlVLAN    = 1 << 1
	ofpfwDlSrc     = 1 << 2
	ofpfwDlDst     = 1 << 3
	ofpfwDlType    = 1 << 4
	ofpfwNwProto   = 1 << 5
	ofpfwTpSrc     = 1 << 6
	ofpfwTpDst     = 1 << 7
	ofpfwNwSrcShft = 8
	ofpfwNwDstShft = 14
	ofpfwDlVLANPCP = 1 << 20
	ofpfwNwTOS     = 1 << 21
	ofpfwAll       = (1 << 22) - 1
)

// Match10 is the OpenFlow 1.0 ofp_match in wire layout.
type Match10 struct {
	Wildcards uint32
	InPort    uint16
	DlSrc     [6]byte
	DlDst     [6]byte
	DlVLAN    uint16
	DlVLANPCP uint8
	DlType    uint16
	NwTOS     uint8
	NwProto   uint8
	NwSrc     uint32
	NwDst     uint32
	TpSrc     uint16
	TpDst     uint16
}

func decodeMatch10(r *rd) Match10 {
	var m Match10
	m.Wildcards = r.u32()
	m.InPort = r.u16()
	m.DlSrc = r.mac()
	m.DlDst = r.mac()
	m.DlVLAN = r.u16()
	m.DlVLANPCP = r.u8()
	r.skip(1)
	m.DlType = r.u16()
	m.NwTOS = r.u8()
	m.NwProto = r.u8()
	r.skip(2)
	m.NwSrc = r.u32()
	m.NwDst = r.u32()
	m.TpSrc = r.u16()
	m.TpDst = r.u16()
	return m
}

func appendMatch10(w *buf, m *Match10) {
	w.u32(m.Wildcards)
	w.u16(m.InPort)
	w.bytes(m.DlSrc[:])
	w.bytes(m.DlDst[:])
	w.u16(m.DlVLAN)
	w.u8(m.DlVLANPCP)
	w.u8(0)
	w.u16(m.DlType)
	w.u8(m.NwTOS)
	w.u8(m.NwProto)
	w.u16(0)
	w.u32(m.NwSrc)
	w.u32(m.NwDst)
	w.u16(m.TpSrc)
	w.u16(m.TpDst)
}

func u16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32b(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// cidrMask10 turns a 6-bit OF1.0 wildcard count into a netmask (0 when 32
// or more bits are wildcarded).
func cidrMask10(n uint32) uint32 {
	if n >= 32 {
		return 0
	}
	return ^uint32(0) << n
}

// ToFields converts an OpenFlow 1.0 match into NXM fields the way OVS reads
// it: fields whose prerequisites (dl_type, nw_proto) are absent are dropped,
// nw_proto/nw_src/nw_dst mean arp_op/arp_spa/arp_tpa for ARP, and
// tp_src/tp_dst mean icmp_type/icmp_code for ICMP.
func (m *Match10) ToFields() Match {
	var out Match
	add := func(h uint64, v, mask []byte) {
		out.Fields = append(out.Fields, MatchField{Header: h, Value: v, Mask: mask})
	}
	wc := m.Wildcards
	if wc&ofpfwInPort == 0 {
		add(NXMInPort, u16b(m.InPort), nil)
	}
	if wc&ofpfwDlSrc == 0 {
		add(NXMEthSrc, clone(m.DlSrc[:]), nil)
	}
	if wc&ofpfwDlDst == 0 {
		add(NXMEthDst, clone(m.DlDst[:]), nil)
	}
	switch {
	case wc&ofpfwDlVLAN == 0 && m.DlVLAN == 0xffff:
		add(NXMVLANTCI, u16b(0), nil)
	case wc&ofpfwDlVLAN == 0:
		tci, mask := m.DlVLAN&0xfff|0x1000, uint16(0x1fff)
		if wc&ofpfwDlVLANPCP == 0 {
			tci |= uint16(m.DlVLANPCP&7) << 13
			mask = 0xffff
		}
		if mask == 0xffff {
			add(NXMVLANTCI, u16b(tci), nil)
		} else {
			add(NXMVLANTCI, u16b(tci), u16b(mask))
		}
	case wc&ofpfwDlVLANPCP == 0:
		add(NXMVLANTCI, u16b(uint16(m.DlVLANPCP&7)<<13|0x1000), u16b(0xf000))
	}
	if wc&ofpfwDlType != 0 {
		return out
	}
	add(NXMEthType, u16b(m.DlType), nil)
	src := cidrMask10(wc >> ofpfwNwSrcShft & 0x3f)
	dst := cidrMask10(wc >> ofpfwNwDstShft & 0x3f)
	addIP := func(h uint64, v, mask uint32) {
		switch mask {
		case 0:
		case 0xffffffff:
			add(h, u32b(v), nil)
		default:
			add(h, u32b(v&mask), u32b(mask))
		}
	}
	switch m.DlType {
	case 0x0800:
		if wc&ofpfwNwTOS == 0 {
			add(NXMIPTOS, []byte{m.NwTOS & 0xfc}, nil)
		}
		if wc&ofpfwNwProto == 0 {
			add(NXMIPProto, []byte{m.NwProto}, nil)
		}
		addIP(NXMIPSrc, m.NwSrc, src)
		addIP(NXMIPDst, m.NwDst, dst)
		if wc&ofpfwNwProto != 0 {
			return out
		}
		var hs, hd uint64
		switch m.NwProto {
		case 6:
			hs, hd = NXMTCPSrc, NXMTCPDst
		case 17:
			hs, hd = NXMUDPSrc, NXMUDPDst
		case 132:
			hs, hd = OXMSCTPSrc, OXMSCTPDst
		case 1:
			if wc&ofpfwTpSrc == 0 {
				add(NXMICMPType, []byte{uint8(m.TpSrc)}, nil)
			}
			if wc&ofpfwTpDst == 0 {
				add(NXMICMPCode, []byte{uint8(m.TpDst)}, nil)
			}
			return out
		default:
			return out
		}
		if wc&ofpfwTpSrc == 0 {
			add(hs, u16b(m.TpSrc), nil)
		}
		if wc&ofpfwTpDst == 0 {
			add(hd, u16b(m.TpDst), nil)
		}
	case 0x0806:
		if wc&ofpfwNwProto == 0 {
			add(NXMARPOp, u16b(uint16(m.NwProto)), nil)
		}
		addIP(NXMARPSPA, m.NwSrc, src)
		addIP(NXMARPTPA, m.NwDst, dst)
	}
	return out
}

// maskBits returns n for a CIDR mask of n leading ones, or -1.
func maskBits(mask uint32) int {
	n := 0
	for mask&0x80000000 != 0 {
		n++
		mask <<= 1
	}
	if mask != 0 {
		return -1
	}
	return n
}

// Match10FromFields converts fields back into an OpenFlow 1.0 match. Fields
// OF1.0 cannot express give an OFPBMC_BAD_FIELD error; non-CIDR masks give
// OFPBMC_BAD_NW_ADDR_MASK; other masks OFPBMC_BAD_MASK.
func Match10FromFields(m *Match) (Match10, error) {
	o := Match10{Wildcards: ofpfwAll&^(0x3f<<ofpfwNwSrcShft|0x3f<<ofpfwNwDstShft) | 32<<ofpfwNwSrcShft | 32<<ofpfwNwDstShft}
	full := func(f MatchField) bool {
		for _, b := range f.Mask {
			if b != 0xff {
				return false
			}
		}
		return true
	}
	setIP := func(f MatchField, shift uint, dst *uint32) error {
		mask := uint32(0xffffffff)
		if f.Mask != nil {
			mask = be32(f.Mask)
		}
		n := maskBits(mask)
		if n < 0 {
			return fmt.Errorf("openflow: non-CIDR mask in OF1.0 match: %w", ErrOFPBMCBadNwAddrMask)
		}
		*dst = be32(f.Value)
		o.Wildcards = o.Wildcards&^(0x3f<<shift) | uint32(32-n)<<shift
		return nil
	}
	for _, f := range m.Fields {
		switch f.Header {
		case NXMVLANTCI, OXMVLANVID, NXMIPSrc, NXMIPDst, NXMARPSPA, NXMARPTPA, oxmIPv4Src, oxmIPv4Dst, oxmARPSPA, oxmARPTPA:
		default:
			if f.Mask == nil || full(f) {
				break
			}
			return o, fmt.Errorf("openflow: masked field %#x in OF1.0 match: %w", f.Header, ErrOFPBMCBadMask)
		}
		switch f.Header {
		case NXMInPort:
			o.InPort = be16(f.Value)
			o.Wildcards &^= ofpfwInPort
		case OXMInPort:
			p, ok := port32to16(be32(f.Value))
			if !ok {
				return o, fmt.Errorf("openflow: in_port %#x in OF1.0 match: %w", be32(f.Value), ErrOFPBMCBadValue)
			}
			o.InPort = uint16(p)
			o.Wildcards &^= ofpfwInPort
		case OXMVLANVID:
			vid, mask := be16(f.Value), uint16(0xffff)
			if f.Mask != nil {
				mask = be16(f.Mask)
			}
			switch {
			case vid == 0 && mask&0x1fff == 0x1fff:
				o.DlVLAN = 0xffff
			case vid&0x1000 != 0 && mask&0x1fff == 0x1fff:
				o.DlVLAN = vid & 0xfff
			default:
				return o, fmt.Errorf("openflow: vlan_vid mask %#x in OF1.0 match: %w", mask, ErrOFPBMCBadMask)
			}
			o.Wildcards &^= ofpfwDlVLAN
		case oxmVLANPCP:
			o.DlVLANPCP = f.Value[0]
			o.Wildcards &^= ofpfwDlVLANPCP
		case oxmIPDSCP:
			o.NwTOS = f.Value[0] << 2
			o.Wildcards &^= ofpfwNwTOS
		case oxmEthSrc, NXMEthSrc:
			copy(o.DlSrc[:], f.Value)
			o.Wildcards &^= ofpfwDlSrc
		case oxmEthDst, NXMEthDst:
			copy(o.DlDst[:], f.Value)
			o.Wildcards &^= ofpfwDlDst
		case NXMVLANTCI:
			tci, mask := be16(f.Value), uint16(0xffff)
			if f.Mask != nil {
				mask = be16(f.Mask)
			}
			switch {
			case tci == 0 && mask == 0xffff:
				o.DlVLAN = 0xffff
				o.Wildcards &^= ofpfwDlVLAN
			case mask == 0xffff && tci&0x1000 != 0:
				o.DlVLAN, o.DlVLANPCP = tci&0xfff, uint8(tci>>13)
				o.Wildcards &^= ofpfwDlVLAN | ofpfwDlVLANPCP
			case mask == 0x1fff && tci&0x1000 != 0:
				o.DlVLAN = tci & 0xfff
				o.Wildcards &^= ofpfwDlVLAN
			case mask == 0xf000 && tci&0x1000 != 0:
				o.DlVLANPCP = uint8(tci >> 13)
				o.Wildcards &^= ofpfwDlVLANPCP
			default:
				return o, fmt.Errorf("openflow: vlan_tci mask %#x in OF1.0 match: %w", mask, ErrOFPBMCBadMask)
			}
		case oxmEthType, NXMEthType:
			o.DlType = be16(f.Value)
			o.Wildcards &^= ofpfwDlType
		case NXMIPTOS:
			o.NwTOS = f.Value[0]
			o.Wildcards &^= ofpfwNwTOS
		case oxmIPProto, NXMIPProto:
			o.NwProto = f.Value[0]
			o.Wildcards &^= ofpfwNwProto
		case oxmARPOp, NXMARPOp:
			o.NwProto = uint8(be16(f.Value))
			o.Wildcards &^= ofpfwNwProto
		case NXMIPSrc, NXMARPSPA, oxmIPv4Src, oxmARPSPA:
			if err := setIP(f, ofpfwNwSrcShft, &o.NwSrc); err != nil {
				return o, err
			}
		case NXMIPDst, NXMARPTPA, oxmIPv4Dst, oxmARPTPA:
			if err := setIP(f, ofpfwNwDstShft, &o.NwDst); err != nil {
				return o, err
			}
		case NXMTCPSrc, NXMUDPSrc, OXMSCTPSrc, oxmTCPSrc, oxmUDPSrc:
			o.TpSrc = be16(f.Value)
			o.Wildcards &^= ofpfwTpSrc
		case NXMTCPDst, NXMUDPDst, OXMSCTPDst, oxmTCPDst, oxmUDPDst:
			o.TpDst = be16(f.Value)
			o.Wildcards &^= ofpfwTpDst
		case NXMICMPType, oxmICMPType:
			o.TpSrc = uint16(f.Value[0])
			o.Wildcards &^= ofpfwTpSrc
		case NXMICMPCode, oxmICMPCode:
			o.TpDst = uint16(f.Value[0])
			o.Wildcards &^= ofpfwTpDst
		default:
			return o, fmt.Errorf("openflow: field %#x not expressible in OF1.0 match: %w", f.Header, ErrOFPBMCBadField)
		}
	}
	return o, nil
}
