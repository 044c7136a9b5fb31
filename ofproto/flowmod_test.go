package ofproto

import (
	"errors"
	"testing"
	"time"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func newTestBridge(t *testing.T) *Bridge {
	t.Helper()
	k := NewBacker("dummy", &fixedClock{time.Unix(1000, 0)})
	b, err := k.NewBridge("br0")
	if err != nil {
		t.Fatal(err)
	}
	b.Flushed(false)
	return b
}

func ipMatch(dst uint32, bits int) flow.Match {
	var m flow.Match
	m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
	if bits > 0 {
		m.Mask.NwDst = ^uint32(0) << (32 - bits)
		m.Key.NwDst = dst & m.Mask.NwDst
	}
	return m
}

func out(p openflow.Port) []openflow.Action { return []openflow.Action{openflow.Output{Port: p}} }

func mustMod(t *testing.T, b *Bridge, fm *FlowMod) {
	t.Helper()
	if _, err := b.FlowMod(fm); err != nil {
		t.Fatalf("flow mod %+v: %v", fm, err)
	}
}

func dump(b *Bridge) []FlowStats {
	return b.DumpFlows(&FlowMod{Table: TableAll, OutPort: openflow.PortNone}, time.Unix(1000, 0))
}

func TestSecureBridgeHasNoDefaultRule(t *testing.T) {
	k := NewBacker("dummy", &fixedClock{time.Unix(1000, 0)})
	b, err := k.NewBridge("br1")
	if err != nil {
		t.Fatal(err)
	}
	b.SetFailMode("secure")
	b.Flushed(false)
	if n := len(dump(b)); n != 0 {
		t.Fatalf("secure bridge has %d flows, want 0", n)
	}
}

func TestStandaloneNormalRuleIsReal(t *testing.T) {
	b := newTestBridge(t)
	fl := dump(b)
	if len(fl) != 1 || fl[0].Rule.Priority != 0 || len(fl[0].Rule.Actions()) != 1 {
		t.Fatalf("standalone bridge flows = %+v, want priority=0 actions=NORMAL", fl)
	}
	mustMod(t, b, &FlowMod{Command: FlowDelete, Table: TableAll, OutPort: openflow.PortNone})
	if n := len(dump(b)); n != 0 {
		t.Fatalf("%d flows after del-flows, want 0", n)
	}
}

func TestFlowModSemantics(t *testing.T) {
	b := newTestBridge(t)
	mustMod(t, b, &FlowMod{Command: FlowDelete, Table: TableAll, OutPort: openflow.PortNone})
	m8 := ipMatch(0x0a000000, 8)
	m16 := ipMatch(0x0a010000, 16)
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m8, Priority: 10, Cookie: 1, Actions: out(1)})
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m16, Priority: 20, Cookie: 2, Actions: out(2)})
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m16, Priority: 30, Cookie: 3, Actions: out(3)})
	if n := len(dump(b)); n != 3 {
		t.Fatalf("%d flows, want 3", n)
	}
	// check_overlap refuses an overlapping rule of equal priority.
	_, err := b.FlowMod(&FlowMod{Command: FlowAdd, Match: ipMatch(0x0a010100, 24), Priority: 20, Flags: FlagCheckOverlap, Actions: out(4)})
	if !errors.Is(err, openflow.ErrOFPFMFCOverlap) {
		t.Fatalf("check_overlap: err = %v", err)
	}
	// Non-strict modify of the /8 match changes every rule at least as specific.
	mustMod(t, b, &FlowMod{Command: FlowModify, Match: m8, Table: TableAll, Actions: out(9), NewCookie: KeepCookie, OutPort: openflow.PortNone})
	for _, f := range dump(b) {
		if a := f.Rule.Actions()[0].(openflow.Output); a.Port != 9 {
			t.Fatalf("rule %d not modified: %+v", f.Rule.Priority, a)
		}
	}
	// Strict delete removes only the exact match and priority.
	mustMod(t, b, &FlowMod{Command: FlowDeleteStrict, Match: m16, Priority: 20, Table: TableAll, OutPort: openflow.PortNone})
	fl := dump(b)
	if len(fl) != 2 || fl[0].Rule.Priority != 30 || fl[1].Rule.Priority != 10 {
		t.Fatalf("after delete-strict: %+v", fl)
	}
	// Cookie-filtered delete.
	mustMod(t, b, &FlowMod{Command: FlowDelete, Table: TableAll, Cookie: 3, CookieMask: ^uint64(0), OutPort: openflow.PortNone})
	fl = dump(b)
	if len(fl) != 1 || fl[0].Rule.Cookie() != 1 {
		t.Fatalf("after cookie delete: %+v", fl)
	}
	// out_port filter: no rule outputs to 5, so nothing is deleted.
	mustMod(t, b, &FlowMod{Command: FlowDelete, Table: TableAll, OutPort: 5})
	if len(dump(b)) != 1 {
		t.Fatal("delete with out_port 5 removed a rule that does not output to 5")
	}
	// Modify with nothing matching adds the flow (OpenFlow 1.0 semantics).
	mustMod(t, b, &FlowMod{Command: FlowModifyStrict, Match: m16, Priority: 7, Actions: out(1), NewCookie: 0x77})
	fl = dump(b)
	if len(fl) != 2 || fl[1].Rule.Priority != 7 || fl[1].Rule.Cookie() != 0x77 {
		t.Fatalf("modify-as-add: %+v", fl)
	}
}

