package system

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// TestLinkGoneAndBack: a veth that disappears leaves its port in the
// bridge with Interface.error set and link_state down; when an interface of
// that name comes back, the port forwards again without any database
// change.
func TestLinkGoneAndBack(t *testing.T) {
	tp := newTopo(t, tn.Govs, 2, true)
	h1, h2 := tp.hosts[0], tp.hosts[1]
	if n := tp.ping(h1.ns, h2.ip, 2); n != 2 {
		t.Fatalf("ping before: %d/2", n)
	}
	tp.in(tp.sw, "ip", "link", "del", h2.port)
	var st string
	if !waitFor(10*time.Second, func() bool {
		st = tp.env.MustVsctl("--columns=error,link_state,ofport", "list", "interface", h2.port)
		return strings.Contains(st, "No such device") && strings.Contains(st, "link_state          : down")
	}) {
		t.Fatalf("interface status after the veth vanished:\n%s", st)
	}
	if !strings.Contains(st, "ofport              : 2") {
		t.Errorf("the port lost its OpenFlow number:\n%s", st)
	}
	// The same names again, the host end back in its namespace.
	tp.in("", "ip", "link", "add", h2.ifname, "netns", h2.ns, "type", "veth", "peer", "name", h2.port, "netns", tp.sw)
	tp.in(h2.ns, "ip", "link", "set", h2.ifname, "address", h2.mac)
	tp.in(h2.ns, "ip", "addr", "add", h2.ip+"/24", "dev", h2.ifname)
	tp.in(h2.ns, "ip", "link", "set", h2.ifname, "up")
	tp.in(tp.sw, "ip", "link", "set", h2.port, "up")
	if !waitFor(10*time.Second, func() bool { return tp.ping(h1.ns, h2.ip, 1) == 1 }) {
		t.Fatalf("no traffic after the veth came back:\n%s", tp.env.MustAppctl("dpif/show"))
	}
	if !waitFor(10*time.Second, func() bool {
		st = tp.env.MustVsctl("--columns=error,link_state", "list", "interface", h2.port)
		return strings.Contains(st, "error               : []") && strings.Contains(st, "link_state          : up")
	}) {
		t.Errorf("interface status after the veth came back:\n%s", st)
	}
}

// TestTapsAdoptedAndCleanedUp: the taps govs creates (the bridge's local
// port, an internal port, the datapath's own port) survive a plain restart,
// which adopts them with their addresses, and "exit --cleanup" removes them.
func TestTapsAdoptedAndCleanedUp(t *testing.T) {
	tp := newTopo(t, tn.Govs, 1, true)
	h := tp.hosts[0]
	tp.env.MustVsctl("add-port", "br0", "int1", "--", "set", "interface", "int1", "type=internal")
	tp.in(tp.sw, "ip", "addr", "add", "10.77.0.254/24", "dev", "int1")
	tp.in(tp.sw, "ip", "link", "set", "int1", "up")
	if n := tp.ping(h.ns, "10.77.0.254", 2); n != 2 {
		t.Fatalf("ping int1: %d/2", n)
	}
	links := func() string { return tp.in(tp.sw, "ip", "-o", "link", "show") }
	for _, name := range []string{"br0:", "int1:", "ovs-netdev:"} {
		if !strings.Contains(links(), " "+name) {
			t.Fatalf("no tap %s in the switch namespace:\n%s", name, links())
		}
	}
	tp.env.StopSwitch()
	if !strings.Contains(links(), " int1:") {
		t.Fatalf("a plain exit removed tap int1")
	}
	tp.env.StartSwitch(tn.Govs)
	tp.env.MustVsctl("--", "set", "bridge", "br0", "other_config:x=1") // wait for the new daemon to configure
	if n := tp.ping(h.ns, "10.77.0.254", 2); n != 2 {
		t.Fatalf("ping int1 after a restart: %d/2", n)
	}
	if out, _, err := tp.env.Appctl("exit", "--cleanup"); err != nil {
		t.Fatalf("exit --cleanup: %v %s", err, out)
	}
	if !tp.env.WaitExit(10 * time.Second) {
		t.Fatal("the switch did not exit")
	}
	for _, name := range []string{" br0:", " int1:", " ovs-netdev:"} {
		if strings.Contains(links(), name) {
			t.Errorf("tap%s still exists after exit --cleanup", name)
		}
	}
}

