package ofproto

import (
	"fmt"
	"sync/atomic"
	"time"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
	"govs.dev/govs/openflow/ofctl"
)

// Flow-mod flags (OFPFF_*), in OVS's internal numbering.
const (
	FlagSendFlowRem  = 1 << 0
	FlagCheckOverlap = 1 << 1
	FlagResetCounts  = 1 << 2
	FlagNoPktCounts  = 1 << 3
	FlagNoBytCounts  = 1 << 4
)

// Rule is one OpenFlow rule. Its match, priority and table never change; its
// actions and cookie change atomically on modify. Readers on handler
// goroutines use Actions and AddStats only.
type Rule struct {
	Match       flow.Match
	Priority    uint16
	Table       uint8
	IdleTimeout uint16
	HardTimeout uint16
	Importance  uint16
	Flags       uint16

	cookie   atomic.Uint64
	actions  atomic.Pointer[[]openflow.Action]
	created  time.Time
	modified atomic.Int64 // unix nanoseconds
	used     atomic.Int64 // unix nanoseconds of the last packet
	packets  atomic.Uint64
	bytes    atomic.Uint64
	// removed is set once the rule has left its table.
	removed atomic.Bool
	// clsHandle is the classifier's handle for the rule.
	clsHandle any
}

func newRule(fm *FlowMod, now time.Time) *Rule {
	r := &Rule{
		Match: fm.Match, Priority: fm.Priority, Table: fm.Table,
		IdleTimeout: fm.IdleTimeout, HardTimeout: fm.HardTimeout,
		Importance: fm.Importance, Flags: fm.Flags &^ FlagCheckOverlap,
		created: now,
	}
	r.Match.Normalize()
	r.cookie.Store(fm.Cookie)
	acts := fm.Actions
	r.actions.Store(&acts)
	r.modified.Store(now.UnixNano())
	r.used.Store(now.UnixNano())
	return r
}

// IsTableMiss reports whether r is a table-miss rule: priority 0 and a
// match on nothing (xlate.TableMissRule).
func (r *Rule) IsTableMiss() bool { return r.Priority == 0 && r.Match.Mask == (flow.Key{}) }

// Actions returns the current actions (immutable slice).
func (r *Rule) Actions() []openflow.Action { return *r.actions.Load() }

// Cookie returns the rule's cookie.
func (r *Rule) Cookie() uint64 { return r.cookie.Load() }

// Created returns when the rule was added.
func (r *Rule) Created() time.Time { return r.created }

// Stats returns the rule's packet and byte counts and last use.
func (r *Rule) Stats() (packets, bytes uint64, used time.Time) {
	return r.packets.Load(), r.bytes.Load(), time.Unix(0, r.used.Load())
}

// AddStats adds traffic; safe from any goroutine.
func (r *Rule) AddStats(packets, bytes uint64, t time.Time) {
	if packets == 0 && bytes == 0 {
		return
	}
	if r.Flags&FlagNoPktCounts == 0 {
		r.packets.Add(packets)
	}
	if r.Flags&FlagNoBytCounts == 0 {
		r.bytes.Add(bytes)
	}
	n := t.UnixNano()
	for {
		old := r.used.Load()
		if n <= old || r.used.CompareAndSwap(old, n) {
			break
		}
	}
}

// TraceString formats the rule for ofproto/trace.
func (r *Rule) TraceString() string {
	s := ofctl.FormatMatch(&r.Match, 32768)
	if s != "" {
		s += ", "
	}
	s += fmt.Sprintf("priority %d", r.Priority)
	if c := r.Cookie(); c != 0 {
		s += fmt.Sprintf(", cookie %#x", c)
	}
	return s
}

// hasOutput reports whether the rule's actions output to port (out_port
// filtering of delete and stats requests).
func (r *Rule) hasOutput(port openflow.Port) bool {
	if port == openflow.PortNone {
		return true
	}
	return actionsOutputTo(r.Actions(), port)
}

func actionsOutputTo(acts []openflow.Action, port openflow.Port) bool {
	for _, a := range acts {
		switch a := a.(type) {
		case openflow.Output:
			if a.Port == port {
				return true
			}
		case openflow.Enqueue:
			if a.Port == port {
				return true
			}
		case openflow.Controller:
			if port == openflow.PortController {
				return true
			}
		case openflow.WriteActions:
			if actionsOutputTo(a.Actions, port) {
				return true
			}
		case openflow.Clone:
			if actionsOutputTo(a.Actions, port) {
				return true
			}
		}
	}
	return false
}
