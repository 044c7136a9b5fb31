package openflow

import "fmt"

// OpenFlow 1.1 standard match (ofp11_match) wildcard bits.
const (
	ofpfw11InPort    = 1 << 0
	ofpfw11DlVLAN    = 1 << 1
	ofpfw11DlVLANPCP = 1 << 2
	ofpfw11DlType    = 1 << 3
	ofpfw11NwTOS     = 1 << 4
	ofpfw11NwProto   = 1 << 5
	ofpfw11TpSrc     = 1 << 6
	ofpfw11TpDst     = 1 << 7
	ofpfw11MPLSLabel = 1 << 8
	ofpfw11MPLSTC    = 1 << 9

	ofpvid11Any  = 0xfffe
	ofpvid11None = 0xffff

	ofp11MatchLen = 88
)

// OXM headers used by the OpenFlow 1.1 match conversion.
var (
	oxmEthDst    = NXMHeader(ClassOpenFlow, 3, 6)
	oxmEthSrc    = NXMHeader(ClassOpenFlow, 4, 6)
	oxmEthType   = NXMHeader(ClassOpenFlow, 5, 2)
	oxmVLANPCP   = NXMHeader(ClassOpenFlow, 7, 1)
	oxmIPDSCP    = NXMHeader(ClassOpenFlow, 8, 1)
	oxmIPProto   = NXMHeader(ClassOpenFlow, 10, 1)
	oxmIPv4Src   = NXMHeader(ClassOpenFlow, 11, 4)
	oxmIPv4Dst   = NXMHeader(ClassOpenFlow, 12, 4)
	oxmTCPSrc    = NXMHeader(ClassOpenFlow, 13, 2)
	oxmTCPDst    = NXMHeader(ClassOpenFlow, 14, 2)
	oxmUDPSrc    = NXMHeader(ClassOpenFlow, 15, 2)
	oxmUDPDst    = NXMHeader(ClassOpenFlow, 16, 2)
	oxmICMPType  = NXMHeader(ClassOpenFlow, 19, 1)
	oxmICMPCode  = NXMHeader(ClassOpenFlow, 20, 1)
	oxmARPOp     = NXMHeader(ClassOpenFlow, 21, 2)
	oxmARPSPA    = NXMHeader(ClassOpenFlow, 22, 4)
	oxmARPTPA    = NXMHeader(ClassOpenFlow, 23, 4)
	oxmMPLSLabel = NXMHeader(ClassOpenFlow, 34, 4)
	oxmMPLSTC    = NXMHeader(ClassOpenFlow, 35, 1)
)

func invert(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = ^b[i]
	}
	return out
}

func allZero(b []byte) bool { return zeroTail(b) }

