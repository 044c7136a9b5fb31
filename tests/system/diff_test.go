package system

import (
	"regexp"
	"strings"
	"testing"

	tn "govs.dev/govs/internal/testnet"
)

// The veth names differ between runs (they are unique per test run), so
// outputs name ports by role: the names are replaced before comparing.
func renamePorts(tp *topo, s string) string {
	for i, h := range tp.hosts {
		s = strings.ReplaceAll(s, h.port, "p"+string(rune('1'+i)))
	}
	return s
}

var (
	// dpif/show: "p1 1/2: (system)" -> "p1 1/*: (system)"; datapath port
	// numbers follow each switch's port creation order.
	reDpPort = regexp.MustCompile(`(?m)^(    \S+ \d+)/\d+:`)
	// dpif/show: the lookup counters depend on background traffic timing.
	reHitMissed = regexp.MustCompile(`hit:\d+ missed:\d+`)
)

// userspaceRun is what TestDiffUserspace compares, from one switch.
type userspaceRun struct {
	flows, dpifShow, ifaces string
}

func runUserspace(t *testing.T, impl tn.Impl) userspaceRun {
	tp := newTopo(t, impl, 2, true)
	h1, h2 := tp.hosts[0], tp.hosts[1]
	if n := tp.ping(h1.ns, h2.ip, 3); n != 3 {
		t.Fatalf("%v: ping %d/3", impl, n)
	}
	var r userspaceRun
	flows := tp.env.MustAppctl("dpctl/dump-flows", "--names")
	// Only the flows of this ping: ARP and ICMP between the two hosts.
	var keep []string
	for _, l := range strings.Split(flows, "\n") {
		if strings.Contains(l, "eth_type(0x0806)") || strings.Contains(l, "eth_type(0x0800)") || strings.HasPrefix(l, "flow-dump") {
			keep = append(keep, l)
		}
	}
	r.flows = renamePorts(tp, tn.DpctlFlows(strings.Join(keep, "\n")))
	show := tp.env.MustAppctl("dpif/show")
	show = reHitMissed.ReplaceAllString(reDpPort.ReplaceAllString(show, "$1/*:"), "hit:* missed:*")
	r.dpifShow = renamePorts(tp, show)
	list := tp.env.MustVsctl("list", "interface")
	r.ifaces = renamePorts(tp, tn.VsctlList("name", "type", "ofport", "error", "admin_state", "link_state",
		"mtu", "duplex", "link_speed", "status")(list))
	return r
}

// TestDiffUserspace runs the same veth topology and ping on stock
// ovs-vswitchd's userspace datapath and on govs, one after the other, and
// compares dpctl/dump-flows, dpif/show and the Interface status columns.
// Stock's bridge-local tap stays administratively down and so does govs's.
func TestDiffUserspace(t *testing.T) {
	var stock, govs userspaceRun
	t.Run("stock", func(t *testing.T) { stock = runUserspace(t, tn.Stock) })
	t.Run("govs", func(t *testing.T) { govs = runUserspace(t, tn.Govs) })
	if t.Failed() {
		return
	}
	for _, c := range []struct{ name, a, b string }{
		{"dpctl/dump-flows", stock.flows, govs.flows},
		{"dpif/show", stock.dpifShow, govs.dpifShow},
		{"list interface", stock.ifaces, govs.ifaces},
	} {
		if c.a != c.b {
			t.Errorf("%s differs\n--- stock\n%s\n--- govs\n%s", c.name, c.a, c.b)
		}
	}
}
