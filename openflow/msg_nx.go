package openflow

import "fmt"

// More Nicira message subtypes.
const (
	nxtTLVTableMod     = 24
	nxtTLVTableRequest = 25
	nxtTLVTableReply   = 26
	nxtResume          = 28
	nxtCTFlushZone     = 29
)

// More message kinds (Nicira extensions).
const (
	MsgTLVTableMod MsgType = iota + 100
	MsgTLVTableRequest
	MsgTLVTableReply
	MsgResume
	MsgCTFlushZone
)

// TLV table commands.
const (
	TLVTableAdd    uint16 = 0
	TLVTableDelete uint16 = 1
	TLVTableClear  uint16 = 2
)

// TLVMap maps a Geneve option (class, type, length) to tun_metadata<Index>.
type TLVMap struct {
	OptionClass uint16
	OptionType  uint8
	OptionLen   uint8
	Index       uint16
}

// TLVTableMod is NXT_TLV_TABLE_MOD.
type TLVTableMod struct {
	Header
	Command  uint16
	Mappings []TLVMap
}

// TLVTableRequest is NXT_TLV_TABLE_REQUEST.
type TLVTableRequest struct{ Header }

// TLVTableReply is NXT_TLV_TABLE_REPLY.
type TLVTableReply struct {
	Header
	MaxOptionSpace uint32
	MaxFields      uint16
	Mappings       []TLVMap
}

// Resume is NXT_RESUME: a controller hands a paused packet-in (with its
// continuation) back to the switch. It has NXT_PACKET_IN2's properties.
type Resume struct {
	Header
	PacketIn
}

// CTFlushZone is NXT_CT_FLUSH_ZONE.
type CTFlushZone struct {
	Header
	Zone uint16
}

// Type implements Message.
func (*TLVTableMod) Type() MsgType { return MsgTLVTableMod }

// Type implements Message.
func (*TLVTableRequest) Type() MsgType { return MsgTLVTableRequest }

// Type implements Message.
func (*TLVTableReply) Type() MsgType { return MsgTLVTableReply }

// Type implements Message.
func (*Resume) Type() MsgType { return MsgResume }

// Head implements Message (the embedded PacketIn's header is unused).
func (m *Resume) Head() *Header { return &m.Header }

// Type implements Message.
func (*CTFlushZone) Type() MsgType { return MsgCTFlushZone }

func decodeTLVMaps(r *rd) ([]TLVMap, error) {
	if len(r.b)%8 != 0 {
		return nil, fmt.Errorf("openflow: TLV map list length %d: %w", len(r.b), ErrOFPBRCBadLen)
	}
	var out []TLVMap
	for len(r.b) > 0 {
		m := TLVMap{OptionClass: r.u16(), OptionType: r.u8(), OptionLen: r.u8(), Index: r.u16()}
		r.skip(2)
		if m.OptionLen%4 != 0 || m.OptionLen > 124 {
			return nil, fmt.Errorf("openflow: TLV option length %d: %w", m.OptionLen, ErrNXTTMFCBadOptLen)
		}
		out = append(out, m)
	}
	return out, nil
}

func encodeTLVMaps(w *buf, maps []TLVMap) {
	for _, m := range maps {
		w.u16(m.OptionClass)
		w.u8(m.OptionType)
		w.u8(m.OptionLen)
		w.u16(m.Index)
		w.zeros(2)
	}
}

// decodeNXMore decodes the Nicira messages of this file; ok is false for
// other subtypes.
func decodeNXMore(h Header, sub uint32, r *rd) (Message, bool, error) {
	switch sub {
	case nxtTLVTableMod:
		m := &TLVTableMod{Header: h, Command: r.u16()}
		r.skip(6)
		if !r.ok {
			return nil, true, fmt.Errorf("openflow: short tlv_table_mod: %w", ErrOFPBRCBadLen)
		}
		if m.Command > TLVTableClear {
			return nil, true, fmt.Errorf("openflow: tlv_table_mod command %d: %w", m.Command, ErrNXTTMFCBadCommand)
		}
		var err error
		m.Mappings, err = decodeTLVMaps(r)
		return m, true, err
	case nxtTLVTableRequest:
		if len(r.b) != 0 {
			return nil, true, fmt.Errorf("openflow: tlv_table_request length: %w", ErrOFPBRCBadLen)
		}
		return &TLVTableRequest{Header: h}, true, nil
	case nxtTLVTableReply:
		m := &TLVTableReply{Header: h, MaxOptionSpace: r.u32(), MaxFields: r.u16()}
		r.skip(10)
		if !r.ok {
			return nil, true, fmt.Errorf("openflow: short tlv_table_reply: %w", ErrOFPBRCBadLen)
		}
		var err error
		m.Mappings, err = decodeTLVMaps(r)
		return m, true, err
	case nxtResume:
		pi, err := decodePacketIn(h, PacketInNX2, r)
		if err != nil {
			return nil, true, err
		}
		return &Resume{Header: h, PacketIn: *pi.(*PacketIn)}, true, nil
	case nxtFlowMonitorCancel:
		m := &FlowMonitorCancel{Header: h, ID: r.u32()}
		if !r.ok || len(r.b) != 0 {
			return nil, true, fmt.Errorf("openflow: flow_monitor_cancel length: %w", ErrOFPBRCBadLen)
		}
		return m, true, nil
	case nxtFlowMonitorPaused, nxtFlowMonitorResumed:
		if len(r.b) != 0 {
			return nil, true, fmt.Errorf("openflow: flow monitor paused/resumed length: %w", ErrOFPBRCBadLen)
		}
		return &FlowMonitorPaused{Header: h, Resumed: sub == nxtFlowMonitorResumed}, true, nil
	case nxtCTFlush:
		m := &CTFlush{Header: h, IPProto: r.u8()}
		r.skip(7)
		if !r.ok {
			return nil, true, fmt.Errorf("openflow: short ct_flush: %w", ErrOFPBRCBadLen)
		}
		m.Properties = clone(r.rest())
		return m, true, nil
	case nxtCTFlushZone:
		r.skip(6) // must be zero, but OVS does not check
		m := &CTFlushZone{Header: h, Zone: r.u16()}
		if !r.ok || len(r.b) != 0 {
			return nil, true, fmt.Errorf("openflow: ct_flush_zone length: %w", ErrOFPBRCBadLen)
		}
		return m, true, nil
	}
	return nil, false, nil
}

