package xlate

import (
	"fmt"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// output implements an OpenFlow output to port.
func (c *ctx) output(port openflow.Port, maxLen uint16) {
	in := openflow.Port(c.flow.InPort)
	switch port {
	case openflow.PortInPort:
		c.outputTo(c.br.Ports[in], true)
	case openflow.PortTable:
		c.note("output to TABLE is only valid in packet-out")
	case openflow.PortNormal:
		c.normal()
	case openflow.PortFlood:
		c.flood(false)
	case openflow.PortAll:
		c.flood(true)
	case openflow.PortController:
		c.controller(reasonAction, maxLen, 0, nil)
	case openflow.PortNone:
	default:
		p := c.br.Ports[port]
		if p == nil {
			c.note("Nonexistent output port")
			return
		}
		if port == in {
			c.note("skipping output to input port")
			return
		}
		c.outputTo(p, false)
	}
}

// flood outputs to every port but the input port (and, unless all, those
// with OFPPC_NO_FLOOD).
func (c *ctx) flood(all bool) {
	in := openflow.Port(c.flow.InPort)
	for _, p := range c.br.PortOrder {
		if p.OFPort == in || (!all && p.NoFlood) {
			continue
		}
		c.outputTo(p, false)
	}
}

// outputTo composes a datapath output to p, following patch ports.
func (c *ctx) outputTo(p *Port, toInPort bool) {
	if p == nil {
		return
	}
	if p.NoForward {
		c.note("OFPPC_NO_FWD set, skipping output")
		return
	}
	if p.Peer != nil {
		c.patchOutput(p)
		return
	}
	c.commit()
	c.acts = append(c.acts, odp.Action{Type: odp.ActOutput, Port: p.DPPort})
}

// patchOutput continues the pipeline in the peer bridge of a patch port.
func (c *ctx) patchOutput(p *Port) {
	peer := p.Peer
	if p.Patch != nil || peer.Patch != nil {
		c.res.Cache.Patches = append(c.res.Cache.Patches, PatchRef{Out: p.Patch, In: peer.Patch})
	}
	old, oldBr, oldStack, oldActset, oldTable := c.flow, c.br, c.stack, c.actset, c.table
	c.flow.InPort = uint32(peer.OFPort)
	c.flow.Metadata = 0
	c.flow.Regs = [flow.NumRegs]uint32{}
	c.flow.TunID, c.flow.TunSrc, c.flow.TunDst, c.flow.TunFlags = 0, [16]byte{}, [16]byte{}, 0
	c.flow.TunTOS, c.flow.TunTTL, c.flow.TunTpSrc, c.flow.TunTpDst = 0, 0, 0, 0
	c.flow.ActsetOut = uint32(openflow.PortNone)
	c.flow.CtState, c.flow.CtZone, c.flow.CtMark, c.flow.CtLabel = 0, 0, 0, [16]byte{}
	c.br = peer.Bridge
	c.res.Cache.visit(c.br)
	c.stack = nil
	c.actset = nil
	if c.tr != nil {
		c.tr.bridgeHeaderNested(c.br.Name)
	}
	c.processTable(0, true)
	if !c.freezing {
		c.executeActset()
	}
	if c.freezing {
		c.finishFreezing()
	}
	// The packet leaving the peer bridge carries the peer's rewrites; the
	// original bridge continues with its own view of the flow, and any
	// rewrite the peer committed is already in c.base.
	c.flow = old
	c.br, c.stack, c.actset, c.table = oldBr, oldStack, oldActset, oldTable
	c.exit = false
}

// normal implements the NORMAL action: L2 learning switch with VLANs.
func (c *ctx) normal() {
	f := &c.flow
	in := c.br.Ports[openflow.Port(f.InPort)]
	c.wc.DlSrc = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	c.wc.DlDst = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	c.wc.VLANs[0].TCI |= 0x0fff | flow.VLANCFI
	if in == nil {
		c.note("no input bundle, dropping")
		return
	}
	if isReservedMulticast(f.DlDst) {
		c.note("drop frames to reserved multicast addresses")
		return
	}
	vid := uint16(0)
	if f.VLANs[0].TCI&flow.VLANCFI != 0 {
		vid = f.VLANs[0].TCI & 0x0fff
	}
	vlan, ok := c.inputVLAN(in, vid)
	if !ok {
		return
	}
	c.isGratuitousARP()
	if c.in.Learn && f.DlSrc[0]&1 == 0 && c.br.MAC != nil {
		if c.br.MAC.Learn(vlan, f.DlSrc, uint32(in.OFPort), c.now) {
			c.res.Cache.MACChanged = true
		}
	}
	c.res.Cache.MACs = append(c.res.Cache.MACs, MACRef{Bridge: c.br, VLAN: vlan, MAC: f.DlSrc, Port: uint32(in.OFPort)})
	if f.DlDst[0]&1 != 0 {
		c.note("-> no learned MAC for destination, flooding")
		c.normalFlood(in, vlan)
		return
	}
	if c.br.MAC != nil {
		if port, ok := c.br.MAC.Lookup(vlan, f.DlDst, c.now); ok {
			out := c.br.Ports[openflow.Port(port)]
			if out == nil {
				c.note("-> learned port is gone, flooding")
				c.normalFlood(in, vlan)
				return
			}
			if out == in {
				c.note("-> learned port is input port, dropping")
				return
			}
			c.note("-> forwarding to learned port")
			c.normalOutput(out, vlan)
			return
		}
	}
	c.note("-> no learned MAC for destination, flooding")
	c.normalFlood(in, vlan)
}

// inputVLAN maps the packet's VLAN ID on the input port to the VLAN the
// switch assigns it, or reports that the packet must be dropped.
func (c *ctx) inputVLAN(in *Port, vid uint16) (uint16, bool) {
	switch in.Mode {
	case VLANAccess:
		if vid != 0 {
			c.noteError(fmt.Sprintf("dropping VLAN %d tagged packet received on port %s configured as VLAN %d access port", vid, in.Name, in.Tag))
			c.note(">> disallowed VLAN VID for this input port, dropping")
			return 0, false
		}
		return uint16(in.Tag), true
	case VLANDot1QTunnel:
		return uint16(in.Tag), true
	case VLANNativeTagged, VLANNativeUntagged:
		if vid == 0 {
			return uint16(max(in.Tag, 0)), true
		}
	}
	if !in.allowsVLAN(vid) {
		c.noteError(fmt.Sprintf("dropping VLAN %d packet received on port %s not configured for trunking VLAN %d", vid, in.Name, vid))
		c.note(">> disallowed VLAN VID for this input port, dropping")
		return 0, false
	}
	return vid, true
}

func (c *ctx) normalFlood(in *Port, vlan uint16) {
	for _, p := range c.br.PortOrder {
		if p == in || p.NoFlood || !p.carries(vlan) {
			continue
		}
		c.normalOutput(p, vlan)
	}
}

// carries reports whether NORMAL may output VLAN vlan on p.
func (p *Port) carries(vlan uint16) bool {
	return p.allowsVLAN(vlan)
}

// normalOutput outputs to p with the tag p expects for vlan.
func (c *ctx) normalOutput(p *Port, vlan uint16) {
	vid := vlan
	switch {
	case p.Mode == VLANAccess || p.Mode == VLANDot1QTunnel:
		vid = 0
	case p.Mode == VLANNativeUntagged && int(vlan) == p.Tag:
		vid = 0
	}
	old := c.flow.VLANs[0]
	var tci uint16
	if vid != 0 {
		tci = vid | old.TCI&0xe000 | flow.VLANCFI
	}
	if tci != 0 {
		c.flow.VLANs[0] = flow.VLAN{TPID: 0x8100, TCI: tci}
		if old.TPID != 0 {
			c.flow.VLANs[0].TPID = old.TPID
		}
	} else {
		c.flow.VLANs[0] = flow.VLAN{}
	}
	c.outputTo(p, false)
	c.flow.VLANs[0] = old
}

func isReservedMulticast(m [6]byte) bool {
	return m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0 && m[5]&0xf0 == 0
}

// isGratuitousARP reports whether the packet is a gratuitous ARP, unwildcarding
// the fields it looks at exactly as OVS's NORMAL does (they show in the
// megaflows of ARP traffic).
func (c *ctx) isGratuitousARP() bool {
	f := &c.flow
	if f.DlType != 0x0806 {
		return false
	}
	c.wc.DlDst = ones6
	if f.DlDst != ([6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) {
		return false
	}
	c.wc.NwProto = 0xff
	switch f.NwProto {
	case 2:
		return true
	case 1:
		c.wc.NwSrc, c.wc.NwDst = 0xffffffff, 0xffffffff
		return f.NwSrc == f.NwDst
	}
	return false
}
