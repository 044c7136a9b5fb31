package flow

// Code in this file is the table of fields; field.go holds the logic. The
// names, sizes, prerequisites and NXM/OXM code points are those of Open
// vSwitch 3.1 (its meta-flow field list); field_test.go checks the code points
// against stock ovs-ofctl.

import "unsafe"

// Byte offsets of the Key members fields are stored in.
const (
	oTunID       = unsafe.Offsetof(Key{}.TunID)
	oTunSrc      = unsafe.Offsetof(Key{}.TunSrc)
	oTunDst      = unsafe.Offsetof(Key{}.TunDst)
	oTunFlags    = unsafe.Offsetof(Key{}.TunFlags)
	oTunTOS      = unsafe.Offsetof(Key{}.TunTOS)
	oTunTTL      = unsafe.Offsetof(Key{}.TunTTL)
	oMetadata    = unsafe.Offsetof(Key{}.Metadata)
	oRegs        = unsafe.Offsetof(Key{}.Regs)
	oSkbPriority = unsafe.Offsetof(Key{}.SkbPriority)
	oPktMark     = unsafe.Offsetof(Key{}.PktMark)
	oDpHash      = unsafe.Offsetof(Key{}.DpHash)
	oInPort      = unsafe.Offsetof(Key{}.InPort)
	oRecircID    = unsafe.Offsetof(Key{}.RecircID)
	oCtState     = unsafe.Offsetof(Key{}.CtState)
	oCtZone      = unsafe.Offsetof(Key{}.CtZone)
	oCtNwProto   = unsafe.Offsetof(Key{}.CtNwProto)
	oCtMark      = unsafe.Offsetof(Key{}.CtMark)
	oCtLabel     = unsafe.Offsetof(Key{}.CtLabel)
	oCtNwSrc     = unsafe.Offsetof(Key{}.CtNwSrc)
	oCtNwDst     = unsafe.Offsetof(Key{}.CtNwDst)
	oCtIPv6Src   = unsafe.Offsetof(Key{}.CtIPv6Src)
	oCtIPv6Dst   = unsafe.Offsetof(Key{}.CtIPv6Dst)
	oCtTpSrc     = unsafe.Offsetof(Key{}.CtTpSrc)
	oCtTpDst     = unsafe.Offsetof(Key{}.CtTpDst)
	oPacketType  = unsafe.Offsetof(Key{}.PacketType)
	oActsetOut   = unsafe.Offsetof(Key{}.ActsetOut)
	oConjID      = unsafe.Offsetof(Key{}.ConjID)
	oDlDst       = unsafe.Offsetof(Key{}.DlDst)
	oDlSrc       = unsafe.Offsetof(Key{}.DlSrc)
	oDlType      = unsafe.Offsetof(Key{}.DlType)
	oTCI         = unsafe.Offsetof(Key{}.VLANs) + unsafe.Offsetof(VLAN{}.TCI)
	oMPLS        = unsafe.Offsetof(Key{}.MPLS)
	oNwSrc       = unsafe.Offsetof(Key{}.NwSrc)
	oNwDst       = unsafe.Offsetof(Key{}.NwDst)
	oIPv6Src     = unsafe.Offsetof(Key{}.IPv6Src)
	oIPv6Dst     = unsafe.Offsetof(Key{}.IPv6Dst)
	oNDTarget    = unsafe.Offsetof(Key{}.NDTarget)
	oIPv6Label   = unsafe.Offsetof(Key{}.IPv6Label)
	oNwProto     = unsafe.Offsetof(Key{}.NwProto)
	oNwTOS       = unsafe.Offsetof(Key{}.NwTOS)
	oNwTTL       = unsafe.Offsetof(Key{}.NwTTL)
	oNwFrag      = unsafe.Offsetof(Key{}.NwFrag)
	oArpSHA      = unsafe.Offsetof(Key{}.ArpSHA)
	oArpTHA      = unsafe.Offsetof(Key{}.ArpTHA)
	oTCPFlags    = unsafe.Offsetof(Key{}.TCPFlags)
	oTpSrc       = unsafe.Offsetof(Key{}.TpSrc)
	oTpDst       = unsafe.Offsetof(Key{}.TpDst)
	oNDReserved  = unsafe.Offsetof(Key{}.NDReserved)
)

// Field identifiers, one per field govs supports, in OVS's order.
const (
	fieldInvalid FieldID = iota
	FieldDpHash
	FieldRecircID
	FieldPacketType
	FieldConjID
	FieldTunID
	FieldTunSrc
	FieldTunDst
	FieldTunIPv6Src
	FieldTunIPv6Dst
	FieldTunFlags
	FieldTunTTL
	FieldTunTOS
	FieldMetadata
	FieldInPort
	FieldInPortOXM
	FieldActsetOutput
	FieldSkbPriority
	FieldPktMark
	FieldCtState
	FieldCtZone
	FieldCtMark
	FieldCtLabel
	FieldCtNwProto
	FieldCtNwSrc
	FieldCtNwDst
	FieldCtIPv6Src
	FieldCtIPv6Dst
	FieldCtTpSrc
	FieldCtTpDst
	FieldReg0
	FieldReg1
	FieldReg2
	FieldReg3
	FieldReg4
	FieldReg5
	FieldReg6
	FieldReg7
	FieldReg8
	FieldReg9
	FieldReg10
	FieldReg11
	FieldReg12
	FieldReg13
	FieldReg14
	FieldReg15
	FieldXReg0
	FieldXReg1
	FieldXReg2
	FieldXReg3
	FieldXReg4
	FieldXReg5
	FieldXReg6
	FieldXReg7
	FieldXXReg0
	FieldXXReg1
	FieldXXReg2
	FieldXXReg3
	FieldEthSrc
	FieldEthDst
	FieldEthType
	FieldVLANTCI
	FieldDlVLAN
	FieldVLANVID
	FieldDlVLANPCP
	FieldVLANPCP
	FieldMPLSLabel
	FieldMPLSTC
	FieldMPLSBOS
	FieldMPLSTTL
	FieldIPv4Src
	FieldIPv4Dst
	FieldIPv6Src
	FieldIPv6Dst
	FieldIPv6Label
	FieldIPProto
	FieldIPDSCP
	FieldIPDSCPShifted
	FieldIPECN
	FieldIPTTL
	FieldIPFrag
	FieldARPOp
	FieldARPSPA
	FieldARPTPA
	FieldARPSHA
	FieldARPTHA
	FieldTCPSrc
	FieldTCPDst
	FieldTCPFlags
	FieldUDPSrc
	FieldUDPDst
	FieldSCTPSrc
	FieldSCTPDst
	FieldICMPv4Type
	FieldICMPv4Code
	FieldICMPv6Type
	FieldICMPv6Code
	FieldNDTarget
	FieldNDSLL
	FieldNDTLL
	FieldNDReserved
	numFields
)

