package tap

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

// Interface types a Device can have, as OVS names them.
const (
	TypeInternal = "internal"
	TypeTap      = "tap"
)

// vnetHdrSize is the size of the virtio-net header the device exchanges
// with the kernel: struct virtio_net_hdr without num_buffers, as OVS uses,
// which packet.Meta.SetFromVirtioNetHdr and PutVirtioNetHdr both accept.
const vnetHdrSize = header.VirtioNetHdrSize

// overflowSize is the per-device spill area behind a small buffer: together
// with the small buffer it holds the largest frame the kernel hands a TAP
// reader (a 64 KiB GSO packet plus its L2 header) and never more than a
// big pool buffer.
const overflowSize = packet.BigCapacity - packet.SmallCapacity

// Offload flags of TUNSETOFFLOAD (linux/if_tun.h TUN_F_*): what this reader
// accepts from the kernel.
const (
	tunFCsum = 0x01
	tunFTSO4 = 0x02
	tunFTSO6 = 0x04
	tunFUSO4 = 0x20
	tunFUSO6 = 0x40
)

// tunDevice is the TUN/TAP clone device.
const tunDevice = "/dev/net/tun"

// Errors of Open.
var (
	// ErrNotTap: an interface of the requested name exists and is not a
	// single-queue TAP device, so it cannot be adopted.
	ErrNotTap = errors.New("interface exists and is not a single-queue TAP device")
	// ErrBusy: the TAP device is attached to another file descriptor
	// (another process, or a Device that is still open).
	ErrBusy = errors.New("TAP device in use by another process")
)

// Options configure Open. The zero value opens an "internal" device and
// leaves the kernel's MAC and MTU alone.
type Options struct {
	// Type is the OVS interface type: "internal" (default) or "tap".
	Type string
	// MAC, if non-nil, is set as the device's Ethernet address, whether
	// Open created or adopted the device.
	MAC *[6]byte
	// MTU, if positive, is set as the device's MTU.
	MTU int
}

// Device is a TAP device used as a datapath port: the switch reads the
// frames the host stack sends through the interface and writes the frames
// the host stack receives on it.
//
// Rx on queue 0 must be called by one goroutine at a time, as must Tx; all
// other methods are safe from any goroutine. The Device keeps the file
// descriptor and an rtnetlink handle of the network namespace it was opened
// in, so it acts on that namespace whatever thread calls it.
type Device struct {
	name    string
	typ     string
	fd      int
	ifindex int
	created bool
	caps    netdev.Caps
	closed  atomic.Bool

	// mu guards ctl and deleted: control operations hold it shared for
	// their duration, so that Close and Delete (exclusive) never close the
	// handle under them.
	mu      sync.RWMutex
	ctl     *link.Handle // in the device's namespace; nil after Close
	deleted bool

	// Rx state, owned by the goroutine calling Rx.
	rxHdr    [vnetHdrSize]byte
	rxIov    [3]unix.Iovec
	overflow []byte

	// Tx state, owned by the goroutine calling Tx.
	txHdr [vnetHdrSize]byte
	txIov [2]unix.Iovec

	// The device's own counters, added to the kernel's (swapped) ones.
	rxDropped atomic.Uint64 // no buffer for a frame
	rxErrors  atomic.Uint64 // bad virtio-net header, runt or truncated frame
	txDropped atomic.Uint64 // kernel busy (EAGAIN)
	txErrors  atomic.Uint64 // kernel refused the frame
}

var _ netdev.Device = (*Device)(nil)

