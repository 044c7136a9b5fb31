package afpacket

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

// ErrGone is wrapped by the errors of Rx and Tx once the interface has
// disappeared (deleted, or moved to another namespace). The device is dead
// for good: Rx and Tx return at once without a system call, and its socket
// never becomes readable again, so an epoll loop is not woken by it. The
// owner should Close the device and, if the interface comes back (a
// link.Monitor event), Open a new one. The errors also wrap
// netdev.ErrClosed.
var ErrGone = errors.New("interface gone")

// DefaultSocketBuffer is the default SO_RCVBUF and SO_SNDBUF: 4 MiB holds
// about 2000 MTU-size frames or 64 GSO super-packets, enough to ride out a
// forwarding loop that is busy with other ports for a millisecond at
// 10 Gbit/s.
const DefaultSocketBuffer = 4 << 20

// MaxTxQueues bounds Options.TxQueues.
const MaxTxQueues = 64

// spillSize is the size of each message's overflow area: with the
// MTU-size buffer in front of it, room for the largest GSO frame (64 KiB
// of IP packet plus the Ethernet header).
const spillSize = 64 << 10

// vnetHdrLen is the length of struct virtio_net_hdr on an AF_PACKET socket
// (PACKET_VNET_HDR without PACKET_VNET_HDR_SZ).
const vnetHdrLen = header.VirtioNetHdrSize

// sizeofAuxdata is the size of struct tpacket_auxdata.
const sizeofAuxdata = int(unsafe.Sizeof(unix.TpacketAuxdata{}))

// cmsgLen is the control buffer of one received message: exactly one
// PACKET_AUXDATA message.
var cmsgLen = unix.CmsgSpace(sizeofAuxdata)

const auxCmsgCap = 64 // >= cmsgLen on every 64-bit Linux

// Options configure a Device. The zero value gives one tx queue and
// DefaultSocketBuffer socket buffers.
type Options struct {
	// TxQueues is the number of tx queues (default 1). All of them send
	// on the one socket; each has its own message arrays so that several
	// forwarding loops can transmit at the same time.
	TxQueues int
	// SocketBuffer is SO_RCVBUF and SO_SNDBUF in bytes (default
	// DefaultSocketBuffer); as root it is forced past the sysctl limits.
	SocketBuffer int
	// QdiscBypass sets PACKET_QDISC_BYPASS: transmitted frames skip the
	// interface's qdisc. Off by default (see the package comment).
	QdiscBypass bool
}

// Device is an AF_PACKET port on a kernel interface, interface type
// "system". Rx on queue 0 must be called by one goroutine at a time, as
// must Tx on each queue; every other method is safe from any goroutine.
type Device struct {
	name    string
	ifindex int
	fd      int
	handle  *link.Handle // bound to the namespace the device was opened in
	caps    netdev.Caps

	rx  *rxQueue
	txs []*txQueue

	gone   atomic.Bool
	closed atomic.Bool

	// Counters of drops the kernel does not see.
	rxDropped, rxErrors atomic.Uint64 // no buffer; bad header or truncated
	txDropped, txErrors atomic.Uint64 // socket full or link down; rejected frame
	sockDrops           atomic.Uint64 // PACKET_STATISTICS tp_drops, accumulated

	mu         sync.Mutex // serialises control calls with Close; guards last, lastStats
	last       link.Info
	lastStats  netdev.Stats
	closeError error
}

var _ netdev.Device = (*Device)(nil)

// rxQueue holds the preallocated recvmmsg state: per message a
// virtio-net header, a posted MTU-size pool buffer, a slice of the spill
// area and an auxdata control buffer.
type rxQueue struct {
	msgs   [packet.BatchSize]unix.Mmsghdr
	iov    [packet.BatchSize][3]unix.Iovec
	vnet   [packet.BatchSize][vnetHdrLen]byte
	cmsg   [packet.BatchSize][auxCmsgCap]byte
	posted [packet.BatchSize]*packet.Packet
	// postedCap is the data capacity posted for each slot: SmallCapacity,
	// or BigCapacity while GSO packets arrive (bigUntil), so that they land
	// in their final buffer instead of being copied out of the spill area.
	postedCap [packet.BatchSize]int
	calls     uint64
	bigUntil  uint64
	pool      *packet.Pool // of the posted buffers
	spill     []byte       // mmap'd, BatchSize*spillSize
}

