package netdev

import (
	"errors"

	"govs.dev/govs/packet"
)

// Caps is a bitset of offloads a device accepts on transmit or provides on
// receive. The datapath completes in software whatever the egress device
// cannot take.
type Caps uint32

// Device capabilities.
const (
	CapTxCsum   Caps = 1 << iota // accepts packets with a partial L4 checksum
	CapTSO4                      // accepts TCP/IPv4 GSO packets
	CapTSO6                      // accepts TCP/IPv6 GSO packets
	CapRxCsum                    // marks received packets' checksums verified or partial
	CapTxSCTP                    // accepts packets with a partial SCTP CRC
	CapTxUDPGSO                  // accepts UDP GSO packets
)

// Flags are a device's administrative and operational state bits.
type Flags uint32

// Device flags.
const (
	FlagUp      Flags = 1 << iota // administratively up (ovs-vsctl set interface ... admin_state)
	FlagRunning                   // carrier present (link state up)
	FlagPromisc                   // promiscuous mode
)

// Stats are a device's counters. Fields a device does not maintain are
// Unknown (printed "?" by dpctl/show -s, like OVS).
type Stats struct {
	RxPackets, RxBytes, RxDropped, RxErrors uint64
	TxPackets, TxBytes, TxDropped, TxErrors uint64
}

// Unknown marks a statistic a device does not keep.
const Unknown = ^uint64(0)

// Device is one network device as the datapath sees it.
//
// Ownership: packets handed to Tx belong to the device from then on (it frees
// them to the cache c, which belongs to the calling loop); packets returned
// by Rx belong to the caller. Rx and Tx never block.
type Device interface {
	// Name is the device's name, unique among a datapath's ports.
	Name() string
	// Type is the OVS interface type ("dummy", "dummy-internal", "afpacket", ...).
	Type() string

	// Rx reads up to len(b.Pkts)-b.N packets from rx queue q, appends them to
	// b (advancing b.N) allocating buffers from c, and returns how many it
	// appended. It never blocks: 0 means no packet is waiting. It is called
	// only by the forwarding loop that owns queue q.
	Rx(q int, b *packet.Batch, c *packet.Cache) (int, error)
	// Tx sends the b.N packets of b on tx queue q and takes ownership of
	// them: sent or dropped, they are freed to c and b.N is reset to 0. It is
	// called by one forwarding loop at a time per queue.
	Tx(q int, b *packet.Batch, c *packet.Cache) error
	// NumRxQueues is the number of rx queues, at least 1.
	NumRxQueues() int
	// NumTxQueues is the number of tx queues, at least 1.
	NumTxQueues() int
	// RxNotifyFD returns a file descriptor that becomes readable when rx
	// queue q may hold packets, for epoll; the reader must not consume it
	// (the device rearms it in Rx). -1 means the queue must be polled.
	RxNotifyFD(q int) int

	// Capabilities reports the offloads the device accepts and provides.
	Capabilities() Caps
	// MAC returns the device's Ethernet address. Safe from any goroutine.
	MAC() [6]byte
	// SetMAC sets the device's Ethernet address. Safe from any goroutine.
	SetMAC(mac [6]byte) error
	// MTU returns the device's MTU. Safe from any goroutine.
	MTU() int
	// SetMTU sets the device's MTU. Safe from any goroutine.
	SetMTU(mtu int) error
	// Flags returns the device's flags. Safe from any goroutine.
	Flags() Flags
	// SetFlags turns on the flags in on and then off those in off. Safe from
	// any goroutine.
	SetFlags(on, off Flags) error
	// Stats returns the device's counters. Safe from any goroutine.
	Stats() Stats
	// Close releases the device. Rx and Tx fail with ErrClosed afterwards.
	// The caller must make sure no forwarding loop is inside Rx or Tx.
	Close() error
}

// Configurer is implemented by devices that report configuration for
// dpctl/show ("port 3: p3 (dummy-pmd: configured_rx_queues=1, ...)").
type Configurer interface {
	// Config returns the configuration as key=value pairs. Safe from any
	// goroutine; the caller owns the map.
	Config() map[string]string
}

// Errors returned by devices. Wrapped with context; test with errors.Is.
var (
	ErrClosed      = errors.New("device closed")
	ErrBadQueue    = errors.New("queue out of range")
	ErrUnsupported = errors.New("operation not supported")
)
