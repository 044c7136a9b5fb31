package testnet

import (
	"bytes"
	"context"
	"fmt"
	"github.com/vishvananda/netns"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// nameSeq makes namespace and interface names unique within one test
// binary; the PID makes them unique between concurrent test binaries.
var nameSeq atomic.Uint32

// netnsTimeout bounds each "ip" command the namespace helpers run.
const netnsTimeout = 10 * time.Second

// RequireRoot skips the test unless it runs as root with a working
// "ip netns" (needed for namespaces and veth pairs).
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("testnet: needs root for network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("testnet: needs iproute2's ip")
	}
}

// NewNetns creates a network namespace named prefix + PID + "-" + counter,
// unique per test run, and deletes it when the test ends (even on failure).
// It skips the test when not root. prefix should be short and made of
// letters, digits and '-'.
func NewNetns(t testing.TB, prefix string) string {
	t.Helper()
	RequireRoot(t)
	name := fmt.Sprintf("%s%d-%d", prefix, os.Getpid(), nameSeq.Add(1))
	if out, err := ExecIn("", netnsTimeout, "ip", "netns", "add", name); err != nil {
		t.Fatalf("testnet: create netns %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := ExecIn("", netnsTimeout, "ip", "netns", "del", name); err != nil {
			t.Errorf("testnet: delete netns %s: %v\n%s", name, err, out)
		}
	})
	if out, err := ExecIn(name, netnsTimeout, "ip", "link", "set", "lo", "up"); err != nil {
		t.Fatalf("testnet: netns %s: lo up: %v\n%s", name, err, out)
	}
	return name
}

// Veth creates a veth pair with names unique per test run, moves end A into
// namespace nsA and end B into nsB ("" leaves an end in the test's own
// namespace), sets both ends up, and returns their names (at most 15
// bytes). The pair is deleted when the test ends. It skips the test when
// not root.
func Veth(t testing.TB, nsA, nsB string) (a, b string) {
	t.Helper()
	RequireRoot(t)
	n := nameSeq.Add(1)
	// "gv" + 6 hex digits of PID + 5 of counter + "a": 14 bytes, fixed
	// width so that different (PID, counter) pairs never collide.
	base := fmt.Sprintf("gv%06x%05x", os.Getpid()&0xffffff, n&0xfffff)
	a, b = base+"a", base+"b"
	if out, err := ExecIn("", netnsTimeout, "ip", "link", "add", a, "type", "veth", "peer", "name", b); err != nil {
		t.Fatalf("testnet: create veth %s/%s: %v\n%s", a, b, err, out)
	}
	t.Cleanup(func() {
		// Deleting one end deletes both; the end may already be gone with
		// its namespace, so errors are ignored.
		for _, ns := range []string{"", nsA} {
			if _, err := ExecIn(ns, netnsTimeout, "ip", "link", "del", a); err == nil {
				return
			}
		}
	})
	for _, end := range []struct{ name, ns string }{{a, nsA}, {b, nsB}} {
		if end.ns != "" {
			if out, err := ExecIn("", netnsTimeout, "ip", "link", "set", end.name, "netns", end.ns); err != nil {
				t.Fatalf("testnet: move %s to netns %s: %v\n%s", end.name, end.ns, err, out)
			}
		}
		if out, err := ExecIn(end.ns, netnsTimeout, "ip", "link", "set", end.name, "up"); err != nil {
			t.Fatalf("testnet: set %s up: %v\n%s", end.name, err, out)
		}
	}
	return a, b
}

// ExecIn runs cmd in network namespace ns ("" for the caller's own) with
// "ip netns exec", bounded by timeout, and returns its combined output. The
// error names the command and the namespace. It is safe for concurrent use.
func ExecIn(ns string, timeout time.Duration, cmd ...string) (string, error) {
	if len(cmd) == 0 {
		return "", fmt.Errorf("exec in netns %q: empty command", ns)
	}
	argv := cmd
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, cmd...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	c.WaitDelay = time.Second
	err := c.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return out.String(), fmt.Errorf("netns %q: %s: timed out after %v", ns, CommandLine(cmd[0], cmd[1:]), timeout)
	}
	if err != nil {
		return out.String(), fmt.Errorf("netns %q: %s: %w", ns, CommandLine(cmd[0], cmd[1:]), err)
	}
	return out.String(), nil
}

// InNetns runs fn on a goroutine locked to an OS thread that entered
// network namespace ns, and returns fn's error, or an error if ns cannot
// be entered or fn does not return within timeout. The goroutine exits
// still locked, so the runtime discards the thread instead of reusing it
// in the wrong namespace. Sockets, netlink handles and devices opened by
// fn keep acting on ns whatever goroutine uses them later. Safe for
// concurrent use.
func InNetns(ns string, timeout time.Duration, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		h, err := netns.GetFromName(ns)
		if err != nil {
			errc <- fmt.Errorf("open netns %s: %w", ns, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("enter netns %s: %w", ns, err)
			return
		}
		errc <- fn()
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("in netns %s: timed out after %v", ns, timeout)
	}
}
