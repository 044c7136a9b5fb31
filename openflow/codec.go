package openflow

import "fmt"

// Bundle control types.
const (
	BundleOpenRequest    uint16 = 0
	BundleOpenReply      uint16 = 1
	BundleCloseRequest   uint16 = 2
	BundleCloseReply     uint16 = 3
	BundleCommitRequest  uint16 = 4
	BundleCommitReply    uint16 = 5
	BundleDiscardRequest uint16 = 6
	BundleDiscardReply   uint16 = 7
)

// Bundle flags.
const (
	BundleAtomic  uint16 = 1
	BundleOrdered uint16 = 2
)

// BundleControl is OFPT_BUNDLE_CONTROL (OF1.4+) or, in OF1.3 with ONF set,
// the ONF extension ONFT_BUNDLE_CONTROL used by `ovs-ofctl --bundle`.
// Properties are kept raw.
type BundleControl struct {
	Header
	ONF        bool
	BundleID   uint32
	CtrlType   uint16
	Flags      uint16
	Properties []byte
}

// Type implements Message.
func (*BundleControl) Type() MsgType { return MsgBundleControl }

// BundleAdd is OFPT_BUNDLE_ADD_MESSAGE (or ONFT_BUNDLE_ADD_MESSAGE). Raw is
// the inner message; Inner is Raw decoded (same version as the outer one).
type BundleAdd struct {
	Header
	ONF        bool
	BundleID   uint32
	Flags      uint16
	Raw        []byte
	Inner      Message
	Properties []byte
}

// Type implements Message.
func (*BundleAdd) Type() MsgType { return MsgBundleAdd }

// Decode parses one whole message (header included, len(b) must equal the
// header's length). It never panics; failures wrap an Error carrying the
// (type, code) a switch should answer with (see AsError). The result owns
// copies of any variable-length data, so b may be reused afterwards.
func Decode(b []byte) (Message, error) {
	ver, typ, length, xid, err := ParseHeader(b)
	if err != nil {
		return nil, err
	}
	if int(length) != len(b) {
		return nil, fmt.Errorf("openflow: header length %d but %d bytes: %w", length, len(b), ErrOFPBRCBadLen)
	}
	h := Header{Version: ver, XID: xid}
	r := newRd(b[HeaderLen:])
	if typ == ofptHello {
		return decodeHello(h, r), nil
	}
	if ver < Version10 || ver > Version15 {
		return nil, fmt.Errorf("openflow: version %#x: %w", ver, ErrOFPBRCBadVersion)
	}
	m, err := decodeBody(h, typ, r)
	if err != nil {
		return nil, fmt.Errorf("openflow: decode type %d (OF version %#x): %w", typ, ver, err)
	}
	return m, nil
}

func empty(m Message, r *rd) (Message, error) {
	if len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: %v has %d-byte body: %w", m.Type(), len(r.b), ErrOFPBRCBadLen)
	}
	return m, nil
}

