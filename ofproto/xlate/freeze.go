package xlate

import (
	"fmt"
	"strings"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
	"govs.dev/govs/openflow/ofctl"
)

// Packet-in reasons (OFPR_*, in OVS's internal numbering) that translation
// produces.
const (
	reasonAction       = 1
	reasonInvalidTTL   = 2
	reasonExplicitMiss = 6
)

// TableMissRule is implemented by rules that can tell whether they are a
// table-miss rule (priority 0, matching everything): a controller action in
// such a rule reports reason explicit_miss, as in OVS.
type TableMissRule interface {
	Rule
	IsTableMiss() bool
}

// controller implements the controller action (OVS 3.1's
// xlate_controller_action): it freezes the pipeline context, so that the
// packet-in can report the metadata, registers and table of the freeze
// point, and sends the packet to userspace with that recirculation id. The
// translation continues after it.
func (c *ctx) controller(reason uint8, maxLen, controllerID uint16, userData []byte) {
	c.commit()
	if reason == reasonAction {
		if r, ok := c.rule.(TableMissRule); ok && r.IsTableMiss() {
			reason = reasonExplicitMiss
		}
	}
	s := &FrozenState{
		Bridge:      c.br.Name,
		Table:       c.table,
		Metadata:    metadataFromFlow(&c.flow),
		Stack:       cloneStack(c.stack),
		Mirrors:     c.mirrors,
		Conntracked: c.conntracked,
		WasMPLS:     c.wasMPLS,
		UserData:    append([]byte(nil), userData...),
	}
	id, ok := c.allocRecirc(s, false)
	if !ok {
		return
	}
	c.putControllerAction(c.dontSend(), false, id, maxLen, reason, controllerID)
}

// dontSend reports whether packet-ins must not be sent (OVS: no side
// effects and no xlate cache, that is ofproto/trace without -generate).
func (c *ctx) dontSend() bool { return c.in.Trace != nil && !c.in.Learn }

// putControllerAction emits the userspace action of a packet-in.
func (c *ctx) putControllerAction(dontSend, continuation bool, id uint32, maxLen uint16, reason uint8, controllerID uint16) {
	c.acts = append(c.acts, odp.Action{Type: odp.ActUserspace, Userspace: &odp.Userspace{
		Kind:   odp.UserspaceController,
		Reason: uint32(reason),
		Controller: odp.ControllerCookie{
			DontSend: dontSend, Continuation: continuation, RecircID: id,
			RuleCookie: c.cookie, ControllerID: controllerID, MaxLen: maxLen,
		},
	}})
}

// allocRecirc returns a recirculation id for s and records the reference in
// the result. Without a frozen-state table the id is 0 when required is
// false (a controller action still works, its packet-in lacks the
// context), and a failure otherwise.
func (c *ctx) allocRecirc(s *FrozenState, required bool) (uint32, bool) {
	if c.cfg.Frozen == nil && !required {
		return 0, true
	}
	var id uint32
	err := ErrNoRecircContext
	if c.cfg.Frozen != nil {
		var ferr error
		if id, ferr = c.cfg.Frozen.Freeze(s); ferr == nil && id != 0 {
			err = nil
		}
	}
	if err != nil {
		c.noteError("Failed to allocate recirculation id")
		c.err = err
		return 0, false
	}
	c.res.Recircs = append(c.res.Recircs, id)
	return id, true
}

func cloneStack(st [][]byte) [][]byte {
	if len(st) == 0 {
		return nil
	}
	out := make([][]byte, len(st))
	for i, e := range st {
		out[i] = append([]byte(nil), e...)
	}
	return out
}

// triggerFreeze starts freezing: translation stops and every enclosing
// action list saves what it has left.
func (c *ctx) triggerFreeze() {
	c.exit = true
	c.freezing = true
}

// cancelFreeze undoes the state freezing built.
func (c *ctx) cancelFreeze() {
	if c.freezing {
		c.freezing = false
		c.frozen = c.frozen[:0]
		c.unroll = -1
		c.pause = nil
	}
}

// putUnroll records the current table and cookie in the frozen actions,
// unless the latest record already says the same.
func (c *ctx) putUnroll() {
	if c.unroll >= 0 {
		if u := c.frozen[c.unroll].(UnrollXlate); u.Table == c.table && u.Cookie == c.cookie {
			return
		}
	}
	c.unroll = len(c.frozen)
	c.frozen = append(c.frozen, UnrollXlate{Table: c.table, Cookie: c.cookie})
}