// decodeMatch11 converts an ofp11_match (header included) into OXM fields
// the way OVS reads it (prerequisites applied).
func decodeMatch11(b []byte) (Match, error) {
	if len(b) < ofp11MatchLen {
		return Match{}, fmt.Errorf("openflow: short standard match: %w", ErrOFPBMCBadLen)
	}
	r := newRd(b[4:ofp11MatchLen])
	inPort, wc := r.u32(), r.u32()
	dlSrc, dlSrcMask, dlDst, dlDstMask := r.take(6), r.take(6), r.take(6), r.take(6)
	vlan, pcp := r.u16(), r.u8()
	r.skip(1)
	dlType, nwTOS, nwProto := r.u16(), r.u8(), r.u8()
	nwSrc, nwSrcMask, nwDst, nwDstMask := r.take(4), r.take(4), r.take(4), r.take(4)
	tpSrc, tpDst := r.u16(), r.u16()
	mplsLabel, mplsTC := r.u32(), r.u8()
	r.skip(3)
	meta, metaMask := r.take(8), r.take(8)

	var m Match
	add := func(h uint64, v, mask []byte) {
		f := MatchField{Header: h, Value: clone(v)}
		if mask != nil && !isOnes(mask) {
			f.Mask = clone(mask)
			for i := range f.Value {
				f.Value[i] &= mask[i]
			}
		}
		m.Fields = append(m.Fields, f)
	}
	if wc&ofpfw11InPort == 0 {
		if _, ok := port32to16(inPort); !ok {
			return Match{}, fmt.Errorf("openflow: standard match in_port %#x: %w", inPort, ErrOFPBMCBadValue)
		}
		add(OXMInPort, u32b(inPort), nil)
	}
	srcMask, dstMask := invert(dlSrcMask), invert(dlDstMask)
	if !allZero(srcMask) || !allZero(dstMask) {
		if !allZero(srcMask) {
			add(oxmEthSrc, dlSrc, srcMask)
		}
		if !allZero(dstMask) {
			add(oxmEthDst, dlDst, dstMask)
		}
	}
	if wc&ofpfw11DlVLAN == 0 {
		switch {
		case vlan == ofpvid11None:
			add(OXMVLANVID, u16b(0), nil)
		case vlan == ofpvid11Any:
			add(OXMVLANVID, u16b(0x1000), u16b(0x1000))
		case vlan < 4096:
			add(OXMVLANVID, u16b(vlan|0x1000), nil)
		default:
			return Match{}, fmt.Errorf("openflow: standard match dl_vlan %#x: %w", vlan, ErrOFPBMCBadValue)
		}
		if vlan != ofpvid11None && wc&ofpfw11DlVLANPCP == 0 {
			if pcp > 7 {
				return Match{}, fmt.Errorf("openflow: standard match dl_vlan_pcp %d: %w", pcp, ErrOFPBMCBadValue)
			}
			add(oxmVLANPCP, []byte{pcp}, nil)
		}
	}
	if wc&ofpfw11DlType == 0 {
		add(oxmEthType, u16b(dlType), nil)
	}
	ipv4 := wc&ofpfw11DlType == 0 && dlType == 0x0800
	arp := wc&ofpfw11DlType == 0 && (dlType == 0x0806 || dlType == 0x8035)
	if ipv4 && wc&ofpfw11NwTOS == 0 {
		if nwTOS&3 != 0 {
			return Match{}, fmt.Errorf("openflow: standard match nw_tos %#x: %w", nwTOS, ErrOFPBMCBadValue)
		}
		add(oxmIPDSCP, []byte{nwTOS >> 2}, nil)
	}
	if ipv4 || arp {
		if wc&ofpfw11NwProto == 0 {
			if ipv4 {
				add(oxmIPProto, []byte{nwProto}, nil)
			} else {
				add(oxmARPOp, u16b(uint16(nwProto)), nil)
			}
		}
		hs, hd := oxmIPv4Src, oxmIPv4Dst
		if arp {
			hs, hd = oxmARPSPA, oxmARPTPA
		}
		if ms := invert(nwSrcMask); !allZero(ms) {
			add(hs, nwSrc, ms)
		}
		if md := invert(nwDstMask); !allZero(md) {
			add(hd, nwDst, md)
		}
	}
	if ipv4 && wc&(ofpfw11TpSrc|ofpfw11TpDst) != ofpfw11TpSrc|ofpfw11TpDst && wc&ofpfw11NwProto == 0 {
		var hs, hd uint64
		switch nwProto {
		case 1:
			if wc&ofpfw11TpSrc == 0 {
				if tpSrc > 0xff {
					return Match{}, fmt.Errorf("openflow: icmp type %d: %w", tpSrc, ErrOFPBMCBadField)
				}
				add(oxmICMPType, []byte{uint8(tpSrc)}, nil)
			}
			if wc&ofpfw11TpDst == 0 {
				if tpDst > 0xff {
					return Match{}, fmt.Errorf("openflow: icmp code %d: %w", tpDst, ErrOFPBMCBadField)
				}
				add(oxmICMPCode, []byte{uint8(tpDst)}, nil)
			}
		case 6:
			hs, hd = oxmTCPSrc, oxmTCPDst
		case 17:
			hs, hd = oxmUDPSrc, oxmUDPDst
		case 132:
			hs, hd = OXMSCTPSrc, OXMSCTPDst
		}
		if hs != 0 {
			if wc&ofpfw11TpSrc == 0 {
				add(hs, u16b(tpSrc), nil)
			}
			if wc&ofpfw11TpDst == 0 {
				add(hd, u16b(tpDst), nil)
			}
		}
	}
	if wc&ofpfw11DlType == 0 && (dlType == 0x8847 || dlType == 0x8848) {
		if wc&ofpfw11MPLSLabel == 0 {
			add(oxmMPLSLabel, u32b(mplsLabel&0xfffff), nil)
		}
		if wc&ofpfw11MPLSTC == 0 {
			add(oxmMPLSTC, []byte{mplsTC & 7}, nil)
		}
	}
	if mm := invert(metaMask); !allZero(mm) {
		add(OXMMetadata, meta, mm)
	}
	return m, nil
}

