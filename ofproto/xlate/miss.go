package xlate

// reasonImplicitMiss is OVS's OFPR_IMPLICIT_MISS: a table miss that no
// table-miss rule handled, sent to the controller. Connections see it as
// no_match; only OpenFlow 1.0-1.2 connections receive it by default.
const reasonImplicitMiss = 7

// MissPolicy is implemented by a bridge's Tables when table misses may be
// sent to the controller. xlate calls it from handler goroutines, so it
// must be safe for concurrent use and must not block.
type MissPolicy interface {
	// WantsPacketInOnMiss reports whether a miss in a table without a
	// matching rule sends a packet-in (OVS's
	// connmgr_wants_packet_in_on_miss: some OpenFlow 1.0-1.2 connection
	// with controller id 0 is open). When it changes, the owner must have
	// installed megaflows revalidated.
	WantsPacketInOnMiss() bool
}

// wantsPacketInOnMiss asks the bridge's tables whether misses go to the
// controller; tables that do not say drop them.
func (c *ctx) wantsPacketInOnMiss() bool {
	p, ok := c.br.Tables.(MissPolicy)
	return ok && p.WantsPacketInOnMiss()
}

// miss handles a lookup in table that matched no rule, as OVS 3.1's
// rule_dpif_lookup_from_table falls back to its internal rules: with
// mayPacketIn and a connection that wants misses, the packet goes to the
// controller through the internal miss rule (controller action with reason
// implicit_miss, max_len 65535, controller id 0, cookie 0, table and
// metadata of the miss); otherwise it is dropped. Only the default table-miss
// configuration exists: OpenFlow 1.1's table-mod miss settings are not
// supported.
func (c *ctx) miss(table uint8, mayPacketIn bool) {
	packetIn := mayPacketIn && c.wantsPacketInOnMiss()
	if c.tr != nil {
		c.tr.miss(table, packetIn)
	}
	if !packetIn {
		return
	}
	oldRule, oldCookie := c.rule, c.cookie
	c.rule, c.cookie = nil, 0
	c.controller(reasonImplicitMiss, 0xffff, 0, nil)
	c.rule, c.cookie = oldRule, oldCookie
}
