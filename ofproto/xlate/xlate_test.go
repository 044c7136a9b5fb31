package xlate

import (
	"testing"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/maclearn"
	"govs.dev/govs/openflow"
)

// fakeRule and fakeTables are a brute-force pipeline for tests.
type fakeRule struct {
	m    flow.Match
	pri  int
	acts []openflow.Action
}

func (r *fakeRule) Actions() []openflow.Action { return r.acts }
func (r *fakeRule) TraceString() string        { return "fake" }

type fakeTables map[uint8][]*fakeRule

func (t fakeTables) Lookup(table uint8, key *flow.Key, wc *flow.Key) Rule {
	var best *fakeRule
	for _, r := range t[table] {
		wc.Or(&r.m.Mask)
		if r.m.Matches(key) && (best == nil || r.pri > best.pri) {
			best = r
		}
	}
	if best == nil {
		return nil
	}
	return best
}

func testConfig(tables fakeTables, ports ...*Port) (*Config, *Bridge) {
	br := &Bridge{Name: "br0", Tables: tables, Ports: map[openflow.Port]*Port{}, MAC: maclearn.New(),
		Now: func() time.Time { return time.Unix(1000, 0) }}
	cfg := &Config{Bridges: map[string]*Bridge{"br0": br}, ByDPPort: map[uint32]*Port{}}
	for _, p := range ports {
		p.Bridge = br
		br.Ports[p.OFPort] = p
		br.PortOrder = append(br.PortOrder, p)
		cfg.ByDPPort[p.DPPort] = p
	}
	return cfg, br
}

func port(n int, tag int, mode VLANMode) *Port {
	return &Port{Name: "p", OFPort: openflow.Port(n), DPPort: uint32(n), Tag: tag, Mode: mode}
}

func outputs(acts []odp.Action) []uint32 {
	var out []uint32
	for _, a := range acts {
		if a.Type == odp.ActOutput {
			out = append(out, a.Port)
		}
	}
	return out
}

func ipKey(in uint32, src, dst [6]byte) flow.Key {
	var k flow.Key
	k.InPort = in
	k.DlSrc, k.DlDst, k.DlType = src, dst, 0x0800
	k.NwProto, k.NwTTL = 1, 64
	return k
}

var (
	mac1 = [6]byte{0x50, 0x54, 0, 0, 0, 1}
	mac2 = [6]byte{0x50, 0x54, 0, 0, 0, 2}
)

