package ofproto

import (
	"fmt"

	"govs.dev/govs/coverage"
	"govs.dev/govs/dpif"
	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
)

// Packet-in reasons in OVS's internal numbering (enum ofp_packet_in_reason):
// the OpenFlow 1.4 reasons plus two kinds of miss that are never on the
// wire, explicit (a table-miss rule's controller action) and implicit (a
// miss without such a rule). Async configuration masks are bitmaps of these.
const (
	reasonNoMatch      = 0
	reasonAction       = 1
	reasonInvalidTTL   = 2
	reasonActionSet    = 3
	reasonGroup        = 4
	reasonPacketOut    = 5
	reasonExplicitMiss = 6
	reasonImplicitMiss = 7
)

// Reason bit sets of OVS's openflow-common.h.
const (
	ofpr10Bits       = 1<<reasonNoMatch | 1<<reasonAction | 1<<reasonInvalidTTL
	ofpr14ActionBits = 1<<reasonActionSet | 1<<reasonGroup | 1<<reasonPacketOut
	ofpr14Bits       = ofpr10Bits | ofpr14ActionBits
)

// Asynchronous message types (OVS's OAM_*): the index into asyncConfig's
// masks, in the order of the OpenFlow 1.4 async-config property types.
const (
	oamPacketIn = iota
	oamPortStatus
	oamFlowRemoved
	oamRoleStatus
	oamTableStatus
	oamRequestForward
	oamN
)

// asyncAllowed is, per message type, the reasons a controller may enable:
// [0] before OpenFlow 1.4, [1] from 1.4 (OVS's async_props table).
var asyncAllowed = [oamN][2]uint32{
	oamPacketIn:       {ofpr10Bits, ofpr14Bits},
	oamPortStatus:     {0x7, 0x7},
	oamFlowRemoved:    {0x3f, 0x3f},
	oamRoleStatus:     {0x7, 0x7},
	oamTableStatus:    {0x18, 0x18},
	oamRequestForward: {0x3, 0x3},
}

// asyncConfig is which asynchronous messages a connection receives, per
// message type a bitmap of reasons, for the primary/equal role and for the
// secondary (slave) role (OVS's struct ofputil_async_cfg).
type asyncConfig struct {
	primary, secondary [oamN]uint32
}

// defaultAsync is the configuration of a connection that never set one
// (OVS's ofputil_async_cfg_default): every packet-in reason but
// invalid_ttl, with implicit misses only up to OpenFlow 1.2; port status in
// both roles; flow removed for the primary role.
func defaultAsync(version uint8) asyncConfig {
	var ac asyncConfig
	pin := uint32(ofpr14Bits&^(1<<reasonInvalidTTL)) | 1<<reasonExplicitMiss
	if version <= openflow.Version12 {
		pin |= 1 << reasonImplicitMiss
	}
	ac.primary[oamPacketIn] = pin
	ac.primary[oamPortStatus], ac.secondary[oamPortStatus] = 0x7, 0x7
	switch {
	case version >= openflow.Version14:
		ac.primary[oamFlowRemoved] = 0x3f
	case version == openflow.Version13:
		ac.primary[oamFlowRemoved] = 0xf
	default:
		ac.primary[oamFlowRemoved] = 0x7
	}
	return ac
}

// allowedReasons returns the reasons of message type oam a connection of
// version may enable.
func allowedReasons(oam int, version uint8) uint32 {
	if version >= openflow.Version14 {
		return asyncAllowed[oam][1]
	}
	return asyncAllowed[oam][0]
}

// setMask stores a decoded wire mask as OVS's decode_async_mask does:
// no_match also enables the explicit miss, and up to OpenFlow 1.2 the
// implicit one. Bits outside what the version allows are an error when
// strict, dropped otherwise.
func (ac *asyncConfig) setMask(oam int, primary bool, mask uint32, version uint8, strict bool) error {
	allowed := allowedReasons(oam, version)
	if mask&^allowed != 0 {
		if strict {
			return fmt.Errorf("async config: mask %#x outside %#x: %w", mask, allowed, openflow.ErrOFPACFCInvalid)
		}
		mask &= allowed
	}
	if oam == oamPacketIn && mask&(1<<reasonNoMatch) != 0 {
		mask |= 1 << reasonExplicitMiss
		if version < openflow.Version13 {
			mask |= 1 << reasonImplicitMiss
		}
	}
	if primary {
		ac.primary[oam] = mask
	} else {
		ac.secondary[oam] = mask
	}
	return nil
}