func decodeBody(h Header, typ uint8, r *rd) (Message, error) {
	v := h.Version
	switch typ {
	case ofptError:
		return decodeError(h, r)
	case ofptEchoRequest:
		return &EchoRequest{Header: h, Data: clone(r.rest())}, nil
	case ofptEchoReply:
		return &EchoReply{Header: h, Data: clone(r.rest())}, nil
	case ofptVendor:
		return decodeVendor(h, r)
	case ofptFeaturesReq:
		return empty(&FeaturesRequest{Header: h}, r)
	case ofptFeaturesRep:
		return decodeFeaturesReply(h, r)
	case ofptGetConfigReq:
		return empty(&GetConfigRequest{Header: h}, r)
	case ofptGetConfigRep, ofptSetConfig:
		m := &SwitchConfig{Header: h, Set: typ == ofptSetConfig, Flags: r.u16(), MissSendLen: r.u16()}
		if !r.ok {
			return nil, fmt.Errorf("openflow: short switch config: %w", ErrOFPBRCBadLen)
		}
		valid := FragMask
		if v < Version13 {
			valid |= ConfigInvalTTL
		}
		if m.Set && m.Flags&^valid != 0 {
			return nil, fmt.Errorf("openflow: set_config flags %#x: %w", m.Flags, ErrOFPSCFCBadFlags)
		}
		return empty(m, r)
	case ofptPacketIn:
		return decodePacketIn(h, PacketInStd, r)
	case ofptFlowRemoved:
		return decodeFlowRemoved(h, false, r)
	case ofptPortStatus:
		m := &PortStatus{Header: h, Reason: r.u8()}
		r.skip(7)
		var err error
		if m.Desc, err = decodePortDesc(v, r); err != nil {
			return nil, err
		}
		return empty(m, r)
	case ofptPacketOut:
		return decodePacketOut(h, r)
	case ofptFlowMod:
		return decodeFlowMod(h, false, r)
	}
	if v == Version10 {
		switch typ {
		case ofpt10PortMod:
			return decodePortMod(h, r)
		case ofpt10StatsRequest:
			return decodeStatsRequest(h, r)
		case ofpt10StatsReply:
			return decodeStatsReply(h, r)
		case ofpt10BarrierReq:
			return empty(&BarrierRequest{Header: h}, r)
		case ofpt10BarrierRep:
			return empty(&BarrierReply{Header: h}, r)
		case ofpt10QueueGetConfigReq:
			return decodeQueueGetConfigRequest(h, r)
		case ofpt10QueueGetConfigRep:
			return decodeQueueGetConfigReply(h, r)
		}
		return nil, fmt.Errorf("openflow: OF1.0 message type %d: %w", typ, ErrOFPBRCBadType)
	}
	switch {
	case typ == ofpt11GroupMod:
		return decodeGroupMod(h, r)
	case typ == ofpt11TableMod:
		return decodeTableMod(h, r)
	case typ == ofpt13MeterMod && v >= Version13:
		return decodeMeterMod(h, r)
	case typ == ofpt11PortMod:
		return decodePortMod(h, r)
	case typ == ofpt11StatsRequest:
		return decodeStatsRequest(h, r)
	case typ == ofpt11StatsReply:
		return decodeStatsReply(h, r)
	case typ == ofpt11BarrierReq:
		return empty(&BarrierRequest{Header: h}, r)
	case typ == ofpt11BarrierRep:
		return empty(&BarrierReply{Header: h}, r)
	case typ == ofpt11QueueGetConfigReq && v <= Version13:
		return decodeQueueGetConfigRequest(h, r)
	case typ == ofpt11QueueGetConfigRep && v <= Version13:
		return decodeQueueGetConfigReply(h, r)
	case (typ == ofpt12RoleRequest || typ == ofpt12RoleReply) && v >= Version12:
		m := &RoleMsg{Header: h, Reply: typ == ofpt12RoleReply, Role: r.u32()}
		r.skip(4)
		m.GenerationID = r.u64()
		if !r.ok {
			return nil, fmt.Errorf("openflow: short role message: %w", ErrOFPBRCBadLen)
		}
		if m.Role > RoleSlave {
			return nil, fmt.Errorf("openflow: role %d: %w", m.Role, ErrOFPRRFCBadRole)
		}
		return empty(m, r)
	case typ == ofpt13GetAsyncReq && v >= Version13:
		return empty(&GetAsyncRequest{Header: h}, r)
	case typ == ofpt13GetAsyncRep && v >= Version13:
		return decodeAsync(h, false, MsgGetAsyncReply, r)
	case typ == ofpt13SetAsync && v >= Version13:
		return decodeAsync(h, false, MsgSetAsync, r)
	case typ == ofpt14RoleStatus && v >= Version14:
		return decodeRoleStatus(h, r)
	case typ == ofpt14BundleControl && v >= Version14:
		return decodeBundleControl(h, false, r)
	case typ == ofpt14BundleAddMsg && v >= Version14:
		return decodeBundleAdd(h, false, r)
	}
	return nil, fmt.Errorf("openflow: message type %d: %w", typ, ErrOFPBRCBadType)
}

func decodeHello(h Header, r *rd) Message {
	m := &Hello{Header: h}
	for len(r.b) >= 4 {
		t, l := be16(r.b), int(be16(r.b[2:]))
		if l < 4 || l > len(r.b) {
			break
		}
		if t == 1 {
			for i := 4; i+4 <= l; i += 4 {
				bits := be32(r.b[i:])
				for b := 0; b < 32; b++ {
					if bits&(1<<b) != 0 {
						m.Versions = append(m.Versions, uint8((i-4)/4*32+b))
					}
				}
			}
			if m.Versions == nil {
				m.Versions = []uint8{}
			}
		}
		r.skip(min((l+7)&^7, len(r.b)))
	}
	return m
}