func TestAddReplacesAndKeepsCounters(t *testing.T) {
	b := newTestBridge(t)
	m := ipMatch(0x0a000001, 32)
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m, Priority: 5, Actions: out(1)})
	r := dump(b)[0].Rule
	r.AddStats(3, 300, time.Unix(1001, 0))
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m, Priority: 5, Actions: out(2)})
	fl := dump(b)
	var got *FlowStats
	for i := range fl {
		if fl[i].Rule.Priority == 5 {
			got = &fl[i]
		}
	}
	if got == nil || got.Packets != 3 || got.Rule == r {
		t.Fatalf("replaced rule: %+v", got)
	}
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: m, Priority: 5, Actions: out(2), Flags: FlagResetCounts})
	for _, f := range dump(b) {
		if f.Rule.Priority == 5 && f.Packets != 0 {
			t.Fatal("reset_counts did not reset")
		}
	}
}

func TestBadFlowMods(t *testing.T) {
	b := newTestBridge(t)
	cases := []struct {
		fm   FlowMod
		want openflow.Error
	}{
		{FlowMod{Command: 9}, openflow.ErrOFPFMFCBadCommand},
		{FlowMod{Command: FlowAdd, Table: 3, Actions: []openflow.Action{openflow.GotoTable{Table: 2}}}, openflow.ErrOFPBICBadTableId},
		{FlowMod{Command: FlowAdd, Actions: []openflow.Action{openflow.Group{ID: 1}}}, openflow.ErrOFPBACBadOutGroup},
		{FlowMod{Command: FlowAdd, Actions: []openflow.Action{openflow.Conjunction{ID: 1, NClauses: 2}}}, openflow.ErrOFPBACBadType},
		{FlowMod{Command: FlowAdd, Actions: []openflow.Action{openflow.Clone{Actions: []openflow.Action{openflow.PushMPLS{EthType: 0x8847}}}}}, openflow.ErrOFPBACBadType},
	}
	for _, c := range cases {
		_, err := b.FlowMod(&c.fm)
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: err %v, want %v", c.fm, err, c.want)
		}
	}
}

func TestAddToAllTablesGoesToTable0(t *testing.T) {
	b := newTestBridge(t)
	mustMod(t, b, &FlowMod{Command: FlowAdd, Table: TableAll, Priority: 7, Actions: out(1)})
	for _, f := range dump(b) {
		if f.Rule.Priority == 7 && f.Rule.Table != 0 {
			t.Fatalf("table=255 add went to table %d", f.Rule.Table)
		}
	}
}

func TestExpireRules(t *testing.T) {
	b := newTestBridge(t)
	clk := b.backer.clock.(*fixedClock)
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: ipMatch(1, 32), Priority: 5, IdleTimeout: 10, Actions: out(1)})
	mustMod(t, b, &FlowMod{Command: FlowAdd, Match: ipMatch(2, 32), Priority: 5, HardTimeout: 20, Actions: out(1)})
	idle, hard := b.ExpireRules(clk.t.Add(11 * time.Second))
	if len(idle) != 1 || len(hard) != 0 {
		t.Fatalf("at +11s: idle %d hard %d", len(idle), len(hard))
	}
	idle, hard = b.ExpireRules(clk.t.Add(21 * time.Second))
	if len(idle) != 0 || len(hard) != 1 {
		t.Fatalf("at +21s: idle %d hard %d", len(idle), len(hard))
	}
}
