package afpacket

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/packet"
)

// The system tests open sockets inside private network namespaces: inNetns
// runs a function on a goroutine locked to an OS thread that entered the
// namespace, and lets that goroutine exit still locked so that the runtime
// discards the thread. Sockets (and link.Handles) keep their namespace, so
// the devices are then used from the test goroutine.

const cmdTimeout = 10 * time.Second

func inNetns(t testing.TB, ns string, fn func() error) {
	t.Helper()
	if err := testnet.InNetns(ns, 30*time.Second, fn); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, ns string, cmd ...string) string {
	t.Helper()
	out, err := testnet.ExecIn(ns, cmdTimeout, cmd...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// quietNetns turns IPv6 off in ns so that no router or neighbour
// solicitation shows up among the test's frames.
func quietNetns(t testing.TB, ns string) {
	t.Helper()
	run(t, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
	run(t, ns, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1")
}

// openIn opens a Device on name inside ns and closes it at the end of
// the test.
func openIn(t testing.TB, ns, name string, opts Options) *Device {
	t.Helper()
	var d *Device
	inNetns(t, ns, func() error {
		var err error
		d, err = Open(name, opts)
		return err
	})
	t.Cleanup(func() { d.Close() })
	return d
}

func newPool(t testing.TB) (*packet.Pool, *packet.Cache) {
	t.Helper()
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 1024, BigBuffers: 64})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pl.Close() })
	return pl, pl.NewCache()
}

// rawSocket is a plain AF_PACKET socket, without the vnet header, used as
// the independent far end of a veth.
type rawSocket struct{ fd int }

func openRaw(t testing.TB, ns, name string) *rawSocket {
	t.Helper()
	var fd int
	inNetns(t, ns, func() error {
		in, err := link.ByName(name)
		if err != nil {
			return err
		}
		fd, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		tv := unix.Timeval{Usec: 100000}
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: in.Index})
	})
	t.Cleanup(func() { unix.Close(fd) })
	return &rawSocket{fd: fd}
}

func (r *rawSocket) send(t testing.TB, frame []byte) {
	t.Helper()
	if _, err := unix.Write(r.fd, frame); err != nil {
		t.Fatalf("raw send: %v", err)
	}
}

// recv returns the next frame with EtherType 0x88b5 at offset 12, or nil
// after the deadline.
func (r *rawSocket) recv(deadline time.Time, match func([]byte) bool) []byte {
	buf := make([]byte, 1<<16)
	for time.Now().Before(deadline) {
		n, err := unix.Read(r.fd, buf)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				continue
			}
			return nil
		}
		if match(buf[:n]) {
			return append([]byte(nil), buf[:n]...)
		}
	}
	return nil
}

// rxWait receives into b from d until want packets arrived or the
// deadline, waiting in epoll on the device's notify fd.
func rxWait(t testing.TB, d *Device, b *packet.Batch, c *packet.Cache, want int, timeout time.Duration) {
	t.Helper()
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, d.RxNotifyFD(0), &unix.EpollEvent{Events: unix.EPOLLIN}); err != nil {
		t.Fatal(err)
	}
	ev := make([]unix.EpollEvent, 1)
	end := time.Now().Add(timeout)
	for b.N < want && time.Now().Before(end) {
		if _, err := d.Rx(0, b, c); err != nil {
			t.Fatalf("rx: %v", err)
		}
		if b.N < want {
			unix.EpollWait(ep, ev, 20)
		}
	}
}

// testFrame is an Ethernet frame with EtherType 0x88b5 (local
// experimental), payload byte i = seq+i.
func testFrame(dst, src [6]byte, seq byte, size int) []byte {
	f := make([]byte, size)
	copy(f, dst[:])
	copy(f[6:], src[:])
	f[12], f[13] = 0x88, 0xb5
	for i := 14; i < size; i++ {
		f[i] = seq + byte(i)
	}
	return f
}

func isTest(f []byte) bool { return len(f) >= 14 && f[12] == 0x88 && f[13] == 0xb5 }

func testnetNetns(tb testing.TB) string { return testnet.NewNetns(tb, "gva") }

func testnetVeth(tb testing.TB, ns string) (string, string) { return testnet.Veth(tb, ns, ns) }
