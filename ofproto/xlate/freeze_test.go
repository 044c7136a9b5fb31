package xlate

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/openflow"
)

// mapFrozen is a brute-force FrozenTable: states compared by Key, counted
// references, nothing ever expires.
type mapFrozen struct {
	mu     sync.Mutex
	states map[uint32]*FrozenState
	keys   map[string]uint32
	refs   map[uint32]int
	next   uint32
}

func newMapFrozen() *mapFrozen {
	return &mapFrozen{states: map[uint32]*FrozenState{}, keys: map[string]uint32{}, refs: map[uint32]int{}, next: 1}
}

func (m *mapFrozen) Freeze(s *FrozenState) (uint32, error) {
	k, err := s.Key()
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if id, ok := m.keys[k]; ok {
		m.refs[id]++
		return id, nil
	}
	id := m.next
	m.next++
	m.keys[k], m.states[id], m.refs[id] = id, s, 1
	return id, nil
}

func (m *mapFrozen) Thaw(id uint32) *FrozenState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.states[id]
}

func (m *mapFrozen) Unref(id uint32) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refs[id]--
}

type cookieRule struct {
	fakeRule
	cookie uint64
}

func (r *cookieRule) Cookie() uint64 { return r.cookie }

func tcpKey(in uint32, ttl uint8) flow.Key {
	k := ipKey(in, mac1, mac2)
	k.NwProto, k.NwTTL = 6, ttl
	return k
}

func reg(n int) openflow.FieldRef {
	return openflow.FieldRef{Header: uint64(flow.LookupName("reg" + string(rune('0'+n))).NXMHeader)}
}

func controllerAction(acts []odp.Action) *odp.Userspace {
	for _, a := range acts {
		if a.Type == odp.ActUserspace {
			return a.Userspace
		}
	}
	return nil
}

func TestControllerFreezesContext(t *testing.T) {
	load := func(r int, v byte) openflow.Action {
		return openflow.SetField{Header: reg(r).Header, Value: []byte{0, 0, 0, v}}
	}
	rt := ruleTables{
		0: {&fakeRule{acts: []openflow.Action{load(0, 5), openflow.StackPush{Field: reg(0)}, openflow.GotoTable{Table: 1}}}},
		1: {&cookieRule{fakeRule: fakeRule{acts: []openflow.Action{load(1, 9), openflow.DecTTL{}, openflow.Output{Port: 2}}}, cookie: 0x55}},
	}
	cfg, _ := testConfig(nil, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk))
	cfg.Bridges["br0"].Tables = rt
	fz := newMapFrozen()
	cfg.Frozen = fz

	tests := []struct {
		name     string
		in       Input
		dontSend bool
		keep     bool
	}{
		{"upcall", Input{Key: tcpKey(1, 1), Learn: true, KeepRecircs: true}, false, true},
		{"revalidation", Input{Key: tcpKey(1, 1), KeepRecircs: true}, false, true},
		{"trace", Input{Key: tcpKey(1, 1), Trace: &Trace{}}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Translate(cfg, &tc.in)
			if err != nil {
				t.Fatal(err)
			}
			us := controllerAction(res.Actions)
			if us == nil {
				t.Fatalf("no controller action in %v", res.Actions)
			}
			cc := us.Controller
			if us.Reason != reasonInvalidTTL || cc.DontSend != tc.dontSend || cc.Continuation || cc.RuleCookie != 0x55 || cc.MaxLen != 0xffff || cc.RecircID == 0 {
				t.Fatalf("controller action %+v reason %d", cc, us.Reason)
			}
			// dec_ttl stops its own action list: no output:2.
			if len(outputs(res.Actions)) != 0 {
				t.Fatalf("output after the TTL exception: %v", res.Actions)
			}
			s := fz.Thaw(cc.RecircID)
			want := FrozenMetadata{InPort: 1}
			want.Regs[0], want.Regs[1] = 5, 9
			if s.Bridge != "br0" || s.Table != 1 || s.Metadata != want || len(s.Actions) != 0 || len(s.ActionSet) != 0 {
				t.Fatalf("frozen state %+v", s)
			}
			if len(s.Stack) != 1 || !reflect.DeepEqual(s.Stack[0], []byte{0, 0, 0, 5}) {
				t.Fatalf("frozen stack %v", s.Stack)
			}
			if tc.keep != (len(res.Recircs) == 1) {
				t.Fatalf("Recircs = %v, keep %v", res.Recircs, tc.keep)
			}
		})
	}
	// Equal contexts share one id; the trace released its reference.
	if len(fz.states) != 1 || fz.refs[1] != 2 {
		t.Fatalf("states %d refs %v, want one state with the 2 kept references", len(fz.states), fz.refs)
	}
}

