package ofproto

import (
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"govs.dev/govs/openflow"
)

func TestPinStateWants(t *testing.T) {
	of10 := pinState{version: openflow.Version10, missSendLen: 128}
	of13 := pinState{version: openflow.Version13, missSendLen: 128}
	with := func(s pinState, f func(*pinState)) pinState { f(&s); return s }
	nxAsync := func(v uint8, pin0, pin1 uint32) asyncConfig {
		ac, err := asyncFromMessage(&openflow.AsyncConfig{NX: true, PacketInMask: [2]uint32{pin0, pin1}}, v, defaultAsync(v))
		if err != nil {
			t.Fatal(err)
		}
		return ac
	}
	tests := []struct {
		name   string
		st     pinState
		reason uint8
		id     uint16
		want   bool
	}{
		{"not negotiated", pinState{missSendLen: 128}, reasonAction, 0, false},
		{"OF1.0 action", of10, reasonAction, 0, true},
		{"OF1.0 implicit miss", of10, reasonImplicitMiss, 0, true},
		{"OF1.0 explicit miss", of10, reasonExplicitMiss, 0, true},
		{"OF1.0 invalid_ttl off by default", of10, reasonInvalidTTL, 0, false},
		{"OF1.3 no implicit miss", of13, reasonImplicitMiss, 0, false},
		{"OF1.3 explicit miss", of13, reasonExplicitMiss, 0, true},
		{"OF1.3 action set", of13, reasonActionSet, 0, true},
		{"service connection without miss_send_len", with(of10, func(s *pinState) { s.missSendLen = 0 }), reasonAction, 0, false},
		{"primary connection without miss_send_len", with(of10, func(s *pinState) { s.missSendLen, s.primary = 0, true }), reasonAction, 0, true},
		{"other controller id", of10, reasonAction, 3, false},
		{"matching controller id", with(of10, func(s *pinState) { s.controllerID = 3 }), reasonAction, 3, true},
		{"id 0 action to a connection with an id", with(of10, func(s *pinState) { s.controllerID = 3 }), reasonAction, 0, false},
		{"slave gets none by default", with(of10, func(s *pinState) { s.role = openflow.RoleSlave }), reasonAction, 0, false},
		{"master gets them", with(of13, func(s *pinState) { s.role = openflow.RoleMaster }), reasonAction, 0, true},
		{"slave with a secondary mask", with(of10, func(s *pinState) {
			s.role, s.async, s.hasAsync = openflow.RoleSlave, nxAsync(openflow.Version10, 0, 1<<reasonAction), true
		}), reasonAction, 0, true},
		{"async no_match enables implicit miss on OF1.0", with(of10, func(s *pinState) {
			s.async, s.hasAsync = nxAsync(openflow.Version10, 1<<reasonNoMatch, 0), true
		}), reasonImplicitMiss, 0, true},
		{"async no_match, OF1.3: explicit only", with(of13, func(s *pinState) {
			s.async, s.hasAsync = nxAsync(openflow.Version13, 1<<reasonNoMatch, 0), true
		}), reasonImplicitMiss, 0, false},
		{"async without action", with(of10, func(s *pinState) {
			s.async, s.hasAsync = nxAsync(openflow.Version10, 1<<reasonNoMatch, 0), true
		}), reasonAction, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &packetIn{reason: tc.reason, controllerID: tc.id}
			if got := tc.st.wants(p); got != tc.want {
				t.Errorf("wants = %v, want %v (state %+v)", got, tc.want, tc.st)
			}
		})
	}
}

func TestWantsMissPacketIns(t *testing.T) {
	tests := []struct {
		st   pinState
		want bool
	}{
		{pinState{}, false},
		{pinState{version: openflow.Version10}, true},
		{pinState{version: openflow.Version12}, true},
		{pinState{version: openflow.Version13}, false},
		{pinState{version: openflow.Version15}, false},
		{pinState{version: openflow.Version10, controllerID: 1}, false},
	}
	for _, tc := range tests {
		if got := tc.st.wantsMissPacketIns(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.st, got, tc.want)
		}
	}
}

