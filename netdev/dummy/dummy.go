package dummy

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
)

// DefaultRxQueueLen is how many frames an rx queue holds before Receive drops;
// it is OVS's NETDEV_DUMMY_MAX_QUEUE, so that tests that overfill a dummy
// port see the same drops as with stock OVS.
const DefaultRxQueueLen = 100

// MaxFrame is the largest frame Receive accepts: a 64 KiB IP packet plus L2
// headers, like the GSO size class of the packet pool.
const MaxFrame = 65536 + 256

// Options configure a dummy device. The zero value is a "dummy" device with
// one rx and one tx queue, MTU 1500 and a zero MAC.
type Options struct {
	// Type is the OVS interface type: "dummy" (default), "dummy-internal"
	// or "dummy-pmd".
	Type string
	// RxQueues and TxQueues are the queue counts (default 1).
	RxQueues, TxQueues int
	// RxQueueLen bounds each rx queue (default DefaultRxQueueLen).
	RxQueueLen int
	// KeepTx keeps copies of the last KeepTx transmitted frames for
	// TxFrames (0: keep none).
	KeepTx int
	// MAC and MTU are the initial address and MTU (default 1500).
	MAC [6]byte
	MTU int
	// TxPcap and RxqPcap name pcap files that transmitted and received
	// frames are appended to (options:tx_pcap, options:rxq_pcap); Pcap sets
	// both to one file (options:pcap).
	TxPcap, RxqPcap, Pcap string
	// Now stamps pcap records (default time.Now).
	Now func() time.Time
	// LimitCaps makes Capabilities report Caps instead of every offload,
	// to exercise the datapath's software fallbacks.
	LimitCaps bool
	Caps      netdev.Caps
}

// Device is a dummy network device. Receive, TxFrames and the netdev.Device
// accessors are safe from any goroutine; Rx on queue q must be called by one
// goroutine at a time, as must Tx on a queue.
type Device struct {
	name string
	opts Options
	rxqs []rxQueue

	mac   atomic.Value // [6]byte
	mtu   atomic.Int64
	flags atomic.Uint32

	rxPackets, rxBytes, rxDropped         atomic.Uint64
	txPackets, txBytes, txDropped, txErrs atomic.Uint64

	mu      sync.Mutex // guards kept, keptNext, txPcap, rxPcap, closed
	kept    [][]byte
	keptN   int
	keptAt  int
	txPcap  *pcapWriter
	rxPcap  *pcapWriter
	closed  bool
	pcapErr atomic.Uint64
}

var _ netdev.Device = (*Device)(nil)
var _ netdev.Configurer = (*Device)(nil)

// rxQueue is a bounded FIFO of frames with an eventfd that is readable while
// the FIFO is not empty (and until an Rx finds it empty, see Rx).
type rxQueue struct {
	mu    sync.Mutex
	slots [][]byte // ring; slot buffers are reused
	head  int
	n     int
	efd   int
	armed bool // efd holds a nonzero count
}

