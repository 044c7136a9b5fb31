package ofproto

import (
	"sort"
	"time"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// Flow-mod commands.
const (
	FlowAdd          = 0
	FlowModify       = 1
	FlowModifyStrict = 2
	FlowDelete       = 3
	FlowDeleteStrict = 4
)

// TableAll selects every table in modify/delete/stats requests.
const TableAll = 0xff

// NumTables is the number of OpenFlow tables (0..254).
const NumTables = 255

// hiddenTable is the last table, reserved as in OVS: controllers may not
// add flows to it (OFPBRC_EPERM).
const hiddenTable = NumTables - 1

// FlowMod is a version-independent flow-mod request.
type FlowMod struct {
	Command    uint8
	Match      flow.Match
	Priority   uint16
	Table      uint8
	Cookie     uint64
	CookieMask uint64
	// NewCookie is the cookie modify commands set (OVS: OVS_BE64_MAX = keep).
	NewCookie   uint64
	IdleTimeout uint16
	HardTimeout uint16
	Importance  uint16
	Flags       uint16
	OutPort     openflow.Port
	OutGroup    uint32
	Actions     []openflow.Action
}

// KeepCookie in FlowMod.NewCookie leaves cookies unchanged on modify.
const KeepCookie = ^uint64(0)

// Reason a rule left its table (OFPRR_*).
const (
	RemovedIdle   = 0
	RemovedHard   = 1
	RemovedDelete = 2
)

// cookieMatches reports whether r is selected by the request's cookie/mask.
func (fm *FlowMod) cookieMatches(r *Rule) bool {
	return (r.Cookie()^fm.Cookie)&fm.CookieMask == 0
}

// looseMatch reports whether every packet r matches is matched by m: r's match
// is at least as specific (OVS's cls_rule_is_loose_match).
func looseMatch(r *flow.Match, m *flow.Match) bool {
	rw, mw := r.Mask.Words(), m.Mask.Words()
	rk, mk := r.Key.Words(), m.Key.Words()
	for i := range mw {
		if mw[i]&^rw[i] != 0 { // m cares about a bit r wildcards
			return false
		}
		if (rk[i]^mk[i])&mw[i] != 0 {
			return false
		}
	}
	return true
}

// tablesFor returns the tables a modify/delete request addresses.
func tablesFor(id uint8) (lo, hi int) {
	if id == TableAll {
		return 0, NumTables - 1
	}
	return int(id), int(id)
}

// applyFlowMod executes fm on the bridge's tables. Caller holds b.mu. It
// returns the rules removed (for flow-removed messages) and whether anything
// changed (which requires revalidation).
func (b *Bridge) applyFlowMod(fm *FlowMod, now time.Time) (removed []*Rule, changed bool, err error) {
	if err := b.validateFlowMod(fm); err != nil {
		return nil, false, err
	}
	fm.Match.Normalize()
	version := b.version + 1
	switch fm.Command {
	case FlowAdd:
		if fm.Table == TableAll {
			// OVS adds "all tables" flows to table 0.
			fm.Table = 0
		}
		if fm.Table == hiddenTable {
			return nil, false, openflow.ErrOFPBRCEperm
		}
		t := b.tables[fm.Table]
		if fm.Flags&FlagCheckOverlap != 0 && t.overlaps(&fm.Match, fm.Priority, b.version) {
			return nil, false, openflow.ErrOFPFMFCOverlap
		}
		nr := newRule(fm, now)
		if old := t.findExact(&fm.Match, fm.Priority, b.version); old != nil {
			// Replacing an identical rule: counters carry over unless
			// reset_counts is set (OpenFlow 1.3 semantics, as OVS does).
			if fm.Flags&FlagResetCounts == 0 {
				nr.packets.Store(old.packets.Load())
				nr.bytes.Store(old.bytes.Load())
			}
			t.remove(old, version)
			old.removed.Store(true)
		}
		t.insert(nr, version)
		b.version = version
		b.publishVersion()
		return nil, true, nil
	case FlowModify, FlowModifyStrict:
		rules := b.collect(fm, fm.Command == FlowModifyStrict)
		if len(rules) == 0 {
			// Only a modify that sets cookies and does not select by
			// cookie may add (OVS's modify_may_add_flow).
			if fm.NewCookie == KeepCookie || fm.CookieMask != 0 {
				return nil, false, nil
			}
			// No match: OpenFlow 1.0 semantics, kept by OVS: add.
			add := *fm
			add.Command = FlowAdd
			if add.NewCookie != KeepCookie {
				add.Cookie = add.NewCookie
			}
			return b.applyFlowMod(&add, now)
		}
		for _, r := range rules {
			acts := fm.Actions
			r.actions.Store(&acts)
			if fm.NewCookie != KeepCookie {
				r.cookie.Store(fm.NewCookie)
			}
			if fm.Flags&FlagResetCounts != 0 {
				r.packets.Store(0)
				r.bytes.Store(0)
			}
			r.modified.Store(now.UnixNano())
		}
		b.version = version
		b.publishVersion()
		return nil, true, nil
	case FlowDelete, FlowDeleteStrict:
		rules := b.collect(fm, fm.Command == FlowDeleteStrict)
		for _, r := range rules {
			b.tables[r.Table].remove(r, version)
			r.removed.Store(true)
		}
		if len(rules) > 0 {
			b.version = version
			b.publishVersion()
		}
		return rules, len(rules) > 0, nil
	}
	return nil, false, openflow.ErrOFPFMFCBadCommand
}

// collect returns the rules a modify/delete request selects, in table and
// priority order.
func (b *Bridge) collect(fm *FlowMod, strict bool) []*Rule {
	var out []*Rule
	lo, hi := tablesFor(fm.Table)
	for id := lo; id <= hi; id++ {
		t := b.tables[id]
		if strict {
			if r := t.findExact(&fm.Match, fm.Priority, b.version); r != nil &&
				fm.cookieMatches(r) && r.hasOutput(fm.OutPort) {
				out = append(out, r)
			}
			continue
		}
		t.forEach(b.version, func(r *Rule) {
			if fm.cookieMatches(r) && looseMatch(&r.Match, &fm.Match) && r.hasOutput(fm.OutPort) {
				out = append(out, r)
			}
		})
	}
	return out
}

// validateFlowMod checks actions against the bridge, returning the OpenFlow
// error stock OVS gives.
func (b *Bridge) validateFlowMod(fm *FlowMod) error {
	if fm.Command > FlowDeleteStrict {
		return openflow.ErrOFPFMFCBadCommand
	}
	if fm.Command == FlowDelete || fm.Command == FlowDeleteStrict {
		return nil
	}
	if fm.Table != TableAll && int(fm.Table) >= NumTables {
		return openflow.ErrOFPBRCBadTableId
	}
	return validateActions(fm.Actions, fm.Table)
}

func validateActions(acts []openflow.Action, table uint8) error {
	for _, a := range acts {
		switch a := a.(type) {
		case openflow.Unknown:
			return a.Err
		case openflow.Output, openflow.Controller, openflow.Enqueue, openflow.OutputReg,
			openflow.SetVLANVID, openflow.SetVLANPCP, openflow.StripVLAN, openflow.PushVLAN,
			openflow.SetEthSrc, openflow.SetEthDst, openflow.SetIPv4Src, openflow.SetIPv4Dst,
			openflow.SetIPDSCP, openflow.SetIPECN, openflow.SetIPTTL, openflow.SetL4SrcPort,
			openflow.SetL4DstPort, openflow.DecTTL, openflow.SetField, openflow.RegMove,
			openflow.StackPush, openflow.StackPop, openflow.Resubmit, openflow.WriteMetadata,
			openflow.ClearActions, openflow.Note, openflow.SetTunnel, openflow.SetQueue,
			openflow.PopQueue, openflow.Exit, openflow.CTClear:
			// Implemented by xlate.
		case openflow.GotoTable:
			if a.Table <= table && table != TableAll {
				return openflow.ErrOFPBICBadTableId
			}
		case openflow.Group:
			// No group can exist until group-mod is implemented.
			return openflow.ErrOFPBACBadOutGroup
		case openflow.Meter:
			return openflow.ErrOFPMMFCUnknownMeter
		case openflow.Clone:
			if err := validateActions(a.Actions, table); err != nil {
				return err
			}
		case openflow.WriteActions:
			if err := validateActions(a.Actions, table); err != nil {
				return err
			}
		default:
			// Decoded but not implemented yet (ct, nat, learn, MPLS,
			// conjunction, ...): refuse the rule rather than install
			// one that would not do what it says.
			return openflow.ErrOFPBACBadType
		}
	}
	return nil
}

// FlowStats is one rule as dump-flows reports it.
type FlowStats struct {
	Rule     *Rule
	Duration time.Duration
	Packets  uint64
	Bytes    uint64
	IdleAge  time.Duration
	HardAge  time.Duration
}

// DumpFlows returns the rules selected by the filter (table, loose match,
// cookie, out_port) in table order and, within a table, by descending
// priority.
func (b *Bridge) DumpFlows(fm *FlowMod, now time.Time) []FlowStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	rules := b.collect(fm, false)
	sort.SliceStable(rules, func(i, j int) bool {
		if rules[i].Table != rules[j].Table {
			return rules[i].Table < rules[j].Table
		}
		return rules[i].Priority > rules[j].Priority
	})
	out := make([]FlowStats, 0, len(rules))
	for _, r := range rules {
		p, by, used := r.Stats()
		out = append(out, FlowStats{
			Rule: r, Duration: now.Sub(r.created), Packets: p, Bytes: by,
			IdleAge: now.Sub(used), HardAge: now.Sub(time.Unix(0, r.modified.Load())),
		})
	}
	return out
}
