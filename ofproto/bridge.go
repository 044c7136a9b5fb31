package ofproto

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"govs.dev/govs/netdev"
	"govs.dev/govs/ofproto/maclearn"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
)

// Fragment handling modes (OFPC_FRAG_*, plus OVS's nx-match).
const (
	FragNormal     = 0
	FragDrop       = 1
	FragReassemble = 2
	FragNXMatch    = 3
)

// Port config bits (OFPPC_*).
const (
	PortDown       = 1 << 0
	PortNoRecv     = 1 << 2
	PortNoFwd      = 1 << 5
	PortNoFlood    = 1 << 4
	PortNoPacketIn = 1 << 6
)

// Port is one OpenFlow port of a bridge.
type Port struct {
	Name   string
	OFPort openflow.Port
	// DPPort is the datapath port number; HasDPPort is false for patch
	// ports, which live only in translation.
	DPPort    uint32
	HasDPPort bool
	Type      string
	PatchPeer string
	Dev       netdev.Device
	// VLAN configuration from the Port row, mode resolved.
	Tag    int
	Trunks []uint16
	Mode   xlate.VLANMode
	Config uint32
}

// Bridge is one OpenFlow switch.
type Bridge struct {
	Name   string
	backer *Backer

	mu         sync.Mutex
	tables     [NumTables]*table
	version    uint64        // latest version, guarded by mu
	curVersion atomic.Uint64 // version lookups use
	ports      map[openflow.Port]*Port
	mac        *maclearn.Table
	fragMode   int
	failMode   string // "standalone" or "secure"
	dpid       atomic.Uint64
	// conns are the bridge's OpenFlow connections, which asynchronous
	// messages (packet-ins) go to.
	conns *connMgr
	// patchStats counts the traffic of patch ports by OpenFlow port
	// number; guarded by mu, the counters themselves are atomic.
	patchStats map[openflow.Port]*xlate.PatchStats
}

// NewBridge creates a bridge on backer k and registers it.
func (k *Backer) NewBridge(name string) (*Bridge, error) {
	k.mu.Lock()
	if _, ok := k.bridges[name]; ok {
		k.mu.Unlock()
		return nil, fmt.Errorf("ofproto: bridge %s already exists", name)
	}
	b := &Bridge{Name: name, backer: k, ports: make(map[openflow.Port]*Port), mac: maclearn.New(),
		failMode: "standalone", patchStats: map[openflow.Port]*xlate.PatchStats{}}
	b.conns = newConnMgr(b)
	for i := range b.tables {
		b.tables[i] = newTable()
	}
	k.bridges[name] = b
	k.mu.Unlock()
	k.republish()
	return b, nil
}

// Destroy removes the bridge from its backer.
func (b *Bridge) Destroy() {
	k := b.backer
	k.mu.Lock()
	delete(k.bridges, b.Name)
	k.mu.Unlock()
	k.republish()
	k.needRevalidate()
}

// Backer returns the bridge's backer.
func (b *Bridge) Backer() *Backer { return b.backer }

// MAC returns the bridge's MAC learning table.
func (b *Bridge) MAC() *maclearn.Table { return b.mac }

// Flushed is what OVS's connmgr does when a bridge's flow tables start out
// empty (bridge creation, or a change between having controllers and not):
// in standalone fail mode without controllers, it adds the default
// "priority=0 actions=NORMAL" rule, a real rule that can be deleted and shows
// in dump-flows.
func (b *Bridge) Flushed(hasControllers bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if hasControllers || b.failMode != "standalone" {
		return
	}
	fm := &FlowMod{Command: FlowAdd, Priority: 0, Actions: []openflow.Action{openflow.Output{Port: openflow.PortNormal}}}
	if _, _, err := b.applyFlowMod(fm, b.backer.Now()); err != nil {
		vconn.Warn("%s: default flow: %v", b.Name, err)
	}
}

// SetFailMode applies Bridge.fail_mode: in "standalone" (the default) a
// bridge without flows gets the NORMAL rule; "secure" adds nothing.
func (b *Bridge) SetFailMode(mode string) {
	if mode != "secure" {
		mode = "standalone"
	}
	b.mu.Lock()
	b.failMode = mode
	b.mu.Unlock()
}

// FailMode returns the fail mode.
func (b *Bridge) FailMode() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failMode
}

// SetFragMode sets the fragment handling mode (OFPT_SET_CONFIG).
func (b *Bridge) SetFragMode(m int) {
	b.mu.Lock()
	changed := b.fragMode != m
	b.fragMode = m
	b.mu.Unlock()
	if changed {
		b.backer.republish()
		b.backer.needRevalidate()
	}
}

// FragMode returns the fragment handling mode.
func (b *Bridge) FragMode() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fragMode
}

// SetDatapathID sets the datapath ID.
func (b *Bridge) SetDatapathID(id uint64) { b.dpid.Store(id) }

// DatapathID returns the datapath ID.
func (b *Bridge) DatapathID() uint64 { return b.dpid.Load() }

// SetMACConfig applies mac-aging-time and mac-table-size.
func (b *Bridge) SetMACConfig(aging time.Duration, size int) {
	b.mac.SetIdleTime(aging)
	b.mac.SetMaxSize(size)
}

