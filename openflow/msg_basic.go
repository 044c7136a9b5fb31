package openflow

import (
	"fmt"
	"strings"
)

// Hello is OFPT_HELLO. Versions lists the versions of the version-bitmap
// element (nil: the hello carries no bitmap).
type Hello struct {
	Header
	Versions []uint8
}

// EchoRequest is OFPT_ECHO_REQUEST; Data is echoed back.
type EchoRequest struct {
	Header
	Data []byte
}

// EchoReply is OFPT_ECHO_REPLY.
type EchoReply struct {
	Header
	Data []byte
}

// FeaturesRequest is OFPT_FEATURES_REQUEST.
type FeaturesRequest struct{ Header }

// FeaturesReply is OFPT_FEATURES_REPLY. Actions is the OF1.0 supported-action
// bitmap (reserved in later versions); Ports is sent only up to OF1.2.
type FeaturesReply struct {
	Header
	DatapathID   uint64
	NBuffers     uint32
	NTables      uint8
	AuxiliaryID  uint8
	Capabilities uint32
	Actions      uint32
	Ports        []PortDesc
}

// GetConfigRequest is OFPT_GET_CONFIG_REQUEST.
type GetConfigRequest struct{ Header }

// Switch configuration flags (ofp_config_flags); the low two bits are the
// fragment handling mode.
const (
	FragNormal     uint16 = 0
	FragDrop       uint16 = 1
	FragReasm      uint16 = 2
	FragNXMatch    uint16 = 3
	FragMask       uint16 = 3
	ConfigInvalTTL uint16 = 4 // OFPC_INVALID_TTL_TO_CONTROLLER (OF1.1-1.2)
)

// SwitchConfig is OFPT_GET_CONFIG_REPLY or OFPT_SET_CONFIG (Set says which).
type SwitchConfig struct {
	Header
	Set         bool
	Flags       uint16
	MissSendLen uint16
}

// BarrierRequest is OFPT_BARRIER_REQUEST.
type BarrierRequest struct{ Header }

// BarrierReply is OFPT_BARRIER_REPLY.
type BarrierReply struct{ Header }

// Controller roles (OF1.2+ numbering; NX roles are mapped onto these).
const (
	RoleNoChange uint32 = 0
	RoleEqual    uint32 = 1
	RoleMaster   uint32 = 2
	RoleSlave    uint32 = 3
)

// RoleMsg is a role request or reply: OF1.2+ OFPT_ROLE_REQUEST/REPLY or, with
// NX set, NXT_ROLE_REQUEST/REPLY (which has no generation id).
type RoleMsg struct {
	Header
	Reply        bool
	NX           bool
	Role         uint32
	GenerationID uint64
}

// Flow formats of NXT_SET_FLOW_FORMAT.
const (
	FlowFormatOF10 uint32 = 0
	FlowFormatNXM  uint32 = 2
)

// SetFlowFormat is NXT_SET_FLOW_FORMAT.
type SetFlowFormat struct {
	Header
	Format uint32
}

// FlowModTableID is NXT_FLOW_MOD_TABLE_ID.
type FlowModTableID struct {
	Header
	Enable bool
}

// Packet-in formats of NXT_SET_PACKET_IN_FORMAT.
const (
	PacketInFormatStandard uint32 = 0
	PacketInFormatNXT      uint32 = 1
	PacketInFormatNXT2     uint32 = 2
)

// SetPacketInFormat is NXT_SET_PACKET_IN_FORMAT.
type SetPacketInFormat struct {
	Header
	Format uint32
}

// SetControllerID is NXT_SET_CONTROLLER_ID.
type SetControllerID struct {
	Header
	ID uint16
}

