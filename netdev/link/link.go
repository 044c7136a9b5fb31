package link

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
)

// ErrNotFound is wrapped by the errors of lookups and changes of an
// interface that does not exist.
var ErrNotFound = errors.New("link not found")

// Info describes one kernel network interface at the time it was read.
type Info struct {
	Index int
	Name  string
	MAC   [6]byte // zero for interfaces without an Ethernet address
	MTU   int
	// Flags: FlagUp is IFF_UP (administratively up), FlagRunning is
	// IFF_RUNNING (operationally up: the carrier is present, as OVS's
	// netdev-linux reads it), FlagPromisc is IFF_PROMISC.
	Flags netdev.Flags
	// Type is the kernel's link kind ("veth", "tun" for TUN and TAP
	// devices, "bridge", "dummy", ...), or "device" for interfaces without
	// one (physical NICs, loopback).
	Type string
}

// Handle performs link operations in one network namespace: the namespace
// of the OS thread that called NewHandle. It is safe for concurrent use by
// any goroutine.
type Handle struct {
	nl *netlink.Handle
}

// defaultHandle opens a netlink socket per request, in the namespace of
// the calling thread; the package-level functions use it.
var defaultHandle = &Handle{nl: &netlink.Handle{}}

// NewHandle returns a Handle bound to the calling OS thread's network
// namespace. Call Close to release its netlink socket.
func NewHandle() (*Handle, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("link: open rtnetlink socket: %w", err)
	}
	return &Handle{nl: h}, nil
}

// Close releases the handle's socket. The handle must not be used
// afterwards.
func (h *Handle) Close() error {
	if h != defaultHandle {
		h.nl.Close()
	}
	return nil
}

// ByName returns the interface called name in the calling thread's
// namespace.
func ByName(name string) (Info, error) { return defaultHandle.ByName(name) }

// ByIndex returns the interface with ifindex index in the calling thread's
// namespace.
func ByIndex(index int) (Info, error) { return defaultHandle.ByIndex(index) }

// SetMTU sets the MTU of interface index in the calling thread's namespace.
func SetMTU(index int, mtu int) error { return defaultHandle.SetMTU(index, mtu) }

// SetMAC sets the Ethernet address of interface index in the calling
// thread's namespace.
func SetMAC(index int, mac [6]byte) error { return defaultHandle.SetMAC(index, mac) }

// SetFlags turns on the flags in on, then off those in off, for interface
// index in the calling thread's namespace. Only FlagUp and FlagPromisc can
// be changed.
func SetFlags(index int, on, off netdev.Flags) error { return defaultHandle.SetFlags(index, on, off) }

// Stats returns the kernel counters (IFLA_STATS64) of interface index in
// the calling thread's namespace.
func Stats(index int) (netdev.Stats, error) { return defaultHandle.Stats(index) }

// Delete deletes the interface called name in the calling thread's
// namespace (for a veth, both ends).
func Delete(name string) error { return defaultHandle.Delete(name) }

// ByName returns the interface called name.
func (h *Handle) ByName(name string) (Info, error) {
	if name == "" {
		return Info{}, errors.New("link: empty interface name")
	}
	l, err := h.nl.LinkByName(name)
	if err != nil {
		return Info{}, fmt.Errorf("link %s: %w", name, wrapNotFound(err))
	}
	return infoOf(l), nil
}

// ByIndex returns the interface with ifindex index.
func (h *Handle) ByIndex(index int) (Info, error) {
	if index <= 0 {
		return Info{}, fmt.Errorf("link index %d: bad ifindex: %w", index, ErrNotFound)
	}
	l, err := h.nl.LinkByIndex(index)
	if err != nil {
		return Info{}, fmt.Errorf("link index %d: %w", index, wrapNotFound(err))
	}
	return infoOf(l), nil
}

// SetMTU sets the MTU of interface index.
func (h *Handle) SetMTU(index int, mtu int) error {
	if mtu <= 0 || mtu > 1<<20 {
		return fmt.Errorf("%s: set MTU %d: out of range", h.describe(index), mtu)
	}
	if err := h.nl.LinkSetMTU(byIndex(index), mtu); err != nil {
		return fmt.Errorf("%s: set MTU %d: %w", h.describe(index), mtu, wrapNotFound(err))
	}
	return nil
}

// SetMAC sets the Ethernet address of interface index.
func (h *Handle) SetMAC(index int, mac [6]byte) error {
	if err := h.nl.LinkSetHardwareAddr(byIndex(index), net.HardwareAddr(mac[:])); err != nil {
		return fmt.Errorf("%s: set MAC %s: %w", h.describe(index), net.HardwareAddr(mac[:]), wrapNotFound(err))
	}
	return nil
}