// Open attaches to the TAP device called name in the calling OS thread's
// network namespace, creating it if it does not exist and adopting it if it
// does (govs restarted). The device is persistent: it outlives Close and
// the process, with its addresses, MAC and MTU, until Delete. Open refuses
// an existing interface of that name that is not a single-queue TAP device
// (ErrNotTap) and a TAP device another process has open (ErrBusy).
//
// A caller that wants the device in a particular namespace must run Open
// on an OS thread in that namespace (runtime.LockOSThread and setns).
func Open(name string, opts Options) (*Device, error) {
	typ := opts.Type
	if typ == "" {
		typ = TypeInternal
	}
	if typ != TypeInternal && typ != TypeTap {
		return nil, fmt.Errorf("tap %s: interface type %q: want %q or %q", name, typ, TypeInternal, TypeTap)
	}
	if name == "" || len(name) >= unix.IFNAMSIZ || strings.ContainsAny(name, "/: \t\n") || name == "." || name == ".." {
		return nil, fmt.Errorf("tap %q: invalid interface name", name)
	}
	if opts.MTU < 0 || opts.MTU > 65535 {
		return nil, fmt.Errorf("tap %s: mtu %d out of range", name, opts.MTU)
	}
	c, err := link.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("tap %s: %w", name, err)
	}
	d, err := open(name, typ, c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("tap %s: %w", name, err)
	}
	fail := func(err error) (*Device, error) {
		d.abandon()
		c.Close()
		return nil, fmt.Errorf("tap %s: %w", name, err)
	}
	if opts.MAC != nil {
		if err := c.SetMAC(d.ifindex, *opts.MAC); err != nil {
			return fail(err)
		}
	}
	if opts.MTU > 0 {
		if err := c.SetMTU(d.ifindex, opts.MTU); err != nil {
			return fail(err)
		}
	}
	return d, nil
}

// open attaches a TUN file descriptor to the device and configures it.
func open(name, typ string, c *link.Handle) (*Device, error) {
	fd, err := unix.Open(tunDevice, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", tunDevice, err)
	}
	d := &Device{name: name, typ: typ, fd: fd, ctl: c}
	const flags = unix.IFF_TAP | unix.IFF_NO_PI | unix.IFF_VNET_HDR
	// Create exclusively first, so that Created tells the truth.
	err = setIff(fd, name, flags|unix.IFF_TUN_EXCL)
	d.created = err == nil
	if errors.Is(err, unix.EBUSY) {
		if in, e := c.ByName(name); e == nil && in.Type != kindTun {
			unix.Close(fd)
			return nil, fmt.Errorf("adopt: kind %q: %w", in.Type, ErrNotTap)
		}
		err = setIff(fd, name, flags)
		switch {
		case errors.Is(err, unix.EINVAL):
			err = fmt.Errorf("adopt: %w (%v)", ErrNotTap, err)
		case errors.Is(err, unix.EBUSY):
			err = fmt.Errorf("adopt: %w", ErrBusy)
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := d.configure(); err != nil {
		d.abandon()
		return nil, err
	}
	return d, nil
}

// configure sets up the attached file descriptor: virtio-net header size
// and byte order, offloads, persistence, and finds the interface index.
func (d *Device) configure() error {
	ifr, err := unix.NewIfreq(d.name)
	if err != nil {
		return fmt.Errorf("TUNGETIFF: %w", err)
	}
	if err := unix.IoctlIfreq(d.fd, unix.TUNGETIFF, ifr); err != nil {
		return fmt.Errorf("TUNGETIFF: %w", err)
	}
	if got := ifr.Uint16(); got&(unix.IFF_TAP|unix.IFF_VNET_HDR) != unix.IFF_TAP|unix.IFF_VNET_HDR {
		return fmt.Errorf("attached with flags %#x: %w", got, ErrNotTap)
	}
	if err := unix.IoctlSetPointerInt(d.fd, unix.TUNSETVNETHDRSZ, vnetHdrSize); err != nil {
		return fmt.Errorf("TUNSETVNETHDRSZ %d: %w", vnetHdrSize, err)
	}
	// header.VirtioNetHdr reads little-endian fields, as virtio 1.0 does.
	if err := unix.IoctlSetPointerInt(d.fd, unix.TUNSETVNETLE, 1); err != nil {
		return fmt.Errorf("TUNSETVNETLE: %w", err)
	}
	// Whatever the kernel hands us we can take; it accepts everything the
	// virtio-net header can describe from us.
	d.caps = netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapRxCsum
	if err := unix.IoctlSetInt(d.fd, unix.TUNSETOFFLOAD, tunFCsum|tunFTSO4|tunFTSO6|tunFUSO4|tunFUSO6); err == nil {
		d.caps |= netdev.CapTxUDPGSO
	} else if err := unix.IoctlSetInt(d.fd, unix.TUNSETOFFLOAD, tunFCsum|tunFTSO4|tunFTSO6); err != nil {
		return fmt.Errorf("TUNSETOFFLOAD: %w", err)
	}
	if err := unix.IoctlSetInt(d.fd, unix.TUNSETPERSIST, 1); err != nil {
		return fmt.Errorf("TUNSETPERSIST: %w", err)
	}
	in, err := d.ctl.ByName(d.name)
	if err != nil {
		return fmt.Errorf("find ifindex: %w", err)
	}
	d.ifindex = in.Index
	d.overflow = make([]byte, overflowSize)
	return nil
}

// abandon undoes a failed Open: a device Open created is removed, an
// adopted one is left as it was. The caller closes the rtnetlink handle.
func (d *Device) abandon() {
	if d.created {
		unix.IoctlSetInt(d.fd, unix.TUNSETPERSIST, 0)
	}
	unix.Close(d.fd)
	d.closed.Store(true)
	d.ctl = nil
}

// kindTun is the link kind of TUN and TAP devices.
const kindTun = "tun"

// setIff attaches fd to the TUN/TAP device name with flags.
func setIff(fd int, name string, flags uint16) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("TUNSETIFF: %w", err)
	}
	ifr.SetUint16(flags)
	if err := unix.IoctlIfreq(fd, unix.TUNSETIFF, ifr); err != nil {
		return fmt.Errorf("TUNSETIFF: %w", err)
	}
	return nil
}