// AsyncConfig is the asynchronous message configuration: NXT_SET_ASYNC_CONFIG
// (NX), OF1.3 OFPT_SET_ASYNC / GET_ASYNC_REPLY. Index 0 is for the
// master/equal role, 1 for slave; each mask is a bitmap of reasons.
type AsyncConfig struct {
	Header
	Kind            MsgType // MsgSetAsync or MsgGetAsyncReply
	NX              bool
	PacketInMask    [2]uint32
	PortStatusMask  [2]uint32
	FlowRemovedMask [2]uint32
	// OpenFlow 1.4+ only (properties OFPACPT_ROLE_STATUS_*,
	// TABLE_STATUS_*, REQUESTFORWARD_*).
	RoleStatusMask     [2]uint32
	TableStatusMask    [2]uint32
	RequestForwardMask [2]uint32
	// Present, decoded OpenFlow 1.4+ only, has bit t set for each property
	// type t (0-11) the message carried: a set-async changes only those.
	Present uint32
}

// GetAsyncRequest is OFPT_GET_ASYNC_REQUEST.
type GetAsyncRequest struct{ Header }

// PortDesc describes one port in the version-neutral model. Feature bitmaps
// (Curr...Peer) use the OF1.1+ bit layout; the codec shifts them for OF1.0.
// Config and State bits are passed as on the wire.
type PortDesc struct {
	PortNo     Port
	HWAddr     [6]byte
	Name       string
	Config     uint32
	State      uint32
	Curr       uint32
	Advertised uint32
	Supported  uint32
	Peer       uint32
	CurrSpeed  uint32
	MaxSpeed   uint32
}

// PortStatus is OFPT_PORT_STATUS.
type PortStatus struct {
	Header
	Reason uint8
	Desc   PortDesc
}

// PortMod is OFPT_PORT_MOD; Advertise uses the OF1.1+ bit layout.
type PortMod struct {
	Header
	PortNo    Port
	HWAddr    [6]byte
	Config    uint32
	Mask      uint32
	Advertise uint32
}

// Type implements Message for each message struct.
func (*Hello) Type() MsgType             { return MsgHello }
func (*EchoRequest) Type() MsgType       { return MsgEchoRequest }
func (*EchoReply) Type() MsgType         { return MsgEchoReply }
func (*FeaturesRequest) Type() MsgType   { return MsgFeaturesRequest }
func (*FeaturesReply) Type() MsgType     { return MsgFeaturesReply }
func (*GetConfigRequest) Type() MsgType  { return MsgGetConfigRequest }
func (*BarrierRequest) Type() MsgType    { return MsgBarrierRequest }
func (*BarrierReply) Type() MsgType      { return MsgBarrierReply }
func (*SetFlowFormat) Type() MsgType     { return MsgSetFlowFormat }
func (*FlowModTableID) Type() MsgType    { return MsgFlowModTableID }
func (*SetPacketInFormat) Type() MsgType { return MsgSetPacketInFormat }
func (*SetControllerID) Type() MsgType   { return MsgSetControllerID }
func (*GetAsyncRequest) Type() MsgType   { return MsgGetAsyncRequest }
func (*PortStatus) Type() MsgType        { return MsgPortStatus }
func (*PortMod) Type() MsgType           { return MsgPortMod }

// Type implements Message.
func (m *SwitchConfig) Type() MsgType {
	if m.Set {
		return MsgSetConfig
	}
	return MsgGetConfigReply
}

// Type implements Message.
func (m *RoleMsg) Type() MsgType {
	if m.Reply {
		return MsgRoleReply
	}
	return MsgRoleRequest
}

// Type implements Message.
func (m *AsyncConfig) Type() MsgType {
	if m.Kind == MsgGetAsyncReply {
		return MsgGetAsyncReply
	}
	return MsgSetAsync
}

// NegotiateVersion returns the highest version both sides support, per the
// OpenFlow 1.3.1+ rules: with a bitmap in the peer's hello, the highest
// common bit; without one, the smaller of the two hello versions if we
// support it. ok is false when there is none (send OFPHFC_INCOMPATIBLE).
func NegotiateVersion(ours []uint8, peer *Hello) (uint8, bool) {
	best := uint8(0)
	has := func(list []uint8, v uint8) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	if peer.Versions != nil {
		for _, v := range ours {
			if has(peer.Versions, v) && v > best {
				best = v
			}
		}
		return best, best != 0
	}
	var maxOurs uint8
	for _, v := range ours {
		if v > maxOurs {
			maxOurs = v
		}
	}
	v := min(maxOurs, peer.Version)
	return v, has(ours, v)
}