func decodeFeaturesReply(h Header, r *rd) (Message, error) {
	m := &FeaturesReply{Header: h}
	m.DatapathID, m.NBuffers, m.NTables = r.u64(), r.u32(), r.u8()
	if h.Version >= Version13 {
		m.AuxiliaryID = r.u8()
		r.skip(2)
	} else {
		r.skip(3)
	}
	m.Capabilities, m.Actions = r.u32(), r.u32()
	if !r.ok {
		return nil, fmt.Errorf("openflow: short features reply: %w", ErrOFPBRCBadLen)
	}
	if h.Version >= Version13 {
		return empty(m, r)
	}
	for len(r.b) > 0 {
		p, err := decodePortDesc(h.Version, r)
		if err != nil {
			return nil, err
		}
		m.Ports = append(m.Ports, p)
	}
	return m, nil
}

func decodePortMod(h Header, r *rd) (Message, error) {
	m := &PortMod{Header: h}
	if h.Version == Version10 {
		m.PortNo = Port(r.u16())
		m.HWAddr = r.mac()
		m.Config, m.Mask, m.Advertise = r.u32(), r.u32(), feat10to11(r.u32())
		r.skip(4)
	} else {
		p := r.u32()
		var ok bool
		if m.PortNo, ok = port32to16(p); !ok {
			return nil, fmt.Errorf("openflow: port_mod port %#x: %w", p, ErrOFPBACBadOutPort)
		}
		r.skip(4)
		m.HWAddr = r.mac()
		r.skip(2)
		m.Config, m.Mask = r.u32(), r.u32()
		if h.Version <= Version13 {
			m.Advertise = r.u32()
			r.skip(4)
		} else {
			for r.ok && len(r.b) > 0 {
				t, l := r.u16(), int(r.u16())
				if l < 4 || !r.need(l-4) {
					return nil, fmt.Errorf("openflow: port_mod property: %w", ErrOFPBPCBadLen)
				}
				body := newRd(r.take(l - 4))
				if t == 0 {
					m.Advertise = body.u32()
				}
				r.skip(min((8-l%8)%8, len(r.b)))
			}
		}
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short port_mod: %w", ErrOFPBRCBadLen)
	}
	return empty(m, r)
}