// ruleTables is fakeTables over any Rule.
type ruleTables map[uint8][]Rule

func (t ruleTables) Lookup(table uint8, key *flow.Key, wc *flow.Key) Rule {
	for _, r := range t[table] {
		var fr *fakeRule
		switch r := r.(type) {
		case *fakeRule:
			fr = r
		case *cookieRule:
			fr = &r.fakeRule
		}
		wc.Or(&fr.m.Mask)
		if fr.m.Matches(key) {
			return r
		}
	}
	return nil
}

func TestThaw(t *testing.T) {
	cfg, _ := testConfig(fakeTables{
		0: {{acts: []openflow.Action{openflow.Output{Port: 3}}}},
		2: {{acts: []openflow.Action{openflow.Output{Port: 2}}}},
	}, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk), port(3, -1, VLANTrunk))
	fz := newMapFrozen()
	cfg.Frozen = fz
	resume := &FrozenState{Bridge: "br0", Table: 2, Metadata: FrozenMetadata{InPort: 1}}
	resume.Metadata.Regs[3] = 7
	idTable, _ := fz.Freeze(resume)
	withActs := &FrozenState{Bridge: "br0", Metadata: FrozenMetadata{InPort: 1},
		Actions: []openflow.Action{UnrollXlate{Table: 4, Cookie: 0x55}, openflow.Output{Port: 3}}}
	idActs, _ := fz.Freeze(withActs)

	tests := []struct {
		name    string
		id      uint32
		outputs []uint32
		err     error
		trace   []string
	}{
		{"table", idTable, []uint32{2}, nil, []string{"    thaw\n        Resuming from table 2\n 2. fake\n"}},
		{"actions", idActs, []uint32{3}, nil, []string{
			"        Restoring actions: unroll_xlate(table=4, cookie=85),output:3\n",
			"    restored state: table=4, cookie=0x5500000000000000\n"}},
		{"unknown", 99, nil, ErrNoRecircContext, []string{
			"     >>>> Recirculation context not found for ID 63 <<<<\n",
			"Datapath actions: drop\nTranslation failed (No recirculation context), packet is dropped.\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := tcpKey(1, 64)
			k.RecircID = tc.id
			tr := &Trace{}
			res, err := Translate(cfg, &Input{Key: k, Trace: tr})
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if got := outputs(res.Actions); !reflect.DeepEqual(got, tc.outputs) {
				t.Fatalf("outputs %v, want %v", got, tc.outputs)
			}
			if res.Mask.RecircID != ^uint32(0) {
				t.Fatal("recirc_id not exact in the megaflow")
			}
			for _, want := range tc.trace {
				if !strings.Contains(tr.String(), want) {
					t.Fatalf("trace lacks %q:\n%s", want, tr.String())
				}
			}
		})
	}
	// The thawed registers are restored.
	k := tcpKey(1, 64)
	k.RecircID = idTable
	res, _ := Translate(cfg, &Input{Key: k})
	if res.Final.Regs[3] != 7 {
		t.Fatalf("reg3 = %d after thaw, want 7", res.Final.Regs[3])
	}
}