func TestWireReason(t *testing.T) {
	tests := []struct {
		reason, version, want uint8
	}{
		{reasonAction, openflow.Version10, 1},
		{reasonInvalidTTL, openflow.Version10, 2},
		{reasonActionSet, openflow.Version13, 1},
		{reasonActionSet, openflow.Version14, 3},
		{reasonPacketOut, openflow.Version15, 5},
		{reasonExplicitMiss, openflow.Version10, 1},
		{reasonExplicitMiss, openflow.Version13, 0},
		{reasonImplicitMiss, openflow.Version10, 0},
		{reasonImplicitMiss, openflow.Version15, 0},
	}
	for _, tc := range tests {
		if got := wireReason(tc.reason, tc.version); got != tc.want {
			t.Errorf("wireReason(%d, %#x) = %d, want %d", tc.reason, tc.version, got, tc.want)
		}
	}
}

func TestAsyncFromMessage14(t *testing.T) {
	basis := defaultAsync(openflow.Version14)
	// Only the primary packet-in property (type 1): the rest stays.
	m := &openflow.AsyncConfig{PacketInMask: [2]uint32{1 << reasonAction, 0}, Present: 1 << 1}
	ac, err := asyncFromMessage(m, openflow.Version14, basis)
	if err != nil {
		t.Fatal(err)
	}
	if ac.primary[oamPacketIn] != 1<<reasonAction || ac.primary[oamPortStatus] != basis.primary[oamPortStatus] {
		t.Errorf("got %+v", ac)
	}
	// A reason OpenFlow does not define is refused, strictly.
	m = &openflow.AsyncConfig{PacketInMask: [2]uint32{1 << 9, 0}, Present: 1 << 1}
	if _, err := asyncFromMessage(m, openflow.Version14, basis); !errors.Is(err, openflow.ErrOFPACFCInvalid) {
		t.Errorf("err = %v, want OFPACFC_INVALID", err)
	}
	// The reply carries only what the version allows.
	rep := ac.message(openflow.Version13)
	if rep.PacketInMask[0] != 1<<reasonAction {
		t.Errorf("reply mask %#x", rep.PacketInMask[0])
	}
}

func TestPacketInFormats(t *testing.T) {
	p := &packetIn{reason: reasonImplicitMiss, tableID: 3, cookie: 0, data: []byte{1, 2, 3}}
	p.meta.Key.InPort, p.meta.Mask.InPort = 7, ^uint32(0)
	p.meta.Key.Regs[3], p.meta.Mask.Regs[3] = 9, ^uint32(0)
	for _, st := range []pinState{
		{version: openflow.Version10},
		{version: openflow.Version10, format: openflow.PacketInFormatNXT},
		{version: openflow.Version10, format: openflow.PacketInFormatNXT2},
		{version: openflow.Version11},
		{version: openflow.Version13},
		{version: openflow.Version15, format: openflow.PacketInFormatNXT2},
	} {
		b, err := openflow.Encode(st.message(p))
		if err != nil {
			t.Fatalf("%+v: encode: %v", st, err)
		}
		m, err := openflow.Decode(b)
		if err != nil {
			t.Fatalf("%+v: decode: %v", st, err)
		}
		pi := m.(*openflow.PacketIn)
		if pi.Reason != 0 || pi.TotalLen != 3 || len(pi.Data) != 3 || pi.BufferID != openflow.NoBuffer {
			t.Errorf("%+v: decoded %+v", st, pi)
		}
	}
}

// pinConn returns a connection of b in state st whose peer is the returned
// net.Conn, registered with b's connection manager and served by a writer.
func pinConn(t *testing.T, b *Bridge, st pinState) (*conn, net.Conn) {
	t.Helper()
	ours, peer := net.Pipe()
	c := &conn{br: b, mgr: connMgrOf(b), nc: ours, out: make(chan []byte, pinQueueLen), done: make(chan struct{})}
	c.st = st
	c.publish()
	c.mgr.add(c)
	go c.writer()
	t.Cleanup(func() {
		c.mgr.remove(c)
		close(c.done)
		c.st = pinState{}
		c.publish()
		ours.Close()
		peer.Close()
	})
	return c, peer
}

// TestSlowReaderNeverBlocks checks that delivery to a connection whose peer
// does not read returns at once and counts what it drops.
func TestSlowReaderNeverBlocks(t *testing.T) {
	b := newTestBridge(t)
	c, _ := pinConn(t, b, pinState{version: openflow.Version10, missSendLen: 128})
	before := covPinDropped.Value()
	p := &packetIn{reason: reasonAction, data: make([]byte, 64)}
	p.meta.Mask.InPort = ^uint32(0)
	const n = 3 * pinQueueLen
	start := time.Now()
	for i := 0; i < n; i++ {
		connMgrOf(b).sendPacketIn(p)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("delivery of %d packet-ins took %v", n, d)
	}
	// The writer holds one message in its blocked write, the queue the
	// rest it can.
	if got := c.drops.Load(); got < n-pinQueueLen-1 {
		t.Errorf("dropped %d of %d, want at least %d", got, n, n-pinQueueLen-1)
	}
	if covPinDropped.Value()-before != c.drops.Load() {
		t.Errorf("coverage counted %d drops, connection %d", covPinDropped.Value()-before, c.drops.Load())
	}
}