// port descriptions -------------------------------------------------------

func feat10to11(f uint32) uint32 { return f&0x7f | (f>>7&0x1f)<<11 }
func feat11to10(f uint32) uint32 { return f&0x7f | (f>>11&0x1f)<<7 }

func cstring(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func putString(w *buf, s string, n int) {
	b := make([]byte, n)
	copy(b[:n-1], s)
	w.bytes(b)
}

func decodePortDesc(version uint8, r *rd) (PortDesc, error) {
	var p PortDesc
	switch {
	case version == Version10:
		p.PortNo = Port(r.u16())
		p.HWAddr = r.mac()
		p.Name = cstring(r.take(16))
		p.Config, p.State = r.u32(), r.u32()
		p.Curr, p.Advertised = feat10to11(r.u32()), feat10to11(r.u32())
		p.Supported, p.Peer = feat10to11(r.u32()), feat10to11(r.u32())
	case version <= Version13:
		p32 := r.u32()
		p.PortNo, _ = port32to16(p32)
		r.skip(4)
		p.HWAddr = r.mac()
		r.skip(2)
		p.Name = cstring(r.take(16))
		p.Config, p.State = r.u32(), r.u32()
		p.Curr, p.Advertised, p.Supported, p.Peer = r.u32(), r.u32(), r.u32(), r.u32()
		p.CurrSpeed, p.MaxSpeed = r.u32(), r.u32()
	default:
		p32 := r.u32()
		p.PortNo, _ = port32to16(p32)
		n := int(r.u16())
		r.skip(2)
		p.HWAddr = r.mac()
		r.skip(2)
		p.Name = cstring(r.take(16))
		p.Config, p.State = r.u32(), r.u32()
		if n < 40 {
			return p, fmt.Errorf("openflow: port description length %d: %w", n, ErrOFPBRCBadLen)
		}
		props := newRd(r.take(n - 40))
		for props.ok && len(props.b) > 0 {
			t, l := props.u16(), int(props.u16())
			if l < 4 || !props.need(l-4) {
				return p, fmt.Errorf("openflow: port property length %d: %w", l, ErrOFPBPCBadLen)
			}
			body := newRd(props.take(l - 4))
			if t == 0 && l >= 32 {
				body.skip(4)
				p.Curr, p.Advertised, p.Supported, p.Peer = body.u32(), body.u32(), body.u32(), body.u32()
				p.CurrSpeed, p.MaxSpeed = body.u32(), body.u32()
			}
			props.skip((8 - l%8) % 8)
		}
	}
	if !r.ok {
		return p, fmt.Errorf("openflow: truncated port description: %w", ErrOFPBRCBadLen)
	}
	return p, nil
}

func encodePortDesc(w *buf, version uint8, p *PortDesc) {
	switch {
	case version == Version10:
		w.u16(uint16(p.PortNo))
		w.bytes(p.HWAddr[:])
		putString(w, p.Name, 16)
		w.u32(p.Config)
		w.u32(p.State)
		w.u32(feat11to10(p.Curr))
		w.u32(feat11to10(p.Advertised))
		w.u32(feat11to10(p.Supported))
		w.u32(feat11to10(p.Peer))
	case version <= Version13:
		w.u32(port16to32(p.PortNo))
		w.zeros(4)
		w.bytes(p.HWAddr[:])
		w.zeros(2)
		putString(w, p.Name, 16)
		for _, v := range []uint32{p.Config, p.State, p.Curr, p.Advertised, p.Supported, p.Peer, p.CurrSpeed, p.MaxSpeed} {
			w.u32(v)
		}
	default:
		w.u32(port16to32(p.PortNo))
		w.u16(72)
		w.zeros(2)
		w.bytes(p.HWAddr[:])
		w.zeros(2)
		putString(w, p.Name, 16)
		w.u32(p.Config)
		w.u32(p.State)
		w.u16(0)
		w.u16(32)
		w.zeros(4)
		for _, v := range []uint32{p.Curr, p.Advertised, p.Supported, p.Peer, p.CurrSpeed, p.MaxSpeed} {
			w.u32(v)
		}
	}
}

// NX vendor message subtypes.
const (
	nxtRoleRequest       = 10
	nxtRoleReply         = 11
	nxtSetFlowFormat     = 12
	nxtFlowMod           = 13
	nxtFlowRemoved       = 14
	nxtFlowModTableID    = 15
	nxtSetPacketInFormat = 16
	nxtPacketIn          = 17
	nxtSetAsyncConfig    = 19
	nxtSetControllerID   = 20
	nxtPacketIn2         = 30
)

// ONF extension message types used with OpenFlow 1.3.
const (
	onftBundleControl = 2300
	onftBundleAdd     = 2301
)

func vendorHeader(w *buf, version uint8, xid uint32, vendor, subtype uint32) {
	typ := uint8(ofptVendor)
	w.header(version, typ, xid)
	w.u32(vendor)
	w.u32(subtype)
}

// NX roles: other 0, master 1, slave 2.
func roleFromNX(r uint32) (uint32, bool) {
	if r > 2 {
		return 0, false
	}
	return r + 1, true
}

func roleToNX(r uint32) uint32 {
	if r == 0 {
		return 0
	}
	return r - 1
}

func decodeAsync(h Header, nx bool, kind MsgType, r *rd) (Message, error) {
	m := &AsyncConfig{Header: h, NX: nx, Kind: kind}
	if !nx && h.Version >= Version14 {
		return decodeAsync14(m, r)
	}
	for _, p := range []*[2]uint32{&m.PacketInMask, &m.PortStatusMask, &m.FlowRemovedMask} {
		p[0], p[1] = r.u32(), r.u32()
	}
	if !r.ok || len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: async config length: %w", ErrOFPBRCBadLen)
	}
	return m, nil
}

