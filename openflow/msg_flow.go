package openflow

import "fmt"

// Flow-mod commands.
const (
	FlowAdd          uint8 = 0
	FlowModify       uint8 = 1
	FlowModifyStrict uint8 = 2
	FlowDelete       uint8 = 3
	FlowDeleteStrict uint8 = 4
)

// Flow-mod flags (OF1.3 numbering; OF1.0 uses the same low bits).
const (
	FlagSendFlowRem  uint16 = 1 << 0
	FlagCheckOverlap uint16 = 1 << 1
	FlagResetCounts  uint16 = 1 << 2
	FlagNoPktCounts  uint16 = 1 << 3
	FlagNoBytCounts  uint16 = 1 << 4
)

// FlagEmerg is OFPFF_EMERG, accepted (and ignored) in OpenFlow 1.0 only.
const FlagEmerg uint16 = 1 << 2

// flowModFlagsValid is the set of flow_mod flags a version defines.
func flowModFlagsValid(v uint8) uint16 {
	switch {
	case v == Version10:
		return FlagSendFlowRem | FlagCheckOverlap | FlagEmerg
	case v == Version11:
		return FlagSendFlowRem | FlagCheckOverlap
	case v == Version12:
		return FlagSendFlowRem | FlagCheckOverlap | FlagResetCounts
	}
	return FlagSendFlowRem | FlagCheckOverlap | FlagResetCounts | FlagNoPktCounts | FlagNoBytCounts
}

// NoBuffer is the buffer_id meaning "no buffered packet".
const NoBuffer uint32 = 0xffffffff

// GroupAny is OFPG_ANY.
const GroupAny uint32 = 0xffffffff

// FlowMod is OFPT_FLOW_MOD in any version, or NXT_FLOW_MOD when NX is set
// (OpenFlow 1.0 with an NXM match). TableID is the table (OF1.0/NX: the high
// byte of the command, as NXT_FLOW_MOD_TABLE_ID defines). OutPort uses the
// 16-bit Port numbering. Actions follows action.go (instructions included).
type FlowMod struct {
	Header
	NX          bool
	Command     uint8
	Cookie      uint64
	CookieMask  uint64
	TableID     uint8
	IdleTimeout uint16
	HardTimeout uint16
	Importance  uint16
	Priority    uint16
	BufferID    uint32
	OutPort     Port
	OutGroup    uint32
	Flags       uint16
	Match       Match
	Actions     []Action
}

// Type implements Message.
func (*FlowMod) Type() MsgType { return MsgFlowMod }

// decodeNXMatch reads an NXM match of matchLen bytes plus padding to 8.
func decodeNXMatch(r *rd, matchLen int) (Match, error) {
	padded := (matchLen + 7) &^ 7
	b := r.take(padded)
	if !r.ok {
		return Match{}, fmt.Errorf("openflow: NXM match of %d bytes truncated: %w", matchLen, ErrOFPBRCBadLen)
	}
	// Like OVS, ignore the contents of the padding.
	return decodeTLVs(b[:matchLen])
}

// appendNXMatch writes the match padded to 8 and returns its unpadded length.
func appendNXMatch(w *buf, m *Match) (int, error) {
	start := len(w.b)
	if err := appendTLVs(w, m); err != nil {
		return 0, err
	}
	n := len(w.b) - start
	w.pad8(start)
	return n, nil
}

