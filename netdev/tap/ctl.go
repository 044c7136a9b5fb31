package tap

import (
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
)

// ctl configures the kernel side of a TAP device (address, MTU, flags,
// counters) through an rtnetlink handle bound to the network namespace the
// device was opened in, so that every method acts on the right interface
// whatever OS thread the caller runs on.
//
// It is safe for concurrent use (the handle serialises its requests).
type ctl struct {
	h *netlink.Handle
}

// errNotFound reports that the interface does not exist (any more).
var errNotFound = errors.New("no such interface")

// newCtl opens an rtnetlink handle in the calling thread's namespace.
func newCtl() (*ctl, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink handle: %w", err)
	}
	return &ctl{h: h}, nil
}

func (c *ctl) close() { c.h.Close() }

func (c *ctl) link(index int) (netlink.Link, error) {
	l, err := c.h.LinkByIndex(index)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return nil, fmt.Errorf("ifindex %d: %w", index, errNotFound)
		}
		return nil, fmt.Errorf("ifindex %d: %w", index, err)
	}
	return l, nil
}

// byName returns the index and kind ("tun" for a TUN/TAP device) of the
// interface called name.
func (c *ctl) byName(name string) (index int, kind string, err error) {
	l, err := c.h.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) || errors.Is(err, unix.ENODEV) {
			return 0, "", fmt.Errorf("%s: %w", name, errNotFound)
		}
		return 0, "", fmt.Errorf("%s: %w", name, err)
	}
	return l.Attrs().Index, l.Type(), nil
}

func (c *ctl) mac(index int) ([6]byte, error) {
	var mac [6]byte
	l, err := c.link(index)
	if err != nil {
		return mac, err
	}
	copy(mac[:], l.Attrs().HardwareAddr)
	return mac, nil
}

func (c *ctl) mtu(index int) (int, error) {
	l, err := c.link(index)
	if err != nil {
		return 0, err
	}
	return l.Attrs().MTU, nil
}

func (c *ctl) flags(index int) (netdev.Flags, error) {
	l, err := c.link(index)
	if err != nil {
		return 0, err
	}
	raw := l.Attrs().RawFlags
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
	return f, nil
}

func (c *ctl) setMTU(index, mtu int) error {
	l, err := c.link(index)
	if err != nil {
		return err
	}
	if err := c.h.LinkSetMTU(l, mtu); err != nil {
		return fmt.Errorf("ifindex %d: set mtu %d: %w", index, mtu, err)
	}
	return nil
}

func (c *ctl) setMAC(index int, mac [6]byte) error {
	l, err := c.link(index)
	if err != nil {
		return err
	}
	if err := c.h.LinkSetHardwareAddr(l, net.HardwareAddr(mac[:])); err != nil {
		return fmt.Errorf("ifindex %d: set mac %s: %w", index, net.HardwareAddr(mac[:]), err)
	}
	return nil
}

// setFlags turns on the flags in on, then off those in off. Only FlagUp and
// FlagPromisc can be changed; the carrier (FlagRunning) follows the tap's
// file descriptor.
func (c *ctl) setFlags(index int, on, off netdev.Flags) error {
	if (on|off)&^(netdev.FlagUp|netdev.FlagPromisc) != 0 {
		return fmt.Errorf("ifindex %d: set flags %#x/%#x: %w", index, on, off, netdev.ErrUnsupported)
	}
	l, err := c.link(index)
	if err != nil {
		return err
	}
	type op struct {
		f  netdev.Flags
		do func(netlink.Link) error
	}
	for _, o := range []op{
		{on & netdev.FlagUp, c.h.LinkSetUp},
		{on & netdev.FlagPromisc, c.h.SetPromiscOn},
		{off & netdev.FlagUp, c.h.LinkSetDown},
		{off & netdev.FlagPromisc, c.h.SetPromiscOff},
	} {
		if o.f == 0 {
			continue
		}
		if err := o.do(l); err != nil {
			return fmt.Errorf("ifindex %d: set flags %#x/%#x: %w", index, on, off, err)
		}
	}
	return nil
}

// stats returns the kernel's counters of the interface, from the host
// stack's point of view (not swapped).
func (c *ctl) stats(index int) (netdev.Stats, error) {
	l, err := c.link(index)
	if err != nil {
		return netdev.Stats{}, err
	}
	s := l.Attrs().Statistics
	if s == nil {
		return netdev.Stats{}, fmt.Errorf("ifindex %d: no statistics in the link dump", index)
	}
	return netdev.Stats{
		RxPackets: s.RxPackets, RxBytes: s.RxBytes, RxDropped: s.RxDropped, RxErrors: s.RxErrors,
		TxPackets: s.TxPackets, TxBytes: s.TxBytes, TxDropped: s.TxDropped, TxErrors: s.TxErrors,
	}, nil
}

func (c *ctl) delete(index int) error {
	l, err := c.link(index)
	if err != nil {
		return err
	}
	if err := c.h.LinkDel(l); err != nil {
		return fmt.Errorf("ifindex %d: delete: %w", index, err)
	}
	return nil
}