// txQueue holds the preallocated sendmmsg state of one tx queue.
type txQueue struct {
	msgs [packet.BatchSize]unix.Mmsghdr
	iov  [packet.BatchSize][2]unix.Iovec
	vnet [packet.BatchSize][vnetHdrLen]byte
}

// Open opens an AF_PACKET socket on the interface called name, in the
// network namespace of the calling OS thread. The device keeps acting on
// that namespace whatever goroutine uses it later.
func Open(name string, opts Options) (*Device, error) {
	if opts.TxQueues == 0 {
		opts.TxQueues = 1
	}
	if opts.TxQueues < 0 || opts.TxQueues > MaxTxQueues {
		return nil, fmt.Errorf("afpacket %s: %d tx queues: %w", name, opts.TxQueues, netdev.ErrBadQueue)
	}
	if opts.SocketBuffer == 0 {
		opts.SocketBuffer = DefaultSocketBuffer
	}
	if opts.SocketBuffer < 0 {
		return nil, fmt.Errorf("afpacket %s: socket buffer %d bytes: out of range", name, opts.SocketBuffer)
	}
	h, err := link.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("afpacket %s: %w", name, err)
	}
	in, err := h.ByName(name)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("afpacket: %w", err)
	}
	d := &Device{name: name, ifindex: in.Index, handle: h, last: in, fd: -1,
		caps: netdev.CapTxCsum | netdev.CapTSO4 | netdev.CapTSO6 | netdev.CapRxCsum | netdev.CapTxUDPGSO}
	if err := d.openSocket(opts); err != nil {
		d.release()
		return nil, fmt.Errorf("afpacket %s: %w", name, err)
	}
	d.caps = netdev.CapRxCsum | txCaps(name)
	spill, err := unix.Mmap(-1, 0, packet.BatchSize*spillSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		d.release()
		return nil, fmt.Errorf("afpacket %s: map rx overflow area: %w", name, err)
	}
	d.rx = &rxQueue{spill: spill}
	d.rx.init()
	for range opts.TxQueues {
		q := &txQueue{}
		q.init()
		d.txs = append(d.txs, q)
	}
	return d, nil
}

// openSocket creates, configures and binds the socket.
func (d *Device) openSocket(opts Options) error {
	// Protocol 0 until bound: no frame of another interface is queued in
	// between.
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	d.fd = fd
	intOpts := []struct {
		level, opt, val int
		name            string
	}{
		{unix.SOL_PACKET, unix.PACKET_VNET_HDR, 1, "PACKET_VNET_HDR"},
		{unix.SOL_PACKET, unix.PACKET_AUXDATA, 1, "PACKET_AUXDATA"},
		{unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING"},
	}
	if opts.QdiscBypass {
		intOpts = append(intOpts, struct {
			level, opt, val int
			name            string
		}{unix.SOL_PACKET, unix.PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS"})
	}
	for _, o := range intOpts {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.val); err != nil {
			return fmt.Errorf("set %s: %w", o.name, err)
		}
	}
	for _, b := range []struct{ force, plain int }{{unix.SO_RCVBUFFORCE, unix.SO_RCVBUF}, {unix.SO_SNDBUFFORCE, unix.SO_SNDBUF}} {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, b.force, opts.SocketBuffer); err != nil {
			// Not root: the size capped by net.core.[rw]mem_max.
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, b.plain, opts.SocketBuffer); err != nil {
				return fmt.Errorf("set socket buffer %d: %w", opts.SocketBuffer, err)
			}
		}
	}
	sa := &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: d.ifindex}
	if err := unix.Bind(fd, sa); err != nil {
		return fmt.Errorf("bind to ifindex %d: %w", d.ifindex, err)
	}
	return nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func (q *rxQueue) init() {
	for i := range q.msgs {
		q.iov[i][0] = unix.Iovec{Base: &q.vnet[i][0], Len: vnetHdrLen}
		q.iov[i][2] = unix.Iovec{Base: &q.spill[i*spillSize], Len: spillSize}
		h := &q.msgs[i].Hdr
		h.Iov = &q.iov[i][0]
		h.Iovlen = 3
		h.Control = &q.cmsg[i][0]
	}
}