// TestMTUAndMAC: mtu_request sets a system port's MTU and the internal
// ports follow the smallest MTU of the bridge's ports, as in OVS;
// Interface.mac sets an internal port's address.
func TestMTUAndMAC(t *testing.T) {
	tp := newTopo(t, tn.Govs, 1, true)
	h := tp.hosts[0]
	tp.env.MustVsctl("add-port", "br0", "int1", "--", "set", "interface", "int1", "type=internal",
		"mac=\"02:12:34:56:78:9a\"")
	tp.env.MustVsctl("set", "interface", h.port, "mtu_request=1400")
	mtuOf := func(ifname string) string {
		out := tp.in(tp.sw, "ip", "-o", "link", "show", ifname)
		f := strings.Fields(out)
		for i := range f {
			if f[i] == "mtu" && i+1 < len(f) {
				return f[i+1]
			}
		}
		return ""
	}
	for _, ifname := range []string{h.port, "br0", "int1"} {
		if !waitFor(10*time.Second, func() bool { return mtuOf(ifname) == "1400" }) {
			t.Errorf("%s: MTU %s, want 1400", ifname, mtuOf(ifname))
		}
	}
	if !waitFor(10*time.Second, func() bool {
		return strings.TrimSpace(tp.env.MustVsctl("get", "interface", h.port, "mtu")) == "1400"
	}) {
		t.Errorf("Interface.mtu of %s: %s", h.port, tp.env.MustVsctl("get", "interface", h.port, "mtu"))
	}
	if out := tp.in(tp.sw, "ip", "-o", "link", "show", "int1"); !strings.Contains(out, "link/ether 02:12:34:56:78:9a") {
		t.Errorf("int1 address: %s", out)
	}
}

// TestInternalPortDeletedFromUnderGovs: an internal port's tap deleted with
// `ip link del` is created again at once, keeps its OpenFlow port and MAC,
// and
// forwards again once configured; meanwhile the daemon does not spin on the
// dead file descriptor (stock OVS polls it forever, logging an error each
// time).
func TestInternalPortDeletedFromUnderGovs(t *testing.T) {
	tp := newTopo(t, tn.Govs, 1, true)
	h := tp.hosts[0]
	tp.env.MustVsctl("add-port", "br0", "int1", "--", "set", "interface", "int1", "type=internal", "ofport_request=7")
	up := func() {
		tp.in(tp.sw, "ip", "addr", "add", "10.78.0.254/24", "dev", "int1")
		tp.in(tp.sw, "ip", "link", "set", "int1", "up")
	}
	if !waitFor(10*time.Second, func() bool {
		_, err := tn.ExecIn(tp.sw, 5*time.Second, "ip", "link", "show", "int1")
		return err == nil
	}) {
		t.Fatal("int1 never appeared")
	}
	up()
	tp.in(h.ns, "ip", "addr", "add", "10.78.0.1/24", "dev", h.ifname)
	if n := tp.ping(h.ns, "10.78.0.254", 2); n != 2 {
		t.Fatalf("ping int1 before: %d/2", n)
	}
	idx := func() string {
		out, err := tn.ExecIn(tp.sw, 5*time.Second, "cat", "/sys/class/net/int1/ifindex")
		if err != nil {
			return ""
		}
		return strings.TrimSpace(out)
	}
	before := idx()
	mac := tp.in(tp.sw, "cat", "/sys/class/net/int1/address")
	tp.in(tp.sw, "ip", "link", "del", "int1")
	if !waitFor(10*time.Second, func() bool { i := idx(); return i != "" && i != before }) {
		t.Fatalf("int1 not created again:\n%s", tp.env.SwitchLog())
	}
	// No spinning: a loop polling the dead fd burns a whole CPU.
	cpu := func() time.Duration {
		f := strings.Fields(tp.in("", "cat", fmt.Sprintf("/proc/%d/stat", tp.env.PID())))
		ut, _ := strconv.Atoi(f[13])
		st, _ := strconv.Atoi(f[14])
		return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
	}
	c0, w0 := cpu(), time.Now()
	time.Sleep(time.Second) // an observation window, not a synchronisation
	if used, wall := cpu()-c0, time.Since(w0); used > wall/3 {
		t.Errorf("daemon used %v of CPU in %v after the tap was recreated", used, wall)
	}
	if now := tp.in(tp.sw, "cat", "/sys/class/net/int1/address"); now != mac {
		t.Errorf("int1 came back with MAC %q, had %q", now, mac)
	}
	st := tp.env.MustVsctl("--columns=ofport,error", "list", "interface", "int1")
	if !strings.Contains(st, "ofport              : 7") || !strings.Contains(st, "error               : []") {
		t.Errorf("int1 after recreation:\n%s", st)
	}
	up()
	if !waitFor(10*time.Second, func() bool { return tp.ping(h.ns, "10.78.0.254", 1) == 1 }) {
		t.Fatalf("no traffic through the recreated int1:\n%s", tp.env.MustAppctl("dpif/show"))
	}
}
