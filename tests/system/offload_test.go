package system

import (
	"testing"

	tn "govs.dev/govs/internal/testnet"
)

// csumErrors is the receiver-side checksum error count of ns.
func (tp *topo) csumErrors(ns string) int64 {
	return tp.snmp(ns, "Tcp", "InCsumErrors") + tp.snmp(ns, "Udp", "InCsumErrors")
}

// TestTCPOffloadsOn is pitfall P1: with the veths' default offloads (TX
// checksum and TSO on), TCP between two namespaces through the switch
// works, the receiver sees no checksum error, and on this veth-to-veth path
// govs hands GSO packets through whole: it neither segments nor completes
// checksums in software.
func TestTCPOffloadsOn(t *testing.T) {
	tp := newTopo(t, tn.Govs, 2, true)
	h1, h2 := tp.hosts[0], tp.hosts[1]
	if n := tp.ping(h1.ns, h2.ip, 3); n != 3 {
		t.Fatalf("ping: %d/3", n)
	}
	seg0, csum0, gso0 := tp.counter("netdev_soft_seg_good"), tp.counter("netdev_soft_csum"), tp.counter("netdev_gso_passthrough")
	errs0 := tp.csumErrors(h2.ns)
	r, err := tp.iperf(h1, h2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.bytes == 0 {
		t.Fatal("iperf3 delivered nothing")
	}
	t.Logf("iperf3 TCP with offloads on: %.2f Gbit/s, %d retransmits", r.bps/1e9, r.retrans)
	if d := tp.csumErrors(h2.ns) - errs0; d != 0 {
		t.Errorf("receiver checksum errors: +%d", d)
	}
	if d := tp.counter("netdev_soft_seg_good") - seg0; d != 0 {
		t.Errorf("software segmentation on a veth-to-veth path: +%d", d)
	}
	if d := tp.counter("netdev_soft_csum") - csum0; d != 0 {
		t.Errorf("software checksum completion on a veth-to-veth path: +%d", d)
	}
	if d := tp.counter("netdev_gso_passthrough") - gso0; d == 0 {
		t.Errorf("no GSO packet passed through whole")
	}
}

// TestTCPEgressWithoutOffloads: when the egress port's interface does not
// take checksum offload or TSO (turned off with ethtool on the switch's
// end), govs segments GSO packets and completes checksums itself, and the
// receiver gets valid TCP.
func TestTCPEgressWithoutOffloads(t *testing.T) {
	tp := newTopo(t, tn.Govs, 2, true)
	h1, h2 := tp.hosts[0], tp.hosts[1]
	// Re-add h2's port after turning its offloads off: a port's
	// capabilities are read when it is opened.
	tp.env.MustVsctl("del-port", "br0", h2.port)
	tp.in(tp.sw, "ethtool", "-K", h2.port, "tx", "off", "tso", "off", "gso", "off")
	tp.env.MustVsctl("add-port", "br0", h2.port, "--", "set", "interface", h2.port, "ofport_request=2")
	if n := tp.ping(h1.ns, h2.ip, 3); n != 3 {
		t.Fatalf("ping: %d/3", n)
	}
	seg0, csum0 := tp.counter("netdev_soft_seg_good"), tp.counter("netdev_soft_csum")
	errs0 := tp.csumErrors(h2.ns)
	r, err := tp.iperf(h1, h2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if r.bytes == 0 {
		t.Fatal("iperf3 delivered nothing")
	}
	t.Logf("iperf3 TCP towards an egress without offloads: %.2f Gbit/s, %d retransmits", r.bps/1e9, r.retrans)
	if d := tp.csumErrors(h2.ns) - errs0; d != 0 {
		t.Errorf("receiver checksum errors: +%d", d)
	}
	if d := tp.counter("netdev_soft_seg_good") - seg0; d == 0 {
		t.Errorf("no software segmentation towards a port without TSO")
	}
	if d := tp.counter("netdev_soft_csum") - csum0; d == 0 {
		t.Errorf("no software checksum completion towards a port without checksum offload")
	}
}
