package odp

import "govs.dev/govs/flow"

// ActionType says what an Action does.
type ActionType uint8

// Datapath action types. The set grows with the datapath (ct, tunnel push/pop,
// meter, check_pkt_len, ...); adding one never changes the existing ones.
const (
	ActOutput    ActionType = iota + 1 // output to datapath port Port
	ActUserspace                       // send to a handler (slow path / controller)
	ActSet                             // masked rewrite of the fields in Set
	ActPushVLAN                        // push a tag: TPID, TCI
	ActPopVLAN                         // pop the outer tag
	ActRecirc                          // recirculate with recirc_id = ID
	ActHash                            // compute dp_hash (Basis)
	ActClone                           // run Nested on a copy
	ActTrunc                           // truncate to Len bytes on output
	ActDrop                            // explicit drop with Reason (printed "drop")
)

// Action is one datapath action. Which fields are meaningful depends on Type;
// the others are zero. An action list is immutable once installed and may be
// read from any goroutine.
type Action struct {
	Type   ActionType
	Port   uint32 // ActOutput: datapath port
	ID     uint32 // ActRecirc: recirc_id
	TPID   uint16 // ActPushVLAN
	TCI    uint16 // ActPushVLAN (with the CFI/present bit 0x1000 set)
	Basis  uint32 // ActHash
	Len    uint32 // ActTrunc
	Reason uint32 // ActDrop
	// Set holds the new field values and which bits to rewrite (ActSet). One
	// ActSet may cover several ODP key attributes; it is printed as one
	// set(...) per attribute in OVS's order (eth, vlan, ipv4/ipv6, tcp/udp/...).
	Set *SetMasked
	// Userspace describes an upcall (ActUserspace).
	Userspace *Userspace
	// Nested is the action list of ActClone.
	Nested []Action
}

// SetMasked is a masked rewrite: for every set bit of Mask, the packet's field
// takes the bit of Value. Only fields that a packet header carries (L2, L3,
// L4, and the metadata fields skb_priority, pkt_mark, tunnel) may be set.
type SetMasked struct {
	Value flow.Key
	Mask  flow.Key
}

// UserspaceKind says why a packet goes to userspace.
type UserspaceKind uint8

// Userspace action kinds.
const (
	UserspaceSlowPath   UserspaceKind = iota + 1 // slow_path(reason)
	UserspaceController                          // controller(reason=...,...)
)

// Userspace is the argument of an ActUserspace action. Cookie is opaque to the
// datapath and interpreted by the handler that receives the upcall.
type Userspace struct {
	PID    uint32
	Kind   UserspaceKind
	Reason uint32 // slow path reason bits, or OFPR_* for the controller
	Cookie []byte
	// Controller holds the rest of a UserspaceController cookie (printed
	// as controller(reason=..,dont_send=..,continuation=..,recirc_id=..,
	// rule_cookie=..,controller_id=..,max_len=..)). Added by dpif/odp.
	Controller ControllerCookie
}

// ControllerCookie is the controller part of a userspace action's
// cookie: how the handler builds the packet-in.
type ControllerCookie struct {
	DontSend     bool
	Continuation bool
	RecircID     uint32
	RuleCookie   uint64
	ControllerID uint16
	MaxLen       uint16
}

// Slow path reason bits of Userspace.Reason (UserspaceSlowPath), as in OVS's
// enum slow_path_reason; printed as slow_path(cfm,bfd,...).
const (
	SlowCFM    = 1 << iota // CFM packets
	SlowBFD                // BFD packets
	SlowLACP               // LACP packets
	SlowSTP                // STP packets
	SlowLLDP               // LLDP packets
	SlowAction             // actions that need the slow path
	SlowMatch              // match on fields the datapath cannot see
)
