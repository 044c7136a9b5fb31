package openflow

//go:generate sh -c "sh gen_errors.sh | gofmt > errors_table.go"

import (
	"errors"
	"fmt"
)

// wireError is how one error is numbered in one OpenFlow version: a standard
// (type, code) when Vendor is 0, else an experimenter error whose experimenter
// type is Type (OF1.2+) or a Nicira vendor error with (Type, Code) (OF1.0/1.1).
type wireError struct {
	OK     bool
	Vendor uint32
	Type   uint16
	Code   uint16
}

type errorEntry struct {
	name  string
	err   Error
	wires [6]wireError // indexed by version-1
}

// Wire error types that carry vendor errors.
const (
	errTypeNXVendor     = 0xb0c2 // NXET_VENDOR (OF1.0, OF1.1)
	errTypeExperimenter = 0xffff // OFPET12_EXPERIMENTER (OF1.2+)
)

var errorByValue = func() map[Error]int {
	m := make(map[Error]int, len(errorTable))
	for i, e := range errorTable {
		m[e.err] = i
	}
	return m
}()

// Name returns Open vSwitch's name of the error, e.g. "OFPBRC_BAD_TYPE", or
// "OFPERR(type,code)" for an error OVS does not know.
func (e Error) Name() string {
	if i, ok := errorByValue[e]; ok {
		return errorTable[i].name
	}
	return fmt.Sprintf("OFPERR(%d,%d)", e.Type, e.Code)
}

// ErrorByName returns the error OVS calls name.
func ErrorByName(name string) (Error, bool) {
	for _, e := range errorTable {
		if e.name == name {
			return e.err, true
		}
	}
	return Error{}, false
}

// AsError extracts the OpenFlow error from err's chain.
func AsError(err error) (Error, bool) {
	var e Error
	if errors.As(err, &e) {
		return e, true
	}
	return Error{}, false
}

func versionIndex(v uint8) int {
	if v < Version10 || v > Version15 {
		return -1
	}
	return int(v) - 1
}

// wireFor returns e's numbering in version, falling back as OVS does to
// NXBRC_UNENCODABLE_ERROR's numbering when e has none there.
func wireFor(e Error, version uint8) wireError {
	vi := versionIndex(version)
	if vi < 0 {
		vi = 0
	}
	i, ok := errorByValue[e]
	if !ok {
		// Unknown to the table: send it raw in standard numbering.
		return wireError{OK: true, Type: e.Type, Code: e.Code}
	}
	if errorTable[i].wires[vi].OK {
		return errorTable[i].wires[vi]
	}
	return errorTable[errorByValue[ErrNXBRCUnencodableError]].wires[vi]
}

// errorFromWire maps a version's numbering back to the named error; the first
// table entry with that numbering wins, as in OVS. Unknown numberings come
// back as the raw standard pair with ok false.
func errorFromWire(version uint8, w wireError) (Error, bool) {
	vi := versionIndex(version)
	if vi >= 0 {
		for _, e := range errorTable {
			x := e.wires[vi]
			if x.OK && x.Vendor == w.Vendor && x.Type == w.Type && x.Code == w.Code {
				return e.err, true
			}
		}
	}
	if w.Vendor == 0 {
		return Error{Type: w.Type, Code: w.Code}, false
	}
	return Error{Type: errTypeExperimenter, Code: w.Type}, false
}

// ErrorMsg is OFPT_ERROR. Err is the named error (see errorFromWire for
// numberings OVS does not know); Data is normally the start of the offending
// request, or text for OFPET_HELLO_FAILED.
type ErrorMsg struct {
	Header
	Err  Error
	Data []byte
	// raw keeps the wire numbering of an error OVS does not know, so that
	// it re-encodes unchanged.
	raw *wireError
}

// Type implements Message.
func (*ErrorMsg) Type() MsgType { return MsgError }

// NewErrorReply builds the ERROR a switch sends for request (the raw request
// bytes): same version and xid, and the first 64 bytes of the request as
// data, like OVS.
func NewErrorReply(e Error, request []byte) *ErrorMsg {
	m := &ErrorMsg{Err: e}
	if len(request) >= HeaderLen {
		m.Version = request[0]
		m.XID = be32(request[4:])
		n := len(request)
		if n > 64 {
			n = 64
		}
		m.Data = clone(request[:n])
	}
	return m
}

func encodeError(w *buf, m *ErrorMsg) {
	x := wireFor(m.Err, m.Version)
	if m.raw != nil {
		x = *m.raw
	}
	w.header(m.Version, ofptError, m.XID)
	switch {
	case x.Vendor == 0:
		w.u16(x.Type)
		w.u16(x.Code)
	case m.Version <= Version11:
		w.u16(errTypeNXVendor)
		w.u16(0)
		w.u32(x.Vendor)
		w.u16(x.Type)
		w.u16(x.Code)
	default:
		w.u16(errTypeExperimenter)
		w.u16(x.Type)
		w.u32(x.Vendor)
	}
	w.bytes(m.Data)
}

func decodeError(h Header, r *rd) (Message, error) {
	m := &ErrorMsg{Header: h}
	t, c := r.u16(), r.u16()
	if !r.ok {
		return nil, fmt.Errorf("openflow: short error message: %w", ErrOFPBRCBadLen)
	}
	var w wireError
	switch {
	case t == errTypeNXVendor && h.Version <= Version11:
		w.Vendor, w.Type, w.Code = r.u32(), r.u16(), r.u16()
	case t == errTypeExperimenter && h.Version >= Version12:
		w.Type = c
		w.Vendor = r.u32()
	default:
		w.Type, w.Code = t, c
	}
	if !r.ok {
		return nil, fmt.Errorf("openflow: short vendor error message: %w", ErrOFPBRCBadLen)
	}
	var known bool
	m.Err, known = errorFromWire(h.Version, w)
	if !known {
		m.raw = &w
	}
	m.Data = clone(r.rest())
	return m, nil
}