// TestWantMissCount checks want_packet_in_on_miss as connections come,
// change and go.
func TestWantMissCount(t *testing.T) {
	b := newTestBridge(t)
	tables := bridgeTables{b}
	if tables.WantsPacketInOnMiss() {
		t.Fatal("wants misses without connections")
	}
	c13, _ := pinConn(t, b, pinState{version: openflow.Version13})
	if tables.WantsPacketInOnMiss() {
		t.Error("an OpenFlow 1.3 connection made misses go to the controller")
	}
	c10, _ := pinConn(t, b, pinState{version: openflow.Version10})
	if !tables.WantsPacketInOnMiss() {
		t.Error("an OpenFlow 1.0 connection did not make misses go to the controller")
	}
	c10.st.controllerID = 5
	c10.publish()
	if tables.WantsPacketInOnMiss() {
		t.Error("a connection with controller id 5 still wants misses")
	}
	c13.st.version = openflow.Version12
	c13.publish()
	if !tables.WantsPacketInOnMiss() {
		t.Error("an OpenFlow 1.2 connection does not want misses")
	}
}

// TestGarbageAndClose drives a real session: hello, set-config, a
// controller id, garbage, then a close with packet-ins queued. Nothing may
// hang, and the bridge's miss count must return to zero.
func TestGarbageAndClose(t *testing.T) {
	b := newTestBridge(t)
	l, err := b.Listen(filepath.Join(t.TempDir(), "br0.mgmt"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer func() {
		go func() { l.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Listener.Close hung")
		}
	}()
	nc, err := net.Dial("unix", l.path)
	if err != nil {
		t.Fatal(err)
	}
	send := func(m openflow.Message) {
		m.Head().Version = openflow.Version10
		raw, err := openflow.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Write(raw); err != nil {
			t.Fatal(err)
		}
	}
	send(&openflow.Hello{Versions: []uint8{openflow.Version10}})
	send(&openflow.SwitchConfig{Set: true, MissSendLen: 0xffff})
	// A barrier reply proves the settings were applied.
	send(&openflow.BarrierRequest{})
	r := openflow.NewReader(nc, openflow.MaxMessageLen)
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		raw, err := r.Next()
		if err != nil {
			t.Fatalf("waiting for the barrier reply: %v", err)
		}
		if m, err := openflow.Decode(raw); err == nil && m.Type() == openflow.MsgBarrierReply {
			break
		}
	}
	if !(bridgeTables{b}).WantsPacketInOnMiss() {
		t.Error("an OpenFlow 1.0 session does not want misses")
	}
	p := &packetIn{reason: reasonAction, data: make([]byte, 1000)}
	p.meta.Mask.InPort = ^uint32(0)
	for i := 0; i < 2*pinQueueLen; i++ {
		connMgrOf(b).sendPacketIn(p)
	}
	// Garbage: a header claiming a huge length, then bytes; then close.
	_, _ = nc.Write([]byte{0x01, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef})
	nc.Close()
	deadline := time.Now().Add(5 * time.Second)
	for connMgrOf(b).hasConns() || (bridgeTables{b}).WantsPacketInOnMiss() {
		if time.Now().After(deadline) {
			t.Fatal("session still registered 5s after the peer closed")
		}
		time.Sleep(time.Millisecond)
	}
}

func BenchmarkSendPacketInNoConns(b *testing.B) {
	k := NewBacker("dummy", &fixedClock{time.Unix(1000, 0)})
	br, err := k.NewBridge("br0")
	if err != nil {
		b.Fatal(err)
	}
	tables := bridgeTables{br}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = tables.WantsPacketInOnMiss()
	}
}

// TestWantsPacketInOnMissAllocs: the miss policy is read on every miss
// translation and must not allocate.
func TestWantsPacketInOnMissAllocs(t *testing.T) {
	tables := bridgeTables{newTestBridge(t)}
	if n := testing.AllocsPerRun(100, func() { _ = tables.WantsPacketInOnMiss() }); n != 0 {
		t.Errorf("WantsPacketInOnMiss allocates %v times", n)
	}
}
