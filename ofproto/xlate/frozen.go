package xlate

import (
	"encoding/binary"
	"errors"
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// FrozenState is what translation needs to continue where it stopped when it
// froze (OVS's struct frozen_state): a packet that comes back from the
// datapath with the frozen state's recirc_id resumes from here. It is
// immutable once handed to a FrozenTable and may be read from any goroutine.
type FrozenState struct {
	// Bridge is the bridge to resume in (OVS keys it by ofproto UUID).
	Bridge string
	// Table is the table to resume from when Actions is empty.
	Table uint8
	// Metadata is the pipeline metadata at the freeze point.
	Metadata FrozenMetadata
	// Stack is the push/pop stack, bottom first.
	Stack [][]byte
	// Mirrors are the mirrors already output to (bit set).
	Mirrors uint32
	// Conntracked is true when conntrack ran before the freeze (the ct_*
	// fields of the thawed packet are then honoured).
	Conntracked bool
	// WasMPLS is true when the packet was but is no longer MPLS.
	WasMPLS bool
	// Actions are the actions still to run, in order, with UnrollXlate
	// markers restoring the table and cookie of enclosing rules. Empty
	// means a lookup in Table.
	Actions []openflow.Action
	// ActionSet is the OpenFlow 1.1+ action set at the freeze point.
	ActionSet []openflow.Action
	// UserData is the controller action's userdata (packet-in).
	UserData []byte
}

// FrozenMetadata is the part of the flow a frozen state restores (OVS's
// struct frozen_metadata): tunnel, OpenFlow metadata, registers and the
// OpenFlow in_port.
type FrozenMetadata struct {
	TunID    uint64
	TunSrc   [16]byte
	TunDst   [16]byte
	TunFlags uint16
	TunTOS   uint8
	TunTTL   uint8
	TunTpSrc uint16
	TunTpDst uint16
	Metadata uint64
	Regs     [flow.NumRegs]uint32
	InPort   uint32
}

// metadataFromFlow captures the frozen metadata of f.
func metadataFromFlow(f *flow.Key) FrozenMetadata {
	return FrozenMetadata{
		TunID: f.TunID, TunSrc: f.TunSrc, TunDst: f.TunDst, TunFlags: f.TunFlags,
		TunTOS: f.TunTOS, TunTTL: f.TunTTL, TunTpSrc: f.TunTpSrc, TunTpDst: f.TunTpDst,
		Metadata: f.Metadata, Regs: f.Regs, InPort: f.InPort,
	}
}

// toFlow restores the frozen metadata into f.
func (m *FrozenMetadata) toFlow(f *flow.Key) {
	f.TunID, f.TunSrc, f.TunDst, f.TunFlags = m.TunID, m.TunSrc, m.TunDst, m.TunFlags
	f.TunTOS, f.TunTTL, f.TunTpSrc, f.TunTpDst = m.TunTOS, m.TunTTL, m.TunTpSrc, m.TunTpDst
	f.Metadata, f.Regs, f.InPort = m.Metadata, m.Regs, m.InPort
}

// UnrollXlate is a pseudo-action found only in frozen actions (OVS's
// OFPACT_UNROLL_XLATE): when thawed actions reach it, the table and rule
// cookie that a later packet-in or relative resubmit sees become those of
// the rule whose remaining actions follow. It never appears in a rule.
type UnrollXlate struct {
	// Exit is embedded only to make UnrollXlate an openflow.Action; it
	// carries nothing.
	openflow.Exit
	Table  uint8
	Cookie uint64
}

// String formats the action as ofproto/trace prints it (OVS prints the
// cookie in decimal here).
func (u UnrollXlate) String() string {
	return fmt.Sprintf("unroll_xlate(table=%d, cookie=%d)", u.Table, u.Cookie)
}

// Key returns a byte string that is equal for two frozen states exactly when
// the states are equal (OVS's frozen_state_equal); the frozen-state table
// indexes states by it. It reports an error for an action it cannot
// encode.
func (s *FrozenState) Key() (string, error) {
	b := make([]byte, 0, 256)
	b = append(b, s.Bridge...)
	b = append(b, 0, s.Table)
	m := &s.Metadata
	b = binary.BigEndian.AppendUint64(b, m.TunID)
	b = append(b, m.TunSrc[:]...)
	b = append(b, m.TunDst[:]...)
	b = binary.BigEndian.AppendUint16(b, m.TunFlags)
	b = append(b, m.TunTOS, m.TunTTL)
	b = binary.BigEndian.AppendUint16(b, m.TunTpSrc)
	b = binary.BigEndian.AppendUint16(b, m.TunTpDst)
	b = binary.BigEndian.AppendUint64(b, m.Metadata)
	for _, r := range m.Regs {
		b = binary.BigEndian.AppendUint32(b, r)
	}
	b = binary.BigEndian.AppendUint32(b, m.InPort)
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.Stack)))
	for _, e := range s.Stack {
		b = binary.BigEndian.AppendUint32(b, uint32(len(e)))
		b = append(b, e...)
	}
	b = binary.BigEndian.AppendUint32(b, s.Mirrors)
	b = append(b, boolByte(s.Conntracked), boolByte(s.WasMPLS))
	var err error
	if b, err = appendActionsKey(b, s.Actions); err != nil {
		return "", err
	}
	if b, err = appendActionsKey(b, s.ActionSet); err != nil {
		return "", err
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.UserData)))
	b = append(b, s.UserData...)
	return string(b), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// keyVersion is the OpenFlow version whose encoding identifies actions in
