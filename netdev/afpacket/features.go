package afpacket

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
)

// Legacy ethtool commands reading one offload feature (struct
// ethtool_value).
const (
	ethtoolGTxCsum = 0x16 // ETHTOOL_GTXCSUM
	ethtoolGTSO    = 0x1e // ETHTOOL_GTSO
)

type ethtoolValue struct {
	cmd, data uint32
}

type ifreqData struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [16]byte
}

// ethtoolFeature reads one legacy ethtool flag of interface name through
// socket fd (any socket of the interface's namespace serves).
func ethtoolFeature(fd int, name string, cmd uint32) (bool, error) {
	v := &ethtoolValue{cmd: cmd}
	req := &ifreqData{data: unsafe.Pointer(v)}
	copy(req.name[:unix.IFNAMSIZ-1], name)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(req))); e != 0 {
		return false, e
	}
	return v.data != 0, nil
}

// txCaps returns the transmit offloads the interface itself takes: what
// the datapath may hand it unfinished. AF_PACKET with the virtio-net
// header accepts partial checksums and GSO packets whatever the interface
// does (the kernel finishes them in software), but an interface whose
// offloads an operator turned off (ethtool -K IF tx off / tso off) gets
// finished packets from govs, which counts the work it does. An interface
// that cannot be queried is assumed to take everything, as veths do by
// default.
func txCaps(fd int, name string) netdev.Caps {
	all := netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapTxUDPGSO
	csum, err := ethtoolFeature(fd, name, ethtoolGTxCsum)
	if err != nil {
		return all
	}
	if !csum {
		// Segmentation offload needs checksum offload.
		return 0
	}
	caps := netdev.CapTxCsum
	if tso, err := ethtoolFeature(fd, name, ethtoolGTSO); err != nil || tso {
		caps |= netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapTxUDPGSO
	}
	return caps
}