func decodeFlowMod(h Header, nx bool, r *rd) (Message, error) {
	// Every flow_mod layout is a fixed part and a body of 8-byte units.
	if len(r.b)%8 != 0 {
		return nil, fmt.Errorf("openflow: flow_mod length %d not a multiple of 8: %w", len(r.b)+HeaderLen, ErrOFPBRCBadLen)
	}
	m := &FlowMod{Header: h, NX: nx, OutGroup: GroupAny}
	switch {
	case nx:
		m.Cookie = r.u64()
		cmd := r.u16()
		m.Command, m.TableID = uint8(cmd), uint8(cmd>>8)
		m.IdleTimeout, m.HardTimeout, m.Priority = r.u16(), r.u16(), r.u16()
		m.BufferID = r.u32()
		m.OutPort = Port(r.u16())
		m.Flags = r.u16()
		matchLen := int(r.u16())
		r.skip(6)
		if !r.ok {
			return nil, fmt.Errorf("openflow: short NXT_FLOW_MOD: %w", ErrOFPBRCBadLen)
		}
		var err error
		if m.Match, err = decodeNXMatch(r, matchLen); err != nil {
			return nil, err
		}
		m.CookieMask = ^uint64(0)
	case h.Version == Version10:
		m10 := decodeMatch10(r)
		m.Cookie = r.u64()
		cmd := r.u16()
		m.Command, m.TableID = uint8(cmd), uint8(cmd>>8)
		m.IdleTimeout, m.HardTimeout, m.Priority = r.u16(), r.u16(), r.u16()
		m.BufferID = r.u32()
		m.OutPort = Port(r.u16())
		m.Flags = r.u16()
		if !r.ok {
			return nil, fmt.Errorf("openflow: short OF1.0 flow_mod: %w", ErrOFPBRCBadLen)
		}
		m.Match = m10.ToFields()
		m.CookieMask = ^uint64(0)
	default:
		m.Cookie, m.CookieMask = r.u64(), r.u64()
		m.TableID, m.Command = r.u8(), r.u8()
		m.IdleTimeout, m.HardTimeout, m.Priority = r.u16(), r.u16(), r.u16()
		m.BufferID = r.u32()
		op := r.u32()
		m.OutGroup = r.u32()
		m.Flags = r.u16()
		imp := r.u16()
		if h.Version >= Version14 {
			m.Importance = imp
		}
		if !r.ok {
			return nil, fmt.Errorf("openflow: short flow_mod: %w", ErrOFPBRCBadLen)
		}
		var ok bool
		if m.OutPort, ok = port32to16(op); !ok {
			return nil, fmt.Errorf("openflow: flow_mod out_port %#x: %w", op, ErrOFPBACBadOutPort)
		}
		if m.TableID == 0xff && (h.Version == Version11 || m.Command != FlowDelete && m.Command != FlowDeleteStrict) {
			return nil, fmt.Errorf("openflow: flow_mod to table 255: %w", ErrOFPFMFCBadTableId)
		}
		mt, n, err := decodeOXMMatch(r.b)
		if err != nil {
			return nil, err
		}
		m.Match = mt
		r.skip(n)
	}
	if m.Command > FlowDeleteStrict {
		return nil, fmt.Errorf("openflow: flow_mod command %d: %w", m.Command, ErrOFPFMFCBadCommand)
	}
	if m.Flags&^flowModFlagsValid(h.Version) != 0 {
		return nil, fmt.Errorf("openflow: flow_mod flags %#x: %w", m.Flags, ErrOFPFMFCBadFlags)
	}
	var err error
	if h.Version == Version10 {
		m.Actions, err = DecodeActions(h.Version, r.rest())
	} else {
		m.Actions, err = DecodeInstructions(h.Version, r.rest())
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func encodeFlowMod(w *buf, m *FlowMod) error {
	cmd10 := uint16(m.Command)
	if m.TableID != 0 && m.TableID != 0xff {
		cmd10 |= uint16(m.TableID) << 8
	}
	switch {
	case m.NX:
		vendorHeader(w, m.Version, m.XID, VendorNicira, nxtFlowMod)
		w.u64(m.Cookie)
		w.u16(cmd10)
		w.u16(m.IdleTimeout)
		w.u16(m.HardTimeout)
		w.u16(m.Priority)
		w.u32(m.BufferID)
		w.u16(uint16(m.OutPort))
		w.u16(m.Flags)
		at := len(w.b)
		w.u16(0)
		w.zeros(6)
		n, err := appendNXMatch(w, &m.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
	case m.Version == Version10:
		m10, err := Match10FromFields(&m.Match)
		if err != nil {
			return err
		}
		w.header(m.Version, ofptFlowMod, m.XID)
		appendMatch10(w, &m10)
		w.u64(m.Cookie)
		w.u16(cmd10)
		w.u16(m.IdleTimeout)
		w.u16(m.HardTimeout)
		w.u16(m.Priority)
		w.u32(m.BufferID)
		w.u16(uint16(m.OutPort))
		w.u16(m.Flags)
	default:
		w.header(m.Version, ofptFlowMod, m.XID)
		w.u64(m.Cookie)
		w.u64(m.CookieMask)
		w.u8(m.TableID)
		w.u8(m.Command)
		w.u16(m.IdleTimeout)
		w.u16(m.HardTimeout)
		w.u16(m.Priority)
		w.u32(m.BufferID)
		w.u32(port16to32(m.OutPort))
		w.u32(m.OutGroup)
		w.u16(m.Flags)
		if m.Version >= Version14 {
			w.u16(m.Importance)
		} else {
			w.u16(0)
		}
		if err := appendMatch11Plus(w, m.Version, &m.Match); err != nil {
			return err
		}
	}
	var err error
	w.b, err = EncodeInstructions(w.b, m.Version, m.Actions)
	return err
}

// FlowRemoved is OFPT_FLOW_REMOVED (OF1.0-1.5) or NXT_FLOW_REMOVED (NX).
// TableID 255 means "unknown" (NX sends table_id+1, 0 for unknown).
type FlowRemoved struct {
	Header
	NX           bool
	Cookie       uint64
	Priority     uint16
	Reason       uint8
	TableID      uint8
	DurationSec  uint32
	DurationNSec uint32
	IdleTimeout  uint16
	HardTimeout  uint16
	PacketCount  uint64
	ByteCount    uint64
	Match        Match
}

// Type implements Message.
func (*FlowRemoved) Type() MsgType { return MsgFlowRemoved }

func decodeFlowRemoved(h Header, nx bool, r *rd) (Message, error) {
	m := &FlowRemoved{Header: h, NX: nx}
	switch {
	case nx:
		m.Cookie, m.Priority, m.Reason = r.u64(), r.u16(), r.u8()
		// NX carries table_id + 1, with 0 meaning unknown (255 here).
		m.TableID = r.u8() - 1
		m.DurationSec, m.DurationNSec, m.IdleTimeout = r.u32(), r.u32(), r.u16()
		ml := int(r.u16())
		m.PacketCount, m.ByteCount = r.u64(), r.u64()
		if !r.ok {
			return nil, fmt.Errorf("openflow: short NXT_FLOW_REMOVED: %w", ErrOFPBRCBadLen)
		}
		var err error
		if m.Match, err = decodeNXMatch(r, ml); err != nil {
			return nil, err
		}
	case h.Version == Version10:
		m10 := decodeMatch10(r)
		m.Match = m10.ToFields()
		m.Cookie, m.Priority, m.Reason = r.u64(), r.u16(), r.u8()
		r.skip(1)
		m.DurationSec, m.DurationNSec, m.IdleTimeout = r.u32(), r.u32(), r.u16()
		r.skip(2)
		m.PacketCount, m.ByteCount = r.u64(), r.u64()
	case h.Version <= Version14 && h.Version >= Version11:
		m.Cookie, m.Priority, m.Reason, m.TableID = r.u64(), r.u16(), r.u8(), r.u8()
		m.DurationSec, m.DurationNSec = r.u32(), r.u32()
		m.IdleTimeout, m.HardTimeout = r.u16(), r.u16()
		m.PacketCount, m.ByteCount = r.u64(), r.u64()
		if !r.ok {
			return nil, fmt.Errorf("openflow: short flow_removed: %w", ErrOFPBRCBadLen)
		}
		mt, n, err := decodeOXMMatch(r.b)
		if err != nil {
			return nil, err
		}
		m.Match = mt
		r.skip(n)
	case h.Version >= Version15:
		m.TableID, m.Reason, m.Priority = r.u8(), r.u8(), r.u16()
		m.IdleTimeout, m.HardTimeout, m.Cookie = r.u16(), r.u16(), r.u64()
		if !r.ok {
			return nil, fmt.Errorf("openflow: short flow_removed: %w", ErrOFPBRCBadLen)
		}
		mt, n, err := decodeOXMMatch(r.b)
		if err != nil {
			return nil, err
		}
		m.Match = mt
		r.skip(n)
		st, err := pullOXS(r)
		if err != nil {
			return nil, err
		}
		m.DurationSec, m.DurationNSec, m.PacketCount, m.ByteCount = st.durSec, st.durNSec, st.packets, st.bytes
	default:
		return nil, fmt.Errorf("openflow: flow_removed in version %#x: %w", h.Version, ErrOFPBRCBadType)
	}
	if !r.ok || len(r.b) != 0 {
		return nil, fmt.Errorf("openflow: flow_removed length: %w", ErrOFPBRCBadLen)
	}
	return m, nil
}

func encodeFlowRemoved(w *buf, m *FlowRemoved) error {
	switch {
	case m.NX:
		vendorHeader(w, m.Version, m.XID, VendorNicira, nxtFlowRemoved)
		w.u64(m.Cookie)
		w.u16(m.Priority)
		w.u8(m.Reason)
		w.u8(m.TableID + 1)
		w.u32(m.DurationSec)
		w.u32(m.DurationNSec)
		w.u16(m.IdleTimeout)
		at := len(w.b)
		w.u16(0)
		w.u64(m.PacketCount)
		w.u64(m.ByteCount)
		n, err := appendNXMatch(w, &m.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
	case m.Version == Version10:
		m10, err := Match10FromFields(&m.Match)
		if err != nil {
			return err
		}
		w.header(m.Version, ofptFlowRemoved, m.XID)
		appendMatch10(w, &m10)
		w.u64(m.Cookie)
		w.u16(m.Priority)
		w.u8(m.Reason)
		w.u8(0)
		w.u32(m.DurationSec)
		w.u32(m.DurationNSec)
		w.u16(m.IdleTimeout)
		w.u16(0)
		w.u64(m.PacketCount)
		w.u64(m.ByteCount)
	case m.Version >= Version11 && m.Version <= Version14:
		w.header(m.Version, ofptFlowRemoved, m.XID)
		w.u64(m.Cookie)
		w.u16(m.Priority)
		w.u8(m.Reason)
		w.u8(m.TableID)
		w.u32(m.DurationSec)
		w.u32(m.DurationNSec)
		w.u16(m.IdleTimeout)
		w.u16(m.HardTimeout)
		w.u64(m.PacketCount)
		w.u64(m.ByteCount)
		return appendMatch11Plus(w, m.Version, &m.Match)
	case m.Version >= Version15:
		w.header(m.Version, ofptFlowRemoved, m.XID)
		w.u8(m.TableID)
		w.u8(m.Reason)
		w.u16(m.Priority)
		w.u16(m.IdleTimeout)
		w.u16(m.HardTimeout)
		w.u64(m.Cookie)
		if err := appendOXMMatch(w, &m.Match); err != nil {
			return err
		}
		putOXS(w, &oxsStats{hasDuration: true, durSec: m.DurationSec, durNSec: m.DurationNSec,
			hasPackets: true, packets: m.PacketCount, hasBytes: true, bytes: m.ByteCount})
	default:
		return fmt.Errorf("openflow: flow_removed in version %#x not implemented: %w", m.Version, ErrOFPBRCBadType)
	}
	return nil
}

// Packet-in wire formats.
const (
	PacketInStd uint8 = iota // the version's OFPT_PACKET_IN
	PacketInNX               // NXT_PACKET_IN
	PacketInNX2              // NXT_PACKET_IN2
)

// NoCookie is the cookie of a packet-in that no rule sent (all-ones, OVS's
// OVS_BE64_MAX); NXT_PACKET_IN2 then omits its cookie property.
const NoCookie = ^uint64(0)

// PacketIn is a packet-in in any of its wire formats. Match carries the
// packet metadata (in_port, registers, tunnel...) as fields; for OF1.0 only
// in_port. Data is the (possibly truncated) packet. UserData and
// Continuation are NXT_PACKET_IN2 only; Continuation is the raw payload of
// the NXPINT_CONTINUATION property (4 pad bytes, then nested properties
// aligned to 8), opaque to controllers.
type PacketIn struct {
	Header
	Format       uint8
	BufferID     uint32
	TotalLen     uint16
	Reason       uint8
	TableID      uint8
	Cookie       uint64
	Match        Match
	Data         []byte
	UserData     []byte
	Continuation []byte
}

// Type implements Message.
func (*PacketIn) Type() MsgType { return MsgPacketIn }

func decodePacketIn(h Header, format uint8, r *rd) (Message, error) {
	m := &PacketIn{Header: h, Format: format}
	switch {
	case format == PacketInNX2:
		return decodePacketIn2(m, r)
	case format == PacketInNX:
		m.BufferID, m.TotalLen, m.Reason, m.TableID = r.u32(), r.u16(), r.u8(), r.u8()
		m.Cookie = r.u64()
		ml := int(r.u16())
		r.skip(6)
		if !r.ok {
			return nil, fmt.Errorf("openflow: short NXT_PACKET_IN: %w", ErrOFPBRCBadLen)
		}
		var err error
		if m.Match, err = decodeNXMatch(r, ml); err != nil {
			return nil, err
		}
		r.skip(2)
	case h.Version == Version10:
		m.BufferID, m.TotalLen = r.u32(), r.u16()
		m.Match.Fields = []MatchField{{Header: NXMInPort, Value: u16b(r.u16())}}
		m.Reason = r.u8()
		r.skip(1)
	case h.Version >= Version12:
		m.BufferID, m.TotalLen, m.Reason, m.TableID = r.u32(), r.u16(), r.u8(), r.u8()
		if h.Version >= Version13 {
			m.Cookie = r.u64()
		}
		if !r.ok {
			return nil, fmt.Errorf("openflow: short packet_in: %w", ErrOFPBRCBadLen)
		}
		mt, n, err := decodeOXMMatch(r.b)
		if err != nil {
			return nil, err
		}
		m.Match = mt
		r.skip(n + 2)
	default: // OF1.1
		m.BufferID = r.u32()
		inPort := r.u32()
		r.skip(4) // in_phy_port
		m.TotalLen, m.Reason, m.TableID = r.u16(), r.u8(), r.u8()
		if _, ok := port32to16(inPort); !ok && r.ok {
			return nil, fmt.Errorf("openflow: packet_in in_port %#x: %w", inPort, ErrOFPBACBadOutPort)
		}
		m.Match.Fields = []MatchField{{Header: OXMInPort, Value: u32b(inPort)}}
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short packet_in: %w", ErrOFPBRCBadLen)
	}
	m.Data = clone(r.rest())
	return m, nil
}

// NXT_PACKET_IN2 property types.
const (
	nxpintPacket       = 0
	nxpintFullLen      = 1
	nxpintBufferID     = 2
	nxpintTableID      = 3
	nxpintCookie       = 4
	nxpintReason       = 5
	nxpintMetadata     = 6
	nxpintUserdata     = 7
	nxpintContinuation = 8
)

func decodePacketIn2(m *PacketIn, r *rd) (Message, error) {
	m.BufferID = NoBuffer
	m.Cookie = NoCookie
	full := -1
	for r.ok && len(r.b) > 0 {
		t, l := r.u16(), int(r.u16())
		if l < 4 || !r.need(l-4) {
			return nil, fmt.Errorf("openflow: packet_in2 property length %d: %w", l, ErrOFPBPCBadLen)
		}
		v := r.take(l - 4)
		r.skip(min((8-l%8)%8, len(r.b)))
		vr := newRd(v)
		exact := func(n int) error {
			if len(v) != n {
				return fmt.Errorf("openflow: packet_in2 property %d length %d: %w", t, l, ErrOFPBPCBadLen)
			}
			return nil
		}
		var err error
		switch t {
		case nxpintPacket:
			m.Data = clone(v)
		case nxpintFullLen:
			if err = exact(4); err == nil {
				full = int(vr.u32())
			}
		case nxpintBufferID:
			if err = exact(4); err == nil {
				m.BufferID = vr.u32()
			}
		case nxpintTableID:
			if err = exact(1); err == nil {
				m.TableID = vr.u8()
			}
		case nxpintCookie:
			if err = exact(12); err == nil {
				vr.skip(4)
				m.Cookie = vr.u64()
			}
		case nxpintReason:
			if err = exact(1); err == nil {
				m.Reason = vr.u8()
			}
		case nxpintMetadata:
			m.Match, err = decodeTLVs(v)
		case nxpintUserdata:
			m.UserData = clone(v)
		case nxpintContinuation:
			m.Continuation = clone(v)
		default:
			if t < 0x8000 {
				err = fmt.Errorf("openflow: packet_in2 property %d: %w", t, ErrOFPBPCBadType)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: packet_in2: %w", ErrOFPBRCBadLen)
	}
	m.TotalLen = uint16(len(m.Data))
	if full >= 0 {
		m.TotalLen = uint16(full)
	}
	return m, nil
}

func encodePacketIn(w *buf, m *PacketIn) error {
	switch {
	case m.Format == PacketInNX2:
		vendorHeader(w, m.Version, m.XID, VendorNicira, nxtPacketIn2)
		prop := func(t uint16, v []byte) {
			s := len(w.b)
			w.u16(t)
			w.u16(uint16(4 + len(v)))
			w.bytes(v)
			w.pad8(s)
		}
		prop(nxpintPacket, m.Data)
		if int(m.TotalLen) != len(m.Data) {
			prop(nxpintFullLen, u32b(uint32(m.TotalLen)))
		}
		if m.BufferID != NoBuffer {
			prop(nxpintBufferID, u32b(m.BufferID))
		}
		// As OVS: table and reason always, the cookie unless it is
		// all-ones (no rule, e.g. a packet-out).
		prop(nxpintTableID, []byte{m.TableID})
		if m.Cookie != NoCookie {
			c := buf{}
			c.zeros(4)
			c.u64(m.Cookie)
			prop(nxpintCookie, c.b)
		}
		prop(nxpintReason, []byte{m.Reason})
		md := buf{}
		if err := appendTLVs(&md, &m.Match); err != nil {
			return err
		}
		prop(nxpintMetadata, md.b)
		if m.UserData != nil {
			prop(nxpintUserdata, m.UserData)
		}
		if m.Continuation != nil {
			prop(nxpintContinuation, m.Continuation)
		}
	case m.Format == PacketInNX:
		vendorHeader(w, m.Version, m.XID, VendorNicira, nxtPacketIn)
		w.u32(m.BufferID)
		w.u16(m.TotalLen)
		w.u8(m.Reason)
		w.u8(m.TableID)
		w.u64(m.Cookie)
		at := len(w.b)
		w.u16(0)
		w.zeros(6)
		n, err := appendNXMatch(w, &m.Match)
		if err != nil {
			return err
		}
		w.put16(at, uint16(n))
		w.zeros(2)
		w.bytes(m.Data)
	case m.Version == Version10:
		w.header(m.Version, ofptPacketIn, m.XID)
		w.u32(m.BufferID)
		w.u16(m.TotalLen)
		var port uint16
		if f, ok := m.Match.Field(NXMInPort); ok {
			port = be16(f.Value)
		} else if f, ok := m.Match.Field(OXMInPort); ok {
			p, _ := port32to16(be32(f.Value))
			port = uint16(p)
		}
		w.u16(port)
		w.u8(m.Reason)
		w.u8(0)
		w.bytes(m.Data)
	case m.Version >= Version12:
		w.header(m.Version, ofptPacketIn, m.XID)
		w.u32(m.BufferID)
		w.u16(m.TotalLen)
		w.u8(m.Reason)
		w.u8(m.TableID)
		if m.Version >= Version13 {
			w.u64(m.Cookie)
		}
		if err := appendOXMMatch(w, &m.Match); err != nil {
			return err
		}
		w.zeros(2)
		w.bytes(m.Data)
	default: // OF1.1
		w.header(m.Version, ofptPacketIn, m.XID)
		w.u32(m.BufferID)
		var port uint32
		if f, ok := m.Match.Field(OXMInPort); ok {
			port = be32(f.Value)
		} else if f, ok := m.Match.Field(NXMInPort); ok {
			port = port16to32(Port(be16(f.Value)))
		}
		w.u32(port)
		w.u32(port)
		w.u16(m.TotalLen)
		w.u8(m.Reason)
		w.u8(m.TableID)
		w.bytes(m.Data)
	}
	return nil
}

// PacketOut is OFPT_PACKET_OUT. InPort is the input port (OF1.0-1.4); in
// OF1.5 the packet metadata is Match, and InPort mirrors its in_port field.
type PacketOut struct {
	Header
	BufferID uint32
	InPort   Port
	Match    Match
	Actions  []Action
	Data     []byte
}

// Type implements Message.
func (*PacketOut) Type() MsgType { return MsgPacketOut }

func decodePacketOut(h Header, r *rd) (Message, error) {
	m := &PacketOut{Header: h}
	var alen int
	switch {
	case h.Version == Version10:
		m.BufferID, m.InPort, alen = r.u32(), Port(r.u16()), int(r.u16())
	case h.Version <= Version14:
		m.BufferID = r.u32()
		p := r.u32()
		alen = int(r.u16())
		r.skip(6)
		var ok bool
		if m.InPort, ok = port32to16(p); !ok {
			return nil, fmt.Errorf("openflow: packet_out in_port %#x: %w", p, ErrOFPBACBadOutPort)
		}
	default:
		m.BufferID = r.u32()
		alen = int(r.u16())
		r.skip(2)
		if !r.ok {
			return nil, fmt.Errorf("openflow: short packet_out: %w", ErrOFPBRCBadLen)
		}
		mt, n, err := decodeOXMMatch(r.b)
		if err != nil {
			return nil, err
		}
		r.skip(n)
		m.Match = mt
		m.InPort = PortNone
		if f, ok := mt.Field(OXMInPort); ok {
			m.InPort, _ = port32to16(be32(f.Value))
		}
	}
	acts := r.take(alen)
	if !r.ok {
		return nil, fmt.Errorf("openflow: packet_out actions length %d: %w", alen, ErrOFPBRCBadLen)
	}
	var err error
	if m.Actions, err = DecodeActions(h.Version, acts); err != nil {
		return nil, err
	}
	m.Data = clone(r.rest())
	return m, nil
}

func encodePacketOut(w *buf, m *PacketOut) error {
	w.header(m.Version, ofptPacketOut, m.XID)
	w.u32(m.BufferID)
	var at int
	switch {
	case m.Version == Version10:
		w.u16(uint16(m.InPort))
		at = len(w.b)
		w.u16(0)
	case m.Version <= Version14:
		w.u32(port16to32(m.InPort))
		at = len(w.b)
		w.u16(0)
		w.zeros(6)
	default:
		at = len(w.b)
		w.u16(0)
		w.zeros(2)
		mt := m.Match
		if len(mt.Fields) == 0 {
			mt.Fields = []MatchField{{Header: OXMInPort, Value: u32b(port16to32(m.InPort))}}
		}
		if err := appendOXMMatch(w, &mt); err != nil {
			return err
		}
	}
	start := len(w.b)
	var err error
	if w.b, err = EncodeActions(w.b, m.Version, m.Actions); err != nil {
		return err
	}
	w.put16(at, uint16(len(w.b)-start))
	w.bytes(m.Data)
	return nil
}