// appendMatch11 encodes fields as an ofp11_match like OVS does. Fields the
// standard match cannot express give OFPBMC_BAD_FIELD.
func appendMatch11(w *buf, m *Match) error {
	var inPort uint32
	var dlSrc, dlDst [6]byte
	dlSrcMask, dlDstMask := [6]byte{}, [6]byte{}
	var vlan uint16
	var pcp uint8
	var dlType uint16
	var nwTOS, nwProto uint8
	var nwSrc, nwDst, nwSrcMask, nwDstMask uint32
	var tpSrc, tpDst uint16
	var mplsLabel uint32
	var mplsTC uint8
	var meta, metaMask uint64
	wc := uint32(ofpfw11InPort | ofpfw11DlVLAN | ofpfw11DlVLANPCP | ofpfw11DlType | ofpfw11NwTOS |
		ofpfw11NwProto | ofpfw11TpSrc | ofpfw11TpDst | ofpfw11MPLSLabel | ofpfw11MPLSTC)
	mask := func(f MatchField) []byte {
		if f.Mask == nil {
			return onesMask(len(f.Value))
		}
		return f.Mask
	}
	vidSeen, pcpSeen := false, false
	var vidVal, vidMask uint16
	for _, f := range m.Fields {
		switch f.Header {
		case OXMInPort:
			inPort = be32(f.Value)
			wc &^= ofpfw11InPort
		case NXMInPort:
			inPort = port16to32(Port(be16(f.Value)))
			wc &^= ofpfw11InPort
		case oxmEthSrc, NXMEthSrc:
			copy(dlSrc[:], f.Value)
			copy(dlSrcMask[:], mask(f))
		case oxmEthDst, NXMEthDst:
			copy(dlDst[:], f.Value)
			copy(dlDstMask[:], mask(f))
		case OXMVLANVID:
			vidSeen, vidVal, vidMask = true, be16(f.Value), be16(mask(f))
		case oxmVLANPCP:
			pcpSeen, pcp = true, f.Value[0]
		case oxmEthType, NXMEthType:
			dlType = be16(f.Value)
			wc &^= ofpfw11DlType
		case oxmIPDSCP:
			nwTOS = f.Value[0] << 2
			wc &^= ofpfw11NwTOS
		case NXMIPTOS:
			nwTOS = f.Value[0] & 0xfc
			wc &^= ofpfw11NwTOS
		case oxmIPProto, NXMIPProto:
			nwProto = f.Value[0]
			wc &^= ofpfw11NwProto
		case oxmARPOp, NXMARPOp:
			nwProto = uint8(be16(f.Value))
			wc &^= ofpfw11NwProto
		case oxmIPv4Src, oxmARPSPA, NXMIPSrc, NXMARPSPA:
			nwSrc, nwSrcMask = be32(f.Value), be32(mask(f))
		case oxmIPv4Dst, oxmARPTPA, NXMIPDst, NXMARPTPA:
			nwDst, nwDstMask = be32(f.Value), be32(mask(f))
		case oxmTCPSrc, oxmUDPSrc, OXMSCTPSrc, NXMTCPSrc, NXMUDPSrc:
			tpSrc = be16(f.Value)
			wc &^= ofpfw11TpSrc
		case oxmTCPDst, oxmUDPDst, OXMSCTPDst, NXMTCPDst, NXMUDPDst:
			tpDst = be16(f.Value)
			wc &^= ofpfw11TpDst
		case oxmICMPType, NXMICMPType:
			tpSrc = uint16(f.Value[0])
			wc &^= ofpfw11TpSrc
		case oxmICMPCode, NXMICMPCode:
			tpDst = uint16(f.Value[0])
			wc &^= ofpfw11TpDst
		case oxmMPLSLabel:
			mplsLabel = be32(f.Value)
			wc &^= ofpfw11MPLSLabel
		case oxmMPLSTC:
			mplsTC = f.Value[0]
			wc &^= ofpfw11MPLSTC
		case OXMMetadata:
			meta, metaMask = u64(f.Value), u64(mask(f))
		default:
			return fmt.Errorf("openflow: field %#x not expressible in the OF1.1 standard match: %w", f.Header, ErrOFPBMCBadField)
		}
	}
	switch {
	case !vidSeen && !pcpSeen:
	case vidSeen && vidVal == 0 && vidMask&0x1000 != 0:
		vlan = ofpvid11None
		wc &^= ofpfw11DlVLAN
	default:
		wc &^= ofpfw11DlVLAN
		if !vidSeen || vidMask&0xfff == 0 {
			vlan = ofpvid11Any
		} else {
			vlan = vidVal & 0xfff
		}
		if pcpSeen {
			wc &^= ofpfw11DlVLANPCP
		}
	}
	w.u16(0)
	w.u16(ofp11MatchLen)
	w.u32(inPort)
	w.u32(wc)
	w.bytes(dlSrc[:])
	w.bytes(invert(dlSrcMask[:]))
	w.bytes(dlDst[:])
	w.bytes(invert(dlDstMask[:]))
	w.u16(vlan)
	w.u8(pcp)
	w.u8(0)
	w.u16(dlType)
	w.u8(nwTOS)
	w.u8(nwProto)
	w.u32(nwSrc)
	w.u32(^nwSrcMask)
	w.u32(nwDst)
	w.u32(^nwDstMask)
	w.u16(tpSrc)
	w.u16(tpDst)
	w.u32(mplsLabel)
	w.u8(mplsTC)
	w.zeros(3)
	w.u64(meta)
	w.u64(^metaMask)
	return nil
}

func u64(b []byte) uint64 { return uint64(be32(b))<<32 | uint64(be32(b[4:])) }