// New creates a dummy device.
func New(name string, opts Options) (*Device, error) {
	if name == "" {
		return nil, fmt.Errorf("dummy: empty device name")
	}
	if opts.Type == "" {
		opts.Type = "dummy"
	}
	if opts.RxQueues <= 0 {
		opts.RxQueues = 1
	}
	if opts.TxQueues <= 0 {
		opts.TxQueues = 1
	}
	if opts.RxQueueLen <= 0 {
		opts.RxQueueLen = DefaultRxQueueLen
	}
	if opts.MTU <= 0 {
		opts.MTU = 1500
	}
	if opts.KeepTx < 0 {
		return nil, fmt.Errorf("dummy %s: negative KeepTx %d", name, opts.KeepTx)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	d := &Device{name: name, opts: opts, rxqs: make([]rxQueue, opts.RxQueues)}
	d.mac.Store(opts.MAC)
	d.mtu.Store(int64(opts.MTU))
	d.flags.Store(uint32(netdev.FlagUp | netdev.FlagRunning))
	for i := range d.rxqs {
		fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
		if err != nil {
			d.closeFDs()
			return nil, fmt.Errorf("dummy %s: eventfd: %w", name, err)
		}
		d.rxqs[i].efd = fd
		d.rxqs[i].slots = make([][]byte, opts.RxQueueLen)
	}
	if opts.KeepTx > 0 {
		d.kept = make([][]byte, opts.KeepTx)
	}
	if err := d.SetPcap(opts.Pcap, opts.RxqPcap, opts.TxPcap); err != nil {
		d.closeFDs()
		return nil, err
	}
	return d, nil
}

func (d *Device) closeFDs() {
	for i := range d.rxqs {
		if d.rxqs[i].efd > 0 {
			unix.Close(d.rxqs[i].efd)
			d.rxqs[i].efd = -1
		}
	}
}

// SetPcap (re)opens the pcap files: pcap names one file for both
// directions and overrides rxq and tx; empty names close the capture.
func (d *Device) SetPcap(pcap, rxq, tx string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rxPcap != nil {
		d.rxPcap.close()
	}
	if d.txPcap != nil {
		d.txPcap.close()
	}
	d.rxPcap, d.txPcap = nil, nil
	if pcap != "" {
		w, err := openPcap(pcap)
		if err != nil {
			return fmt.Errorf("dummy %s: %w", d.name, err)
		}
		w.refs = 2
		d.rxPcap, d.txPcap = w, w
		return nil
	}
	if rxq != "" {
		w, err := openPcap(rxq)
		if err != nil {
			return fmt.Errorf("dummy %s: %w", d.name, err)
		}
		d.rxPcap = w
	}
	if tx != "" {
		w, err := openPcap(tx)
		if err != nil {
			return fmt.Errorf("dummy %s: %w", d.name, err)
		}
		d.txPcap = w
	}
	return nil
}

// Name implements netdev.Device.
func (d *Device) Name() string { return d.name }

// Type implements netdev.Device.
func (d *Device) Type() string { return d.opts.Type }

// Receive injects frames into rx queue 0, as netdev-dummy/receive does. The
// frames are copied. Frames beyond the queue bound are dropped and counted
// (RxDropped). Safe from any goroutine.
func (d *Device) Receive(frames ...[]byte) error { return d.ReceiveQueue(0, frames...) }

// ReceiveQueue injects frames into rx queue q (see Receive).
func (d *Device) ReceiveQueue(q int, frames ...[]byte) error {
	if q < 0 || q >= len(d.rxqs) {
		return fmt.Errorf("dummy %s: receive on queue %d of %d: %w", d.name, q, len(d.rxqs), netdev.ErrBadQueue)
	}
	for _, f := range frames {
		if len(f) > MaxFrame {
			return fmt.Errorf("dummy %s: %d-byte frame exceeds %d bytes", d.name, len(f), MaxFrame)
		}
	}
	d.mu.Lock()
	closed, rxp := d.closed, d.rxPcap
	d.mu.Unlock()
	if closed {
		return fmt.Errorf("dummy %s: receive: %w", d.name, netdev.ErrClosed)
	}
	rq := &d.rxqs[q]
	rq.mu.Lock()
	var bytes, n, dropped uint64
	for _, f := range frames {
		if rq.n == len(rq.slots) {
			dropped++
			continue
		}
		i := wrap(rq.head+rq.n, len(rq.slots))
		rq.slots[i] = append(rq.slots[i][:0], f...)
		rq.n++
		n++
		bytes += uint64(len(f))
		if rxp != nil {
			if err := rxp.write(f, d.opts.Now()); err != nil {
				d.pcapErr.Add(1)
			}
		}
	}
	if rq.n > 0 && !rq.armed {
		var one [8]byte
		binary.NativeEndian.PutUint64(one[:], 1)
		if _, err := unix.Write(rq.efd, one[:]); err == nil {
			rq.armed = true
		}
	}
	rq.mu.Unlock()
	d.rxPackets.Add(n)
	d.rxBytes.Add(bytes)
	d.rxDropped.Add(dropped)
	return nil
}

// Rx implements netdev.Device: it moves queued frames into packets from c.
// Hot path: no allocation once the cache is warm.
func (d *Device) Rx(q int, b *packet.Batch, c *packet.Cache) (int, error) {
	if q < 0 || q >= len(d.rxqs) {
		return 0, fmt.Errorf("dummy %s: rx queue %d of %d: %w", d.name, q, len(d.rxqs), netdev.ErrBadQueue)
	}
	rq := &d.rxqs[q]
	rq.mu.Lock()
	got := 0
	for rq.n > 0 && b.N < packet.BatchSize {
		f := rq.slots[rq.head]
		p := c.Alloc(len(f))
		if p == nil {
			// The pool is exhausted: leave the frame queued for the
			// next poll rather than losing it.
			break
		}
		copy(p.Data(), f)
		b.Pkts[b.N] = p
		b.N++
		got++
		rq.head = wrap(rq.head+1, len(rq.slots))
		rq.n--
	}
	// The eventfd stays readable after the poll that drains the queue and
	// is cleared by the first poll that finds it empty: a loop that keeps
	// finding frames then pays no eventfd read per batch (and Receive no
	// write), and one that goes to sleep wakes once more, finds nothing
	// and clears it. RxNotifyFD's contract allows that spurious wakeup.
	if got == 0 && rq.n == 0 && rq.armed {
		var v [8]byte
		unix.Read(rq.efd, v[:])
		rq.armed = false
	}
	rq.mu.Unlock()
	return got, nil
}

// Tx implements netdev.Device: it counts the packets, keeps copies if
// KeepTx is set, writes them to the tx pcap if configured and frees them.
// Frames larger than the MTU allows are dropped and counted as errors, as
// OVS's dummy device refuses them with EMSGSIZE. Hot path: no allocation
// once the kept-frame ring is warm.
func (d *Device) Tx(q int, b *packet.Batch, c *packet.Cache) error {
	defer freeBatch(b, c)
	if q < 0 || q >= d.opts.TxQueues {
		d.txDropped.Add(uint64(b.N))
		return fmt.Errorf("dummy %s: tx queue %d of %d: %w", d.name, q, d.opts.TxQueues, netdev.ErrBadQueue)
	}
	maxLen := int(d.mtu.Load()) + 14
	var n, bytes, errs uint64
	keep := d.kept != nil || d.txPcap != nil
	if keep {
		d.mu.Lock()
	}
	for _, p := range b.Pkts[:b.N] {
		data := p.Data()
		limit := maxLen
		if len(data) >= 14 && data[12] == 0x81 && data[13] == 0x00 {
			limit += 4
		}
		if len(data) > limit && p.Meta.GSOType == packet.GSONone {
			errs++
			continue
		}
		n++
		bytes += uint64(len(data))
		if keep {
			d.keepFrame(data)
		}
	}
	if keep {
		d.mu.Unlock()
	}
	d.txPackets.Add(n)
	d.txBytes.Add(bytes)
	if errs > 0 {
		d.txErrs.Add(errs)
	}
	return nil
}

// keepFrame records a transmitted frame. d.mu must be held.
func (d *Device) keepFrame(data []byte) {
	if d.kept != nil {
		i := wrap(d.keptAt+d.keptN, len(d.kept))
		if d.keptN == len(d.kept) {
			d.keptAt = wrap(d.keptAt+1, len(d.kept))
		} else {
			d.keptN++
		}
		d.kept[i] = append(d.kept[i][:0], data...)
	}
	if d.txPcap != nil {
		if err := d.txPcap.write(data, d.opts.Now()); err != nil {
			d.pcapErr.Add(1)
		}
	}
}

// wrap returns i modulo n for 0 <= i < 2n: a ring index without a
// division on the hot path.
func wrap(i, n int) int {
	if i >= n {
		i -= n
	}
	return i
}

func freeBatch(b *packet.Batch, c *packet.Cache) {
	c.FreeBatch(b)
	b.N = 0
}

// TxFrames returns copies of the kept transmitted frames, oldest first, and
// forgets them. Safe from any goroutine.
func (d *Device) TxFrames() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([][]byte, 0, d.keptN)
	for i := 0; i < d.keptN; i++ {
		f := d.kept[(d.keptAt+i)%len(d.kept)]
		out = append(out, append([]byte(nil), f...))
	}
	d.keptN, d.keptAt = 0, 0
	return out
}