func decodeVendor(h Header, r *rd) (Message, error) {
	vendor, sub := r.u32(), r.u32()
	if !r.ok {
		return nil, fmt.Errorf("openflow: short vendor message: %w", ErrOFPBRCBadLen)
	}
	if vendor == VendorONF && h.Version == Version13 {
		switch sub {
		case onftBundleControl:
			return decodeBundleControl(h, true, r)
		case onftBundleAdd:
			return decodeBundleAdd(h, true, r)
		case onftRoleStatus:
			return decodeRoleStatus(h, r)
		}
		return nil, fmt.Errorf("openflow: ONF message type %d: %w", sub, ErrOFPBRCBadSubtype)
	}
	if vendor != VendorNicira {
		return nil, fmt.Errorf("openflow: vendor %#x: %w", vendor, ErrOFPBRCBadVendor)
	}
	u32body := func() (uint32, bool) {
		x := r.u32()
		return x, r.ok && len(r.b) == 0
	}
	switch sub {
	case nxtRoleRequest, nxtRoleReply:
		x, ok := u32body()
		if !ok {
			return nil, fmt.Errorf("openflow: NX role length: %w", ErrOFPBRCBadLen)
		}
		role, ok := roleFromNX(x)
		if !ok {
			return nil, fmt.Errorf("openflow: NX role %d: %w", x, ErrOFPRRFCBadRole)
		}
		return &RoleMsg{Header: h, Reply: sub == nxtRoleReply, NX: true, Role: role}, nil
	case nxtSetFlowFormat:
		x, ok := u32body()
		if !ok {
			return nil, fmt.Errorf("openflow: set_flow_format length: %w", ErrOFPBRCBadLen)
		}
		if x != FlowFormatOF10 && x != FlowFormatNXM {
			return nil, fmt.Errorf("openflow: flow format %d: %w", x, ErrOFPBRCEperm)
		}
		return &SetFlowFormat{Header: h, Format: x}, nil
	case nxtFlowMod:
		return decodeFlowMod(h, true, r)
	case nxtFlowRemoved:
		return decodeFlowRemoved(h, true, r)
	case nxtFlowModTableID:
		en := r.u8()
		r.skip(7)
		if !r.ok || len(r.b) != 0 {
			return nil, fmt.Errorf("openflow: flow_mod_table_id length: %w", ErrOFPBRCBadLen)
		}
		return &FlowModTableID{Header: h, Enable: en != 0}, nil
	case nxtSetPacketInFormat:
		x, ok := u32body()
		if !ok {
			return nil, fmt.Errorf("openflow: set_packet_in_format length: %w", ErrOFPBRCBadLen)
		}
		if x > PacketInFormatNXT2 {
			return nil, fmt.Errorf("openflow: packet-in format %d: %w", x, ErrOFPBRCEperm)
		}
		return &SetPacketInFormat{Header: h, Format: x}, nil
	case nxtPacketIn:
		return decodePacketIn(h, PacketInNX, r)
	case nxtPacketIn2:
		return decodePacketIn(h, PacketInNX2, r)
	case nxtSetAsyncConfig:
		return decodeAsync(h, true, MsgSetAsync, r)
	case nxtSetControllerID:
		r.skip(6)
		id := r.u16()
		if !r.ok || len(r.b) != 0 {
			return nil, fmt.Errorf("openflow: set_controller_id length: %w", ErrOFPBRCBadLen)
		}
		return &SetControllerID{Header: h, ID: id}, nil
	}
	if m, ok, err := decodeNXMore(h, sub, r); ok {
		return m, err
	}
	return nil, fmt.Errorf("openflow: Nicira message subtype %d: %w", sub, ErrOFPBRCBadSubtype)
}

func decodeBundleControl(h Header, onf bool, r *rd) (Message, error) {
	m := &BundleControl{Header: h, ONF: onf, BundleID: r.u32(), CtrlType: r.u16(), Flags: r.u16()}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short bundle control: %w", ErrOFPBRCBadLen)
	}
	if m.CtrlType > BundleDiscardReply {
		return nil, fmt.Errorf("openflow: bundle control type %d: %w", m.CtrlType, ErrOFPBFCBadType)
	}
	m.Properties = clone(r.rest())
	return m, nil
}

func decodeBundleAdd(h Header, onf bool, r *rd) (Message, error) {
	m := &BundleAdd{Header: h, ONF: onf, BundleID: r.u32()}
	r.skip(2)
	m.Flags = r.u16()
	if !r.ok || len(r.b) < HeaderLen {
		return nil, fmt.Errorf("openflow: short bundle add: %w", ErrOFPBFCMsgBadLen)
	}
	n := int(be16(r.b[2:]))
	if n < HeaderLen || n > len(r.b) {
		return nil, fmt.Errorf("openflow: bundled message length %d: %w", n, ErrOFPBFCMsgBadLen)
	}
	m.Raw = clone(r.take(n))
	if m.Raw[0] != h.Version {
		return nil, fmt.Errorf("openflow: bundled message version %#x: %w", m.Raw[0], ErrOFPBFCBadVersion)
	}
	if be32(m.Raw[4:]) != h.XID {
		return nil, fmt.Errorf("openflow: bundled message xid: %w", ErrOFPBFCMsgBadXid)
	}
	inner, err := Decode(m.Raw)
	if err != nil {
		return nil, err
	}
	switch inner.Type() {
	case MsgFlowMod, MsgPortMod, MsgGroupMod, MsgMeterMod, MsgPacketOut, MsgTableMod:
	default:
		return nil, fmt.Errorf("openflow: %v in a bundle: %w", inner.Type(), ErrOFPBFCMsgUnsup)
	}
	m.Inner = inner
	rest := r.rest()
	if pad := (8 - (16+len(m.Raw))%8) % 8; len(rest) >= pad && zeroTail(rest[:pad]) {
		rest = rest[pad:]
	}
	m.Properties = clone(rest)
	return m, nil
}