func (q *txQueue) init() {
	for i := range q.msgs {
		q.iov[i][0] = unix.Iovec{Base: &q.vnet[i][0], Len: vnetHdrLen}
		h := &q.msgs[i].Hdr
		h.Iov = &q.iov[i][0]
		h.Iovlen = 2
	}
}

// release frees what Open acquired, for a failed Open or Close.
func (d *Device) release() error {
	var err error
	if d.fd >= 0 {
		if e := unix.Close(d.fd); e != nil {
			err = fmt.Errorf("afpacket %s: close socket: %w", d.name, e)
		}
		d.fd = -1
	}
	if d.rx != nil {
		for i, p := range d.rx.posted {
			if p != nil {
				d.rx.pool.Free(p)
				d.rx.posted[i] = nil
			}
		}
		if d.rx.spill != nil {
			if e := unix.Munmap(d.rx.spill); e != nil && err == nil {
				err = fmt.Errorf("afpacket %s: unmap rx overflow area: %w", d.name, e)
			}
			d.rx.spill = nil
		}
	}
	d.handle.Close()
	return err
}

// Name returns the interface name.
func (d *Device) Name() string { return d.name }

// Type returns "system", OVS's type of a kernel interface port.
func (d *Device) Type() string { return "system" }

// Ifindex returns the kernel interface index the device is bound to.
func (d *Device) Ifindex() int { return d.ifindex }

// NumRxQueues returns 1: one socket, read by one forwarding loop.
func (d *Device) NumRxQueues() int { return 1 }

// NumTxQueues returns Options.TxQueues.
func (d *Device) NumTxQueues() int { return len(d.txs) }

// RxNotifyFD returns the socket for queue 0, -1 for any other queue.
func (d *Device) RxNotifyFD(q int) int {
	if q != 0 || d.closed.Load() {
		return -1
	}
	return d.fd
}

// Capabilities reports partial checksums and TCP (IPv4, IPv6) and UDP GSO
// on transmit, and checksum state on receive: the virtio-net header
// carries all of them both ways.
func (d *Device) Capabilities() netdev.Caps { return d.caps }

// errGone is the error of Rx and Tx on a vanished interface.
func (d *Device) errGone(op string) error {
	return fmt.Errorf("afpacket %s: %s: %w: %w", d.name, op, ErrGone, netdev.ErrClosed)
}

// bigPostCalls is how many Rx calls after a GSO packet keep posting big
// buffers.
const bigPostCalls = 1024

// Rx receives up to a batch of frames with one recvmmsg call. Frames come
// with their offload state from the virtio-net header and with their VLAN
// tag re-inserted. Hot path: no allocation.
func (d *Device) Rx(qi int, b *packet.Batch, c *packet.Cache) (int, error) {
	if qi != 0 {
		return 0, fmt.Errorf("afpacket %s: rx queue %d: %w", d.name, qi, netdev.ErrBadQueue)
	}
	if d.closed.Load() {
		return 0, fmt.Errorf("afpacket %s: rx: %w", d.name, netdev.ErrClosed)
	}
	if d.gone.Load() {
		return 0, d.errGone("rx")
	}
	q := d.rx
	want := packet.BatchSize - b.N
	if want <= 0 {
		return 0, nil
	}
	// Post a buffer in every slot up to want: big ones while GSO packets
	// arrive (they are received whole, without the spill copy), small
	// ones otherwise or when big ones run out.
	pool := c.Pool()
	q.calls++
	wantCap := packet.SmallCapacity
	if q.calls < q.bigUntil {
		wantCap = packet.BigCapacity
	}
	for i := range want {
		p := q.posted[i]
		if p != nil && (q.pool != pool || q.postedCap[i] != wantCap) {
			q.pool.Free(p)
			p = nil
		}
		if p == nil {
			p = c.Alloc(wantCap)
			capacity := wantCap
			if p == nil && wantCap != packet.SmallCapacity {
				p, capacity = c.Alloc(packet.SmallCapacity), packet.SmallCapacity
			}
			if p == nil {
				want = i
				break
			}
			q.posted[i] = p
			q.postedCap[i] = capacity
			data := p.Data()
			q.iov[i][1] = unix.Iovec{Base: &data[0], Len: uint64(len(data))}
		}
		h := &q.msgs[i].Hdr
		h.Controllen = uint64(cmsgLen)
		h.Flags = 0
	}
	q.pool = pool
	if want == 0 {
		d.rxDropped.Add(1)
		return 0, fmt.Errorf("afpacket %s: rx: %w", d.name, packet.ErrNoBuffers)
	}
	r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(d.fd), uintptr(unsafe.Pointer(&q.msgs[0])),
		uintptr(want), unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, d.rxError(errno)
	}
	got := 0
	for i := range int(r) {
		if p := d.rxOne(q, i, c); p != nil {
			b.Pkts[b.N] = p
			b.N++
			got++
		}
	}
	// Keep the posted buffers dense at the front: move the tail down.
	j := 0
	for i := range q.posted {
		if q.posted[i] != nil {
			if i != j {
				q.posted[j] = q.posted[i]
				q.posted[i] = nil
				q.postedCap[j] = q.postedCap[i]
				q.iov[j][1] = q.iov[i][1]
			}
			j++
		}
	}
	return got, nil
}

// rxError handles a failed recvmmsg.
func (d *Device) rxError(errno unix.Errno) error {
	switch errno {
	case unix.EAGAIN, unix.EINTR:
		return nil
	case unix.ENETDOWN:
		// Reported once when the interface goes down or disappears;
		// only the latter is final.
		if d.vanished() {
			return d.errGone("rx")
		}
		return nil
	case unix.EINVAL:
		// The kernel could not describe a frame's offloads in a
		// virtio-net header and dropped it.
		d.rxErrors.Add(1)
		return nil
	default:
		return fmt.Errorf("afpacket %s: recvmmsg: %w", d.name, errno)
	}
}

// vanished reports whether the device's interface no longer exists, and
// marks the device gone if so.
func (d *Device) vanished() bool {
	if _, err := d.handle.ByIndex(d.ifindex); errors.Is(err, link.ErrNotFound) {
		d.markGone()
		return true
	}
	return false
}

// maxDrain bounds how many frames markGone discards: more than a socket
// buffer of minimum-size frames holds.
const maxDrain = 1 << 16

// markGone marks the device dead and discards the frames still queued on
// its socket, so that the socket is never readable again and does not
// wake the owner's epoll loop.
func (d *Device) markGone() {
	d.gone.Store(true)
	var b [1]byte
	for range maxDrain {
		if _, _, err := unix.Recvfrom(d.fd, b[:], unix.MSG_DONTWAIT|unix.MSG_TRUNC); err == unix.EAGAIN {
			return
		}
	}
}

// rxOne turns received message i into a packet, or returns nil after
// counting a drop. Hot path.
func (d *Device) rxOne(q *rxQueue, i int, c *packet.Cache) *packet.Packet {
	m := &q.msgs[i]
	n := int(m.Len) - vnetHdrLen
	if n < header.EthernetMinimumSize || m.Hdr.Flags&unix.MSG_TRUNC != 0 {
		d.rxErrors.Add(1)
		return nil
	}
	posted, pc := q.posted[i], q.postedCap[i]
	if n > packet.SmallCapacity {
		// GSO packets are arriving: post big buffers for a while.
		q.bigUntil = q.calls + bigPostCalls
	}
	var p *packet.Packet
	if n <= pc {
		p = posted
		p.Truncate(n)
		q.posted[i] = nil
	} else {
		p = c.Alloc(n)
		if p == nil {
			d.rxDropped.Add(1)
			return nil
		}
		data := p.Data()
		copy(data, posted.Data()[:pc])
		copy(data[pc:], q.spill[i*spillSize:i*spillSize+n-pc])
	}
	if err := p.Meta.SetFromVirtioNetHdr(header.VirtioNetHdr(q.vnet[i][:])); err != nil ||
		p.Meta.CsumPartial && int(p.Meta.CsumStart)+int(p.Meta.CsumOffset)+2 > n {
		d.rxErrors.Add(1)
		c.Free(p)
		return nil
	}
	if tci, tpid, ok := vlanOf(q.cmsg[i][:m.Hdr.Controllen]); ok {
		if !insertVLAN(p, tci, tpid) {
			d.rxErrors.Add(1)
			c.Free(p)
			return nil
		}
	}
	return p
}

// vlanOf returns the VLAN tag the kernel stripped from a frame, from its
// PACKET_AUXDATA control message.
func vlanOf(ctl []byte) (tci, tpid uint16, ok bool) {
	for len(ctl) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&ctl[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(ctl) {
			return 0, 0, false
		}
		if h.Level == unix.SOL_PACKET && h.Type == unix.PACKET_AUXDATA && l >= unix.CmsgLen(sizeofAuxdata) {
			aux := (*unix.TpacketAuxdata)(unsafe.Pointer(&ctl[unix.CmsgLen(0)]))
			if aux.Status&unix.TP_STATUS_VLAN_VALID == 0 {
				return 0, 0, false
			}
			tpid = packet.EthTypeVLAN
			if aux.Status&unix.TP_STATUS_VLAN_TPID_VALID != 0 {
				tpid = aux.Vlan_tpid
			}
			return aux.Vlan_tci, tpid, true
		}
		ctl = ctl[min(unix.CmsgSpace(l-unix.SizeofCmsghdr), len(ctl)):]
	}
	return 0, 0, false
}

// insertVLAN puts an 802.1Q tag after the Ethernet addresses of p, in its
// headroom. Hot path.
func insertVLAN(p *packet.Packet, tci, tpid uint16) bool {
	if _, err := p.Push(4); err != nil {
		return false
	}
	d := p.Data()
	copy(d[:12], d[4:16])
	binary.BigEndian.PutUint16(d[12:], tpid)
	binary.BigEndian.PutUint16(d[14:], tci)
	if p.Meta.CsumPartial {
		p.Meta.CsumStart += 4
	}
	return true
}

// Tx sends the batch with one sendmmsg call (more only when the kernel
// rejects a frame), each frame behind a virtio-net header that carries its
// partial checksum and GSO state, and frees every packet to c. When the
// socket is full or the interface is down the rest of the batch is dropped
// and counted. Hot path: no allocation.
func (d *Device) Tx(qi int, b *packet.Batch, c *packet.Cache) error {
	defer c.FreeBatch(b)
	if qi < 0 || qi >= len(d.txs) {
		d.txDropped.Add(uint64(b.N))
		return fmt.Errorf("afpacket %s: tx queue %d: %w", d.name, qi, netdev.ErrBadQueue)
	}
	if d.closed.Load() {
		d.txDropped.Add(uint64(b.N))
		return fmt.Errorf("afpacket %s: tx: %w", d.name, netdev.ErrClosed)
	}
	if d.gone.Load() {
		d.txDropped.Add(uint64(b.N))
		return d.errGone("tx")
	}
	q := d.txs[qi]
	n := 0
	for _, p := range b.Slice() {
		hdrLen, ok := gsoHdrLen(p)
		if !ok {
			d.txErrors.Add(1)
			continue
		}
		p.Meta.PutVirtioNetHdr(header.VirtioNetHdr(q.vnet[n][:]), hdrLen)
		data := p.Data()
		if len(data) == 0 {
			d.txErrors.Add(1)
			continue
		}
		q.iov[n][1] = unix.Iovec{Base: &data[0], Len: uint64(len(data))}
		n++
	}
	for sent := 0; sent < n; {
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(d.fd), uintptr(unsafe.Pointer(&q.msgs[sent])),
			uintptr(n-sent), unix.MSG_DONTWAIT, 0, 0)
		if errno == 0 {
			sent += int(r)
			continue
		}
		switch errno {
		case unix.EINTR:
			continue
		case unix.EINVAL, unix.EMSGSIZE, unix.EFAULT:
			// The kernel refused this frame (bad offload header, larger
			// than the MTU): drop it alone.
			d.txErrors.Add(1)
			sent++
			continue
		case unix.ENXIO, unix.ENODEV:
			d.txDropped.Add(uint64(n - sent))
			d.markGone()
			return d.errGone("tx")
		case unix.ENETDOWN:
			d.txDropped.Add(uint64(n - sent))
			if d.vanished() {
				return d.errGone("tx")
			}
			return nil
		case unix.EAGAIN, unix.ENOBUFS:
			d.txDropped.Add(uint64(n - sent))
			return nil
		default:
			d.txDropped.Add(uint64(n - sent))
			return fmt.Errorf("afpacket %s: sendmmsg: %w", d.name, errno)
		}
	}
	return nil
}

// gsoHdrLen returns the length of the headers a GSO packet repeats in each
// segment (0 for other packets), from its checksum start or, failing
// that, its parsed L4 offset. ok is false for a GSO packet whose headers
// cannot be located. Hot path.
func gsoHdrLen(p *packet.Packet) (hdrLen uint16, ok bool) {
	m := &p.Meta
	if m.GSOType == packet.GSONone {
		return 0, true
	}
	l4 := int(m.L4Ofs)
	if m.CsumPartial {
		l4 = int(m.CsumStart)
	}
	d := p.Data()
	if m.L4Ofs == packet.OffsetNone && !m.CsumPartial {
		return 0, false
	}
	if m.GSOType == packet.GSOUDPL4 {
		if l4+header.UDPSize > len(d) {
			return 0, false
		}
		return uint16(l4 + header.UDPSize), true
	}
	if l4+header.TCPMinimumSize > len(d) {
		return 0, false
	}
	end := l4 + int(d[l4+12]>>4)*4
	if end > len(d) {
		return 0, false
	}
	return uint16(end), true
}

// MAC returns the interface's Ethernet address (the last one read if the
// interface cannot be read now or the device is closed).
func (d *Device) MAC() [6]byte { return d.info().MAC }

// MTU returns the interface's MTU.
func (d *Device) MTU() int { return d.info().MTU }

// Flags returns the interface's flags.
func (d *Device) Flags() netdev.Flags { return d.info().Flags }

// info reads the interface, or returns the last state read.
func (d *Device) info() link.Info {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.closed.Load() {
		if in, err := d.handle.ByIndex(d.ifindex); err == nil {
			d.last = in
		}
	}
	return d.last
}

// control runs a change of the interface unless the device is closed.
func (d *Device) control(fn func() error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Load() {
		return fmt.Errorf("afpacket %s: %w", d.name, netdev.ErrClosed)
	}
	if err := fn(); err != nil {
		return fmt.Errorf("afpacket %s: %w", d.name, err)
	}
	return nil
}

// SetMAC sets the interface's Ethernet address.
func (d *Device) SetMAC(mac [6]byte) error {
	return d.control(func() error { return d.handle.SetMAC(d.ifindex, mac) })
}

// SetMTU sets the interface's MTU.
func (d *Device) SetMTU(mtu int) error {
	return d.control(func() error { return d.handle.SetMTU(d.ifindex, mtu) })
}

// SetFlags changes the interface's FlagUp and FlagPromisc.
func (d *Device) SetFlags(on, off netdev.Flags) error {
	return d.control(func() error { return d.handle.SetFlags(d.ifindex, on, off) })
}

// Stats returns the interface's kernel counters (the last ones read if the
// interface cannot be read now or the device is closed), as OVS reports
// system devices, plus the frames the device itself dropped: in RxDropped
// the frames the socket had no room for and those without a pool buffer,
// in RxErrors the frames with an unusable offload header, in TxDropped the
// frames the socket could not take, in TxErrors those the kernel refused.
func (d *Device) Stats() netdev.Stats {
	d.mu.Lock()
	if !d.closed.Load() {
		if ks, err := d.handle.Stats(d.ifindex); err == nil {
			d.lastStats = ks
		}
		if st, err := unix.GetsockoptTpacketStats(d.fd, unix.SOL_PACKET, unix.PACKET_STATISTICS); err == nil {
			// The kernel resets the counters on every read.
			d.sockDrops.Add(uint64(st.Drops))
		}
	}
	ks := d.lastStats
	d.mu.Unlock()
	ks.RxDropped += d.rxDropped.Load() + d.sockDrops.Load()
	ks.RxErrors += d.rxErrors.Load()
	ks.TxDropped += d.txDropped.Load()
	ks.TxErrors += d.txErrors.Load()
	return ks
}

// Close closes the socket and frees the buffers posted for receive. It is
// idempotent; no forwarding loop may be inside Rx or Tx.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Swap(true) {
		return d.closeError
	}
	d.closeError = d.release()
	return d.closeError
}
