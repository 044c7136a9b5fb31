package bridge

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ethtoolInfo is what OVS reads from a kernel interface with ethtool for
// the Interface table: driver (status column), link speed and duplex.
type ethtoolInfo struct {
	Driver, DriverVersion, FirmwareVersion string
	SpeedBps                               uint64 // 0 if unknown
	Duplex                                 string // "full", "half" or "" if unknown
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

// ifreqPtr is struct ifreq with its union holding a pointer (ifr_data).
type ifreqPtr struct {
	Name [unix.IFNAMSIZ]byte
	Data unsafe.Pointer
	_    [16]byte
}

const ethtoolGSet = 0x1

// readEthtool queries the kernel interface name in the calling thread's
// network namespace. Safe for concurrent use.
func readEthtool(name string) (ethtoolInfo, error) {
	var info ethtoolInfo
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
	req := &ifreqPtr{Data: unsafe.Pointer(cmd)}
	copy(req.Name[:unix.IFNAMSIZ-1], name)
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(req))); e == 0 {
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
	return info, nil
}