// Encode serialises m in m.Head().Version. It returns an error wrapping an
// Error when m cannot be expressed in that version.
func Encode(m Message) ([]byte, error) {
	return AppendEncode(nil, m)
}

// AppendEncode is Encode appending to dst (which must not alias a message
// field).
func AppendEncode(dst []byte, m Message) ([]byte, error) {
	start := len(dst)
	w := buf{b: dst}
	if err := encodeBody(&w, m); err != nil {
		return nil, fmt.Errorf("openflow: encode %v: %w", m.Type(), err)
	}
	sub := buf{b: w.b[start:]}
	if _, err := sub.finish(); err != nil {
		return nil, err
	}
	return w.b, nil
}

func encodeBody(w *buf, m Message) error {
	h := m.Head()
	v := h.Version
	if (v < Version10 || v > Version15) && m.Type() != MsgHello {
		return fmt.Errorf("openflow: version %#x: %w", v, ErrOFPBRCBadVersion)
	}
	pick := func(t10, t11 uint8) uint8 {
		if v == Version10 {
			return t10
		}
		return t11
	}
	switch m := m.(type) {
	case *Hello:
		w.header(v, ofptHello, h.XID)
		if m.Versions != nil {
			var bits [8]uint32
			maxWord := 0
			for _, x := range m.Versions {
				bits[x/32] |= 1 << (x % 32)
				maxWord = max(maxWord, int(x/32))
			}
			start := len(w.b)
			w.u16(1)
			w.u16(uint16(4 + 4*(maxWord+1)))
			for i := 0; i <= maxWord; i++ {
				w.u32(bits[i])
			}
			w.pad8(start)
		}
	case *ErrorMsg:
		encodeError(w, m)
	case *EchoRequest:
		w.header(v, ofptEchoRequest, h.XID)
		w.bytes(m.Data)
	case *EchoReply:
		w.header(v, ofptEchoReply, h.XID)
		w.bytes(m.Data)
	case *FeaturesRequest:
		w.header(v, ofptFeaturesReq, h.XID)
	case *FeaturesReply:
		w.header(v, ofptFeaturesRep, h.XID)
		w.u64(m.DatapathID)
		w.u32(m.NBuffers)
		w.u8(m.NTables)
		if v >= Version13 {
			w.u8(m.AuxiliaryID)
			w.zeros(2)
		} else {
			w.zeros(3)
		}
		w.u32(m.Capabilities)
		w.u32(m.Actions)
		if v < Version13 {
			for i := range m.Ports {
				encodePortDesc(w, v, &m.Ports[i])
			}
		}
	case *GetConfigRequest:
		w.header(v, ofptGetConfigReq, h.XID)
	case *SwitchConfig:
		t := uint8(ofptGetConfigRep)
		if m.Set {
			t = ofptSetConfig
		}
		w.header(v, t, h.XID)
		w.u16(m.Flags)
		w.u16(m.MissSendLen)
	case *BarrierRequest:
		w.header(v, pick(ofpt10BarrierReq, ofpt11BarrierReq), h.XID)
	case *BarrierReply:
		w.header(v, pick(ofpt10BarrierRep, ofpt11BarrierRep), h.XID)
	case *RoleMsg:
		if m.NX || v < Version12 {
			sub := uint32(nxtRoleRequest)
			if m.Reply {
				sub = nxtRoleReply
			}
			vendorHeader(w, v, h.XID, VendorNicira, sub)
			w.u32(roleToNX(m.Role))
			break
		}
		t := uint8(ofpt12RoleRequest)
		if m.Reply {
			t = ofpt12RoleReply
		}
		w.header(v, t, h.XID)
		w.u32(m.Role)
		w.zeros(4)
		w.u64(m.GenerationID)
	case *SetFlowFormat:
		vendorHeader(w, v, h.XID, VendorNicira, nxtSetFlowFormat)
		w.u32(m.Format)
	case *FlowModTableID:
		vendorHeader(w, v, h.XID, VendorNicira, nxtFlowModTableID)
		if m.Enable {
			w.u8(1)
		} else {
			w.u8(0)
		}
		w.zeros(7)
	case *SetPacketInFormat:
		vendorHeader(w, v, h.XID, VendorNicira, nxtSetPacketInFormat)
		w.u32(m.Format)
	case *SetControllerID:
		vendorHeader(w, v, h.XID, VendorNicira, nxtSetControllerID)
		w.zeros(6)
		w.u16(m.ID)
	case *AsyncConfig:
		switch {
		case m.NX || v < Version13:
			vendorHeader(w, v, h.XID, VendorNicira, nxtSetAsyncConfig)
		case m.Kind == MsgGetAsyncReply:
			w.header(v, ofpt13GetAsyncRep, h.XID)
		default:
			w.header(v, ofpt13SetAsync, h.XID)
		}
		encodeAsync(w, m)
	case *GetAsyncRequest:
		if v < Version13 {
			return fmt.Errorf("openflow: get_async before OF1.3: %w", ErrOFPBRCBadType)
		}
		w.header(v, ofpt13GetAsyncReq, h.XID)
	case *PortStatus:
		w.header(v, ofptPortStatus, h.XID)
		w.u8(m.Reason)
		w.zeros(7)
		encodePortDesc(w, v, &m.Desc)
	case *PortMod:
		w.header(v, pick(ofpt10PortMod, ofpt11PortMod), h.XID)
		switch {
		case v == Version10:
			w.u16(uint16(m.PortNo))
			w.bytes(m.HWAddr[:])
			w.u32(m.Config)
			w.u32(m.Mask)
			w.u32(feat11to10(m.Advertise))
			w.zeros(4)
		default:
			w.u32(port16to32(m.PortNo))
			w.zeros(4)
			w.bytes(m.HWAddr[:])
			w.zeros(2)
			w.u32(m.Config)
			w.u32(m.Mask)
			if v <= Version13 {
				w.u32(m.Advertise)
				w.zeros(4)
			} else if m.Advertise != 0 {
				w.u16(0)
				w.u16(8)
				w.u32(m.Advertise)
			}
		}
	case *FlowMod:
		return encodeFlowMod(w, m)
	case *GroupMod:
		return encodeGroupMod(w, m)
	case *MeterMod:
		return encodeMeterMod(w, m)
	case *TableMod:
		return encodeTableMod(w, m)
	case *FlowRemoved:
		return encodeFlowRemoved(w, m)
	case *PacketIn:
		return encodePacketIn(w, m)
	case *PacketOut:
		return encodePacketOut(w, m)
	case *StatsRequest:
		return encodeStatsRequest(w, m)
	case *StatsReply:
		return encodeStatsReply(w, m)
	case *RoleStatus:
		return encodeRoleStatus(w, m)
	case *QueueGetConfigRequest, *QueueGetConfigReply:
		return encodeQueueGetConfig(w, m)
	case *BundleControl:
		if err := bundleHeader(w, v, h.XID, m.ONF, ofpt14BundleControl, onftBundleControl); err != nil {
			return err
		}
		w.u32(m.BundleID)
		w.u16(m.CtrlType)
		w.u16(m.Flags)
		w.bytes(m.Properties)
	case *BundleAdd:
		if err := bundleHeader(w, v, h.XID, m.ONF, ofpt14BundleAddMsg, onftBundleAdd); err != nil {
			return err
		}
		start := len(w.b)
		w.u32(m.BundleID)
		w.u16(0)
		w.u16(m.Flags)
		inner := m.Raw
		if inner == nil && m.Inner != nil {
			var err error
			if inner, err = Encode(m.Inner); err != nil {
				return err
			}
		}
		w.bytes(inner)
		if len(m.Properties) > 0 {
			w.pad8(start - HeaderLen)
			w.bytes(m.Properties)
		}
	default:
		if ok, err := encodeNXMore(w, m); ok {
			return err
		}
		return fmt.Errorf("openflow: cannot encode %T: %w", m, ErrOFPBRCBadType)
	}
	return nil
}

func bundleHeader(w *buf, v uint8, xid uint32, onf bool, t14 uint8, onfType uint32) error {
	switch {
	case v >= Version14 && !onf:
		w.header(v, t14, xid)
	case v == Version13 || onf:
		vendorHeader(w, v, xid, VendorONF, onfType)
	default:
		return fmt.Errorf("openflow: bundles before OF1.3: %w", ErrOFPBRCBadType)
	}
	return nil
}
