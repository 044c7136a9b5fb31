package xlate

import (
	"sync/atomic"
	"time"

	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/maclearn"
	"govs.dev/govs/openflow"
)

// Config is an immutable snapshot of every bridge sharing one datapath. The
// control plane builds a new Config for each change and publishes it
// atomically; translations keep using the snapshot they started with.
type Config struct {
	Bridges  map[string]*Bridge
	ByDPPort map[uint32]*Port
	// Frozen is the datapath's frozen-state table (recirculation ids);
	// nil disables recirculation (controller actions then carry
	// recirc_id 0).
	Frozen FrozenTable
}

// Rule is an OpenFlow rule as xlate sees it. Implementations must be safe for
// concurrent readers.
type Rule interface {
	// Actions returns the rule's action list (immutable).
	Actions() []openflow.Action
	// TraceString returns "match, priority N[, cookie 0x..]" as
	// ofproto/trace prints it after the table number.
	TraceString() string
}

// Tables is a bridge's OpenFlow pipeline.
type Tables interface {
	// Lookup returns the highest-priority rule of table matching key in the
	// tables' current version, OR-ing into wc the bits the decision used. It
	// returns nil on a miss.
	Lookup(table uint8, key *flow.Key, wc *flow.Key) Rule
}

// VLANMode is a port's vlan_mode.
type VLANMode uint8

// VLAN modes as in the Port table's vlan_mode column.
const (
	VLANTrunk VLANMode = iota
	VLANAccess
	VLANNativeTagged
	VLANNativeUntagged
	VLANDot1QTunnel
)

// Bridge is one bridge's translation configuration.
type Bridge struct {
	Name      string
	Tables    Tables
	Ports     map[openflow.Port]*Port // by OpenFlow port number
	PortOrder []*Port                 // ports in output order for FLOOD/ALL/NORMAL flooding
	MAC       *maclearn.Table
	// Now returns the current time (the daemon clock), used for MAC aging.
	Now func() time.Time
	// FragDrop is true in frag mode "drop"; FragNormal true in mode "normal"
	// (L4 ports of fragments are treated as 0).
	FragDrop, FragNormal bool
}

// Port is one OpenFlow port.
type Port struct {
	Name   string
	OFPort openflow.Port
	DPPort uint32
	Bridge *Bridge
	// Peer is the other end of a patch port (in another bridge), or nil.
	Peer *Port
	// VLAN configuration of the port's bundle (the Port row), with the mode
	// already resolved as OVS does: a tag without vlan_mode means access.
	Tag    int      // -1: none
	Trunks []uint16 // nil: all VLANs
	Mode   VLANMode
	// OpenFlow port config bits.
	NoFlood, NoForward, NoRecv bool
	// Patch counts the traffic of a patch port (nil for other ports),
	// which has no device to count it.
	Patch *PatchStats
}

// PatchStats are the packet and byte counters of one patch port. They are
// updated atomically when megaflow statistics are pushed and read by port
// statistics requests.
type PatchStats struct {
	RxPackets, RxBytes, TxPackets, TxBytes atomic.Uint64
}

// allowsVLAN reports whether the port's bundle carries vlan.
func (p *Port) allowsVLAN(vlan uint16) bool {
	switch p.Mode {
	case VLANAccess:
		return int(vlan) == p.Tag
	case VLANDot1QTunnel:
		return int(vlan) == p.Tag
	default:
		if p.Tag >= 0 && int(vlan) == p.Tag && (p.Mode == VLANNativeTagged || p.Mode == VLANNativeUntagged) {
			return true
		}
		if p.Trunks == nil {
			return true
		}
		for _, t := range p.Trunks {
			if t == vlan {
				return true
			}
		}
		return false
	}
}