// asyncFromMessage applies a set-async message received on a connection
// of version to basis (the connection's current configuration), as OVS's
// ofputil_decode_set_async_config: the legacy formats (NX, OpenFlow 1.3)
// replace the packet-in, port-status and flow-removed masks and clear the
// rest; OpenFlow 1.4 changes only the properties present, strictly.
func asyncFromMessage(m *openflow.AsyncConfig, version uint8, basis asyncConfig) (asyncConfig, error) {
	masks := [oamN]*[2]uint32{&m.PacketInMask, &m.PortStatusMask, &m.FlowRemovedMask,
		&m.RoleStatusMask, &m.TableStatusMask, &m.RequestForwardMask}
	if m.NX || version < openflow.Version14 {
		var ac asyncConfig
		for oam := oamPacketIn; oam <= oamFlowRemoved; oam++ {
			_ = ac.setMask(oam, true, masks[oam][0], version, false)
			_ = ac.setMask(oam, false, masks[oam][1], version, false)
		}
		return ac, nil
	}
	ac := basis
	for oam := 0; oam < oamN; oam++ {
		// Property 2*oam is the secondary role's, 2*oam+1 the primary's.
		for i, primary := range []bool{false, true} {
			if m.Present&(1<<(2*oam+i)) == 0 {
				continue
			}
			idx := 1
			if primary {
				idx = 0
			}
			if err := ac.setMask(oam, primary, masks[oam][idx], version, true); err != nil {
				return basis, err
			}
		}
	}
	return ac, nil
}

// message encodes ac for a get-async reply on a connection of version
// (OVS's encode_async_mask: only the reasons the version allows).
func (ac *asyncConfig) message(version uint8) *openflow.AsyncConfig {
	m := &openflow.AsyncConfig{Kind: openflow.MsgGetAsyncReply}
	masks := [oamN]*[2]uint32{&m.PacketInMask, &m.PortStatusMask, &m.FlowRemovedMask,
		&m.RoleStatusMask, &m.TableStatusMask, &m.RequestForwardMask}
	for oam := 0; oam < oamN; oam++ {
		a := allowedReasons(oam, version)
		masks[oam][0] = ac.primary[oam] & a
		masks[oam][1] = ac.secondary[oam] & a
	}
	return m
}

// wireReason is the reason a connection of version sees (OVS's
// encode_packet_in_reason): the OpenFlow 1.4 refinements of "action" are
// "action" before 1.4, an explicit miss is "action" before 1.3 and
// "no_match" after, an implicit miss is always "no_match".
func wireReason(reason, version uint8) uint8 {
	switch reason {
	case reasonActionSet, reasonGroup, reasonPacketOut:
		if version < openflow.Version14 {
			return reasonAction
		}
	case reasonExplicitMiss:
		if version < openflow.Version13 {
			return reasonAction
		}
		return reasonNoMatch
	case reasonImplicitMiss:
		return reasonNoMatch
	}
	return reason
}

// packetIn is one packet-in before encoding: what OVS's process_upcall
// builds from a controller upcall (struct ofproto_async_msg). It is
// immutable once built and shared by every connection it goes to.
type packetIn struct {
	reason       uint8 // internal reason (reason* constants)
	tableID      uint8
	cookie       uint64
	controllerID uint16
	// meta is the packet's metadata at the controller action (OVS's
	// flow_get_metadata): in_port, non-zero registers, metadata,
	// tunnel, conntrack and packet mark.
	meta     flow.Match
	data     []byte
	userData []byte
}

// maxPacketInData bounds the packet bytes of one packet-in so that the
// message, with its match and properties, fits OpenFlow's 16-bit length.
const maxPacketInData = openflow.MaxMessageLen - 2048

// pinState is what delivery reads of a connection: a snapshot the
// connection's own goroutine replaces whenever one of its fields changes,
// so that handler goroutines read it without a lock.
type pinState struct {
	version      uint8
	format       uint32 // openflow.PacketInFormat*
	role         uint32 // openflow.Role*; 0 means equal
	missSendLen  uint16
	controllerID uint16
	// primary is true for controller connections (the Controller table),
	// false for service connections (the bridge's management socket),
	// which receive asynchronous messages only with a non-zero
	// miss_send_len.
	primary bool
	// async is the connection's configuration when it set one.
	async    asyncConfig
	hasAsync bool
}

// asyncConfig returns the connection's effective configuration.
func (s *pinState) asyncConfig() asyncConfig {
	if s.hasAsync {
		return s.async
	}
	return defaultAsync(s.version)
}