// frozen-state keys: OpenFlow 1.5 encodes every action govs models.
const keyVersion = 0x06

// appendActionsKey appends an unambiguous encoding of acts: a count, then
// per action its length-prefixed OpenFlow 1.5 encoding (instructions such as
// goto_table included), or the fields of an UnrollXlate.
func appendActionsKey(b []byte, acts []openflow.Action) ([]byte, error) {
	b = binary.BigEndian.AppendUint32(b, uint32(len(acts)))
	for _, a := range acts {
		if u, ok := a.(UnrollXlate); ok {
			b = append(b, 'u', u.Table)
			b = binary.BigEndian.AppendUint64(b, u.Cookie)
			continue
		}
		enc, err := openflow.EncodeInstructions(nil, keyVersion, []openflow.Action{a})
		if err != nil {
			return nil, fmt.Errorf("frozen state: encode %T: %w", a, err)
		}
		b = append(b, 'a')
		b = binary.BigEndian.AppendUint32(b, uint32(len(enc)))
		b = append(b, enc...)
	}
	return b, nil
}

// FrozenTable allocates recirculation ids for frozen states and finds them
// again (OVS's ofproto-dpif-rid). ofproto implements it, one per datapath.
// All methods are safe for concurrent use by handler goroutines.
type FrozenTable interface {
	// Freeze returns the recirculation id of a state equal to s, taking a
	// new reference to it, or allocates a new id with one reference. The
	// table keeps s itself: the caller must not modify s afterwards. It
	// returns an error when no id can be allocated.
	Freeze(s *FrozenState) (uint32, error)
	// Thaw returns the frozen state of id, or nil when id is unknown. A
	// state whose last reference went recently is still found (packets in
	// flight still carry its id).
	Thaw(id uint32) *FrozenState
	// Unref drops one reference to id taken by Freeze.
	Unref(id uint32)
}

// Translation errors with OVS's texts (xlate_strerror), reported in the
// trace as "Translation failed (TEXT), packet is dropped.".
var (
	// ErrNoRecircContext means the flow's recirc_id is not a known frozen
	// state, or no recirculation id could be allocated.
	//lint:ignore ST1005 OVS's exact message, which scripts and tests match
	ErrNoRecircContext = errors.New("No recirculation context")
	// ErrBridgeNotFound means the bridge of a frozen state is gone.
	ErrBridgeNotFound = errors.New("Bridge not found")
)
