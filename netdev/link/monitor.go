package link

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Event is a change of one interface: created or changed (Deleted false,
// Info is the new state) or deleted (Deleted true, Info is the last state
// known, at least Index and Name).
type Event struct {
	Info    Info
	Deleted bool
}

// EventQueueLen is the capacity of the Events channel. Beyond it the
// Monitor coalesces: see Monitor.
const EventQueueLen = 64

// monitorRcvBuf is the kernel receive buffer of the monitor's socket: room
// for thousands of link messages, so that creating a few hundred
// interfaces at once (an OVN chassis coming up) does not overflow it.
const monitorRcvBuf = 4 << 20

// Monitor delivers the link events (RTM_NEWLINK, RTM_DELLINK) of the
// network namespace of the OS thread that called NewMonitor.
//
// A goroutine reads the kernel socket and never waits for the consumer:
// events that do not fit in the Events channel are coalesced per interface
// (only the newest state of each interface is kept, in order of first
// change), so a slow consumer loses intermediate states but always learns
// the latest one, and memory is bounded by the number of interfaces. If
// the kernel itself overflows the socket (ENOBUFS), the monitor re-reads
// every link and queues an event for each link whose state differs from
// the last one it reported, and a Deleted event for each link that
// vanished.
//
// Events and Close are safe from any goroutine. The channel is closed by
// Close, after which no more events arrive.
type Monitor struct {
	file   *os.File
	handle *Handle
	events chan Event
	done   chan struct{}
	wake   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	mu      sync.Mutex
	known   map[int]Info  // last state queued, per ifindex
	pending map[int]Event // coalesced events waiting for the channel
	order   []int         // ifindexes of pending, oldest first
	err     error         // the reader's terminal error
}

// NewMonitor subscribes to the link events of the calling thread's
// network namespace.
func NewMonitor() (*Monitor, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("link monitor: socket: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: unix.RTMGRP_LINK}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("link monitor: bind RTMGRP_LINK: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, monitorRcvBuf); err != nil {
		// Without CAP_NET_ADMIN: the sysctl-capped size; overflows resync.
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, monitorRcvBuf)
	}
	h, err := NewHandle()
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("link monitor: %w", err)
	}
	m := &Monitor{
		// A non-blocking fd goes to Go's netpoller, so Close wakes the
		// reader.
		file:    os.NewFile(uintptr(fd), "rtnetlink-link-monitor"),
		handle:  h,
		events:  make(chan Event, EventQueueLen),
		done:    make(chan struct{}),
		wake:    make(chan struct{}, 1),
		known:   make(map[int]Info),
		pending: make(map[int]Event),
	}
	// Subscribed first, listed second: a change between the two is seen
	// as an event either way.
	links, err := h.nl.LinkList()
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		m.file.Close()
		h.Close()
		return nil, fmt.Errorf("link monitor: list links: %w", err)
	}
	for _, l := range links {
		in := infoOf(l)
		m.known[in.Index] = in
	}
	m.wg.Add(2)
	go m.read()
	go m.deliver()
	return m, nil
}

// Events returns the channel of link events, closed by Close.
func (m *Monitor) Events() <-chan Event { return m.events }

// Err returns the error that stopped the monitor's reader before Close, or
// nil. A monitor whose reader stopped delivers no more events; the caller
// should Close it and open a new one.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Close stops the monitor, waits for its goroutines and closes the Events
// channel. It is idempotent.
func (m *Monitor) Close() error {
	m.once.Do(func() {
		close(m.done)
		m.file.Close()
		m.wg.Wait()
		m.handle.Close()
		close(m.events)
	})
	return nil
}

// read is the reader goroutine: kernel socket to the pending queue.
func (m *Monitor) read() {
	defer m.wg.Done()
	rc, err := m.file.SyscallConn()
	if err != nil {
		m.fail(fmt.Errorf("link monitor: %w", err))
		return
	}
	buf := make([]byte, 1<<16)
	for {
		var n int
		var from unix.Sockaddr
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, 0)
			return rerr != unix.EAGAIN
		})
		select {
		case <-m.done:
			return
		default:
		}
		if err == nil {
			err = rerr
		}
		if errors.Is(err, unix.ENOBUFS) {
			m.resync()
			continue
		}
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			m.fail(fmt.Errorf("link monitor: receive: %w", err))
			return
		}
		if sa, ok := from.(*unix.SockaddrNetlink); !ok || sa.Pid != 0 {
			continue // only the kernel speaks on RTNLGRP_LINK
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			continue
		}
		for _, msg := range msgs {
			if msg.Header.Type != unix.RTM_NEWLINK && msg.Header.Type != unix.RTM_DELLINK {
				continue
			}
			hdr := unix.NlMsghdr(msg.Header)
			l, err := netlink.LinkDeserialize(&hdr, msg.Data)
			if err != nil {
				continue
			}
			m.queue(Event{Info: infoOf(l), Deleted: msg.Header.Type == unix.RTM_DELLINK})
		}
	}
}

// fail records the reader's terminal error.
func (m *Monitor) fail(err error) {
	m.mu.Lock()
	m.err = err
	m.mu.Unlock()
}

// resync re-reads every link after the kernel dropped messages.
func (m *Monitor) resync() {
	links, err := m.handle.nl.LinkList()
	if err != nil && !errors.Is(err, netlink.ErrDumpInterrupted) {
		return // the next event or overflow tries again
	}
	present := make(map[int]bool, len(links))
	for _, l := range links {
		in := infoOf(l)
		present[in.Index] = true
		m.mu.Lock()
		old, ok := m.known[in.Index]
		m.mu.Unlock()
		if !ok || old != in {
			m.queue(Event{Info: in})
		}
	}
	m.mu.Lock()
	var gone []Info
	for idx, in := range m.known {
		if !present[idx] {
			gone = append(gone, in)
		}
	}
	m.mu.Unlock()
	for _, in := range gone {
		m.queue(Event{Info: in, Deleted: true})
	}
}

// queue coalesces ev into the pending events and wakes the deliverer.
func (m *Monitor) queue(ev Event) {
	idx := ev.Info.Index
	m.mu.Lock()
	if ev.Deleted {
		delete(m.known, idx)
	} else {
		m.known[idx] = ev.Info
	}
	if _, ok := m.pending[idx]; !ok {
		m.order = append(m.order, idx)
	}
	m.pending[idx] = ev
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// deliver is the deliverer goroutine: pending queue to the channel.
func (m *Monitor) deliver() {
	defer m.wg.Done()
	for {
		m.mu.Lock()
		if len(m.order) == 0 {
			m.mu.Unlock()
			select {
			case <-m.wake:
				continue
			case <-m.done:
				return
			}
		}
		idx := m.order[0]
		m.order = m.order[1:]
		ev := m.pending[idx]
		delete(m.pending, idx)
		m.mu.Unlock()
		select {
		case m.events <- ev:
		case <-m.done:
			return
		}
	}
}
