package xlate

import (
	"fmt"
	"strings"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
	"govs.dev/govs/openflow/ofctl"
)

// Trace collects an ofproto/trace report in OVS's layout: the input flow,
// a section per bridge with one line per table lookup and its actions, then
// the final flow, the megaflow and the datapath actions.
type Trace struct {
	// PortName maps a datapath port to a name for the datapath actions; nil
	// prints numbers, as ofproto/trace does.
	PortName func(uint32) string
	b        strings.Builder
	flow     flow.Key
	final    flow.Key
	body     strings.Builder
	// nest is the indentation of table lookups done by a non-final resubmit.
	nest int
	// failure is the OVS name of the translation error, if any.
	failure string
}

func (t *Trace) line(indent int, s string) {
	t.body.WriteString(strings.Repeat(" ", indent))
	t.body.WriteString(s)
	t.body.WriteByte('\n')
}

func (t *Trace) bridgeHeader(name string) {
	h := fmt.Sprintf("bridge(%q)", name)
	t.line(0, h)
	t.line(0, strings.Repeat("-", len(h)))
}

func (t *Trace) bridgeHeaderNested(name string) {
	t.body.WriteByte('\n')
	t.bridgeHeader(name)
}

func (t *Trace) rule(table uint8, r Rule) {
	t.line(t.nest, fmt.Sprintf("%2d. %s", table, r.TraceString()))
}

// miss reports a lookup in table that matched no rule, as OVS reports its
// internal miss rules: "No match." with a drop, or, when the miss goes to
// the controller, the packet-in and the internal rule's controller action.
// OVS nests the internal rule's action one level deeper than the table
// line (4 columns at the top, 12 inside a non-final resubmit).
func (t *Trace) miss(table uint8, packetIn bool) {
	text, act := "No match.", "drop"
	if packetIn {
		// OVS has no name for the implicit-miss reason: "reason=" stays empty.
		text, act = `No match, and a "packet-in" is called for.`, "controller(reason=)"
	}
	t.line(t.nest, fmt.Sprintf("%2d. %s", table, text))
	t.line(4+2*t.nest, act)
}

func (t *Trace) action(a openflow.Action) {
	if u, ok := a.(UnrollXlate); ok {
		t.line(t.nest+4, u.String())
		return
	}
	t.line(t.nest+4, ofctl.FormatActions([]openflow.Action{a}))
}

func (t *Trace) note(s string) {
	t.line(t.nest+5, s)
}

func (t *Trace) finish(res *Result) {
	t.b.WriteString("Flow: ")
	t.b.WriteString(FormatFlow(&t.flow))
	t.b.WriteString("\n\n")
	t.b.WriteString(t.body.String())
	t.b.WriteString("\nFinal flow: ")
	if t.final == t.flow {
		t.b.WriteString("unchanged")
	} else {
		t.b.WriteString(FormatFlow(&t.final))
	}
	t.b.WriteString("\nMegaflow: ")
	m := flow.Match{Key: t.flow, Mask: res.Mask}
	m.Mask.InPort = 0xffffffff
	m.Normalize()
	t.b.WriteString(ofctl.FormatMatch(&m, 32768))
	t.b.WriteString("\nDatapath actions: ")
	var ab strings.Builder
	odp.FormatActions(&ab, res.Actions, t.PortName)
	t.b.WriteString(ab.String())
	t.b.WriteString("\n")
	if t.failure != "" {
		fmt.Fprintf(&t.b, "Translation failed (%s), packet is dropped.\n", t.failure)
	}
}

// String returns the report.
func (t *Trace) String() string { return t.b.String() }

