package ofproto

import (
	"testing"
	"time"

	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
)

// TestRevalidationDependencies: a megaflow's translation depends on the
// bridges it went through; a rule change in another bridge leaves it
// current (no retranslation), one in its own bridge does not.
func TestRevalidationDependencies(t *testing.T) {
	k := NewBacker("dummy", &fixedClock{time.Unix(1000, 0)})
	br0, err := k.NewBridge("br0")
	if err != nil {
		t.Fatal(err)
	}
	br1, err := k.NewBridge("br1")
	if err != nil {
		t.Fatal(err)
	}
	xb0 := k.cfg.Load().Bridges["br0"]
	if xb0 == nil {
		t.Fatal("no xlate snapshot of br0")
	}
	snap := k.snapshot()
	r := k.newRef(&xlate.Result{Cache: xlate.Cache{Bridges: []*xlate.Bridge{xb0}}}, snap)
	if !k.current(r) {
		t.Fatal("a fresh ref is not current")
	}
	mustMod(t, br1, &FlowMod{Command: FlowAdd, Priority: 5, Table: 0, OutPort: openflow.PortNone})
	if !k.current(r) {
		t.Error("a rule added to br1 made a flow through br0 only stale")
	}
	mustMod(t, br0, &FlowMod{Command: FlowAdd, Priority: 5, Table: 0, OutPort: openflow.PortNone})
	if k.current(r) {
		t.Error("a rule added to br0 left a flow through br0 current")
	}
}