// encodeNXMore encodes the Nicira messages of this file; ok is false for
// other types.
func encodeNXMore(w *buf, m Message) (bool, error) {
	h := m.Head()
	switch m := m.(type) {
	case *TLVTableMod:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtTLVTableMod)
		w.u16(m.Command)
		w.zeros(6)
		encodeTLVMaps(w, m.Mappings)
	case *TLVTableRequest:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtTLVTableRequest)
	case *TLVTableReply:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtTLVTableReply)
		w.u32(m.MaxOptionSpace)
		w.u16(m.MaxFields)
		w.zeros(10)
		encodeTLVMaps(w, m.Mappings)
	case *Resume:
		pi := m.PacketIn
		pi.Header, pi.Format = m.Header, PacketInNX2
		if err := encodePacketIn(w, &pi); err != nil {
			return true, err
		}
		w.b[HeaderLen+7] = nxtResume // subtype's low byte
	case *FlowMonitorCancel:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtFlowMonitorCancel)
		w.u32(m.ID)
	case *FlowMonitorPaused:
		sub := uint32(nxtFlowMonitorPaused)
		if m.Resumed {
			sub = nxtFlowMonitorResumed
		}
		vendorHeader(w, h.Version, h.XID, VendorNicira, sub)
	case *CTFlush:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtCTFlush)
		w.u8(m.IPProto)
		w.zeros(7)
		w.bytes(m.Properties)
	case *CTFlushZone:
		vendorHeader(w, h.Version, h.XID, VendorNicira, nxtCTFlushZone)
		w.zeros(6)
		w.u16(m.Zone)
	default:
		return false, nil
	}
	return true, nil
}

// MsgRoleStatus is the kind of RoleStatus.
const MsgRoleStatus MsgType = 120

const (
	ofpt14RoleStatus  = 30
	onftRoleStatus    = 1911
	roleStatusFixedSz = 16
)

// Role status reasons.
const (
	RoleReasonMasterRequest uint8 = 0
	RoleReasonConfig        uint8 = 1
	RoleReasonExperimenter  uint8 = 2
)

// RoleStatus tells a controller its role changed: OFPT_ROLE_STATUS (OF1.4+)
// or, in OF1.3, ONFT_ROLE_STATUS. Properties are kept raw.
type RoleStatus struct {
	Header
	Role         uint32
	Reason       uint8
	GenerationID uint64
	Properties   []byte
}

// Type implements Message.
func (*RoleStatus) Type() MsgType { return MsgRoleStatus }

func decodeRoleStatus(h Header, r *rd) (Message, error) {
	m := &RoleStatus{Header: h, Role: r.u32(), Reason: r.u8()}
	r.skip(3)
	m.GenerationID = r.u64()
	if !r.ok {
		return nil, fmt.Errorf("openflow: short role status: %w", ErrOFPBRCBadLen)
	}
	m.Properties = clone(r.rest())
	return m, nil
}

func encodeRoleStatus(w *buf, m *RoleStatus) error {
	switch {
	case m.Version >= Version14:
		w.header(m.Version, ofpt14RoleStatus, m.XID)
	case m.Version == Version13:
		vendorHeader(w, m.Version, m.XID, VendorONF, onftRoleStatus)
	default:
		return fmt.Errorf("openflow: role status before OF1.3: %w", ErrOFPBRCBadType)
	}
	w.u32(m.Role)
	w.u8(m.Reason)
	w.zeros(3)
	w.u64(m.GenerationID)
	w.bytes(m.Properties)
	return nil
}

// MsgCTFlush is the kind of CTFlush.
const MsgCTFlush MsgType = 150

const nxtCTFlush = 32

// CTFlush is NXT_CT_FLUSH: flush conntrack entries of IPProto matching the
// nested TLVs (zone, original and reply tuples), kept raw in Properties.
type CTFlush struct {
	Header
	IPProto    uint8
	Properties []byte
}

// Type implements Message.
func (*CTFlush) Type() MsgType { return MsgCTFlush }
