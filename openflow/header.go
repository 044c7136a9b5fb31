package openflow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// OpenFlow wire protocol versions.
const (
	Version10 uint8 = 0x01
	Version11 uint8 = 0x02
	Version12 uint8 = 0x03
	Version13 uint8 = 0x04
	Version14 uint8 = 0x05
	Version15 uint8 = 0x06
)

// HeaderLen is the length of ofp_header.
const HeaderLen = 8

// MaxMessageLen is the largest OpenFlow message: the length field is 16 bits.
const MaxMessageLen = 0xffff

// Vendor (experimenter) identifiers.
const (
	VendorNicira uint32 = 0x00002320 // NX_VENDOR_ID
	VendorONF    uint32 = 0x4f4e4600 // ONF_VENDOR_ID
)

// Header is the common part of every message: the protocol version it is
// (to be) encoded in and the transaction id. It is embedded in every message
// struct.
type Header struct {
	Version uint8
	XID     uint32
}

// Head returns the header; it lets generic code set version and xid.
func (h *Header) Head() *Header { return h }

// Message is one decoded OpenFlow message. Concrete types are the *Xxx structs
// of this package (pointer receivers). A Message is owned by its holder and
// not safe for concurrent mutation.
type Message interface {
	Type() MsgType
	Head() *Header
}

// MsgType is a version-neutral message kind. Several wire encodings (OF1.0,
// NX vendor, OF1.3...) decode to the same MsgType.
type MsgType uint16

// Message kinds.
const (
	MsgHello MsgType = iota + 1
	MsgError
	MsgEchoRequest
	MsgEchoReply
	MsgFeaturesRequest
	MsgFeaturesReply
	MsgGetConfigRequest
	MsgGetConfigReply
	MsgSetConfig
	MsgPacketIn
	MsgFlowRemoved
	MsgPortStatus
	MsgPacketOut
	MsgFlowMod
	MsgPortMod
	MsgBarrierRequest
	MsgBarrierReply
	MsgRoleRequest
	MsgRoleReply
	MsgSetFlowFormat
	MsgFlowModTableID
	MsgSetPacketInFormat
	MsgSetControllerID
	MsgSetAsync
	MsgGetAsyncRequest
	MsgGetAsyncReply
	MsgStatsRequest
	MsgStatsReply
	MsgBundleControl
	MsgBundleAdd
	MsgGroupMod
	MsgMeterMod
	MsgTableMod
	MsgUnknown
)

var msgTypeNames = map[MsgType]string{
	MsgHello: "HELLO", MsgError: "ERROR", MsgEchoRequest: "ECHO_REQUEST",
	MsgEchoReply: "ECHO_REPLY", MsgFeaturesRequest: "FEATURES_REQUEST",
	MsgFeaturesReply: "FEATURES_REPLY", MsgGetConfigRequest: "GET_CONFIG_REQUEST",
	MsgGetConfigReply: "GET_CONFIG_REPLY", MsgSetConfig: "SET_CONFIG",
	MsgPacketIn: "PACKET_IN", MsgFlowRemoved: "FLOW_REMOVED",
	MsgPortStatus: "PORT_STATUS", MsgPacketOut: "PACKET_OUT", MsgFlowMod: "FLOW_MOD",
	MsgPortMod: "PORT_MOD", MsgBarrierRequest: "BARRIER_REQUEST",
	MsgBarrierReply: "BARRIER_REPLY", MsgRoleRequest: "ROLE_REQUEST",
	MsgRoleReply: "ROLE_REPLY", MsgSetFlowFormat: "SET_FLOW_FORMAT",
	MsgFlowModTableID: "FLOW_MOD_TABLE_ID", MsgSetPacketInFormat: "SET_PACKET_IN_FORMAT",
	MsgSetControllerID: "SET_CONTROLLER_ID", MsgSetAsync: "SET_ASYNC",
	MsgGetAsyncRequest: "GET_ASYNC_REQUEST", MsgGetAsyncReply: "GET_ASYNC_REPLY",
	MsgStatsRequest: "STATS_REQUEST", MsgStatsReply: "STATS_REPLY",
	MsgBundleControl: "BUNDLE_CONTROL", MsgBundleAdd: "BUNDLE_ADD_MESSAGE",
	MsgGroupMod: "GROUP_MOD", MsgMeterMod: "METER_MOD", MsgTableMod: "TABLE_MOD",
	MsgUnknown: "UNKNOWN", MsgTLVTableMod: "NXT_TLV_TABLE_MOD",
	MsgTLVTableRequest: "NXT_TLV_TABLE_REQUEST", MsgTLVTableReply: "NXT_TLV_TABLE_REPLY",
	MsgResume: "NXT_RESUME", MsgCTFlushZone: "NXT_CT_FLUSH_ZONE", MsgRoleStatus: "ROLE_STATUS",
	MsgFlowMonitorCancel: "NXT_FLOW_MONITOR_CANCEL", MsgFlowMonitorPaused: "NXT_FLOW_MONITOR_PAUSED",
	MsgFlowMonitorResumed:    "NXT_FLOW_MONITOR_RESUMED",
	MsgQueueGetConfigRequest: "QUEUE_GET_CONFIG_REQUEST", MsgQueueGetConfigReply: "QUEUE_GET_CONFIG_REPLY",
}

