package ofproto

import (
	"fmt"

	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
	"govs.dev/govs/packet"
)

// packetOut executes OFPT_PACKET_OUT: the actions run on the packet as if it
// had arrived on in_port, and the result executes in the datapath.
func (b *Bridge) packetOut(m *openflow.PacketOut) error {
	if m.BufferID != 0xffffffff {
		return openflow.ErrOFPBRCBufferUnknown
	}
	if err := validateActions(m.Actions, 0); err != nil {
		return err
	}
	k := b.backer
	in := m.InPort
	var dpIn uint32
	if p := b.Port(in); p != nil && p.HasDPPort {
		dpIn = p.DPPort
	} else if in != openflow.PortController && in != openflow.PortNone && in != openflow.PortLocal {
		return openflow.ErrOFPBRCBadPort
	}
	var key flow.Key
	var meta packet.Meta
	meta.InPort = dpIn
	packet.ExtractBytes(m.Data, &meta, &key)
	key.InPort = dpIn
	res, err := xlate.Translate(k.Config(), &xlate.Input{Key: key, Learn: true, Actions: m.Actions,
		Bridge: b.Name, OFInPort: in})
	if err != nil {
		return fmt.Errorf("packet-out: %w", err)
	}
	if len(res.Actions) == 0 {
		return nil
	}
	p := k.AllocPacket(len(m.Data))
	if p == nil {
		return fmt.Errorf("packet-out: no packet buffer")
	}
	if err := p.SetData(m.Data); err != nil {
		return fmt.Errorf("packet-out: %w", err)
	}
	p.Meta.InPort = dpIn
	return k.DP.Execute(p, &key, res.Actions)
}