// SetPort adds or updates a port. A port whose datapath port, peer or VLAN
// configuration changes flushes MAC entries learned on it.
func (b *Bridge) SetPort(p *Port) {
	b.mu.Lock()
	old := b.ports[p.OFPort]
	b.ports[p.OFPort] = p
	if p.PatchPeer == "" {
		delete(b.patchStats, p.OFPort)
	} else if b.patchStats[p.OFPort] == nil {
		b.patchStats[p.OFPort] = &xlate.PatchStats{}
	}
	b.mu.Unlock()
	if old != nil && (old.Tag != p.Tag || old.Mode != p.Mode || old.DPPort != p.DPPort) {
		b.mac.FlushPort(uint32(p.OFPort))
	}
	b.backer.republish()
	b.backer.needRevalidate()
}

// DelPort removes a port.
func (b *Bridge) DelPort(no openflow.Port) {
	b.mu.Lock()
	delete(b.ports, no)
	delete(b.patchStats, no)
	b.mu.Unlock()
	b.mac.FlushPort(uint32(no))
	b.backer.republish()
	b.backer.needRevalidate()
}

// Port returns a port by number.
func (b *Bridge) Port(no openflow.Port) *Port {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ports[no]
}

// PortByName returns a port by name.
func (b *Bridge) PortByName(name string) *Port {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.ports {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// PatchStats returns the traffic counters of patch port no, or nil when no
// is not a patch port.
func (b *Bridge) PatchStats(no openflow.Port) *xlate.PatchStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.patchStats[no]
}

// Ports returns the ports sorted by OpenFlow port number.
func (b *Bridge) Ports() []*Port {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sortedPortsLocked()
}

func (b *Bridge) sortedPortsLocked() []*Port {
	out := make([]*Port, 0, len(b.ports))
	for _, p := range b.ports {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OFPort < out[j].OFPort })
	return out
}

// publishVersion makes the latest rule version visible to lookups. Caller
// holds b.mu.
func (b *Bridge) publishVersion() { b.curVersion.Store(b.version) }

// FlowMod applies one flow-mod and starts revalidation of the datapath flows
// it may affect. It returns the removed rules (for flow-removed messages).
func (b *Bridge) FlowMod(fm *FlowMod) ([]*Rule, error) {
	b.mu.Lock()
	removed, changed, err := b.applyFlowMod(fm, b.backer.Now())
	b.mu.Unlock()
	if changed {
		b.backer.rulesChanged()
	}
	return removed, err
}

// FlowModBatch applies a list of flow-mods atomically: all or none (bundles,
// add-flows). On error it returns the index of the failing flow-mod.
func (b *Bridge) FlowModBatch(fms []*FlowMod) (int, error) {
	b.mu.Lock()
	// Validate first so that a failure leaves the tables untouched.
	for i, fm := range fms {
		if err := b.validateFlowMod(fm); err != nil {
			b.mu.Unlock()
			return i, err
		}
	}
	changed := false
	for i, fm := range fms {
		_, ch, err := b.applyFlowMod(fm, b.backer.Now())
		if err != nil {
			b.mu.Unlock()
			if changed {
				b.backer.rulesChanged()
			}
			return i, err
		}
		changed = changed || ch
	}
	b.mu.Unlock()
	if changed {
		b.backer.rulesChanged()
	}
	return -1, nil
}

// ExpireRules removes rules whose idle or hard timeout passed at now and
// returns them with the reason.
func (b *Bridge) ExpireRules(now time.Time) (idle, hard []*Rule) {
	b.mu.Lock()
	version := b.version + 1
	for _, t := range b.tables {
		t.forEach(b.version, func(r *Rule) {
			if r.HardTimeout != 0 && now.Sub(r.created) >= time.Duration(r.HardTimeout)*time.Second {
				hard = append(hard, r)
			} else if r.IdleTimeout != 0 && now.Sub(time.Unix(0, r.used.Load())) >= time.Duration(r.IdleTimeout)*time.Second {
				idle = append(idle, r)
			}
		})
	}
	for _, r := range append(append([]*Rule{}, idle...), hard...) {
		b.tables[r.Table].remove(r, version)
		r.removed.Store(true)
	}
	if len(idle)+len(hard) > 0 {
		b.version = version
		b.publishVersion()
	}
	b.mu.Unlock()
	if len(idle)+len(hard) > 0 {
		b.backer.rulesChanged()
	}
	return idle, hard
}

// RuleCount returns the number of rules in all tables.
func (b *Bridge) RuleCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, t := range b.tables {
		n += t.count()
	}
	return n
}

// TableCount returns the active rule count of one table.
func (b *Bridge) TableCount(id int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tables[id].count()
}

// TableStats returns lookups and matches per table.
func (b *Bridge) TableStats(id int) (lookups, matched uint64) {
	t := b.tables[id]
	return t.lookups.Load(), t.matched.Load()
}

// DefaultPrefixFields are the fields with prefix tries in a table whose
// Flow_Table record does not say otherwise, as in OVS.
var DefaultPrefixFields = []string{"nw_dst", "nw_src"}

// SetTablePrefixes sets the fields that get prefix tries in table id
// (Flow_Table:prefixes): OVS field names, "none" for no tries, nil for
// DefaultPrefixFields. Datapath flows are revalidated, since megaflow masks
// depend on the tries. Safe for concurrent use.
func (b *Bridge) SetTablePrefixes(id int, fields []string) error {
	if id < 0 || id >= NumTables {
		return fmt.Errorf("ofproto %s: table %d: out of range", b.Name, id)
	}
	if fields == nil {
		fields = DefaultPrefixFields
	}
	b.mu.Lock()
	err := b.tables[id].cls.SetPrefixFields(fields)
	b.mu.Unlock()
	if err != nil {
		return fmt.Errorf("ofproto %s: table %d: prefixes: %w", b.Name, id, err)
	}
	b.backer.needRevalidate()
	return nil
}
