package link

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Ethtool is what the kernel's ethtool interface says of a link: its
// driver (OVS's Interface status), speed and duplex, and the transmit
// offloads turned on.
type Ethtool struct {
	Driver, DriverVersion, FirmwareVersion string
	SpeedBps                               uint64 // 0 if unknown
	Duplex                                 string // "full", "half" or "" if unknown
	// TxCsum and TSO are the tx-checksumming and tcp-segmentation-offload
	// features; true when the driver does not answer (veths take both).
	TxCsum, TSO bool
}

// ethtoolCmd is struct ethtool_cmd (ETHTOOL_GSET), 44 bytes.
type ethtoolCmd struct {
	Cmd           uint32
	Supported     uint32
	Advertising   uint32
	Speed         uint16
	Duplex        uint8
	Port          uint8
	PhyAddress    uint8
	Transceiver   uint8
	Autoneg       uint8
	MdioSupport   uint8
	Maxtxpkt      uint32
	Maxrxpkt      uint32
	SpeedHi       uint16
	EthTpMdix     uint8
	EthTpMdixCtrl uint8
	LpAdvertising uint32
	Reserved      [2]uint32
}

// ethtoolValue is struct ethtool_value, the answer of the legacy one-flag
// commands.
type ethtoolValue struct{ cmd, data uint32 }

// ifreqPtr is struct ifreq with its union holding a pointer (ifr_data).
type ifreqPtr struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [16]byte
}

const (
	ethtoolGSet    = 0x01 // ETHTOOL_GSET
	ethtoolGTxCsum = 0x16 // ETHTOOL_GTXCSUM
	ethtoolGTSO    = 0x1e // ETHTOOL_GTSO
)

// ethtoolIoctl runs SIOCETHTOOL for interface name with data as argument.
func ethtoolIoctl(fd int, name string, data unsafe.Pointer) error {
	req := &ifreqPtr{data: data}
	copy(req.name[:unix.IFNAMSIZ-1], name)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(req))); e != 0 {
		return e
	}
	return nil
}

// ReadEthtool queries interface name in the calling thread's network
// namespace. It fails only when the driver information cannot be read;
// speed, duplex and features the driver does not report stay at their
// "unknown" values. Safe for concurrent use.
func ReadEthtool(name string) (Ethtool, error) {
	info := Ethtool{TxCsum: true, TSO: true}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return info, fmt.Errorf("ethtool %s: %w", name, err)
	}
	defer unix.Close(fd)
	drv, err := unix.IoctlGetEthtoolDrvinfo(fd, name)
	if err != nil {
		return info, fmt.Errorf("ethtool %s: ETHTOOL_GDRVINFO: %w", name, err)
	}
	info.Driver = unix.ByteSliceToString(drv.Driver[:])
	info.DriverVersion = unix.ByteSliceToString(drv.Version[:])
	info.FirmwareVersion = unix.ByteSliceToString(drv.Fw_version[:])
	cmd := &ethtoolCmd{Cmd: ethtoolGSet}
	if ethtoolIoctl(fd, name, unsafe.Pointer(cmd)) == nil {
		speed := uint32(cmd.Speed) | uint32(cmd.SpeedHi)<<16
		if speed != 0 && speed != 0xffff && speed != 0xffffffff {
			info.SpeedBps = uint64(speed) * 1000000
		}
		switch cmd.Duplex {
		case 0:
			info.Duplex = "half"
		case 1:
			info.Duplex = "full"
		}
	}
	for _, f := range []struct {
		cmd uint32
		on  *bool
	}{{ethtoolGTxCsum, &info.TxCsum}, {ethtoolGTSO, &info.TSO}} {
		v := &ethtoolValue{cmd: f.cmd}
		if ethtoolIoctl(fd, name, unsafe.Pointer(v)) == nil {
			*f.on = v.data != 0
		}
	}
	return info, nil
}
