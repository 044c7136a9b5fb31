package dpif

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/packet"
)

// fakeHandler translates every miss to "output to port Out" with a mask
// on in_port, dl_type and tp_src (so each tp_src is its own megaflow).
type fakeHandler struct {
	Out   uint32
	Fail  bool
	Block chan struct{} // when non-nil, Upcall waits for it to close
	// UserBlock, when non-nil, makes userspace-action upcalls wait for it
	// to close.
	UserBlock chan struct{}
	Keep      atomic.Bool // Revalidate's answer
	upcalls   atomic.Int64
	reval     atomic.Int64
	mu        sync.Mutex
	pushed    Stats
	user      atomic.Int64
}

func newFakeHandler(out uint32) *fakeHandler {
	h := &fakeHandler{Out: out}
	h.Keep.Store(true)
	return h
}

func (h *fakeHandler) Upcall(u *Upcall) error {
	if u.Userspace != nil {
		if h.UserBlock != nil {
			<-h.UserBlock
		}
		h.user.Add(1)
		return nil
	}
	h.upcalls.Add(1)
	if h.Block != nil {
		<-h.Block
	}
	if h.Fail {
		return errors.New("fake failure")
	}
	u.Mask.InPort = ^uint32(0)
	u.Mask.DlType = 0xffff
	u.Mask.TpSrc = 0xffff
	u.Actions = []odp.Action{{Type: odp.ActOutput, Port: h.Out}}
	u.Ref = "ref"
	return nil
}

func (h *fakeHandler) Revalidate(f *FlowInfo, ref any) (bool, []odp.Action, any) {
	h.reval.Add(1)
	return h.Keep.Load(), nil, nil
}

func (h *fakeHandler) PushStats(ref any, d Stats) {
	h.mu.Lock()
	h.pushed.Packets += d.Packets
	h.pushed.Bytes += d.Bytes
	h.mu.Unlock()
}

func (h *fakeHandler) pushedPackets() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pushed.Packets
}

// fakeClock is a settable Clock.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// env is a datapath with dummy ports p1 and p2.
type env struct {
	dp     *Datapath
	h      *fakeHandler
	clock  *fakeClock
	p1, p2 *dummy.Device
	pool   *packet.Pool
}

func newEnv(t testing.TB, manual bool, loops int, h *fakeHandler, opts ...func(*Config)) *env {
	t.Helper()
	pool, err := packet.NewPool(packet.PoolConfig{Buffers: 8192, BigBuffers: 4})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{h: h, clock: &fakeClock{}, pool: pool}
	e.clock.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	cfg := Config{Name: "ovs-dummy", Type: "dummy", Pool: pool, Handler: h,
		Clock: e.clock, Loops: loops, Handlers: 2, manual: manual}
	for _, o := range opts {
		o(&cfg)
	}
	e.dp, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"p1", "p2"} {
		d, err := dummy.New(name, dummy.Options{KeepTx: 4096, RxQueueLen: 4096})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.dp.AddPort(name, d, 0); err != nil {
			t.Fatal(err)
		}
		if name == "p1" {
			e.p1 = d
		} else {
			e.p2 = d
		}
	}
	t.Cleanup(func() {
		e.dp.Close()
		pool.Close()
	})
	return e
}

// tcpKey is the key of a TCP packet from port 1 with source port sport.
func tcpKey(sport uint16) flow.Key {
	var k flow.Key
	k.DlSrc = [6]byte{0x50, 0x54, 0, 0, 0, 1}
	k.DlDst = [6]byte{0x50, 0x54, 0, 0, 0, 2}
	k.DlType = 0x0800
	k.NwSrc = 0x0a000001
	k.NwDst = 0x0a000002
	k.NwProto = 6
	k.NwTTL = 64
	k.TpSrc = sport
	k.TpDst = 80
	return k
}

func tcpFrame(sport uint16) []byte {
	k := tcpKey(sport)
	return packet.Compose(&k, 16)
}

// pump polls loop 0 (manual mode) until cond holds or 5 s pass.
func (e *env) pump(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		if e.dp.cfg.manual {
			e.dp.loops[0].poll()
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (e *env) txCount(d *dummy.Device) uint64 { return d.Stats().TxPackets }
