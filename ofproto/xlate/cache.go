package xlate

import "time"

// Cache is the xlate cache of one megaflow: what its translation depended on
// and what to replay when the megaflow's statistics are pushed.
type Cache struct {
	// Rules are the rules the translation went through, in order; their
	// counters grow by the megaflow's traffic.
	Rules []Rule
	// MACs are the MAC learning entries the translation learned or
	// refreshed: a stats push refreshes them, as a packet would.
	MACs []MACRef
	// MACChanged is true when the translation changed the MAC table, which
	// obliges the datapath to revalidate other flows.
	MACChanged bool
	// Patches are the patch port crossings of the translation: each
	// counts the megaflow's traffic as sent on Out and received on In.
	Patches []PatchRef
	// Bridges are the bridges whose tables and MAC learning the
	// translation consulted, each once: a change in any other bridge
	// cannot change this translation, so the revalidator leaves the
	// megaflow alone (its dependencies).
	Bridges []*Bridge
}

// visit records that the translation consulted bridge b.
func (c *Cache) visit(b *Bridge) {
	for _, x := range c.Bridges {
		if x == b {
			return
		}
	}
	c.Bridges = append(c.Bridges, b)
}

// PatchRef is one crossing of a patch port pair.
type PatchRef struct {
	Out, In *PatchStats
}

// MACRef is one MAC learning side effect.
type MACRef struct {
	Bridge *Bridge
	VLAN   uint16
	MAC    [6]byte
	Port   uint32
}

// StatsRule is implemented by rules that count traffic.
type StatsRule interface {
	Rule
	// AddStats adds traffic to the rule's counters and marks it used at t.
	AddStats(packets, bytes uint64, t time.Time)
}

// PushStats replays the cache's side effects for traffic that a megaflow
// carried: rule counters and MAC refresh.
func (c *Cache) PushStats(packets, bytes uint64, used time.Time) {
	for _, r := range c.Rules {
		if sr, ok := r.(StatsRule); ok {
			sr.AddStats(packets, bytes, used)
		}
	}
	if packets == 0 {
		return
	}
	for _, p := range c.Patches {
		if p.Out != nil {
			p.Out.TxPackets.Add(packets)
			p.Out.TxBytes.Add(bytes)
		}
		if p.In != nil {
			p.In.RxPackets.Add(packets)
			p.In.RxBytes.Add(bytes)
		}
	}
	for _, m := range c.MACs {
		if m.Bridge.MAC != nil {
			m.Bridge.MAC.Refresh(m.VLAN, m.MAC, m.Port, used)
		}
	}
}
