// Package link reads and changes kernel network interfaces (links) through
// rtnetlink: their index, name, Ethernet address, MTU, flags, kind and
// kernel counters, their ethtool facts (driver, speed, duplex, transmit
// offloads: ReadEthtool), and it watches link creation, change and deletion
// (Monitor). It is what the datapath's kernel-backed ports (netdev/afpacket,
// netdev/tap) and the bridge use to see and configure the interfaces they
// sit on.
//
// Network namespaces: a netlink socket belongs to the network namespace of
// the thread that created it. The package-level functions open a socket per
// call, so they act on the namespace of the calling OS thread (for a
// goroutine that is not locked to its thread: the process's namespace). A
// Handle, and a Monitor, bind to the namespace of the thread that created
// them and keep acting on it whatever goroutine uses them later; a device
// opened inside a namespace keeps a Handle for that reason.
//
// Errors name the interface and wrap ErrNotFound when the interface does
// not exist (any more).
//
// The package owns no datapath state. It imports netdev (for Flags and
// Stats) and nothing else from govs; it must not import packet, dpif or
// anything above the datapath.
package link
