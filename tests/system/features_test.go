package system

import (
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// TestDatapathFeatures: govs reports its datapath's real features in
// dpif/show-dp-features and Datapath.capabilities (the column OVN reads),
// in OVS's format; features that come with later work say no, unlike
// stock, so that controllers do not program actions govs would refuse.
func TestDatapathFeatures(t *testing.T) {
	e := tn.New(t)
	e.StartDB()
	e.StartSwitch(tn.Govs)
	e.MustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"--", "--id=@dp", "create", "Datapath", "datapath_version=0",
		"--", "set", "Open_vSwitch", ".", "datapaths:dummy=@dp")
	out := e.MustAppctl("dpif/show-dp-features", "br0")
	for _, want := range []string{"Masked set action: Yes\n", "Recirc: Yes\n", "CT state: No\n", "Max VLAN headers: 2\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("dpif/show-dp-features lacks %q:\n%s", want, out)
		}
	}
	var caps string
	if !waitFor(10*time.Second, func() bool {
		caps = e.MustVsctl("get", "Datapath", ".", "capabilities")
		return strings.Contains(caps, `recirc="true"`)
	}) {
		t.Fatalf("Datapath.capabilities: %s", caps)
	}
	for _, want := range []string{`ct_state="false"`, `masked_set_action="true"`, `max_vlan_headers="2"`, `tnl_push_pop="false"`} {
		if !strings.Contains(caps, want) {
			t.Errorf("capabilities lack %s: %s", want, caps)
		}
	}
	if _, _, err := e.Appctl("dpif/show-dp-features", "nobridge"); err == nil {
		t.Error("dpif/show-dp-features of an unknown bridge succeeded")
	}
}

// TestDummyStatistics: Interface.statistics of dummy ports is written (every
// 5 s, as OVS's stats-update-interval) with the counters the port keeps.
func TestDummyStatistics(t *testing.T) {
	e := tn.New(t)
	e.StartDB()
	e.StartSwitch(tn.Govs)
	e.MustVsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=dummy",
		"--", "add-port", "br0", "p1", "--", "set", "interface", "p1", "type=dummy")
	e.MustAppctl("netdev-dummy/receive", "p1",
		"in_port(1),eth(src=50:54:00:00:00:01,dst=50:54:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=1,dst=2)")
	var st string
	if !waitFor(15*time.Second, func() bool {
		st = e.MustVsctl("get", "interface", "p1", "statistics")
		return strings.Contains(st, "rx_packets=1") && strings.Contains(st, "rx_bytes=118")
	}) {
		t.Fatalf("p1 statistics: %s", st)
	}
}