// String returns a short upper-case name of the kind.
func (t MsgType) String() string {
	if s, ok := msgTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("MsgType(%d)", uint16(t))
}

// Wire message type numbers (ofp_header.type).
const (
	ofptHello        = 0
	ofptError        = 1
	ofptEchoRequest  = 2
	ofptEchoReply    = 3
	ofptVendor       = 4
	ofptFeaturesReq  = 5
	ofptFeaturesRep  = 6
	ofptGetConfigReq = 7
	ofptGetConfigRep = 8
	ofptSetConfig    = 9
	ofptPacketIn     = 10
	ofptFlowRemoved  = 11
	ofptPortStatus   = 12
	ofptPacketOut    = 13
	ofptFlowMod      = 14

	// OpenFlow 1.0 only.
	ofpt10PortMod      = 15
	ofpt10StatsRequest = 16
	ofpt10StatsReply   = 17
	ofpt10BarrierReq   = 18
	ofpt10BarrierRep   = 19

	// OpenFlow 1.1 and later.
	ofpt11GroupMod       = 15
	ofpt11PortMod        = 16
	ofpt11TableMod       = 17
	ofpt11StatsRequest   = 18
	ofpt11StatsReply     = 19
	ofpt11BarrierReq     = 20
	ofpt11BarrierRep     = 21
	ofpt12RoleRequest    = 24
	ofpt12RoleReply      = 25
	ofpt13GetAsyncReq    = 26
	ofpt13GetAsyncRep    = 27
	ofpt13SetAsync       = 28
	ofpt13MeterMod       = 29
	ofpt14BundleControl  = 33
	ofpt14BundleAddMsg   = 34
	ofpt15ControllerStat = 35
)

// ErrShortRead reports a stream that ended inside a message.
var ErrShortRead = errors.New("openflow: stream ended inside a message")

// Reader splits a byte stream into OpenFlow messages. It is not safe for
// concurrent use; one goroutine owns a Reader and the connection under it.
type Reader struct {
	r      io.Reader
	maxLen int
	buf    []byte
}

// NewReader returns a Reader over r that refuses messages longer than maxLen
// bytes (clamped to [HeaderLen, MaxMessageLen]).
func NewReader(r io.Reader, maxLen int) *Reader {
	if maxLen < HeaderLen || maxLen > MaxMessageLen {
		maxLen = MaxMessageLen
	}
	return &Reader{r: r, maxLen: maxLen, buf: make([]byte, 0, 4096)}
}

