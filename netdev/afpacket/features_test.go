package afpacket

import (
	"testing"

	"govs.dev/govs/netdev"
)

// TestTxCapsFollowInterface: a veth keeps its default offloads, so the
// device takes partial checksums and GSO; with them turned off by ethtool
// it takes neither, and the datapath finishes packets for it.
func TestTxCapsFollowInterface(t *testing.T) {
	ns := testnetNetns(t)
	a, b := testnetVeth(t, ns)
	all := netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapTxUDPGSO
	if got := openIn(t, ns, a, Options{}).Capabilities(); got&all != all || got&netdev.CapRxCsum == 0 {
		t.Errorf("default veth: caps %b, want all offloads", got)
	}
	run(t, ns, "ethtool", "-K", b, "tso", "off")
	if got := openIn(t, ns, b, Options{}).Capabilities(); got&netdev.CapTxCsum == 0 || got&(netdev.CapTSO4|netdev.CapTSO6) != 0 {
		t.Errorf("veth with tso off: caps %b, want checksum offload only", got)
	}
	run(t, ns, "ethtool", "-K", a, "tx", "off")
	if got := openIn(t, ns, a, Options{}).Capabilities(); got&all != 0 {
		t.Errorf("veth with tx off: caps %b, want no transmit offload", got)
	}
}