// FormatFlow formats a packet's flow like OVS's flow_format: every field the
// packet has, minus all-zero packet context fields.
func FormatFlow(k *flow.Key) string {
	m := flow.Match{Key: *k, Mask: PacketWildcards(k)}
	w := &m.Mask
	if k.SkbPriority == 0 {
		w.SkbPriority = 0
	}
	if k.PktMark == 0 {
		w.PktMark = 0
	}
	if k.RecircID == 0 {
		w.RecircID = 0
	}
	if k.DpHash == 0 {
		w.DpHash = 0
	}
	if k.CtState == 0 {
		w.CtState = 0
	}
	if k.CtZone == 0 {
		w.CtZone = 0
	}
	if k.CtMark == 0 {
		w.CtMark = 0
	}
	if k.CtLabel == ([16]byte{}) {
		w.CtLabel = [16]byte{}
	}
	if k.CtState == 0 {
		w.CtNwSrc, w.CtNwDst, w.CtIPv6Src, w.CtIPv6Dst = 0, 0, [16]byte{}, [16]byte{}
		w.CtNwProto, w.CtTpSrc, w.CtTpDst = 0, 0, 0
	}
	for i, r := range k.Regs {
		if r != 0 {
			w.Regs[i] = 0xffffffff
		}
	}
	if k.Metadata != 0 {
		w.Metadata = ^uint64(0)
	}
	if k.TunID != 0 {
		w.TunID = ^uint64(0)
	}
	m.Normalize()
	return ofctl.FormatMatch(&m, 32768)
}

// PacketWildcards returns the mask of every field a packet with key k carries
// (OVS's flow_wildcards_init_for_packet).
func PacketWildcards(k *flow.Key) flow.Key {
	var w flow.Key
	w.SkbPriority, w.PktMark = ^uint32(0), ^uint32(0)
	w.CtState, w.CtZone, w.CtMark, w.CtLabel = ^uint32(0), ^uint16(0), ^uint32(0), ones16
	w.RecircID, w.DpHash, w.InPort, w.PacketType = ^uint32(0), ^uint32(0), ^uint32(0), ^uint32(0)
	if k.TunID != 0 {
		w.TunID = ^uint64(0)
	}
	if k.PacketType != 0 {
		return w
	}
	w.DlDst, w.DlSrc, w.DlType = ones6, ones6, 0xffff
	for i := 0; i < flow.MaxVLANHeaders; i++ {
		w.VLANs[i] = flow.VLAN{TPID: 0xffff, TCI: 0xffff}
		if k.VLANs[i].TCI == 0 {
			break
		}
	}
	switch k.DlType {
	case 0x0800:
		w.NwSrc, w.NwDst = ^uint32(0), ^uint32(0)
		w.CtNwSrc, w.CtNwDst = ^uint32(0), ^uint32(0)
	case 0x86dd:
		w.IPv6Src, w.IPv6Dst, w.IPv6Label = ones16, ones16, 0xfffff
		w.CtIPv6Src, w.CtIPv6Dst = ones16, ones16
	case 0x0806, 0x8035:
		w.NwSrc, w.NwDst, w.NwProto, w.ArpSHA, w.ArpTHA = ^uint32(0), ^uint32(0), 0xff, ones6, ones6
		return w
	default:
		return w
	}
	w.NwProto, w.NwTOS, w.NwTTL, w.NwFrag = 0xff, 0xff, 0xff, flow.FragMask
	if k.NwFrag&flow.FragLater != 0 {
		return w
	}
	w.CtNwProto, w.CtTpSrc, w.CtTpDst = 0xff, 0xffff, 0xffff
	switch k.NwProto {
	case 6:
		w.TCPFlags = 0x0fff
		w.TpSrc, w.TpDst = 0xffff, 0xffff
	case 17, 132, 1:
		w.TpSrc, w.TpDst = 0xffff, 0xffff
	case 58:
		w.TpSrc, w.TpDst = 0xffff, 0xffff
		if k.TpSrc == 135 || k.TpSrc == 136 {
			w.NDTarget, w.ArpSHA, w.ArpTHA = ones16, ones6, ones6
			w.NDReserved = ^uint32(0)
		}
	}
	return w
}