func TestNormalLearnsAndFloods(t *testing.T) {
	normal := &fakeRule{acts: []openflow.Action{openflow.Output{Port: openflow.PortNormal}}}
	cfg, _ := testConfig(fakeTables{0: {normal}}, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk), port(3, 10, VLANAccess))
	k := ipKey(1, mac1, mac2)
	res, err := Translate(cfg, &Input{Key: k, Learn: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := outputs(res.Actions); len(got) != 1 || got[0] != 2 {
		t.Fatalf("flood from 1 = %v, want [2] (port 3 is VLAN 10 access)", got)
	}
	if res.Mask.DlSrc != ones6 || res.Mask.DlDst != ones6 || res.Mask.InPort == 0 || res.Mask.DlType != 0xffff {
		t.Fatalf("megaflow mask misses NORMAL's fields: %+v", res.Mask)
	}
	// Reply from 2 to mac1 is now unicast to 1.
	res, _ = Translate(cfg, &Input{Key: ipKey(2, mac2, mac1), Learn: true})
	if got := outputs(res.Actions); len(got) != 1 || got[0] != 1 {
		t.Fatalf("unicast to learned port = %v, want [1]", got)
	}
}

func TestNormalVLANTagging(t *testing.T) {
	normal := &fakeRule{acts: []openflow.Action{openflow.Output{Port: openflow.PortNormal}}}
	cfg, _ := testConfig(fakeTables{0: {normal}}, port(1, 10, VLANAccess), port(2, -1, VLANTrunk), port(3, 20, VLANAccess))
	res, _ := Translate(cfg, &Input{Key: ipKey(1, mac1, mac2), Learn: true})
	// Untagged in on access VLAN 10 goes out tagged on the trunk only.
	var push *odp.Action
	for i, a := range res.Actions {
		if a.Type == odp.ActPushVLAN {
			push = &res.Actions[i]
		}
	}
	if got := outputs(res.Actions); len(got) != 1 || got[0] != 2 || push == nil || push.TCI&0xfff != 10 {
		t.Fatalf("actions %+v: want push_vlan(vid=10),2", res.Actions)
	}
	// Tagged VLAN 10 from the trunk to mac1 pops the tag to access port 1.
	k := ipKey(2, mac2, mac1)
	k.VLANs[0] = flow.VLAN{TPID: 0x8100, TCI: 10 | flow.VLANCFI}
	res, _ = Translate(cfg, &Input{Key: k, Learn: true})
	if len(res.Actions) != 2 || res.Actions[0].Type != odp.ActPopVLAN || res.Actions[1].Port != 1 {
		t.Fatalf("actions %+v: want pop_vlan,1", res.Actions)
	}
	// A tagged packet on an access port is dropped.
	k = ipKey(1, mac1, mac2)
	k.VLANs[0] = flow.VLAN{TPID: 0x8100, TCI: 5 | flow.VLANCFI}
	res, _ = Translate(cfg, &Input{Key: k, Learn: true})
	if len(res.Actions) != 0 {
		t.Fatalf("tagged packet on access port: actions %+v, want drop", res.Actions)
	}
}

func TestPipelineRewritesAndMask(t *testing.T) {
	var m flow.Match
	m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
	r0 := &fakeRule{m: m, acts: []openflow.Action{openflow.DecTTL{}, openflow.Resubmit{InPort: openflow.PortInPort, Table: 1}}}
	r1 := &fakeRule{acts: []openflow.Action{openflow.SetEthSrc{MAC: [6]byte{0, 0, 0, 0, 0, 0xaa}}, openflow.Output{Port: 2}}}
	cfg, _ := testConfig(fakeTables{0: {r0}, 1: {r1}}, port(1, -1, VLANTrunk), port(2, -1, VLANTrunk))
	res, err := Translate(cfg, &Input{Key: ipKey(1, mac1, mac2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Actions) != 2 || res.Actions[0].Type != odp.ActSet || res.Actions[1].Port != 2 {
		t.Fatalf("actions %+v", res.Actions)
	}
	s := res.Actions[0].Set
	if s.Mask.DlSrc != ones6 || s.Value.DlSrc[5] != 0xaa || s.Mask.NwTTL != 0xff || s.Value.NwTTL != 63 {
		t.Fatalf("set = %+v", s)
	}
	if res.Mask.NwTTL != 0xff || res.Mask.DlSrc != ones6 {
		t.Fatalf("rewritten fields must be exact in the megaflow: %+v", res.Mask)
	}
	if len(res.Cache.Rules) != 2 {
		t.Fatalf("xlate cache has %d rules, want 2", len(res.Cache.Rules))
	}
}

func TestResubmitLoopBounded(t *testing.T) {
	r := &fakeRule{acts: []openflow.Action{openflow.Resubmit{InPort: openflow.PortInPort, Table: 0}}}
	cfg, _ := testConfig(fakeTables{0: {r}}, port(1, -1, VLANTrunk))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Translate(cfg, &Input{Key: ipKey(1, mac1, mac2)}); err == nil {
			t.Error("infinite resubmit must fail")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("translation of a resubmit loop did not terminate")
	}
}

func TestPatchPort(t *testing.T) {
	normal := &fakeRule{acts: []openflow.Action{openflow.Output{Port: 10}}}
	cfg, br0 := testConfig(fakeTables{0: {normal}}, port(1, -1, VLANTrunk))
	out := &fakeRule{acts: []openflow.Action{openflow.Output{Port: 4}}}
	br1 := &Bridge{Name: "br1", Tables: fakeTables{0: {out}}, Ports: map[openflow.Port]*Port{}, MAC: maclearn.New()}
	pa := &Port{Name: "pa", OFPort: 10, Bridge: br0, Tag: -1}
	pb := &Port{Name: "pb", OFPort: 1, Bridge: br1, Tag: -1}
	p4 := &Port{Name: "p4", OFPort: 4, DPPort: 4, Bridge: br1, Tag: -1}
	pa.Peer, pb.Peer = pb, pa
	br0.Ports[10] = pa
	br1.Ports[1], br1.Ports[4] = pb, p4
	cfg.Bridges["br1"] = br1
	cfg.ByDPPort[4] = p4
	res, err := Translate(cfg, &Input{Key: ipKey(1, mac1, mac2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := outputs(res.Actions); len(got) != 1 || got[0] != 4 {
		t.Fatalf("patch output = %v, want [4]", got)
	}
}