// QueuedRx reports how many frames wait in rx queue q.
func (d *Device) QueuedRx(q int) int {
	if q < 0 || q >= len(d.rxqs) {
		return 0
	}
	rq := &d.rxqs[q]
	rq.mu.Lock()
	defer rq.mu.Unlock()
	return rq.n
}

// NumRxQueues implements netdev.Device.
func (d *Device) NumRxQueues() int { return len(d.rxqs) }

// NumTxQueues implements netdev.Device.
func (d *Device) NumTxQueues() int { return d.opts.TxQueues }

// RxNotifyFD implements netdev.Device: an eventfd readable while queue q
// holds frames, and until the first Rx after that finds it empty.
func (d *Device) RxNotifyFD(q int) int {
	if q < 0 || q >= len(d.rxqs) {
		return -1
	}
	return d.rxqs[q].efd
}

// Capabilities implements netdev.Device: a dummy accepts every offload,
// since nothing ever leaves the process, unless Options.LimitCaps.
func (d *Device) Capabilities() netdev.Caps {
	if d.opts.LimitCaps {
		return d.opts.Caps
	}
	return netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapTxSCTP | netdev.CapTxUDPGSO
}

// MAC implements netdev.Device.
func (d *Device) MAC() [6]byte { return d.mac.Load().([6]byte) }

