package link

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"govs.dev/govs/internal/testnet"
	"govs.dev/govs/netdev"
)

// These tests run the code under test inside a private network namespace:
// inNetns runs a function on a goroutine locked to an OS thread that
// entered the namespace. The goroutine exits still locked, so the runtime
// discards that thread rather than reusing it in the wrong namespace.

const cmdTimeout = 10 * time.Second

// inNetns runs fn in namespace ns and returns its error.
func inNetns(t *testing.T, ns string, fn func() error) error {
	t.Helper()
	return testnet.InNetns(ns, 30*time.Second, fn)
}

func mustIn(t *testing.T, ns string, fn func() error) {
	t.Helper()
	if err := inNetns(t, ns, fn); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, ns string, cmd ...string) string {
	t.Helper()
	out, err := testnet.ExecIn(ns, cmdTimeout, cmd...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

func TestSetGet(t *testing.T) {
	ns := testnet.NewNetns(t, "gvl")
	a, _ := testnet.Veth(t, ns, ns)
	mustIn(t, ns, func() error {
		in, err := ByName(a)
		if err != nil {
			return err
		}
		if in.Name != a || in.Index <= 0 || in.Type != "veth" || in.MTU != 1500 {
			return fmt.Errorf("ByName(%s) = %+v", a, in)
		}
		if in.Flags&netdev.FlagUp == 0 || in.Flags&netdev.FlagRunning == 0 {
			return fmt.Errorf("%s: flags %#x, want up and running", a, in.Flags)
		}
		mac := [6]byte{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}
		steps := []struct {
			name  string
			do    func() error
			check func(Info) bool
		}{
			{"mtu", func() error { return SetMTU(in.Index, 1400) }, func(i Info) bool { return i.MTU == 1400 }},
			{"mac", func() error { return SetMAC(in.Index, mac) }, func(i Info) bool { return i.MAC == mac }},
			{"down", func() error { return SetFlags(in.Index, 0, netdev.FlagUp) },
				func(i Info) bool { return i.Flags&(netdev.FlagUp|netdev.FlagRunning) == 0 }},
			{"promisc", func() error { return SetFlags(in.Index, netdev.FlagPromisc, 0) },
				func(i Info) bool { return i.Flags&netdev.FlagPromisc != 0 }},
			{"up-nopromisc", func() error { return SetFlags(in.Index, netdev.FlagUp, netdev.FlagPromisc) },
				func(i Info) bool { return i.Flags&(netdev.FlagUp|netdev.FlagPromisc) == netdev.FlagUp }},
		}
		for _, s := range steps {
			if err := s.do(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			got, err := ByIndex(in.Index)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			if !s.check(got) {
				return fmt.Errorf("%s: after change: %+v", s.name, got)
			}
		}
		if err := SetFlags(in.Index, netdev.FlagRunning, 0); !errors.Is(err, netdev.ErrUnsupported) {
			return fmt.Errorf("SetFlags(running) = %v, want ErrUnsupported", err)
		}
		if err := SetMTU(in.Index, -1); err == nil {
			return errors.New("SetMTU(-1) succeeded")
		}
		return nil
	})
}

func TestNotFound(t *testing.T) {
	ns := testnet.NewNetns(t, "gvl")
	mustIn(t, ns, func() error {
		cases := []struct {
			name string
			err  error
		}{
			{"ByName", func() error { _, err := ByName("gvnosuch0"); return err }()},
			{"ByIndex", func() error { _, err := ByIndex(999999); return err }()},
			{"ByIndex0", func() error { _, err := ByIndex(0); return err }()},
			{"SetMTU", SetMTU(999999, 1500)},
			{"SetFlags", SetFlags(999999, netdev.FlagUp, 0)},
			{"Stats", func() error { _, err := Stats(999999); return err }()},
			{"Delete", Delete("gvnosuch0")},
		}
		for _, c := range cases {
			if !errors.Is(c.err, ErrNotFound) {
				return fmt.Errorf("%s: error %v does not wrap ErrNotFound", c.name, c.err)
			}
		}
		if _, err := ByName(""); err == nil {
			return errors.New("ByName(\"\") succeeded")
		}
		return nil
	})
}

func TestStatsAfterTraffic(t *testing.T) {
	ns1 := testnet.NewNetns(t, "gvl")
	ns2 := testnet.NewNetns(t, "gvl")
	a, b := testnet.Veth(t, ns1, ns2)
	run(t, ns1, "ip", "addr", "add", "10.77.0.1/24", "dev", a)
	run(t, ns2, "ip", "addr", "add", "10.77.0.2/24", "dev", b)
	var before, after netdev.Stats
	var idx int
	mustIn(t, ns1, func() error {
		in, err := ByName(a)
		if err != nil {
			return err
		}
		idx = in.Index
		before, err = Stats(idx)
		return err
	})
	run(t, ns1, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.2")
	mustIn(t, ns1, func() error {
		var err error
		after, err = Stats(idx)
		return err
	})
	if after.TxPackets < before.TxPackets+3 || after.RxPackets < before.RxPackets+3 ||
		after.TxBytes <= before.TxBytes || after.RxBytes <= before.RxBytes {
		t.Fatalf("stats did not move with 3 pings: before %+v after %+v", before, after)
	}
}

func TestHandleBindsNamespace(t *testing.T) {
	ns := testnet.NewNetns(t, "gvl")
	a, _ := testnet.Veth(t, ns, ns)
	var h *Handle
	mustIn(t, ns, func() error {
		var err error
		h, err = NewHandle()
		return err
	})
	defer h.Close()
	// Used from this goroutine, in the test's own namespace, the handle
	// still sees the private namespace's veth.
	in, err := h.ByName(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SetMTU(in.Index, 1280); err != nil {
		t.Fatal(err)
	}
	out := run(t, ns, "cat", "/sys/class/net/"+a+"/mtu")
	if strings.TrimSpace(out) != "1280" {
		t.Fatalf("mtu in namespace: %q, want 1280", out)
	}
	if _, err := ByName(a); !errors.Is(err, ErrNotFound) {
		t.Fatalf("package-level ByName(%s) from the root namespace: %v, want ErrNotFound", a, err)
	}
	if err := h.Delete(a); err != nil {
		t.Fatal(err)
	}
}

func TestMonitor(t *testing.T) {
	ns := testnet.NewNetns(t, "gvl")
	var m *Monitor
	mustIn(t, ns, func() error {
		var err error
		m, err = NewMonitor()
		return err
	})
	defer m.Close()
	name := "gvm" + strconv.Itoa(os.Getpid()%1000000)
	run(t, ns, "ip", "link", "add", name, "type", "veth", "peer", "name", name+"p")
	var idx int
	waitEvent(t, m, func(ev Event) bool {
		if ev.Info.Name == name && !ev.Deleted && ev.Info.Type == "veth" {
			idx = ev.Info.Index
			return true
		}
		return false
	}, "creation of "+name)
	run(t, ns, "ip", "link", "set", name, "mtu", "1300")
	waitEvent(t, m, func(ev Event) bool {
		return ev.Info.Index == idx && !ev.Deleted && ev.Info.MTU == 1300
	}, "MTU change of "+name)
	run(t, ns, "ip", "link", "del", name)
	waitEvent(t, m, func(ev Event) bool {
		return ev.Deleted && ev.Info.Index == idx && ev.Info.Name == name
	}, "deletion of "+name)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for range m.Events() {
		// drain: the channel must be closed
	}
}

// TestMonitorSlowConsumer creates more links than the channel holds
// without reading, then checks that the newest state of every link
// arrives and that Close does not wait for the consumer.
func TestMonitorSlowConsumer(t *testing.T) {
	ns := testnet.NewNetns(t, "gvl")
	var m *Monitor
	mustIn(t, ns, func() error {
		var err error
		m, err = NewMonitor()
		return err
	})
	defer m.Close()
	const n = EventQueueLen + 16
	var batch strings.Builder
	for i := range n {
		fmt.Fprintf(&batch, "link add gvs%03d type veth peer name gvt%03d\nlink set gvs%03d up\n", i, i, i)
	}
	f, err := os.CreateTemp(t.TempDir(), "batch")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(batch.String())
	f.Close()
	run(t, ns, "ip", "-batch", f.Name())
	up := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for len(up) < n {
		select {
		case ev := <-m.Events():
			if strings.HasPrefix(ev.Info.Name, "gvs") && !ev.Deleted {
				up[ev.Info.Name] = ev.Info.Flags&netdev.FlagUp != 0
				if !up[ev.Info.Name] {
					delete(up, ev.Info.Name)
				}
			}
		case <-deadline:
			t.Fatalf("saw %d of %d links up", len(up), n)
		}
	}
	run(t, ns, "ip", "link", "add", "gvsx", "type", "veth", "peer", "name", "gvtx")
	time.Sleep(50 * time.Millisecond) // let events queue unread
	done := make(chan struct{})
	go func() { m.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on an unread event")
	}
}

func waitEvent(t *testing.T, m *Monitor, match func(Event) bool, what string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-m.Events():
			if !ok {
				t.Fatalf("waiting for %s: channel closed (%v)", what, m.Err())
			}
			if match(ev) {
				return
			}
		case <-deadline:
			t.Fatalf("no event for %s within 10s", what)
		}
	}
}