// wants reports whether the connection receives packet-in p (OVS's
// connmgr_send_async_msg and ofconn_receives_async_msg).
func (s *pinState) wants(p *packetIn) bool {
	if s.version == 0 || s.controllerID != p.controllerID {
		return false
	}
	if !s.primary && s.missSendLen == 0 {
		return false
	}
	ac := s.asyncConfig()
	mask := ac.primary[oamPacketIn]
	if s.role == openflow.RoleSlave {
		mask = ac.secondary[oamPacketIn]
	}
	return mask&(1<<p.reason) != 0
}

// wantsMissPacketIns is the connection's part of OVS's
// want_packet_in_on_miss: an OpenFlow 1.0-1.2 connection with controller
// id 0. A connection counts once its version is negotiated.
func (s *pinState) wantsMissPacketIns() bool {
	return s.version != 0 && s.version < openflow.Version13 && s.controllerID == 0
}

// message encodes p for a connection in state s, in the connection's
// packet-in format.
func (s *pinState) message(p *packetIn) *openflow.PacketIn {
	m := &openflow.PacketIn{
		Header:   openflow.Header{Version: s.version},
		BufferID: openflow.NoBuffer,
		TotalLen: uint16(min(len(p.data), 0xffff)),
		Reason:   wireReason(p.reason, s.version),
		TableID:  p.tableID,
		Cookie:   p.cookie,
		Data:     p.data,
	}
	switch s.format {
	case openflow.PacketInFormatNXT:
		m.Format = openflow.PacketInNX
		m.Match = MatchToOpenFlow(&p.meta, false)
	case openflow.PacketInFormatNXT2:
		m.Format = openflow.PacketInNX2
		m.Match = MatchToOpenFlow(&p.meta, s.version >= openflow.Version12)
		m.UserData = p.userData
	default:
		m.Format = openflow.PacketInStd
		switch {
		case s.version >= openflow.Version12:
			m.Match = MatchToOpenFlow(&p.meta, true)
		case s.version == openflow.Version11:
			m.Match.Fields = []openflow.MatchField{{Header: openflow.OXMInPort, Value: be32b(p.meta.Key.InPort)}}
		default:
			m.Match.Fields = []openflow.MatchField{{Header: openflow.NXMInPort, Value: []byte{byte(p.meta.Key.InPort >> 8), byte(p.meta.Key.InPort)}}}
		}
	}
	return m
}

