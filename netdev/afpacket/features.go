package afpacket

import (
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/link"
)

// txCaps returns the transmit offloads the interface itself takes: what
// the datapath may hand it unfinished. AF_PACKET with the virtio-net
// header accepts partial checksums and GSO packets whatever the interface
// does (the kernel finishes them in software), but an interface whose
// offloads an operator turned off (ethtool -K IF tx off / tso off) gets
// finished packets from govs, which counts the work it does. An interface
// that cannot be queried is assumed to take everything, as veths do by
// default. Called in the interface's namespace.
func txCaps(name string) netdev.Caps {
	all := netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapTxUDPGSO
	info, err := link.ReadEthtool(name)
	switch {
	case err != nil:
		return all
	case !info.TxCsum:
		// Segmentation offload needs checksum offload.
		return 0
	case !info.TSO:
		return netdev.CapTxCsum
	}
	return all
}