// SetMAC implements netdev.Device.
func (d *Device) SetMAC(mac [6]byte) error { d.mac.Store(mac); return nil }

// MTU implements netdev.Device.
func (d *Device) MTU() int { return int(d.mtu.Load()) }

// SetMTU implements netdev.Device. Like OVS's dummy it accepts any MTU from
// 68 to 65535.
func (d *Device) SetMTU(mtu int) error {
	if mtu < 68 || mtu > 65535 {
		return fmt.Errorf("dummy %s: set mtu %d: out of range 68-65535", d.name, mtu)
	}
	d.mtu.Store(int64(mtu))
	return nil
}

// Flags implements netdev.Device.
func (d *Device) Flags() netdev.Flags { return netdev.Flags(d.flags.Load()) }

// SetFlags implements netdev.Device. Only FlagUp and FlagPromisc may be
// changed, as with OVS's dummy device; the link (FlagRunning) is changed by
// SetLinkState.
func (d *Device) SetFlags(on, off netdev.Flags) error {
	if (on|off)&^(netdev.FlagUp|netdev.FlagPromisc) != 0 {
		return fmt.Errorf("dummy %s: set flags %#x/%#x: %w", d.name, on, off, netdev.ErrUnsupported)
	}
	for {
		old := d.flags.Load()
		nw := (old | uint32(on)) &^ uint32(off)
		if d.flags.CompareAndSwap(old, nw) {
			return nil
		}
	}
}

// SetAdminState sets or clears FlagUp (netdev-dummy/set-admin-state).
func (d *Device) SetAdminState(up bool) {
	if up {
		d.SetFlags(netdev.FlagUp, 0)
	} else {
		d.SetFlags(0, netdev.FlagUp)
	}
}

// SetLinkState sets or clears FlagRunning (carrier), for tests of link
// monitoring.
func (d *Device) SetLinkState(up bool) {
	for {
		old := d.flags.Load()
		nw := old &^ uint32(netdev.FlagRunning)
		if up {
			nw |= uint32(netdev.FlagRunning)
		}
		if d.flags.CompareAndSwap(old, nw) {
			return
		}
	}
}

// Stats implements netdev.Device. A dummy keeps no error counters but
// tx errors, so the others read Unknown like OVS's "?".
func (d *Device) Stats() netdev.Stats {
	return netdev.Stats{
		RxPackets: d.rxPackets.Load(), RxBytes: d.rxBytes.Load(),
		RxDropped: netdev.Unknown, RxErrors: netdev.Unknown,
		TxPackets: d.txPackets.Load(), TxBytes: d.txBytes.Load(),
		TxDropped: netdev.Unknown, TxErrors: netdev.Unknown,
	}
}

// Drops reports the frames Receive dropped because a queue was full and
// the frames Tx dropped as too big or on a bad queue.
func (d *Device) Drops() (rx, tx uint64) {
	return d.rxDropped.Load(), d.txDropped.Load() + d.txErrs.Load()
}

// Config implements netdev.Configurer with the keys OVS's dummy reports:
// the queue configuration for "dummy-pmd" only.
func (d *Device) Config() map[string]string {
	m := map[string]string{}
	if d.opts.Type == "dummy-pmd" {
		m["requested_rx_queues"] = fmt.Sprint(len(d.rxqs))
		m["configured_rx_queues"] = fmt.Sprint(len(d.rxqs))
		m["requested_tx_queues"] = fmt.Sprint(d.opts.TxQueues)
		m["configured_tx_queues"] = fmt.Sprint(d.opts.TxQueues)
	}
	return m
}

// Close implements netdev.Device. Queued frames are discarded.
func (d *Device) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	var err error
	if d.rxPcap != nil {
		err = d.rxPcap.close()
	}
	if d.txPcap != nil {
		if e := d.txPcap.close(); err == nil {
			err = e
		}
	}
	d.rxPcap, d.txPcap = nil, nil
	d.mu.Unlock()
	for i := range d.rxqs {
		rq := &d.rxqs[i]
		rq.mu.Lock()
		rq.n = 0
		rq.mu.Unlock()
	}
	d.closeFDs()
	if err != nil {
		return fmt.Errorf("dummy %s: close pcap: %w", d.name, err)
	}
	return nil
}