// freezeUnroll appends acts to the frozen actions (OVS's
// freeze_unroll_actions): actions whose effect can depend on the current
// table or cookie (outputs, packet-ins, relative resubmits) are preceded by
// an UnrollXlate; instructions become equivalent actions.
func (c *ctx) freezeUnroll(acts []openflow.Action) {
	for _, a := range acts {
		switch a := a.(type) {
		case openflow.Output, openflow.OutputReg, openflow.Group, openflow.Controller, openflow.DecTTL:
			c.putUnroll()
		case openflow.Resubmit:
			if a.Table == openflow.TableCurrent {
				c.putUnroll()
			}
		case openflow.GotoTable:
			c.frozen = append(c.frozen, openflow.Resubmit{InPort: openflow.PortInPort, Table: a.Table})
			continue
		case openflow.WriteMetadata:
			fd := flow.LookupName("metadata")
			v, m := make([]byte, 8), make([]byte, 8)
			for i := 0; i < 8; i++ {
				v[i] = byte(a.Value >> (56 - 8*i))
				m[i] = byte(a.Mask >> (56 - 8*i))
			}
			c.frozen = append(c.frozen, openflow.SetField{Header: uint64(fd.OXMHeader), Value: v, Mask: m})
			continue
		}
		c.frozen = append(c.frozen, a)
	}
}

// finishFreezing freezes the translation at the end of a pipeline pass
// (OVS's finish_freezing): the rest resumes from table 0 with the frozen
// actions.
func (c *ctx) finishFreezing() {
	c.commit()
	c.finishFreezingAt(0)
}

// finishFreezingAt allocates the recirculation id of the frozen state and
// emits the datapath action that brings the packet back: recirc(id), or a
// continuation packet-in for a controller pause. It returns the id (0 if
// none was emitted).
func (c *ctx) finishFreezingAt(table uint8) uint32 {
	s := &FrozenState{
		Bridge:      c.br.Name,
		Table:       table,
		Metadata:    metadataFromFlow(&c.flow),
		Stack:       cloneStack(c.stack),
		Mirrors:     c.mirrors,
		Conntracked: c.conntracked,
		WasMPLS:     c.wasMPLS,
		Actions:     append([]openflow.Action(nil), c.frozen...),
		ActionSet:   append([]openflow.Action(nil), c.actset...),
	}
	if c.pause != nil {
		s.UserData = append([]byte(nil), c.pause.UserData...)
	}
	id, ok := c.allocRecirc(s, true)
	if !ok {
		return 0
	}
	if p := c.pause; p != nil {
		if c.dontSend() {
			// As OVS: a trace without side effects pauses nowhere.
			return 0
		}
		c.putControllerAction(false, true, id, p.MaxLen, p.Reason, p.ControllerID)
	} else {
		c.acts = append(c.acts, odp.Action{Type: odp.ActRecirc, ID: id})
	}
	c.cancelFreeze()
	return id
}

// thaw restores the pipeline context of recirculation id (the packet came
// back from the datapath): bridge, table, metadata, stack, action set.
func (c *ctx) thaw(id uint32) (*FrozenState, error) {
	var s *FrozenState
	if c.cfg.Frozen != nil {
		s = c.cfg.Frozen.Thaw(id)
	}
	if s == nil {
		c.noteError(fmt.Sprintf("Recirculation context not found for ID %x", id))
		return nil, ErrNoRecircContext
	}
	c.traceLine(4, "thaw")
	if s.Bridge != c.br.Name {
		nb := c.cfg.Bridges[s.Bridge]
		if nb == nil {
			c.traceLine(9, ">>>> Frozen bridge no longer exists. <<<<")
			return nil, ErrBridgeNotFound
		}
		c.br = nb
		c.res.Bridge = nb
		c.res.Cache.visit(nb)
	}
	c.table = s.Table
	c.traceLine(8, fmt.Sprintf("Resuming from table %d", s.Table))
	c.conntracked = s.Conntracked
	if !s.Conntracked {
		f := &c.flow
		f.CtState, f.CtZone, f.CtMark, f.CtLabel = 0, 0, 0, [16]byte{}
		f.CtNwProto, f.CtNwSrc, f.CtNwDst, f.CtTpSrc, f.CtTpDst = 0, 0, 0, 0, 0
		f.CtIPv6Src, f.CtIPv6Dst = [16]byte{}, [16]byte{}
	}
	s.Metadata.toFlow(&c.flow)
	c.stack = cloneStack(s.Stack)
	c.mirrors = s.Mirrors
	c.wasMPLS = s.WasMPLS
	if len(s.ActionSet) > 0 {
		c.traceLine(8, "Restoring action set: "+FormatFrozenActions(s.ActionSet))
		c.writeActions(s.ActionSet)
	}
	if len(s.Actions) > 0 {
		c.traceLine(8, "Restoring actions: "+FormatFrozenActions(s.Actions))
	}
	return s, nil
}

// traceLine adds a trace line at indent (relative to the current nesting).
func (c *ctx) traceLine(indent int, s string) {
	if c.tr != nil {
		c.tr.line(c.tr.nest+indent, s)
	}
}

// FormatFrozenActions formats frozen actions as ofproto/trace prints them:
// OpenFlow actions in ovs-ofctl syntax, UnrollXlate markers as
// "unroll_xlate(table=T, cookie=C)".
func FormatFrozenActions(acts []openflow.Action) string {
	parts := make([]string, 0, len(acts))
	for _, a := range acts {
		if u, ok := a.(UnrollXlate); ok {
			parts = append(parts, u.String())
			continue
		}
		parts = append(parts, ofctl.FormatActions([]openflow.Action{a}))
	}
	return strings.Join(parts, ",")
}
