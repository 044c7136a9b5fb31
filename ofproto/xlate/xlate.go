package xlate

import (
	"errors"
	"fmt"
	"math/bits"
	"reflect"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// Limits as in OVS.
const (
	// MaxResubmitDepth bounds nested resubmit/goto/patch recursion.
	MaxResubmitDepth = 64
	// MaxResubmits bounds the total number of resubmits in one translation.
	MaxResubmits = MaxResubmitDepth * MaxResubmitDepth
	// MaxStackDepth bounds the push/pop stack (bytes of pushed fields).
	MaxStackDepth = 1024
)

// Input is one translation request.
type Input struct {
	// Key is the datapath flow key (InPort is a datapath port number).
	Key flow.Key
	// Learn enables side effects (MAC learning). Revalidation and trace
	// without -generate translate with Learn false... but OVS's trace does
	// learn; callers decide.
	Learn bool
	// Trace, if not nil, receives the ofproto/trace report.
	Trace *Trace
	// Actions, when not nil, are run instead of the pipeline (packet-out):
	// on bridge Bridge with OpenFlow in_port OFInPort.
	Actions  []openflow.Action
	Bridge   string
	OFInPort openflow.Port
	// KeepRecircs keeps the references to the recirculation ids the
	// translation froze (Result.Recircs) for the caller, which must then
	// drop each with Config.Frozen.Unref when the result is no longer used
	// (the datapath flow is deleted). Without it Translate drops them
	// before returning; the ids then stay valid for the table's grace
	// period, long enough to execute the actions once (trace, packet-out).
	KeepRecircs bool
}

// Result is the outcome of a translation.
type Result struct {
	// Actions are the datapath actions; empty means drop.
	Actions []odp.Action
	// Mask is the megaflow mask (in datapath terms).
	Mask flow.Key
	// Cache records what the translation depended on and what to replay when
	// statistics are pushed.
	Cache Cache
	// SlowPath is non-zero when the flow must not be cached because a
	// translation step needs every packet (e.g. controller actions).
	SlowPath uint32
	// Final is the flow at the end of translation (OpenFlow view).
	Final flow.Key
	// Bridge is the bridge of the input port.
	Bridge *Bridge
	// Recircs are the recirculation ids the translation froze, one
	// reference each, when Input.KeepRecircs is set.
	Recircs []uint32
}

// Slow path reasons (OVS's slow_path_reason bits).
const (
	SlowController = 1 << 3
	SlowAction     = 1 << 4
)

// ErrNoInPort means the key's in_port is not a port of any bridge.
var ErrNoInPort = fmt.Errorf("xlate: no such datapath port")

type ctx struct {
	cfg   *Config
	in    *Input
	br    *Bridge
	flow  flow.Key // current flow, OpenFlow port numbers
	base  flow.Key // what the datapath packet looks like after the actions emitted so far
	wc    flow.Key // wildcards, OpenFlow view
	acts  []odp.Action
	res   *Result
	depth int
	nres  int
	table uint8
	exit  bool
	// last is true while the action being run is the last of its list
	// (a final resubmit does not nest in the trace, as in OVS).
	last bool
	// stack is the push/pop stack; each entry a field's bytes.
	stack  [][]byte
	actset []openflow.Action
	tr     *Trace
	// rule is the rule whose actions are running (nil for packet-out).
	rule Rule
	// cookie is the cookie of the rule whose actions are running
	// (all-ones when there is none), as packet-ins report it.
	cookie uint64
	now    time.Time
	err    error
	// stopList ends the current action list only (dec_ttl exception).
	stopList bool

	// Freezing (OVS's ctx->freezing): when an action needs the packet to
	// come back from the datapath (recirculation, controller pause), the
	// translation stops and collects what remains to run in frozen, with
	// UnrollXlate markers; unroll indexes the latest marker (-1: none).
	freezing bool
	frozen   []openflow.Action
	unroll   int
	pause    *openflow.Controller
	// Pipeline context carried across freezes.
	mirrors     uint32
	conntracked bool
	wasMPLS     bool
}

// Translate runs the OpenFlow pipeline for in.Key and returns the datapath
// actions and megaflow mask. It is safe to call from many goroutines.
func Translate(cfg *Config, in *Input) (*Result, error) {
	res := &Result{}
	var br *Bridge
	var ofIn openflow.Port
	if in.Actions != nil {
		br = cfg.Bridges[in.Bridge]
		if br == nil {
			return res, fmt.Errorf("xlate: no bridge %q", in.Bridge)
		}
		ofIn = in.OFInPort
	} else {
		p := cfg.ByDPPort[in.Key.InPort]
		if p == nil {
			return res, ErrNoInPort
		}
		br, ofIn = p.Bridge, p.OFPort
	}
	c := &ctx{cfg: cfg, in: in, br: br, res: res, tr: in.Trace, cookie: ^uint64(0), unroll: -1}
	res.Bridge = br
	res.Cache.visit(br)
	c.flow = in.Key
	c.flow.InPort = uint32(ofIn)
	c.base = in.Key
	if br.Now != nil {
		c.now = br.Now()
	} else {
		c.now = time.Now()
	}
	c.initWildcards()
	if c.tr != nil {
		c.tr.flow = c.flow
		c.tr.bridgeHeader(c.br.Name)
	}
	var thawed *FrozenState
	if in.Actions == nil && in.Key.RecircID != 0 {
		thawed, c.err = c.thaw(in.Key.RecircID)
	}
	switch inPort := br.Ports[ofIn]; {
	case c.err != nil:
	case in.Actions != nil:
		c.doActions(in.Actions, false)
	case inPort != nil && inPort.NoRecv:
		c.note("OFPPC_NO_RECV is set on input port, dropping")
	case c.fragDropped():
		c.note("dropping IP fragment per frag mode drop")
	case thawed != nil && len(thawed.Actions) > 0:
		c.doActions(thawed.Actions, false)
	default:
		c.processTable(c.table, true)
	}
	if c.err == nil {
		if !c.freezing {
			c.executeActset()
		}
		if c.freezing {
			c.finishFreezing()
		}
	}
	res.Actions = c.acts
	res.Final = c.flow
	if isFailure(c.err) {
		// A failed translation is a drop flow, as in OVS; the mask stays
		// the fields every megaflow matches.
		res.Actions = nil
	} else {
		c.finishWildcards()
	}
	// The mask is in datapath terms: in_port is the datapath port.
	res.Mask = c.wc
	res.Mask.InPort = 0xffffffff
	if c.tr != nil {
		c.tr.final = c.flow
		if isFailure(c.err) {
			c.tr.failure = c.err.Error()
		}
		c.tr.finish(res)
	}
	if !in.KeepRecircs && cfg.Frozen != nil {
		for _, id := range res.Recircs {
			cfg.Frozen.Unref(id)
		}
		res.Recircs = nil
	}
	return res, c.err
}

// isFailure reports whether err is a translation failure OVS names in
// "Translation failed (...)".
func isFailure(err error) bool {
	return errors.Is(err, ErrNoRecircContext) || errors.Is(err, ErrBridgeNotFound)
}

// initWildcards marks the fields every megaflow matches exactly, as OVS does.
func (c *ctx) initWildcards() {
	c.wc.RecircID = 0xffffffff
	c.wc.InPort = 0xffffffff
	c.wc.PacketType = 0xffffffff
	c.wc.DlType = 0xffff
	if c.flow.IsIP() {
		c.wc.NwFrag = flow.FragMask
	}
}

// finishWildcards drops from the mask what a datapath flow cannot or need
// not match, as OVS's xlate_wc_finish does: pipeline-only fields, the high
// bits of ICMP type/code, L4 ports of later fragments, and VLAN bits of tags
// the packet does not have (set by push or set_field actions).
func (c *ctx) finishWildcards() {
	w := &c.wc
	w.Metadata = 0
	w.Regs = [flow.NumRegs]uint32{}
	w.ActsetOut = 0
	w.ConjID = 0
	in := &c.in.Key
	if in.IsIPv4() && in.NwProto == 1 || in.IsIPv6() && in.NwProto == 58 {
		w.TpSrc &= 0xff
		w.TpDst &= 0xff
	}
	for i := range w.VLANs {
		if w.VLANs[i].TCI != 0 {
			w.VLANs[i].TCI |= flow.VLANCFI
		}
	}
	if in.NwFrag&flow.FragLater != 0 {
		w.TpSrc, w.TpDst = 0, 0
	}
	for i := range w.VLANs {
		v := in.VLANs[i]
		tagged := v.TPID == 0x8100 || v.TPID == 0x88a8 || (v.TPID == 0 && v.TCI&flow.VLANCFI != 0)
		if !tagged {
			w.VLANs[i] = flow.VLAN{}
		}
	}
}

func (c *ctx) fragDropped() bool {
	return c.br.FragDrop && c.flow.IsIP() && c.flow.NwFrag&flow.FragAny != 0
}

// processTable looks the flow up in table and runs the matching rule's
// actions. In frag mode "normal" the L4 ports of fragments read as 0, as in
// OVS. mayPacketIn says whether a miss may go to the controller (OVS's
// may_packet_in: true for the first lookup, goto_table, patch ports and
// thawing, false for resubmit).
func (c *ctx) processTable(table uint8, mayPacketIn bool) {
	if c.depth >= MaxResubmitDepth || c.nres >= MaxResubmits {
		c.note(fmt.Sprintf("over max translation depth %d", MaxResubmitDepth))
		c.err = fmt.Errorf("xlate: recursion too deep")
		return
	}
	c.depth++
	defer func() { c.depth-- }()
	old := c.table
	c.table = table
	defer func() { c.table = old }()

	key := c.flow
	if c.br.FragNormal && key.IsIP() && key.NwFrag&flow.FragAny != 0 {
		key.TpSrc, key.TpDst = 0, 0
	}
	rule := c.br.Tables.Lookup(table, &key, &c.wc)
	if rule == nil {
		c.miss(table, mayPacketIn)
		return
	}
	if c.tr != nil {
		c.tr.rule(table, rule)
	}
	c.res.Cache.Rules = append(c.res.Cache.Rules, rule)
	oldRule, oldCookie := c.rule, c.cookie
	c.rule = rule
	c.cookie = 0
	if r, ok := rule.(interface{ Cookie() uint64 }); ok {
		c.cookie = r.Cookie()
	}
	c.doActions(rule.Actions(), false)
	c.rule, c.cookie = oldRule, oldCookie
}

// noteError reports an error in the trace as OVS does (">>>> ... <<<<").
func (c *ctx) noteError(s string) {
	c.note(">>>> " + s + " <<<<")
}

func (c *ctx) note(s string) {
	if c.tr != nil {
		c.tr.note(s)
	}
}

// doActions interprets an OpenFlow action list. inActset is true for the
// action set executed at the end of the pipeline.
func (c *ctx) doActions(acts []openflow.Action, inActset bool) {
	if len(acts) == 0 {
		c.traceLine(4, "drop")
		return
	}
	for i, a := range acts {
		if c.err != nil {
			return
		}
		if c.exit {
			// Keep what remains of this list for after the thaw.
			if c.freezing {
				c.freezeUnroll(acts[i:])
			}
			return
		}
		if c.tr != nil {
			c.tr.action(a)
		}
		c.last = i == len(acts)-1
		c.doAction(a)
		if c.stopList {
			c.stopList = false
			return
		}
		if c.err == nil && c.exit && c.freezing && len(c.frozen) == 0 {
			// The action that froze: the rest of its list runs after
			// the thaw.
			c.freezeUnroll(acts[i+1:])
			return
		}
	}
}

func (c *ctx) doAction(a openflow.Action) {
	f := &c.flow
	switch a := a.(type) {
	case openflow.Output:
		c.output(a.Port, a.MaxLen)
	case openflow.Enqueue:
		c.output(a.Port, 0)
	case openflow.OutputReg:
		v := c.readRef(a.Src)
		c.output(openflow.Port(v), a.MaxLen)
	case openflow.Controller:
		if a.Pause {
			c.pause = &a
			c.triggerFreeze()
			return
		}
		c.controller(a.Reason, a.MaxLen, a.ControllerID, a.UserData)
	case UnrollXlate:
		c.table, c.cookie = a.Table, a.Cookie
		if c.tr != nil {
			// OVS prints the big-endian cookie as a host integer here.
			c.tr.line(c.tr.nest+4, fmt.Sprintf("restored state: table=%d, cookie=%#x", a.Table, bits.ReverseBytes64(a.Cookie)))
		}
	case openflow.SetVLANVID:
		c.wc.VLANs[0].TCI |= 0x0fff | flow.VLANCFI
		if f.VLANs[0].TCI&flow.VLANCFI == 0 {
			if !a.Push {
				return
			}
			f.VLANs[0].TPID = 0x8100
			f.VLANs[0].TCI = flow.VLANCFI
		}
		f.VLANs[0].TCI = f.VLANs[0].TCI&^0x0fff | a.VID&0x0fff
	case openflow.SetVLANPCP:
		c.wc.VLANs[0].TCI |= 0xe000 | flow.VLANCFI
		if f.VLANs[0].TCI&flow.VLANCFI == 0 {
			if !a.Push {
				return
			}
			f.VLANs[0].TPID = 0x8100
			f.VLANs[0].TCI = flow.VLANCFI
		}
		f.VLANs[0].TCI = f.VLANs[0].TCI&^0xe000 | uint16(a.PCP&7)<<13
	case openflow.StripVLAN:
		c.wc.VLANs[0].TCI |= flow.VLANCFI
		f.VLANs[0] = f.VLANs[1]
		f.VLANs[1] = flow.VLAN{}
	case openflow.PushVLAN:
		c.wc.VLANs[1].TCI |= flow.VLANCFI
		f.VLANs[1] = f.VLANs[0]
		f.VLANs[0] = flow.VLAN{TPID: a.EthType, TCI: f.VLANs[1].TCI | flow.VLANCFI}
	case openflow.SetEthSrc:
		c.wc.DlSrc = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		f.DlSrc = a.MAC
	case openflow.SetEthDst:
		c.wc.DlDst = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		f.DlDst = a.MAC
	case openflow.SetIPv4Src:
		if f.IsIPv4() {
			c.wc.NwSrc = 0xffffffff
			f.NwSrc = a.Addr
		}
	case openflow.SetIPv4Dst:
		if f.IsIPv4() {
			c.wc.NwDst = 0xffffffff
			f.NwDst = a.Addr
		}
	case openflow.SetIPDSCP:
		if f.IsIP() {
			c.wc.NwTOS |= 0xfc
			f.NwTOS = f.NwTOS&0x03 | a.TOS&0xfc
		}
	case openflow.SetIPECN:
		if f.IsIP() {
			c.wc.NwTOS |= 0x03
			f.NwTOS = f.NwTOS&0xfc | a.ECN&0x03
		}
	case openflow.SetIPTTL:
		if f.IsIP() {
			c.wc.NwTTL = 0xff
			f.NwTTL = a.TTL
		}
	case openflow.SetL4SrcPort:
		if c.hasL4Ports() {
			c.wc.NwProto = 0xff
			c.wc.TpSrc = 0xffff
			f.TpSrc = a.Port
		}
	case openflow.SetL4DstPort:
		if c.hasL4Ports() {
			c.wc.NwProto = 0xff
			c.wc.TpDst = 0xffff
			f.TpDst = a.Port
		}
	case openflow.DecTTL:
		c.decTTL(a)
	case openflow.SetField:
		c.setField(a)
	case openflow.RegMove:
		c.regMove(a)
	case openflow.StackPush:
		v := c.readRefBytes(a.Field)
		if len(c.stack) >= MaxStackDepth {
			c.note("stack overflow")
			return
		}
		c.stack = append(c.stack, v)
	case openflow.StackPop:
		if len(c.stack) == 0 {
			c.note("stack underflow")
			return
		}
		v := c.stack[len(c.stack)-1]
		c.stack = c.stack[:len(c.stack)-1]
		c.writeRefBytes(a.Field, v)
	case openflow.Resubmit:
		c.resubmit(a)
	case openflow.GotoTable:
		c.nres++
		c.processTable(a.Table, true)
	case openflow.WriteMetadata:
		f.Metadata = f.Metadata&^a.Mask | a.Value&a.Mask
	case openflow.ClearActions:
		c.actset = c.actset[:0]
	case openflow.WriteActions:
		c.writeActions(a.Actions)
	case openflow.Meter:
		// Meters are not implemented yet: rules using them are refused by ofproto.
	case openflow.Clone:
		c.clone(a.Actions)
	case openflow.Note:
	case openflow.SetTunnel:
		f.TunID = a.ID
	case openflow.SetQueue, openflow.PopQueue:
		// Queues map to skb_priority with QoS; without QoS they are no-ops.
	case openflow.Exit:
		c.exit = true
	case openflow.CTClear:
		f.CtState, f.CtZone, f.CtMark, f.CtLabel = 0, 0, 0, [16]byte{}
	default:
		c.note(fmt.Sprintf("unsupported action %T", a))
	}
}

func (c *ctx) hasL4Ports() bool {
	f := &c.flow
	if !f.IsIP() {
		return false
	}
	c.wc.NwProto = 0xff
	switch f.NwProto {
	case 6, 17, 132:
		return f.NwFrag&flow.FragLater == 0
	}
	return false
}

func (c *ctx) resubmit(a openflow.Resubmit) {
	c.nres++
	if c.tr != nil && !c.last {
		c.tr.nest += 4
		defer func() { c.tr.nest -= 4 }()
	}
	table := a.Table
	if table == openflow.TableCurrent {
		table = c.table
	}
	if a.InPort == openflow.PortInPort {
		c.processTable(table, false)
		return
	}
	old := c.flow.InPort
	c.flow.InPort = uint32(a.InPort)
	c.processTable(table, false)
	c.flow.InPort = old
}

func (c *ctx) decTTL(a openflow.DecTTL) {
	f := &c.flow
	if !f.IsIP() {
		return
	}
	c.wc.NwTTL = 0xff
	c.wc.NwProto = 0xff
	if f.NwTTL > 1 {
		f.NwTTL--
		return
	}
	// TTL would reach 0: send to each controller id with reason
	// invalid_ttl and stop processing the current action list, as OVS
	// does (the enclosing lists continue).
	ids := a.ControllerIDs
	if len(ids) == 0 {
		ids = []uint16{0}
	}
	for _, id := range ids {
		c.controller(reasonInvalidTTL, 0xffff, id, nil)
		if c.err != nil {
			return
		}
	}
	if f.IsIPv4() {
		c.note(">> IPv4 decrement TTL exception")
	} else {
		c.note(">> IPv6 decrement TTL exception")
	}
	c.stopList = true
}

func (c *ctx) writeActions(acts []openflow.Action) {
	// OVS merges write_actions into the action set by action type: a later
	// action of a type replaces an earlier one of the same type.
	for _, a := range acts {
		replaced := false
		for i, old := range c.actset {
			if reflect.TypeOf(old) == reflect.TypeOf(a) {
				c.actset[i] = a
				replaced = true
				break
			}
		}
		if !replaced {
			c.actset = append(c.actset, a)
		}
	}
}

// executeActset runs the action set at the end of the pipeline in OpenFlow's
// required order: everything else first, then output or group.
func (c *ctx) executeActset() {
	if len(c.actset) == 0 {
		return
	}
	var outs []openflow.Action
	var rest []openflow.Action
	for _, a := range c.actset {
		switch a.(type) {
		case openflow.Output, openflow.Group:
			outs = append(outs, a)
		default:
			rest = append(rest, a)
		}
	}
	c.actset = nil
	c.exit = false
	if len(outs) > 0 {
		rest = append(rest, outs[0])
	}
	c.doActions(rest, true)
}

func (c *ctx) clone(acts []openflow.Action) {
	savedFlow, savedStack, savedExit, savedActset := c.flow, len(c.stack), c.exit, c.actset
	c.actset = nil
	c.doActions(acts, false)
	if c.freezing {
		c.finishFreezing()
	}
	// Changes made inside the clone must not leak out: the datapath packet
	// state (base) has to be restored too, by committing the difference back.
	c.flow = savedFlow
	c.stack = c.stack[:savedStack]
	c.exit = savedExit
	c.actset = savedActset
}