func be32b(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

// Coverage counters of packet-in delivery, with OVS's names.
var (
	// covPinDropped counts packet-ins dropped because a connection's
	// queue was full (OVS counts these in rconn_overflow).
	covPinDropped = coverage.Define("rconn_overflow")
	// covPinLost counts controller upcalls that could not become a
	// packet-in (unknown frozen state or bridge).
	covPinLost = coverage.Define("packet_in_overflow")
)

// frozenMetadataFlow returns the flow the packet-in's metadata comes from
// (OVS's frozen_flow in process_upcall): the upcall's key, without
// conntrack fields unless conntrack ran before the freeze, with the frozen
// tunnel, metadata, registers and OpenFlow in_port.
func frozenMetadataFlow(key *flow.Key, s *xlate.FrozenState) flow.Key {
	f := *key
	if !s.Conntracked {
		f.CtState, f.CtZone, f.CtMark, f.CtLabel = 0, 0, 0, [16]byte{}
		f.CtNwProto, f.CtNwSrc, f.CtNwDst, f.CtTpSrc, f.CtTpDst = 0, 0, 0, 0, 0
		f.CtIPv6Src, f.CtIPv6Dst = [16]byte{}, [16]byte{}
	}
	m := &s.Metadata
	f.TunID, f.TunSrc, f.TunDst, f.TunFlags = m.TunID, m.TunSrc, m.TunDst, m.TunFlags
	f.TunTOS, f.TunTTL, f.TunTpSrc, f.TunTpDst = m.TunTOS, m.TunTTL, m.TunTpSrc, m.TunTpDst
	f.Metadata, f.Regs, f.InPort = m.Metadata, m.Regs, m.InPort
	return f
}

// flowMetadata returns the metadata match of a packet-in (OVS's
// flow_get_metadata): in_port always; tunnel id, flags and addresses,
// metadata, registers, packet mark, packet type, and conntrack fields when
// they are not zero.
func flowMetadata(f *flow.Key) flow.Match {
	var m flow.Match
	k, w := &m.Key, &m.Mask
	if f.TunID != 0 {
		k.TunID, w.TunID = f.TunID, ^uint64(0)
	}
	if f.TunFlags&flow.TunFlagOAM != 0 {
		k.TunFlags, w.TunFlags = f.TunFlags&flow.TunFlagOAM, flow.TunFlagOAM
	}
	if f.TunSrc != ([16]byte{}) {
		k.TunSrc, w.TunSrc = f.TunSrc, ones16()
	}
	if f.TunDst != ([16]byte{}) {
		k.TunDst, w.TunDst = f.TunDst, ones16()
	}
	if f.Metadata != 0 {
		k.Metadata, w.Metadata = f.Metadata, ^uint64(0)
	}
	for i, r := range f.Regs {
		if r != 0 {
			k.Regs[i], w.Regs[i] = r, ^uint32(0)
		}
	}
	if f.PktMark != 0 {
		k.PktMark, w.PktMark = f.PktMark, ^uint32(0)
	}
	k.InPort, w.InPort = f.InPort, ^uint32(0)
	if f.PacketType != 0 {
		k.PacketType, w.PacketType = f.PacketType, ^uint32(0)
	}
	if f.CtState != 0 {
		k.CtState, w.CtState = f.CtState, ^uint32(0)
		// dl_type comes along: the conntrack tuple needs it.
		k.DlType, w.DlType = f.DlType, 0xffff
		valid := f.CtState&flow.CtTracked != 0 && f.CtState&flow.CtInvalid == 0
		if valid && f.CtNwProto != 0 {
			switch f.DlType {
			case 0x0800:
				k.CtNwSrc, w.CtNwSrc = f.CtNwSrc, ^uint32(0)
				k.CtNwDst, w.CtNwDst = f.CtNwDst, ^uint32(0)
			case 0x86dd:
				k.CtIPv6Src, w.CtIPv6Src = f.CtIPv6Src, ones16()
				k.CtIPv6Dst, w.CtIPv6Dst = f.CtIPv6Dst, ones16()
			}
			if f.DlType == 0x0800 || f.DlType == 0x86dd {
				k.CtNwProto, w.CtNwProto = f.CtNwProto, 0xff
				k.CtTpSrc, w.CtTpSrc = f.CtTpSrc, 0xffff
				k.CtTpDst, w.CtTpDst = f.CtTpDst, 0xffff
			}
		}
	}
	if f.CtZone != 0 {
		k.CtZone, w.CtZone = f.CtZone, 0xffff
	}
	if f.CtMark != 0 {
		k.CtMark, w.CtMark = f.CtMark, ^uint32(0)
	}
	if f.CtLabel != ([16]byte{}) {
		k.CtLabel, w.CtLabel = f.CtLabel, ones16()
	}
	return m
}

func ones16() [16]byte {
	var b [16]byte
	for i := range b {
		b[i] = 0xff
	}
	return b
}

// controllerUpcall turns a controller userspace upcall into a packet-in and
// hands it to the connections of the bridge that froze it (OVS's
// process_upcall for CONTROLLER_UPCALL). It runs on a handler goroutine and
// never blocks: delivery only enqueues.
func (k *Backer) controllerUpcall(u *dpif.Upcall) {
	c := &u.Userspace.Controller
	if c.DontSend || c.RecircID == 0 {
		return
	}
	s := k.recirc.Thaw(c.RecircID)
	if s == nil {
		covPinLost.Inc()
		return
	}
	k.mu.Lock()
	b := k.bridges[s.Bridge]
	k.mu.Unlock()
	if b == nil {
		covPinLost.Inc()
		return
	}
	m := connMgrOf(b)
	if !m.hasConns() {
		return
	}
	f := frozenMetadataFlow(&u.Key, s)
	data := u.Packet.Data()
	if len(data) > maxPacketInData {
		data = data[:maxPacketInData]
	}
	p := &packetIn{
		reason:       uint8(u.Userspace.Reason),
		tableID:      s.Table,
		cookie:       c.RuleCookie,
		controllerID: c.ControllerID,
		meta:         flowMetadata(&f),
		data:         append([]byte(nil), data...),
		userData:     s.UserData,
	}
	m.sendPacketIn(p)
}

// WantsPacketInOnMiss implements xlate.MissPolicy: table misses of the
// bridge go to the controller while an OpenFlow 1.0-1.2 connection with
// controller id 0 is open.
func (t bridgeTables) WantsPacketInOnMiss() bool {
	return connMgrOf(t.b).wantMiss.Load() > 0
}

var _ xlate.MissPolicy = bridgeTables{}