// Created reports whether Open created the device (true) or adopted one
// that existed already (false).
func (d *Device) Created() bool { return d.created }

// Ifindex returns the kernel's interface index of the device.
func (d *Device) Ifindex() int { return d.ifindex }

// Name implements netdev.Device.
func (d *Device) Name() string { return d.name }

// Type implements netdev.Device: "internal" or "tap".
func (d *Device) Type() string { return d.typ }

// NumRxQueues implements netdev.Device: one queue.
func (d *Device) NumRxQueues() int { return 1 }

// NumTxQueues implements netdev.Device: one queue.
func (d *Device) NumTxQueues() int { return 1 }

// RxNotifyFD implements netdev.Device: the TAP file descriptor, readable
// while the kernel has frames queued for the switch (level-triggered).
func (d *Device) RxNotifyFD(q int) int {
	if q != 0 || d.closed.Load() {
		return -1
	}
	return d.fd
}

// Capabilities implements netdev.Device: the switch may hand a TAP device
// checksum-partial and TCP GSO packets (and UDP GSO ones where the kernel
// takes UDP segmentation offload from TAP readers), and received packets
// carry the kernel's checksum state.
func (d *Device) Capabilities() netdev.Caps { return d.caps }

// control returns the rtnetlink handle, or ErrClosed.
// On success the caller holds d.mu shared and must release it.
func (d *Device) control() (*link.Handle, error) {
	d.mu.RLock()
	if d.ctl == nil {
		d.mu.RUnlock()
		return nil, fmt.Errorf("tap %s: %w", d.name, netdev.ErrClosed)
	}
	return d.ctl, nil
}

// MAC implements netdev.Device; the zero address if the kernel cannot be
// asked.
func (d *Device) MAC() [6]byte {
	c, err := d.control()
	if err != nil {
		return [6]byte{}
	}
	defer d.mu.RUnlock()
	in, _ := c.ByIndex(d.ifindex)
	return in.MAC
}

// SetMAC implements netdev.Device.
func (d *Device) SetMAC(mac [6]byte) error {
	c, err := d.control()
	if err != nil {
		return err
	}
	defer d.mu.RUnlock()
	if err := c.SetMAC(d.ifindex, mac); err != nil {
		return fmt.Errorf("tap %s: %w", d.name, err)
	}
	return nil
}

// MTU implements netdev.Device; 0 if the kernel cannot be asked.
func (d *Device) MTU() int {
	c, err := d.control()
	if err != nil {
		return 0
	}
	defer d.mu.RUnlock()
	in, _ := c.ByIndex(d.ifindex)
	return in.MTU
}

// SetMTU implements netdev.Device.
func (d *Device) SetMTU(mtu int) error {
	c, err := d.control()
	if err != nil {
		return err
	}
	defer d.mu.RUnlock()
	if err := c.SetMTU(d.ifindex, mtu); err != nil {
		return fmt.Errorf("tap %s: %w", d.name, err)
	}
	return nil
}

// Flags implements netdev.Device: the kernel's IFF_UP, IFF_RUNNING (a TAP
// has carrier while a file descriptor is attached) and IFF_PROMISC.
func (d *Device) Flags() netdev.Flags {
	c, err := d.control()
	if err != nil {
		return 0
	}
	defer d.mu.RUnlock()
	in, _ := c.ByIndex(d.ifindex)
	return in.Flags
}