// SetFlags turns on the flags in on, then off those in off, for interface
// index. Only FlagUp and FlagPromisc can be changed; other flags give an
// error wrapping netdev.ErrUnsupported and change nothing.
func (h *Handle) SetFlags(index int, on, off netdev.Flags) error {
	const settable = netdev.FlagUp | netdev.FlagPromisc
	if bad := (on | off) &^ settable; bad != 0 {
		return fmt.Errorf("%s: set flags %#x: %w", h.describe(index), uint32(bad), netdev.ErrUnsupported)
	}
	l := byIndex(index)
	steps := []struct {
		want netdev.Flags
		set  func(netlink.Link) error
		what string
	}{
		{on & netdev.FlagUp, h.nl.LinkSetUp, "set up"},
		{on & netdev.FlagPromisc, h.nl.SetPromiscOn, "set promiscuous"},
		{off & netdev.FlagUp, h.nl.LinkSetDown, "set down"},
		{off & netdev.FlagPromisc, h.nl.SetPromiscOff, "clear promiscuous"},
	}
	for _, s := range steps {
		if s.want == 0 {
			continue
		}
		if err := s.set(l); err != nil {
			return fmt.Errorf("%s: %s: %w", h.describe(index), s.what, wrapNotFound(err))
		}
	}
	return nil
}

// Stats returns the kernel counters (IFLA_STATS64) of interface index.
func (h *Handle) Stats(index int) (netdev.Stats, error) {
	if index <= 0 {
		return netdev.Stats{}, fmt.Errorf("link index %d: bad ifindex: %w", index, ErrNotFound)
	}
	l, err := h.nl.LinkByIndex(index)
	if err != nil {
		return netdev.Stats{}, fmt.Errorf("link index %d: stats: %w", index, wrapNotFound(err))
	}
	s := l.Attrs().Statistics
	if s == nil {
		return netdev.Stats{}, fmt.Errorf("link %s: stats: kernel sent no counters", l.Attrs().Name)
	}
	return netdev.Stats{
		RxPackets: s.RxPackets, RxBytes: s.RxBytes, RxDropped: s.RxDropped, RxErrors: s.RxErrors,
		TxPackets: s.TxPackets, TxBytes: s.TxBytes, TxDropped: s.TxDropped, TxErrors: s.TxErrors,
	}, nil
}

// Delete deletes the interface called name (for a veth, both ends).
func (h *Handle) Delete(name string) error {
	if name == "" {
		return errors.New("link: delete: empty interface name")
	}
	l, err := h.nl.LinkByName(name)
	if err != nil {
		return fmt.Errorf("link %s: delete: %w", name, wrapNotFound(err))
	}
	if err := h.nl.LinkDel(l); err != nil {
		return fmt.Errorf("link %s: delete: %w", name, wrapNotFound(err))
	}
	return nil
}

// describe names interface index for an error message: "link NAME (index
// N)" when it still exists, "link index N" otherwise.
func (h *Handle) describe(index int) string {
	if index > 0 {
		if l, err := h.nl.LinkByIndex(index); err == nil {
			return fmt.Sprintf("link %s (index %d)", l.Attrs().Name, index)
		}
	}
	return fmt.Sprintf("link index %d", index)
}

// byIndex is the netlink.Link that the setters need: only the index is
// read from it.
func byIndex(index int) netlink.Link {
	return &netlink.Device{LinkAttrs: netlink.LinkAttrs{Index: index}}
}

// wrapNotFound adds ErrNotFound to the errors that mean the interface does
// not exist.
func wrapNotFound(err error) error {
	var nf netlink.LinkNotFoundError
	if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// infoOf converts a netlink link.
func infoOf(l netlink.Link) Info {
	a := l.Attrs()
	in := Info{Index: a.Index, Name: a.Name, MTU: a.MTU, Flags: flagsOf(a.RawFlags), Type: kindOf(l)}
	if len(a.HardwareAddr) == 6 {
		copy(in.MAC[:], a.HardwareAddr)
	}
	return in
}

// flagsOf maps the kernel's IFF_* flags.
func flagsOf(raw uint32) netdev.Flags {
	var f netdev.Flags
	if raw&unix.IFF_UP != 0 {
		f |= netdev.FlagUp
	}
	if raw&unix.IFF_RUNNING != 0 {
		f |= netdev.FlagRunning
	}
	if raw&unix.IFF_PROMISC != 0 {
		f |= netdev.FlagPromisc
	}
	return f
}

// kindOf returns the kernel link kind (IFLA_INFO_KIND); netlink reports
// the "tun" kind as "tuntap".
func kindOf(l netlink.Link) string {
	switch t := l.Type(); t {
	case "tuntap":
		return "tun"
	default:
		return t
	}
}