// TestPauseFreezes checks the freezing machinery on controller(pause): the
// rest of the pipeline, with unroll_xlate markers, is frozen in OVS's order.
func TestPauseFreezes(t *testing.T) {
	rt := ruleTables{
		0: {&fakeRule{acts: []openflow.Action{openflow.Resubmit{InPort: openflow.PortInPort, Table: 1}, openflow.Output{Port: 2}}}},
		1: {&cookieRule{fakeRule: fakeRule{acts: []openflow.Action{
			openflow.Controller{Pause: true, MaxLen: 0xffff, Reason: reasonAction, UserData: []byte{1, 2}},
			openflow.SetEthSrc{MAC: mac1},
			openflow.Resubmit{InPort: openflow.PortInPort, Table: 2},
			openflow.Controller{MaxLen: 0xffff, Reason: reasonAction},
			openflow.GotoTable{Table: 3},
		}}, cookie: 0x55}},
	}
	cfg, _ := testConfig(nil, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk))
	cfg.Bridges["br0"].Tables = rt
	fz := newMapFrozen()
	cfg.Frozen = fz
	res, err := Translate(cfg, &Input{Key: tcpKey(1, 64), Learn: true, KeepRecircs: true})
	if err != nil {
		t.Fatal(err)
	}
	us := controllerAction(res.Actions)
	if us == nil || !us.Controller.Continuation || us.Controller.DontSend || us.Controller.RecircID == 0 {
		t.Fatalf("want a continuation packet-in, got %v", res.Actions)
	}
	s := fz.Thaw(us.Controller.RecircID)
	want := []openflow.Action{
		openflow.SetEthSrc{MAC: mac1},
		openflow.Resubmit{InPort: openflow.PortInPort, Table: 2},
		UnrollXlate{Table: 1, Cookie: 0x55},
		openflow.Controller{MaxLen: 0xffff, Reason: reasonAction},
		openflow.Resubmit{InPort: openflow.PortInPort, Table: 3},
		UnrollXlate{Table: 0, Cookie: 0},
		openflow.Output{Port: 2},
	}
	if s.Table != 0 || !reflect.DeepEqual(s.Actions, want) || !reflect.DeepEqual(s.UserData, []byte{1, 2}) {
		t.Fatalf("frozen actions\n got %s\nwant %s (table %d, userdata %v)", FormatFrozenActions(s.Actions), FormatFrozenActions(want), s.Table, s.UserData)
	}
	if len(outputs(res.Actions)) != 0 {
		t.Fatalf("output before the pause resumed: %v", res.Actions)
	}
	// A trace without side effects pauses nowhere, as in OVS.
	tr := &Trace{}
	res, _ = Translate(cfg, &Input{Key: tcpKey(1, 64), Trace: tr})
	if len(res.Actions) != 0 {
		t.Fatalf("trace actions %v, want drop", res.Actions)
	}
}

func TestFrozenStateKey(t *testing.T) {
	base := func() *FrozenState {
		return &FrozenState{Bridge: "br0", Table: 1, Stack: [][]byte{{1}}, ActionSet: []openflow.Action{openflow.Output{Port: 1}}}
	}
	k0, err := base().Key()
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]func(s *FrozenState){
		"bridge":   func(s *FrozenState) { s.Bridge = "br1" },
		"table":    func(s *FrozenState) { s.Table = 2 },
		"reg":      func(s *FrozenState) { s.Metadata.Regs[15] = 1 },
		"in_port":  func(s *FrozenState) { s.Metadata.InPort = 9 },
		"stack":    func(s *FrozenState) { s.Stack = [][]byte{{1}, {}} },
		"stack2":   func(s *FrozenState) { s.Stack = [][]byte{{1, 0}} },
		"actset":   func(s *FrozenState) { s.ActionSet = nil; s.Actions = []openflow.Action{openflow.Output{Port: 1}} },
		"userdata": func(s *FrozenState) { s.UserData = []byte{0} },
		"ct":       func(s *FrozenState) { s.Conntracked = true },
	}
	for name, mod := range mods {
		t.Run(name, func(t *testing.T) {
			s := base()
			mod(s)
			k, err := s.Key()
			if err != nil {
				t.Fatal(err)
			}
			if k == k0 {
				t.Fatal("different states have the same key")
			}
		})
	}
	if k1, _ := base().Key(); k1 != k0 {
		t.Fatal("equal states have different keys")
	}
}