// SetFlags implements netdev.Device. FlagUp and FlagPromisc can be changed;
// FlagRunning cannot (ErrUnsupported).
func (d *Device) SetFlags(on, off netdev.Flags) error {
	c, err := d.control()
	if err != nil {
		return err
	}
	defer d.mu.RUnlock()
	if err := c.SetFlags(d.ifindex, on, off); err != nil {
		return fmt.Errorf("tap %s: %w", d.name, err)
	}
	return nil
}

// Stats implements netdev.Device. The kernel counts a TAP device's traffic
// from the host stack's side, so, as OVS's netdev-linux does for taps on
// the userspace datapath, its receive and transmit counters are swapped to
// give the switch's view, and the device's own drops and errors (frames it
// read but could not take, frames the kernel would not take) are added.
// Every field is Unknown if the kernel cannot be asked.
func (d *Device) Stats() netdev.Stats {
	unknown := netdev.Stats{
		RxPackets: netdev.Unknown, RxBytes: netdev.Unknown, RxDropped: netdev.Unknown, RxErrors: netdev.Unknown,
		TxPackets: netdev.Unknown, TxBytes: netdev.Unknown, TxDropped: netdev.Unknown, TxErrors: netdev.Unknown,
	}
	c, err := d.control()
	if err != nil {
		return unknown
	}
	defer d.mu.RUnlock()
	k, err := c.Stats(d.ifindex)
	if err != nil {
		return unknown
	}
	return netdev.Stats{
		RxPackets: k.TxPackets,
		RxBytes:   k.TxBytes,
		RxDropped: k.TxDropped + d.rxDropped.Load(),
		RxErrors:  k.TxErrors + d.rxErrors.Load(),
		TxPackets: k.RxPackets,
		TxBytes:   k.RxBytes,
		TxDropped: k.RxDropped + d.txDropped.Load(),
		TxErrors:  k.RxErrors + d.txErrors.Load(),
	}
}

// Close implements netdev.Device: it detaches from the TAP device, which
// stays in the kernel (persistent, without carrier) with its addresses,
// MAC and MTU, for a later Open to adopt. Closing twice is a no-op. The
// caller must make sure no goroutine is inside Rx or Tx.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctl == nil {
		return nil
	}
	d.ctl.Close()
	d.ctl = nil
	return d.closeFD()
}

// closeFD closes the TAP file descriptor once. d.mu must be held.
func (d *Device) closeFD() error {
	if d.closed.Swap(true) {
		return nil
	}
	if err := unix.Close(d.fd); err != nil {
		return fmt.Errorf("tap %s: close: %w", d.name, err)
	}
	return nil
}

// Delete closes the device and removes the TAP interface from the kernel
// (ovs-appctl exit --cleanup, or a port removed from the configuration).
// It is idempotent. On an open device it acts in the device's namespace;
// after Close it removes the TAP device of that name in the calling
// thread's namespace, if there is one.
func (d *Device) Delete() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.deleted {
		return nil
	}
	c := d.ctl
	if c == nil {
		var err error
		if c, err = link.NewHandle(); err != nil {
			return fmt.Errorf("tap %s: delete: %w", d.name, err)
		}
		defer c.Close()
	} else {
		// Without persistence the kernel removes the device when its last
		// file descriptor closes; it is deleted explicitly below as well
		// in case another process holds one.
		unix.IoctlSetInt(d.fd, unix.TUNSETPERSIST, 0)
		d.ctl = nil
		defer c.Close()
		if err := d.closeFD(); err != nil {
			return fmt.Errorf("tap %s: delete: %w", d.name, err)
		}
	}
	in, err := c.ByName(d.name)
	switch {
	case errors.Is(err, link.ErrNotFound):
	case err != nil:
		return fmt.Errorf("tap %s: delete: %w", d.name, err)
	case in.Type != kindTun:
		return fmt.Errorf("tap %s: delete: kind %q: %w", d.name, in.Type, ErrNotTap)
	default:
		if err := c.Delete(d.name); err != nil && !errors.Is(err, link.ErrNotFound) {
			return fmt.Errorf("tap %s: delete: %w", d.name, err)
		}
	}
	d.deleted = true
	return nil
}
