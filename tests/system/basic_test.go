package system

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// TestPingLearning: hosts on a NORMAL bridge reach each other over IPv4 and
// IPv6 without losing a packet, and the bridge learns their MACs.
func TestPingLearning(t *testing.T) {
	tp := newTopo(t, tn.Govs, 3, false)
	h1, h2, h3 := tp.hosts[0], tp.hosts[1], tp.hosts[2]
	if n := tp.ping(h1.ns, h2.ip, 5); n != 5 {
		t.Fatalf("ping %s -> %s: %d/5 answered", h1.ip, h2.ip, n)
	}
	if n := tp.ping(h3.ns, h1.ip6, 5); n != 5 {
		t.Fatalf("ping %s -> %s: %d/5 answered", h3.ip6, h1.ip6, n)
	}
	fdb := tp.env.MustAppctl("fdb/show", "br0")
	for _, h := range tp.hosts {
		want := " " + h.mac + " "
		found := false
		for _, l := range strings.Split(fdb, "\n") {
			f := strings.Fields(l)
			if strings.Contains(l+" ", want) && len(f) > 0 && f[0] == strconv.Itoa(h.ofport) {
				found = true
			}
		}
		if !found {
			t.Errorf("fdb/show has no entry for %s on port %d:\n%s", h.mac, h.ofport, fdb)
		}
	}
	// Known unicast goes to one port only: the flow for h1 -> h2 IPv4
	// outputs to h2's datapath port alone.
	flows := tp.env.MustAppctl("dpctl/dump-flows", "--names")
	want := "in_port(" + h1.port + ")"
	for _, l := range strings.Split(flows, "\n") {
		if strings.Contains(l, want) && strings.Contains(l, "dst="+h2.mac) && strings.Contains(l, "eth_type(0x0800)") {
			if !strings.HasSuffix(l, "actions:"+h2.port) {
				t.Errorf("unicast flow does not output to %s only: %s", h2.port, l)
			}
			return
		}
	}
	t.Errorf("no IPv4 flow from %s to %s:\n%s", h1.port, h2.mac, flows)
}

// TestInternalPort: the bridge's local port is a kernel interface (a tap)
// in the switch's namespace; with an address it is reachable from a host.
func TestInternalPort(t *testing.T) {
	tp := newTopo(t, tn.Govs, 1, true)
	tp.in(tp.sw, "ip", "addr", "add", "10.77.0.254/24", "dev", "br0")
	tp.in(tp.sw, "ip", "link", "set", "br0", "up")
	if n := tp.ping(tp.hosts[0].ns, "10.77.0.254", 5); n != 5 {
		t.Fatalf("ping the internal port: %d/5 answered", n)
	}
	// An extra internal port works the same.
	tp.env.MustVsctl("add-port", "br0", "int1", "--", "set", "interface", "int1", "type=internal")
	tp.in(tp.sw, "ip", "addr", "add", "10.78.0.254/24", "dev", "int1")
	tp.in(tp.sw, "ip", "link", "set", "int1", "up")
	tp.in(tp.hosts[0].ns, "ip", "addr", "add", "10.78.0.1/24", "dev", tp.hosts[0].ifname)
	if n := tp.ping(tp.hosts[0].ns, "10.78.0.254", 3); n != 3 {
		t.Fatalf("ping internal port int1: %d/3 answered", n)
	}
	st := tp.env.MustVsctl("--columns=admin_state,link_state,type", "list", "interface", "int1")
	if !strings.Contains(st, "admin_state         : up") || !strings.Contains(st, "link_state          : up") {
		// Status is written on the next reconfiguration or statistics
		// round; poll for it.
		ok := waitFor(10*time.Second, func() bool {
			st = tp.env.MustVsctl("--columns=admin_state,link_state", "list", "interface", "int1")
			return strings.Contains(st, "admin_state         : up") && strings.Contains(st, "link_state          : up")
		})
		if !ok {
			t.Errorf("int1 status after ip link set up:\n%s", st)
		}
	}
}

// TestPMDCPUMask: with other_config:pmd-cpu-mask the datapath runs
// busy-polling loops pinned to those CPUs, pmd-rxq-show lists them with
// the real queues, traffic flows; clearing the mask goes back to blocking
// loops.
func TestPMDCPUMask(t *testing.T) {
	tp := newTopo(t, tn.Govs, 2, true)
	h1, h2 := tp.hosts[0], tp.hosts[1]
	tp.env.MustVsctl("set", "Open_vSwitch", ".", "other_config:pmd-cpu-mask=0x1")
	var rxq string
	if !waitFor(10*time.Second, func() bool {
		rxq = tp.env.MustAppctl("dpif-netdev/pmd-rxq-show")
		return strings.Contains(rxq, "core_id 0:") && strings.Contains(rxq, h1.port) && strings.Contains(rxq, h2.port)
	}) {
		t.Fatalf("pmd-rxq-show with pmd-cpu-mask=0x1:\n%s", rxq)
	}
	if n := tp.ping(h1.ns, h2.ip, 3); n != 3 {
		t.Fatalf("ping with a pmd loop: %d/3", n)
	}
	stats := tp.env.MustAppctl("dpif-netdev/pmd-stats-show")
	if !strings.Contains(stats, "core_id 0:") {
		t.Errorf("pmd-stats-show does not show the pmd on core 0:\n%s", stats)
	}
	tp.env.MustVsctl("remove", "Open_vSwitch", ".", "other_config", "pmd-cpu-mask")
	if n := tp.ping(h1.ns, h2.ip, 3); n != 3 {
		t.Fatalf("ping after clearing the mask: %d/3", n)
	}
}