// OF1.4+ async config properties: type = 2*kind + (slave?0:1)... per spec
// OFPACPT_PACKET_IN_SLAVE=0, MASTER=1, PORT_STATUS_SLAVE=2, MASTER=3,
// FLOW_REMOVED_SLAVE=4, MASTER=5.
func decodeAsync14(m *AsyncConfig, r *rd) (Message, error) {
	for r.ok && len(r.b) > 0 {
		t, l := r.u16(), int(r.u16())
		if l != 8 {
			if t >= 0xfffe && l >= 4 && r.need(l-4) {
				r.skip((l - 4 + 7) &^ 7)
				continue
			}
			return nil, fmt.Errorf("openflow: async property %d length %d: %w", t, l, ErrOFPBPCBadLen)
		}
		v := r.u32()
		masks := []*[2]uint32{&m.PacketInMask, &m.PortStatusMask, &m.FlowRemovedMask,
			&m.RoleStatusMask, &m.TableStatusMask, &m.RequestForwardMask}
		if int(t/2) < len(masks) {
			m.Present |= 1 << t
			idx := 1
			if t%2 == 1 {
				idx = 0
			}
			masks[t/2][idx] = v
		} else if t < 0xfffe {
			// Later properties (role status, table status...) are accepted
			// and ignored.
			_ = v
		}
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: async config: %w", ErrOFPBRCBadLen)
	}
	return m, nil
}

func encodeAsync(w *buf, m *AsyncConfig) {
	masks := []*[2]uint32{&m.PacketInMask, &m.PortStatusMask, &m.FlowRemovedMask}
	if !m.NX && m.Version >= Version14 {
		masks = append(masks, &m.RoleStatusMask, &m.TableStatusMask, &m.RequestForwardMask)
		for i, p := range masks {
			for _, t := range []int{2 * i, 2*i + 1} {
				w.u16(uint16(t))
				w.u16(8)
				if t%2 == 1 {
					w.u32(p[0])
				} else {
					w.u32(p[1])
				}
			}
		}
		return
	}
	for _, p := range masks {
		w.u32(p[0])
		w.u32(p[1])
	}
}