var fieldTable = [...]Field{
	{ID: FieldDpHash, Name: "dp_hash", NXMName: "NXM_NX_DP_HASH", NXMHeader: 0x14604, OXMName: "NXOXM_ET_DP_HASH", OXMHeader: 0xffff000800002320,
		RefName: "NXM_NX_DP_HASH", Bytes: 4, Bits: 32, Maskable: true, Writable: false, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXOXM_ET_DP_HASH", Header: 0xffff000800002320, Version: 0}, {Name: "NXM_NX_DP_HASH", Header: 0x14604, Version: 0}},
		loc:         li(oDpHash, 4, 0, 0xffffffff)},
	{ID: FieldRecircID, Name: "recirc_id", NXMName: "NXM_NX_RECIRC_ID", NXMHeader: 0x14804,
		RefName: "NXM_NX_RECIRC_ID", Bytes: 4, Bits: 32, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_RECIRC_ID", Header: 0x14804, Version: 0}},
		loc:         li(oRecircID, 4, 0, 0xffffffff)},
	{ID: FieldPacketType, Name: "packet_type", OXMName: "OXM_OF_PACKET_TYPE", OXMHeader: 0x80005804,
		RefName: "OXM_OF_PACKET_TYPE", Bytes: 4, Bits: 32, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValuePacketType,
		Assignments: []Assignment{{Name: "OXM_OF_PACKET_TYPE", Header: 0x80005804, Version: 6}},
		loc:         li(oPacketType, 4, 0, 0xffffffff)},
	{ID: FieldConjID, Name: "conj_id", NXMName: "NXM_NX_CONJ_ID", NXMHeader: 0x14a04,
		RefName: "NXM_NX_CONJ_ID", Bytes: 4, Bits: 32, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_CONJ_ID", Header: 0x14a04, Version: 0}},
		loc:         li(oConjID, 4, 0, 0xffffffff)},
	{ID: FieldTunID, Name: "tun_id", ExtraName: "tunnel_id", NXMName: "NXM_NX_TUN_ID", NXMHeader: 0x12008, OXMName: "OXM_OF_TUNNEL_ID", OXMHeader: 0x80004c08,
		RefName: "NXM_NX_TUN_ID", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_TUNNEL_ID", Header: 0x80004c08, Version: 4}, {Name: "NXM_NX_TUN_ID", Header: 0x12008, Version: 0}},
		loc:         li(oTunID, 8, 0, ^uint64(0))},
	{ID: FieldTunSrc, Name: "tun_src", NXMName: "NXM_NX_TUN_IPV4_SRC", NXMHeader: 0x13e04,
		RefName: "NXM_NX_TUN_IPV4_SRC", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "NXM_NX_TUN_IPV4_SRC", Header: 0x13e04, Version: 0}},
		loc:         lt4(oTunSrc)},
	{ID: FieldTunDst, Name: "tun_dst", NXMName: "NXM_NX_TUN_IPV4_DST", NXMHeader: 0x14004,
		RefName: "NXM_NX_TUN_IPV4_DST", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "NXM_NX_TUN_IPV4_DST", Header: 0x14004, Version: 0}},
		loc:         lt4(oTunDst)},
	{ID: FieldTunIPv6Src, Name: "tun_ipv6_src", NXMName: "NXM_NX_TUN_IPV6_SRC", NXMHeader: 0x1da10,
		RefName: "NXM_NX_TUN_IPV6_SRC", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "NXM_NX_TUN_IPV6_SRC", Header: 0x1da10, Version: 0}},
		loc:         lt6(oTunSrc)},
	{ID: FieldTunIPv6Dst, Name: "tun_ipv6_dst", NXMName: "NXM_NX_TUN_IPV6_DST", NXMHeader: 0x1dc10,
		RefName: "NXM_NX_TUN_IPV6_DST", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "NXM_NX_TUN_IPV6_DST", Header: 0x1dc10, Version: 0}},
		loc:         lt6(oTunDst)},
	{ID: FieldTunFlags, Name: "tun_flags", NXMName: "NXM_NX_TUN_FLAGS", NXMHeader: 0x1d002,
		RefName: "NXM_NX_TUN_FLAGS", Bytes: 2, Bits: 1, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueTunFlags,
		Assignments: []Assignment{{Name: "NXM_NX_TUN_FLAGS", Header: 0x1d002, Version: 0}},
		loc:         li(oTunFlags, 2, 0, TunFlagOAM)},
	{ID: FieldTunTTL, Name: "tun_ttl",
		RefName: "tun_ttl", Bytes: 1, Bits: 8, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueDecimal,
		loc: li(oTunTTL, 1, 0, 0xff)},
	{ID: FieldTunTOS, Name: "tun_tos",
		RefName: "tun_tos", Bytes: 1, Bits: 8, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueDecimal,
		loc: li(oTunTOS, 1, 0, 0xff)},
	{ID: FieldMetadata, Name: "metadata", OXMName: "OXM_OF_METADATA", OXMHeader: 0x80000408,
		RefName: "OXM_OF_METADATA", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_METADATA", Header: 0x80000408, Version: 3}},
		loc:         li(oMetadata, 8, 0, ^uint64(0))},
	{ID: FieldInPort, Name: "in_port", NXMName: "NXM_OF_IN_PORT", NXMHeader: 0x2,
		RefName: "NXM_OF_IN_PORT", Bytes: 2, Bits: 16, Maskable: false, Writable: true, Prereq: PrereqNone, Format: ValueOFPPort,
		Assignments: []Assignment{{Name: "NXM_OF_IN_PORT", Header: 0x2, Version: 0}},
		loc:         li(oInPort, 4, 0, 0xffffffff)},
	{ID: FieldInPortOXM, Name: "in_port_oxm", OXMName: "OXM_OF_IN_PORT", OXMHeader: 0x80000004,
		RefName: "OXM_OF_IN_PORT", Bytes: 4, Bits: 32, Maskable: false, Writable: true, Prereq: PrereqNone, Format: ValueOFPPortOXM,
		Assignments: []Assignment{{Name: "OXM_OF_IN_PORT", Header: 0x80000004, Version: 3}},
		loc:         lp(oInPort)},
	{ID: FieldActsetOutput, Name: "actset_output", OXMName: "OXM_OF_ACTSET_OUTPUT", OXMHeader: 0x80005604,
		RefName: "ONFOXM_ET_ACTSET_OUTPUT", Bytes: 4, Bits: 32, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueOFPPortOXM,
		Assignments: []Assignment{{Name: "ONFOXM_ET_ACTSET_OUTPUT", Header: 0xffff56084f4e4600, Version: 4}, {Name: "OXM_OF_ACTSET_OUTPUT", Header: 0x80005604, Version: 6}},
		loc:         lp(oActsetOut)},
	{ID: FieldSkbPriority, Name: "skb_priority",
		RefName: "skb_priority", Bytes: 4, Bits: 32, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueHex,
		loc: li(oSkbPriority, 4, 0, 0xffffffff)},
	{ID: FieldPktMark, Name: "pkt_mark", NXMName: "NXM_NX_PKT_MARK", NXMHeader: 0x14204,
		RefName: "NXM_NX_PKT_MARK", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_PKT_MARK", Header: 0x14204, Version: 0}},
		loc:         li(oPktMark, 4, 0, 0xffffffff)},
	{ID: FieldCtState, Name: "ct_state", NXMName: "NXM_NX_CT_STATE", NXMHeader: 0x1d204,
		RefName: "NXM_NX_CT_STATE", Bytes: 4, Bits: 32, Maskable: true, Writable: false, Prereq: PrereqNone, Format: ValueCTState,
		Assignments: []Assignment{{Name: "NXM_NX_CT_STATE", Header: 0x1d204, Version: 0}},
		loc:         li(oCtState, 4, 0, 0xff)},
	{ID: FieldCtZone, Name: "ct_zone", NXMName: "NXM_NX_CT_ZONE", NXMHeader: 0x1d402,
		RefName: "NXM_NX_CT_ZONE", Bytes: 2, Bits: 16, Maskable: false, Writable: false, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_CT_ZONE", Header: 0x1d402, Version: 0}},
		loc:         li(oCtZone, 2, 0, 0xffff)},
	{ID: FieldCtMark, Name: "ct_mark", NXMName: "NXM_NX_CT_MARK", NXMHeader: 0x1d604,
		RefName: "NXM_NX_CT_MARK", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_CT_MARK", Header: 0x1d604, Version: 0}},
		loc:         li(oCtMark, 4, 0, 0xffffffff)},
	{ID: FieldCtLabel, Name: "ct_label", NXMName: "NXM_NX_CT_LABEL", NXMHeader: 0x1d810,
		RefName: "NXM_NX_CT_LABEL", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_CT_LABEL", Header: 0x1d810, Version: 0}},
		loc:         lb(oCtLabel)},
	{ID: FieldCtNwProto, Name: "ct_nw_proto", NXMName: "NXM_NX_CT_NW_PROTO", NXMHeader: 0x1ee01,
		RefName: "NXM_NX_CT_NW_PROTO", Bytes: 1, Bits: 8, Maskable: false, Writable: false, Prereq: PrereqCT, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_CT_NW_PROTO", Header: 0x1ee01, Version: 0}},
		loc:         li(oCtNwProto, 1, 0, 0xff)},
	{ID: FieldCtNwSrc, Name: "ct_nw_src", NXMName: "NXM_NX_CT_NW_SRC", NXMHeader: 0x1f004,
		RefName: "NXM_NX_CT_NW_SRC", Bytes: 4, Bits: 32, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "NXM_NX_CT_NW_SRC", Header: 0x1f004, Version: 0}},
		loc:         li(oCtNwSrc, 4, 0, 0xffffffff)},
	{ID: FieldCtNwDst, Name: "ct_nw_dst", NXMName: "NXM_NX_CT_NW_DST", NXMHeader: 0x1f204,
		RefName: "NXM_NX_CT_NW_DST", Bytes: 4, Bits: 32, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "NXM_NX_CT_NW_DST", Header: 0x1f204, Version: 0}},
		loc:         li(oCtNwDst, 4, 0, 0xffffffff)},
	{ID: FieldCtIPv6Src, Name: "ct_ipv6_src", NXMName: "NXM_NX_CT_IPV6_SRC", NXMHeader: 0x1f410,
		RefName: "NXM_NX_CT_IPV6_SRC", Bytes: 16, Bits: 128, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "NXM_NX_CT_IPV6_SRC", Header: 0x1f410, Version: 0}},
		loc:         lb(oCtIPv6Src)},
	{ID: FieldCtIPv6Dst, Name: "ct_ipv6_dst", NXMName: "NXM_NX_CT_IPV6_DST", NXMHeader: 0x1f610,
		RefName: "NXM_NX_CT_IPV6_DST", Bytes: 16, Bits: 128, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "NXM_NX_CT_IPV6_DST", Header: 0x1f610, Version: 0}},
		loc:         lb(oCtIPv6Dst)},
	{ID: FieldCtTpSrc, Name: "ct_tp_src", NXMName: "NXM_NX_CT_TP_SRC", NXMHeader: 0x1f802,
		RefName: "NXM_NX_CT_TP_SRC", Bytes: 2, Bits: 16, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_CT_TP_SRC", Header: 0x1f802, Version: 0}},
		loc:         li(oCtTpSrc, 2, 0, 0xffff)},
	{ID: FieldCtTpDst, Name: "ct_tp_dst", NXMName: "NXM_NX_CT_TP_DST", NXMHeader: 0x1fa02,
		RefName: "NXM_NX_CT_TP_DST", Bytes: 2, Bits: 16, Maskable: true, Writable: false, Prereq: PrereqCT, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_CT_TP_DST", Header: 0x1fa02, Version: 0}},
		loc:         li(oCtTpDst, 2, 0, 0xffff)},
	{ID: FieldReg0, Name: "reg0", NXMName: "NXM_NX_REG0", NXMHeader: 0x10004,
		RefName: "NXM_NX_REG0", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG0", Header: 0x10004, Version: 0}},
		loc:         li(oRegs+0, 4, 0, 0xffffffff)},
	{ID: FieldReg1, Name: "reg1", NXMName: "NXM_NX_REG1", NXMHeader: 0x10204,
		RefName: "NXM_NX_REG1", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG1", Header: 0x10204, Version: 0}},
		loc:         li(oRegs+4, 4, 0, 0xffffffff)},
	{ID: FieldReg2, Name: "reg2", NXMName: "NXM_NX_REG2", NXMHeader: 0x10404,
		RefName: "NXM_NX_REG2", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG2", Header: 0x10404, Version: 0}},
		loc:         li(oRegs+8, 4, 0, 0xffffffff)},
	{ID: FieldReg3, Name: "reg3", NXMName: "NXM_NX_REG3", NXMHeader: 0x10604,
		RefName: "NXM_NX_REG3", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG3", Header: 0x10604, Version: 0}},
		loc:         li(oRegs+12, 4, 0, 0xffffffff)},
	{ID: FieldReg4, Name: "reg4", NXMName: "NXM_NX_REG4", NXMHeader: 0x10804,
		RefName: "NXM_NX_REG4", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG4", Header: 0x10804, Version: 0}},
		loc:         li(oRegs+16, 4, 0, 0xffffffff)},
	{ID: FieldReg5, Name: "reg5", NXMName: "NXM_NX_REG5", NXMHeader: 0x10a04,
		RefName: "NXM_NX_REG5", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG5", Header: 0x10a04, Version: 0}},
		loc:         li(oRegs+20, 4, 0, 0xffffffff)},
	{ID: FieldReg6, Name: "reg6", NXMName: "NXM_NX_REG6", NXMHeader: 0x10c04,
		RefName: "NXM_NX_REG6", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG6", Header: 0x10c04, Version: 0}},
		loc:         li(oRegs+24, 4, 0, 0xffffffff)},
	{ID: FieldReg7, Name: "reg7", NXMName: "NXM_NX_REG7", NXMHeader: 0x10e04,
		RefName: "NXM_NX_REG7", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG7", Header: 0x10e04, Version: 0}},
		loc:         li(oRegs+28, 4, 0, 0xffffffff)},
	{ID: FieldReg8, Name: "reg8", NXMName: "NXM_NX_REG8", NXMHeader: 0x11004,
		RefName: "NXM_NX_REG8", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG8", Header: 0x11004, Version: 0}},
		loc:         li(oRegs+32, 4, 0, 0xffffffff)},
	{ID: FieldReg9, Name: "reg9", NXMName: "NXM_NX_REG9", NXMHeader: 0x11204,
		RefName: "NXM_NX_REG9", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG9", Header: 0x11204, Version: 0}},
		loc:         li(oRegs+36, 4, 0, 0xffffffff)},
	{ID: FieldReg10, Name: "reg10", NXMName: "NXM_NX_REG10", NXMHeader: 0x11404,
		RefName: "NXM_NX_REG10", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG10", Header: 0x11404, Version: 0}},
		loc:         li(oRegs+40, 4, 0, 0xffffffff)},
	{ID: FieldReg11, Name: "reg11", NXMName: "NXM_NX_REG11", NXMHeader: 0x11604,
		RefName: "NXM_NX_REG11", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG11", Header: 0x11604, Version: 0}},
		loc:         li(oRegs+44, 4, 0, 0xffffffff)},
	{ID: FieldReg12, Name: "reg12", NXMName: "NXM_NX_REG12", NXMHeader: 0x11804,
		RefName: "NXM_NX_REG12", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG12", Header: 0x11804, Version: 0}},
		loc:         li(oRegs+48, 4, 0, 0xffffffff)},
	{ID: FieldReg13, Name: "reg13", NXMName: "NXM_NX_REG13", NXMHeader: 0x11a04,
		RefName: "NXM_NX_REG13", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG13", Header: 0x11a04, Version: 0}},
		loc:         li(oRegs+52, 4, 0, 0xffffffff)},
	{ID: FieldReg14, Name: "reg14", NXMName: "NXM_NX_REG14", NXMHeader: 0x11c04,
		RefName: "NXM_NX_REG14", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG14", Header: 0x11c04, Version: 0}},
		loc:         li(oRegs+56, 4, 0, 0xffffffff)},
	{ID: FieldReg15, Name: "reg15", NXMName: "NXM_NX_REG15", NXMHeader: 0x11e04,
		RefName: "NXM_NX_REG15", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_REG15", Header: 0x11e04, Version: 0}},
		loc:         li(oRegs+60, 4, 0, 0xffffffff)},
	{ID: FieldXReg0, Name: "xreg0", OXMName: "OXM_OF_PKT_REG0", OXMHeader: 0x80010008,
		RefName: "OXM_OF_PKT_REG0", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG0", Header: 0x80010008, Version: 4}},
		loc:         lr(oRegs+0, 2)},
	{ID: FieldXReg1, Name: "xreg1", OXMName: "OXM_OF_PKT_REG1", OXMHeader: 0x80010208,
		RefName: "OXM_OF_PKT_REG1", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG1", Header: 0x80010208, Version: 4}},
		loc:         lr(oRegs+8, 2)},
	{ID: FieldXReg2, Name: "xreg2", OXMName: "OXM_OF_PKT_REG2", OXMHeader: 0x80010408,
		RefName: "OXM_OF_PKT_REG2", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG2", Header: 0x80010408, Version: 4}},
		loc:         lr(oRegs+16, 2)},
	{ID: FieldXReg3, Name: "xreg3", OXMName: "OXM_OF_PKT_REG3", OXMHeader: 0x80010608,
		RefName: "OXM_OF_PKT_REG3", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG3", Header: 0x80010608, Version: 4}},
		loc:         lr(oRegs+24, 2)},
	{ID: FieldXReg4, Name: "xreg4", OXMName: "OXM_OF_PKT_REG4", OXMHeader: 0x80010808,
		RefName: "OXM_OF_PKT_REG4", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG4", Header: 0x80010808, Version: 4}},
		loc:         lr(oRegs+32, 2)},
	{ID: FieldXReg5, Name: "xreg5", OXMName: "OXM_OF_PKT_REG5", OXMHeader: 0x80010a08,
		RefName: "OXM_OF_PKT_REG5", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG5", Header: 0x80010a08, Version: 4}},
		loc:         lr(oRegs+40, 2)},
	{ID: FieldXReg6, Name: "xreg6", OXMName: "OXM_OF_PKT_REG6", OXMHeader: 0x80010c08,
		RefName: "OXM_OF_PKT_REG6", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG6", Header: 0x80010c08, Version: 4}},
		loc:         lr(oRegs+48, 2)},
	{ID: FieldXReg7, Name: "xreg7", OXMName: "OXM_OF_PKT_REG7", OXMHeader: 0x80010e08,
		RefName: "OXM_OF_PKT_REG7", Bytes: 8, Bits: 64, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_PKT_REG7", Header: 0x80010e08, Version: 4}},
		loc:         lr(oRegs+56, 2)},
	{ID: FieldXXReg0, Name: "xxreg0", NXMName: "NXM_NX_XXREG0", NXMHeader: 0x1de10,
		RefName: "NXM_NX_XXREG0", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_XXREG0", Header: 0x1de10, Version: 0}},
		loc:         lr(oRegs+0, 4)},
	{ID: FieldXXReg1, Name: "xxreg1", NXMName: "NXM_NX_XXREG1", NXMHeader: 0x1e010,
		RefName: "NXM_NX_XXREG1", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_XXREG1", Header: 0x1e010, Version: 0}},
		loc:         lr(oRegs+16, 4)},
	{ID: FieldXXReg2, Name: "xxreg2", NXMName: "NXM_NX_XXREG2", NXMHeader: 0x1e210,
		RefName: "NXM_NX_XXREG2", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_XXREG2", Header: 0x1e210, Version: 0}},
		loc:         lr(oRegs+32, 4)},
	{ID: FieldXXReg3, Name: "xxreg3", NXMName: "NXM_NX_XXREG3", NXMHeader: 0x1e410,
		RefName: "NXM_NX_XXREG3", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqNone, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_NX_XXREG3", Header: 0x1e410, Version: 0}},
		loc:         lr(oRegs+48, 4)},
	{ID: FieldEthSrc, Name: "eth_src", ExtraName: "dl_src", NXMName: "NXM_OF_ETH_SRC", NXMHeader: 0x406, OXMName: "OXM_OF_ETH_SRC", OXMHeader: 0x80000806,
		RefName: "NXM_OF_ETH_SRC", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqEthernet, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_ETH_SRC", Header: 0x80000806, Version: 3}, {Name: "NXM_OF_ETH_SRC", Header: 0x406, Version: 0}},
		loc:         lb(oDlSrc)},
	{ID: FieldEthDst, Name: "eth_dst", ExtraName: "dl_dst", NXMName: "NXM_OF_ETH_DST", NXMHeader: 0x206, OXMName: "OXM_OF_ETH_DST", OXMHeader: 0x80000606,
		RefName: "NXM_OF_ETH_DST", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqEthernet, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_ETH_DST", Header: 0x80000606, Version: 3}, {Name: "NXM_OF_ETH_DST", Header: 0x206, Version: 0}},
		loc:         lb(oDlDst)},
	{ID: FieldEthType, Name: "eth_type", ExtraName: "dl_type", NXMName: "NXM_OF_ETH_TYPE", NXMHeader: 0x602, OXMName: "OXM_OF_ETH_TYPE", OXMHeader: 0x80000a02,
		RefName: "NXM_OF_ETH_TYPE", Bytes: 2, Bits: 16, Maskable: false, Writable: false, Prereq: PrereqEthernet, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_ETH_TYPE", Header: 0x80000a02, Version: 3}, {Name: "NXM_OF_ETH_TYPE", Header: 0x602, Version: 0}},
		loc:         li(oDlType, 2, 0, 0xffff)},
	{ID: FieldVLANTCI, Name: "vlan_tci", NXMName: "NXM_OF_VLAN_TCI", NXMHeader: 0x802,
		RefName: "NXM_OF_VLAN_TCI", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqEthernet, Format: ValueHex,
		Assignments: []Assignment{{Name: "NXM_OF_VLAN_TCI", Header: 0x802, Version: 0}},
		loc:         li(oTCI, 2, 0, 0xffff)},
	{ID: FieldDlVLAN, Name: "dl_vlan",
		RefName: "dl_vlan", Bytes: 2, Bits: 12, Maskable: false, Writable: true, Prereq: PrereqEthernet, Format: ValueDecimal,
		loc: li(oTCI, 2, 0, 0x0fff)},
	{ID: FieldVLANVID, Name: "vlan_vid", OXMName: "OXM_OF_VLAN_VID", OXMHeader: 0x80000c02,
		RefName: "OXM_OF_VLAN_VID", Bytes: 2, Bits: 12, Maskable: true, Writable: true, Prereq: PrereqEthernet, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_VLAN_VID", Header: 0x80000c02, Version: 3}},
		loc:         li(oTCI, 2, 0, 0x1fff)},
	{ID: FieldDlVLANPCP, Name: "dl_vlan_pcp",
		RefName: "dl_vlan_pcp", Bytes: 1, Bits: 3, Maskable: false, Writable: true, Prereq: PrereqEthernet, Format: ValueDecimal,
		loc: li(oTCI, 2, 13, 0xe000)},
	{ID: FieldVLANPCP, Name: "vlan_pcp", OXMName: "OXM_OF_VLAN_PCP", OXMHeader: 0x80000e01,
		RefName: "OXM_OF_VLAN_PCP", Bytes: 1, Bits: 3, Maskable: false, Writable: true, Prereq: PrereqVLANVID, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_VLAN_PCP", Header: 0x80000e01, Version: 3}},
		loc:         li(oTCI, 2, 13, 0xe000)},
	{ID: FieldMPLSLabel, Name: "mpls_label", OXMName: "OXM_OF_MPLS_LABEL", OXMHeader: 0x80004404,
		RefName: "OXM_OF_MPLS_LABEL", Bytes: 4, Bits: 20, Maskable: false, Writable: true, Prereq: PrereqMPLS, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_MPLS_LABEL", Header: 0x80004404, Version: 3}},
		loc:         li(oMPLS, 4, 12, 0xfffff000)},
	{ID: FieldMPLSTC, Name: "mpls_tc", OXMName: "OXM_OF_MPLS_TC", OXMHeader: 0x80004601,
		RefName: "OXM_OF_MPLS_TC", Bytes: 1, Bits: 3, Maskable: false, Writable: true, Prereq: PrereqMPLS, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_MPLS_TC", Header: 0x80004601, Version: 3}},
		loc:         li(oMPLS, 4, 9, 0xe00)},
	{ID: FieldMPLSBOS, Name: "mpls_bos", OXMName: "OXM_OF_MPLS_BOS", OXMHeader: 0x80004801,
		RefName: "OXM_OF_MPLS_BOS", Bytes: 1, Bits: 1, Maskable: false, Writable: false, Prereq: PrereqMPLS, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_MPLS_BOS", Header: 0x80004801, Version: 4}},
		loc:         li(oMPLS, 4, 8, 0x100)},
	{ID: FieldMPLSTTL, Name: "mpls_ttl", NXMName: "NXM_NX_MPLS_TTL", NXMHeader: 0x13c01,
		RefName: "NXM_NX_MPLS_TTL", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqMPLS, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_MPLS_TTL", Header: 0x13c01, Version: 0}},
		loc:         li(oMPLS, 4, 0, 0xff)},
	{ID: FieldIPv4Src, Name: "ip_src", ExtraName: "nw_src", NXMName: "NXM_OF_IP_SRC", NXMHeader: 0xe04, OXMName: "OXM_OF_IPV4_SRC", OXMHeader: 0x80001604,
		RefName: "NXM_OF_IP_SRC", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqIPv4, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "OXM_OF_IPV4_SRC", Header: 0x80001604, Version: 3}, {Name: "NXM_OF_IP_SRC", Header: 0xe04, Version: 0}},
		loc:         li(oNwSrc, 4, 0, 0xffffffff)},
	{ID: FieldIPv4Dst, Name: "ip_dst", ExtraName: "nw_dst", NXMName: "NXM_OF_IP_DST", NXMHeader: 0x1004, OXMName: "OXM_OF_IPV4_DST", OXMHeader: 0x80001804,
		RefName: "NXM_OF_IP_DST", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqIPv4, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "OXM_OF_IPV4_DST", Header: 0x80001804, Version: 3}, {Name: "NXM_OF_IP_DST", Header: 0x1004, Version: 0}},
		loc:         li(oNwDst, 4, 0, 0xffffffff)},
	{ID: FieldIPv6Src, Name: "ipv6_src", NXMName: "NXM_NX_IPV6_SRC", NXMHeader: 0x12610, OXMName: "OXM_OF_IPV6_SRC", OXMHeader: 0x80003410,
		RefName: "NXM_NX_IPV6_SRC", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqIPv6, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_SRC", Header: 0x80003410, Version: 3}, {Name: "NXM_NX_IPV6_SRC", Header: 0x12610, Version: 0}},
		loc:         lb(oIPv6Src)},
	{ID: FieldIPv6Dst, Name: "ipv6_dst", NXMName: "NXM_NX_IPV6_DST", NXMHeader: 0x12810, OXMName: "OXM_OF_IPV6_DST", OXMHeader: 0x80003610,
		RefName: "NXM_NX_IPV6_DST", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqIPv6, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_DST", Header: 0x80003610, Version: 3}, {Name: "NXM_NX_IPV6_DST", Header: 0x12810, Version: 0}},
		loc:         lb(oIPv6Dst)},
	{ID: FieldIPv6Label, Name: "ipv6_label", NXMName: "NXM_NX_IPV6_LABEL", NXMHeader: 0x13604, OXMName: "OXM_OF_IPV6_FLABEL", OXMHeader: 0x80003804,
		RefName: "NXM_NX_IPV6_LABEL", Bytes: 4, Bits: 20, Maskable: true, Writable: true, Prereq: PrereqIPv6, Format: ValueHex,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_FLABEL", Header: 0x80003804, Version: 3}, {Name: "NXM_NX_IPV6_LABEL", Header: 0x13604, Version: 0}},
		loc:         li(oIPv6Label, 4, 0, 0xfffff)},
	{ID: FieldIPProto, Name: "nw_proto", ExtraName: "ip_proto", NXMName: "NXM_OF_IP_PROTO", NXMHeader: 0xc01, OXMName: "OXM_OF_IP_PROTO", OXMHeader: 0x80001401,
		RefName: "NXM_OF_IP_PROTO", Bytes: 1, Bits: 8, Maskable: false, Writable: false, Prereq: PrereqIP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_IP_PROTO", Header: 0x80001401, Version: 3}, {Name: "NXM_OF_IP_PROTO", Header: 0xc01, Version: 0}},
		loc:         li(oNwProto, 1, 0, 0xff)},
	{ID: FieldIPDSCP, Name: "nw_tos", NXMName: "NXM_OF_IP_TOS", NXMHeader: 0xa01,
		RefName: "NXM_OF_IP_TOS", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqIP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_OF_IP_TOS", Header: 0xa01, Version: 0}},
		loc:         li(oNwTOS, 1, 0, 0xfc)},
	{ID: FieldIPDSCPShifted, Name: "ip_dscp", OXMName: "OXM_OF_IP_DSCP", OXMHeader: 0x80001001,
		RefName: "OXM_OF_IP_DSCP", Bytes: 1, Bits: 6, Maskable: false, Writable: true, Prereq: PrereqIP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_IP_DSCP", Header: 0x80001001, Version: 3}},
		loc:         li(oNwTOS, 1, 2, 0xfc)},
	{ID: FieldIPECN, Name: "nw_ecn", ExtraName: "ip_ecn", NXMName: "NXM_NX_IP_ECN", NXMHeader: 0x13801, OXMName: "OXM_OF_IP_ECN", OXMHeader: 0x80001201,
		RefName: "NXM_NX_IP_ECN", Bytes: 1, Bits: 2, Maskable: false, Writable: true, Prereq: PrereqIP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_IP_ECN", Header: 0x80001201, Version: 3}, {Name: "NXM_NX_IP_ECN", Header: 0x13801, Version: 0}},
		loc:         li(oNwTOS, 1, 0, 0x03)},
	{ID: FieldIPTTL, Name: "nw_ttl", NXMName: "NXM_NX_IP_TTL", NXMHeader: 0x13a01,
		RefName: "NXM_NX_IP_TTL", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqIP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "NXM_NX_IP_TTL", Header: 0x13a01, Version: 0}},
		loc:         li(oNwTTL, 1, 0, 0xff)},
	{ID: FieldIPFrag, Name: "ip_frag", ExtraName: "nw_frag", NXMName: "NXM_NX_IP_FRAG", NXMHeader: 0x13401,
		RefName: "NXM_NX_IP_FRAG", Bytes: 1, Bits: 2, Maskable: true, Writable: false, Prereq: PrereqIP, Format: ValueFrag,
		Assignments: []Assignment{{Name: "NXM_NX_IP_FRAG", Header: 0x13401, Version: 0}},
		loc:         li(oNwFrag, 1, 0, FragMask)},
	{ID: FieldARPOp, Name: "arp_op", NXMName: "NXM_OF_ARP_OP", NXMHeader: 0x1e02, OXMName: "OXM_OF_ARP_OP", OXMHeader: 0x80002a02,
		RefName: "NXM_OF_ARP_OP", Bytes: 2, Bits: 16, Maskable: false, Writable: true, Prereq: PrereqARP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_ARP_OP", Header: 0x80002a02, Version: 3}, {Name: "NXM_OF_ARP_OP", Header: 0x1e02, Version: 0}},
		loc:         li(oNwProto, 1, 0, 0xff)},
	{ID: FieldARPSPA, Name: "arp_spa", NXMName: "NXM_OF_ARP_SPA", NXMHeader: 0x2004, OXMName: "OXM_OF_ARP_SPA", OXMHeader: 0x80002c04,
		RefName: "NXM_OF_ARP_SPA", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqARP, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "OXM_OF_ARP_SPA", Header: 0x80002c04, Version: 3}, {Name: "NXM_OF_ARP_SPA", Header: 0x2004, Version: 0}},
		loc:         li(oNwSrc, 4, 0, 0xffffffff)},
	{ID: FieldARPTPA, Name: "arp_tpa", NXMName: "NXM_OF_ARP_TPA", NXMHeader: 0x2204, OXMName: "OXM_OF_ARP_TPA", OXMHeader: 0x80002e04,
		RefName: "NXM_OF_ARP_TPA", Bytes: 4, Bits: 32, Maskable: true, Writable: true, Prereq: PrereqARP, Format: ValueIPv4,
		Assignments: []Assignment{{Name: "OXM_OF_ARP_TPA", Header: 0x80002e04, Version: 3}, {Name: "NXM_OF_ARP_TPA", Header: 0x2204, Version: 0}},
		loc:         li(oNwDst, 4, 0, 0xffffffff)},
	{ID: FieldARPSHA, Name: "arp_sha", NXMName: "NXM_NX_ARP_SHA", NXMHeader: 0x12206, OXMName: "OXM_OF_ARP_SHA", OXMHeader: 0x80003006,
		RefName: "NXM_NX_ARP_SHA", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqARP, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_ARP_SHA", Header: 0x80003006, Version: 3}, {Name: "NXM_NX_ARP_SHA", Header: 0x12206, Version: 0}},
		loc:         lb(oArpSHA)},
	{ID: FieldARPTHA, Name: "arp_tha", NXMName: "NXM_NX_ARP_THA", NXMHeader: 0x12406, OXMName: "OXM_OF_ARP_THA", OXMHeader: 0x80003206,
		RefName: "NXM_NX_ARP_THA", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqARP, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_ARP_THA", Header: 0x80003206, Version: 3}, {Name: "NXM_NX_ARP_THA", Header: 0x12406, Version: 0}},
		loc:         lb(oArpTHA)},
	{ID: FieldTCPSrc, Name: "tcp_src", ExtraName: "tp_src", NXMName: "NXM_OF_TCP_SRC", NXMHeader: 0x1202, OXMName: "OXM_OF_TCP_SRC", OXMHeader: 0x80001a02,
		RefName: "NXM_OF_TCP_SRC", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqTCP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_TCP_SRC", Header: 0x80001a02, Version: 3}, {Name: "NXM_OF_TCP_SRC", Header: 0x1202, Version: 0}},
		loc:         li(oTpSrc, 2, 0, 0xffff)},
	{ID: FieldTCPDst, Name: "tcp_dst", ExtraName: "tp_dst", NXMName: "NXM_OF_TCP_DST", NXMHeader: 0x1402, OXMName: "OXM_OF_TCP_DST", OXMHeader: 0x80001c02,
		RefName: "NXM_OF_TCP_DST", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqTCP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_TCP_DST", Header: 0x80001c02, Version: 3}, {Name: "NXM_OF_TCP_DST", Header: 0x1402, Version: 0}},
		loc:         li(oTpDst, 2, 0, 0xffff)},
	{ID: FieldTCPFlags, Name: "tcp_flags", NXMName: "NXM_NX_TCP_FLAGS", NXMHeader: 0x14402, OXMName: "OXM_OF_TCP_FLAGS", OXMHeader: 0x80005402,
		RefName: "NXM_NX_TCP_FLAGS", Bytes: 2, Bits: 12, Maskable: true, Writable: false, Prereq: PrereqTCP, Format: ValueTCPFlags,
		Assignments: []Assignment{{Name: "ONFOXM_ET_TCP_FLAGS", Header: 0xffff54064f4e4600, Version: 4}, {Name: "OXM_OF_TCP_FLAGS", Header: 0x80005402, Version: 6}, {Name: "NXM_NX_TCP_FLAGS", Header: 0x14402, Version: 0}},
		loc:         li(oTCPFlags, 2, 0, 0x0fff)},
	{ID: FieldUDPSrc, Name: "udp_src", NXMName: "NXM_OF_UDP_SRC", NXMHeader: 0x1602, OXMName: "OXM_OF_UDP_SRC", OXMHeader: 0x80001e02,
		RefName: "NXM_OF_UDP_SRC", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqUDP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_UDP_SRC", Header: 0x80001e02, Version: 3}, {Name: "NXM_OF_UDP_SRC", Header: 0x1602, Version: 0}},
		loc:         li(oTpSrc, 2, 0, 0xffff)},
	{ID: FieldUDPDst, Name: "udp_dst", NXMName: "NXM_OF_UDP_DST", NXMHeader: 0x1802, OXMName: "OXM_OF_UDP_DST", OXMHeader: 0x80002002,
		RefName: "NXM_OF_UDP_DST", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqUDP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_UDP_DST", Header: 0x80002002, Version: 3}, {Name: "NXM_OF_UDP_DST", Header: 0x1802, Version: 0}},
		loc:         li(oTpDst, 2, 0, 0xffff)},
	{ID: FieldSCTPSrc, Name: "sctp_src", OXMName: "OXM_OF_SCTP_SRC", OXMHeader: 0x80002202,
		RefName: "OXM_OF_SCTP_SRC", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqSCTP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_SCTP_SRC", Header: 0x80002202, Version: 3}},
		loc:         li(oTpSrc, 2, 0, 0xffff)},
	{ID: FieldSCTPDst, Name: "sctp_dst", OXMName: "OXM_OF_SCTP_DST", OXMHeader: 0x80002402,
		RefName: "OXM_OF_SCTP_DST", Bytes: 2, Bits: 16, Maskable: true, Writable: true, Prereq: PrereqSCTP, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_SCTP_DST", Header: 0x80002402, Version: 3}},
		loc:         li(oTpDst, 2, 0, 0xffff)},
	{ID: FieldICMPv4Type, Name: "icmp_type", NXMName: "NXM_OF_ICMP_TYPE", NXMHeader: 0x1a01, OXMName: "OXM_OF_ICMPV4_TYPE", OXMHeader: 0x80002601,
		RefName: "NXM_OF_ICMP_TYPE", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqICMPv4, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_ICMPV4_TYPE", Header: 0x80002601, Version: 3}, {Name: "NXM_OF_ICMP_TYPE", Header: 0x1a01, Version: 0}},
		loc:         li(oTpSrc, 2, 0, 0xffff)},
	{ID: FieldICMPv4Code, Name: "icmp_code", NXMName: "NXM_OF_ICMP_CODE", NXMHeader: 0x1c01, OXMName: "OXM_OF_ICMPV4_CODE", OXMHeader: 0x80002801,
		RefName: "NXM_OF_ICMP_CODE", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqICMPv4, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_ICMPV4_CODE", Header: 0x80002801, Version: 3}, {Name: "NXM_OF_ICMP_CODE", Header: 0x1c01, Version: 0}},
		loc:         li(oTpDst, 2, 0, 0xffff)},
	{ID: FieldICMPv6Type, Name: "icmpv6_type", NXMName: "NXM_NX_ICMPV6_TYPE", NXMHeader: 0x12a01, OXMName: "OXM_OF_ICMPV6_TYPE", OXMHeader: 0x80003a01,
		RefName: "NXM_NX_ICMPV6_TYPE", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqICMPv6, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_ICMPV6_TYPE", Header: 0x80003a01, Version: 3}, {Name: "NXM_NX_ICMPV6_TYPE", Header: 0x12a01, Version: 0}},
		loc:         li(oTpSrc, 2, 0, 0xffff)},
	{ID: FieldICMPv6Code, Name: "icmpv6_code", NXMName: "NXM_NX_ICMPV6_CODE", NXMHeader: 0x12c01, OXMName: "OXM_OF_ICMPV6_CODE", OXMHeader: 0x80003c01,
		RefName: "NXM_NX_ICMPV6_CODE", Bytes: 1, Bits: 8, Maskable: false, Writable: true, Prereq: PrereqICMPv6, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "OXM_OF_ICMPV6_CODE", Header: 0x80003c01, Version: 3}, {Name: "NXM_NX_ICMPV6_CODE", Header: 0x12c01, Version: 0}},
		loc:         li(oTpDst, 2, 0, 0xffff)},
	{ID: FieldNDTarget, Name: "nd_target", NXMName: "NXM_NX_ND_TARGET", NXMHeader: 0x12e10, OXMName: "OXM_OF_IPV6_ND_TARGET", OXMHeader: 0x80003e10,
		RefName: "NXM_NX_ND_TARGET", Bytes: 16, Bits: 128, Maskable: true, Writable: true, Prereq: PrereqND, Format: ValueIPv6,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_ND_TARGET", Header: 0x80003e10, Version: 3}, {Name: "NXM_NX_ND_TARGET", Header: 0x12e10, Version: 0}},
		loc:         lb(oNDTarget)},
	{ID: FieldNDSLL, Name: "nd_sll", NXMName: "NXM_NX_ND_SLL", NXMHeader: 0x13006, OXMName: "OXM_OF_IPV6_ND_SLL", OXMHeader: 0x80004006,
		RefName: "NXM_NX_ND_SLL", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqNDSolicit, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_ND_SLL", Header: 0x80004006, Version: 3}, {Name: "NXM_NX_ND_SLL", Header: 0x13006, Version: 0}},
		loc:         lb(oArpSHA)},
	{ID: FieldNDTLL, Name: "nd_tll", NXMName: "NXM_NX_ND_TLL", NXMHeader: 0x13206, OXMName: "OXM_OF_IPV6_ND_TLL", OXMHeader: 0x80004206,
		RefName: "NXM_NX_ND_TLL", Bytes: 6, Bits: 48, Maskable: true, Writable: true, Prereq: PrereqNDAdvert, Format: ValueEthernet,
		Assignments: []Assignment{{Name: "OXM_OF_IPV6_ND_TLL", Header: 0x80004206, Version: 3}, {Name: "NXM_NX_ND_TLL", Header: 0x13206, Version: 0}},
		loc:         lb(oArpTHA)},
	{ID: FieldNDReserved, Name: "nd_reserved", OXMName: "ERICOXM_OF_ICMPV6_ND_RESERVED", OXMHeader: 0x10000204,
		RefName: "ERICOXM_OF_ICMPV6_ND_RESERVED", Bytes: 4, Bits: 32, Maskable: false, Writable: true, Prereq: PrereqND, Format: ValueDecimal,
		Assignments: []Assignment{{Name: "ERICOXM_OF_ICMPV6_ND_RESERVED", Header: 0x10000204, Version: 0}},
		loc:         li(oNDReserved, 4, 0, 0xffffffff)},
}
