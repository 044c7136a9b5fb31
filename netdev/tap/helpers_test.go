package tap

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/packet"
)

// cmdTimeout bounds every command a test runs.
const cmdTimeout = 10 * time.Second

// inNS runs fn on an OS thread switched into network namespace ns. Sockets
// and devices fn creates belong to ns. If the thread cannot be switched
// back it stays locked, so the runtime discards it with the goroutine.
func inNS(t testing.TB, ns string, fn func()) {
	t.Helper()
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("get own netns: %v", err)
	}
	defer orig.Close()
	h, err := netns.GetFromName(ns)
	if err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("netns %s: %v", ns, err)
	}
	defer h.Close()
	if err := netns.Set(h); err != nil {
		runtime.UnlockOSThread()
		t.Fatalf("enter netns %s: %v", ns, err)
	}
	defer func() {
		if err := netns.Set(orig); err != nil {
			t.Errorf("leave netns %s: %v (thread discarded)", ns, err)
			return
		}
		runtime.UnlockOSThread()
	}()
	fn()
}

// newNS makes a private namespace with IPv6 off, so that the kernel sends
// no router solicitations or MLD reports through the test's taps.
func newNS(t testing.TB) string {
	t.Helper()
	ns := testnet.NewNetns(t, "gtap")
	run(t, ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	return ns
}

// run runs a command in ns and fails the test if it fails.
func run(t testing.TB, ns string, cmd ...string) string {
	t.Helper()
	out, err := testnet.ExecIn(ns, cmdTimeout, cmd...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// openIn opens a tap in ns and deletes it when the test ends.
func openIn(t testing.TB, ns, name string, opts Options) *Device {
	t.Helper()
	var d *Device
	var err error
	inNS(t, ns, func() { d, err = Open(name, opts) })
	if err != nil {
		t.Fatalf("open %s in %s: %v", name, ns, err)
	}
	t.Cleanup(func() {
		inNS(t, ns, func() {
			if err := d.Delete(); err != nil {
				t.Errorf("delete %s: %v", name, err)
			}
		})
	})
	return d
}

// upWithAddr gives the tap an address and brings it up.
func upWithAddr(t testing.TB, ns string, d *Device, cidr string) {
	t.Helper()
	run(t, ns, "ip", "addr", "add", cidr, "dev", d.Name())
	run(t, ns, "ip", "link", "set", d.Name(), "up")
}

// linkExists reports whether ns has an interface called name.
func linkExists(t testing.TB, ns, name string) bool {
	t.Helper()
	out, err := testnet.ExecIn(ns, cmdTimeout, "ip", "-o", "link", "show", "dev", name)
	if err != nil {
		if strings.Contains(out, "does not exist") {
			return false
		}
		t.Fatalf("%v\n%s", err, out)
	}
	return true
}

// newPool makes a packet pool and a cache for the test goroutine.
func newPool(t testing.TB) (*packet.Pool, *packet.Cache) {
	t.Helper()
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 1024, BigBuffers: 128})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pl.Close() })
	return pl, pl.NewCache()
}

// waitReadable polls fd for input for at most ms milliseconds.
func waitReadable(fd int, ms int) {
	fds := [1]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	unix.Poll(fds[:], ms)
}
