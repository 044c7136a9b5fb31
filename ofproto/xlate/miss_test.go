package xlate

import (
	"strings"
	"testing"

	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// missTables is a pipeline whose miss policy the test sets.
type missTables struct {
	fakeTables
	want bool
}

func (t missTables) WantsPacketInOnMiss() bool { return t.want }

func TestTableMiss(t *testing.T) {
	resubmit := &fakeRule{acts: []openflow.Action{openflow.Resubmit{InPort: openflow.PortInPort, Table: 3}}}
	gotoTable := &fakeRule{acts: []openflow.Action{openflow.GotoTable{Table: 4}}}
	tests := []struct {
		name    string
		table0  []*fakeRule
		want    bool
		packet  bool  // a controller userspace action is expected
		table   uint8 // the frozen table of the packet-in
		traceIn string
	}{
		{name: "miss, nobody wants it", want: false, traceIn: " 0. No match.\n    drop\n"},
		{name: "miss, a connection wants it", want: true, packet: true, table: 0,
			traceIn: " 0. No match, and a \"packet-in\" is called for.\n    controller(reason=)\n"},
		{name: "resubmit miss never packet-ins", table0: []*fakeRule{resubmit}, want: true,
			traceIn: " 3. No match.\n    drop\n"},
		{name: "goto_table miss packet-ins", table0: []*fakeRule{gotoTable}, want: true, packet: true, table: 4,
			traceIn: " 4. No match, and a \"packet-in\" is called for.\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, br := testConfig(nil, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk))
			br.Tables = missTables{fakeTables: fakeTables{0: tc.table0}, want: tc.want}
			fz := newMapFrozen()
			cfg.Frozen = fz
			for _, trace := range []bool{false, true} {
				in := &Input{Key: tcpKey(1, 64), Learn: true}
				var tr Trace
				if trace {
					in.Trace = &tr
				}
				res, err := Translate(cfg, in)
				if err != nil {
					t.Fatalf("Translate: %v", err)
				}
				u := controllerAction(res.Actions)
				if (u != nil) != tc.packet || (u == nil && len(res.Actions) != 0) {
					t.Fatalf("actions %v, want packet-in %v", res.Actions, tc.packet)
				}
				if trace && !strings.Contains(tr.String(), tc.traceIn) {
					t.Errorf("trace lacks %q:\n%s", tc.traceIn, tr.String())
				}
				if u == nil {
					continue
				}
				c := u.Controller
				if u.Reason != reasonImplicitMiss || c.MaxLen != 0xffff || c.ControllerID != 0 || c.RuleCookie != 0 {
					t.Errorf("controller action %+v, want implicit miss, max_len 65535, id 0, cookie 0", *u)
				}
				s := fz.Thaw(c.RecircID)
				if s == nil || s.Table != tc.table || s.Metadata.InPort != 1 {
					t.Errorf("frozen state %+v, want table %d, in_port 1", s, tc.table)
				}
			}
		})
	}
}

// TestTableMissMask checks that a miss sent to the controller has the same
// megaflow mask as a dropped miss: the policy is not a flow field.
func TestTableMissMask(t *testing.T) {
	var masks [2]flow.Key
	for i, want := range []bool{false, true} {
		cfg, br := testConfig(nil, port(1, -1, VLANTrunk))
		br.Tables = missTables{want: want}
		cfg.Frozen = newMapFrozen()
		res, err := Translate(cfg, &Input{Key: tcpKey(1, 64), Learn: true})
		if err != nil {
			t.Fatal(err)
		}
		masks[i] = res.Mask
	}
	if masks[0] != masks[1] {
		t.Errorf("masks differ:\n%+v\n%+v", masks[0], masks[1])
	}
}