// Next returns the next whole message (header included). The returned slice
// is valid until the next call. Hot path: called once per message on every
// OpenFlow connection; it does not allocate once its buffer has grown to the
// largest message seen. A length field below HeaderLen or above the
// maximum is an OFPBRC_BAD_LEN error; the stream cannot be resynchronised
// after it and the caller should close the connection. io.EOF is returned
// only at a message boundary; EOF inside a message gives ErrShortRead.
func (r *Reader) Next() ([]byte, error) {
	hdr := r.buf[:HeaderLen]
	if _, err := io.ReadFull(r.r, hdr); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrShortRead
		}
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[2:]))
	if n < HeaderLen || n > r.maxLen {
		return nil, fmt.Errorf("openflow: message length %d (max %d): %w", n, r.maxLen, ErrOFPBRCBadLen)
	}
	if cap(r.buf) < n {
		nb := make([]byte, n)
		copy(nb, hdr)
		r.buf = nb
	}
	b := r.buf[:n]
	if _, err := io.ReadFull(r.r, b[HeaderLen:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrShortRead
		}
		return nil, err
	}
	return b, nil
}

// ParseHeader reads version, wire type, length and xid from b without
// checking anything but that b holds a header.
func ParseHeader(b []byte) (version, wireType uint8, length uint16, xid uint32, err error) {
	if len(b) < HeaderLen {
		return 0, 0, 0, 0, fmt.Errorf("openflow: %d-byte message shorter than header: %w", len(b), ErrOFPBRCBadLen)
	}
	return b[0], b[1], binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint32(b[4:]), nil
}

// encoder helpers: messages are built by appending to a slice; the length is
// patched at the end.

type buf struct{ b []byte }

func (w *buf) u8(v uint8)   { w.b = append(w.b, v) }
func (w *buf) u16(v uint16) { w.b = binary.BigEndian.AppendUint16(w.b, v) }
func (w *buf) u32(v uint32) { w.b = binary.BigEndian.AppendUint32(w.b, v) }
func (w *buf) u64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *buf) bytes(p []byte) {
	w.b = append(w.b, p...)
}
func (w *buf) zeros(n int) {
	for i := 0; i < n; i++ {
		w.b = append(w.b, 0)
	}
}

// pad8 pads from start to a multiple of 8 bytes.
func (w *buf) pad8(start int) {
	for (len(w.b)-start)%8 != 0 {
		w.b = append(w.b, 0)
	}
}
func (w *buf) put16(at int, v uint16) { binary.BigEndian.PutUint16(w.b[at:], v) }

// header appends an ofp_header with a zero length, patched by finish.
func (w *buf) header(version, typ uint8, xid uint32) {
	w.u8(version)
	w.u8(typ)
	w.u16(0)
	w.u32(xid)
}

func (w *buf) finish() ([]byte, error) {
	if len(w.b) > MaxMessageLen {
		return nil, fmt.Errorf("openflow: encoded message of %d bytes exceeds %d", len(w.b), MaxMessageLen)
	}
	binary.BigEndian.PutUint16(w.b[2:], uint16(len(w.b)))
	return w.b, nil
}

// rd is a bounds-checked big-endian cursor over untrusted input. After any
// short read, ok is false and every further read returns zero.
type rd struct {
	b  []byte
	ok bool
}

func newRd(b []byte) *rd { return &rd{b: b, ok: true} }

func (r *rd) need(n int) bool {
	if !r.ok || n < 0 || len(r.b) < n {
		r.ok = false
		return false
	}
	return true
}
func (r *rd) u8() uint8 {
	if !r.need(1) {
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}
func (r *rd) u16() uint16 {
	if !r.need(2) {
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}
func (r *rd) u32() uint32 {
	if !r.need(4) {
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}
func (r *rd) u64() uint64 {
	if !r.need(8) {
		return 0
	}
	v := binary.BigEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}
func (r *rd) take(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}
func (r *rd) skip(n int) { r.take(n) }
func (r *rd) rest() []byte {
	v := r.b
	r.b = nil
	return v
}
func (r *rd) mac() (m [6]byte) {
	copy(m[:], r.take(6))
	return m
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }
