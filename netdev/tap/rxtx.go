package tap

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"

	"govs.dev/govs/netdev"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

// minFrame is the shortest frame Rx accepts: an Ethernet header.
const minFrame = header.EthernetMinimumSize

// Rx implements netdev.Device: it reads frames the host stack sent through
// the TAP device, one read per frame, until the batch is full or the kernel
// has none left. Each frame lands in a small pool buffer; one larger than
// that (a GSO packet, up to 64 KiB) spills into the device's overflow area
// and is copied into a big buffer. The virtio-net header sets the packet's
// offload state; a frame with an invalid header, a runt or a truncated
// frame is dropped and counted as an rx error, a frame without a buffer
// for it as an rx drop (it is read anyway, so that a level-triggered poll
// of RxNotifyFD does not spin).
//
// Hot path: no allocation.
func (d *Device) Rx(q int, b *packet.Batch, c *packet.Cache) (int, error) {
	if q != 0 {
		return 0, fmt.Errorf("tap %s: rx queue %d of 1: %w", d.name, q, netdev.ErrBadQueue)
	}
	if d.closed.Load() {
		return 0, fmt.Errorf("tap %s: rx: %w", d.name, netdev.ErrClosed)
	}
	got := 0
	for b.N < len(b.Pkts) {
		p := c.Alloc(packet.SmallCapacity)
		n, errno := d.readv(p)
		if errno != 0 {
			if p != nil {
				c.Free(p)
			}
			if errno == unix.EAGAIN {
				return got, nil
			}
			if errno == unix.EBADFD {
				// The kernel interface was deleted: the file is
				// detached from it for good.
				return got, fmt.Errorf("tap %s: rx: interface deleted: %w: %w", d.name, errno, netdev.ErrClosed)
			}
			return got, fmt.Errorf("tap %s: rx: read: %w", d.name, errno)
		}
		if p == nil {
			d.rxDropped.Add(1)
			continue
		}
		p, ok := d.finishRx(p, n, c)
		if !ok {
			continue
		}
		b.Pkts[b.N] = p
		b.N++
		got++
	}
	return got, nil
}

// readv reads one frame: the virtio-net header into d.rxHdr, the frame
// into p (nil: into the overflow area only, to discard it) and its spill
// into the overflow area. It returns the byte count including the header,
// retrying on EINTR.
func (d *Device) readv(p *packet.Packet) (int, unix.Errno) {
	iov := &d.rxIov
	iov[0].Base = &d.rxHdr[0]
	iov[0].SetLen(vnetHdrSize)
	cnt := 2
	if p != nil {
		data := p.Data()
		iov[1].Base = &data[0]
		iov[1].SetLen(len(data))
		cnt = 3
	}
	iov[cnt-1].Base = &d.overflow[0]
	iov[cnt-1].SetLen(len(d.overflow))
	for {
		r, _, errno := unix.Syscall(unix.SYS_READV, uintptr(d.fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(cnt))
		if errno == unix.EINTR {
			continue
		}
		return int(r), errno
	}
}

// finishRx turns the n bytes read into p (and the overflow area) into a
// packet: it copies a spilled frame into a big buffer and applies the
// virtio-net header. It frees p and returns false if the frame is dropped.
func (d *Device) finishRx(p *packet.Packet, n int, c *packet.Cache) (*packet.Packet, bool) {
	frame := n - vnetHdrSize
	if frame < minFrame || n >= vnetHdrSize+packet.SmallCapacity+len(d.overflow) {
		// A runt, or a frame that filled every byte offered and may have
		// been cut.
		c.Free(p)
		d.rxErrors.Add(1)
		return nil, false
	}
	if frame > packet.SmallCapacity {
		big := c.Alloc(frame)
		if big == nil {
			c.Free(p)
			d.rxDropped.Add(1)
			return nil, false
		}
		bd := big.Data()
		copy(bd, p.Data())
		copy(bd[packet.SmallCapacity:], d.overflow[:frame-packet.SmallCapacity])
		c.Free(p)
		p = big
	} else {
		p.Truncate(frame)
	}
	m := &p.Meta
	if !validVnetHdr(header.VirtioNetHdr(d.rxHdr[:]), frame) || m.SetFromVirtioNetHdr(header.VirtioNetHdr(d.rxHdr[:])) != nil {
		c.Free(p)
		d.rxErrors.Add(1)
		return nil, false
	}
	return p, true
}

// validVnetHdr checks what Meta.SetFromVirtioNetHdr cannot: that a partial
// checksum lies inside the frame. The GSO type is checked there, without
// allocating for the types it knows.
func validVnetHdr(h header.VirtioNetHdr, frame int) bool {
	if h.Flags()&header.VirtioNetHdrFNeedsCsum != 0 {
		if int(h.CsumStart())+int(h.CsumOffset())+2 > frame {
			return false
		}
	}
	switch h.GSOType() &^ header.VirtioNetHdrGSOECN {
	case header.VirtioNetHdrGSONone:
		return true
	case header.VirtioNetHdrGSOTCPv4, header.VirtioNetHdrGSOTCPv6, header.VirtioNetHdrGSOUDPL4:
		return h.GSOSize() != 0
	}
	return false
}

// Tx implements netdev.Device: it writes each packet with its virtio-net
// header (one writev per packet) so that partial checksums and GSO packets
// reach the host stack as such, and frees the batch. A frame the kernel
// cannot take now (EAGAIN) is dropped and counted as a tx drop; one sent
// while the interface is down (EIO) is dropped and counted by the kernel,
// which Stats reports as a tx drop; any other refusal is counted as a tx
// error. Only a bad queue or a closed device is reported as an error.
//
// Hot path: no allocation.
func (d *Device) Tx(q int, b *packet.Batch, c *packet.Cache) error {
	defer c.FreeBatch(b)
	if q != 0 {
		d.txDropped.Add(uint64(b.N))
		return fmt.Errorf("tap %s: tx queue %d of 1: %w", d.name, q, netdev.ErrBadQueue)
	}
	if d.closed.Load() {
		d.txDropped.Add(uint64(b.N))
		return fmt.Errorf("tap %s: tx: %w", d.name, netdev.ErrClosed)
	}
	h := header.VirtioNetHdr(d.txHdr[:])
	iov := &d.txIov
	iov[0].Base = &d.txHdr[0]
	iov[0].SetLen(vnetHdrSize)
	var dropped, errs uint64
	for _, p := range b.Pkts[:b.N] {
		data := p.Data()
		if len(data) == 0 {
			errs++
			continue
		}
		p.Meta.PutVirtioNetHdr(h, gsoHdrLen(p))
		iov[1].Base = &data[0]
		iov[1].SetLen(len(data))
		var errno unix.Errno
		for {
			_, _, errno = unix.Syscall(unix.SYS_WRITEV, uintptr(d.fd), uintptr(unsafe.Pointer(&iov[0])), 2)
			if errno != unix.EINTR {
				break
			}
		}
		switch errno {
		case 0:
		case unix.EIO:
			// The interface is down; the kernel counts the drop (its
			// rx_dropped, our tx_dropped once swapped).
		case unix.EAGAIN:
			dropped++
		default:
			errs++
		}
	}
	if dropped != 0 {
		d.txDropped.Add(dropped)
	}
	if errs != 0 {
		d.txErrors.Add(errs)
	}
	return nil
}

// gsoHdrLen returns the length of the headers a GSO packet repeats in every
// segment (the virtio-net header's hdr_len), 0 for other packets. The
// kernel uses it only as a hint for how much to copy into the linear part.
// The L4 header starts at the partial checksum's start when there is one
// (it stays right through header rewrites), else at Meta.L4Ofs.
func gsoHdrLen(p *packet.Packet) uint16 {
	m := &p.Meta
	if m.GSOType == packet.GSONone {
		return 0
	}
	l4 := int(m.L4Ofs)
	if m.CsumPartial {
		l4 = int(m.CsumStart)
	} else if m.L4Ofs == packet.OffsetNone {
		return 0
	}
	d := p.Data()
	switch m.GSOType {
	case packet.GSOUDPL4, packet.GSOUDP:
		if l4+header.UDPSize > len(d) {
			return 0
		}
		return uint16(l4 + header.UDPSize)
	default:
		if l4+header.TCPMinimumSize > len(d) {
			return 0
		}
		n := l4 + header.TCP(d[l4:]).DataOffset()
		if n > len(d) {
			return 0
		}
		return uint16(n)
	}
}
