package afpacket

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

// TestRxOne checks the conversion of received messages into packets
// without a socket: the test plays the kernel's part and fills one
// message slot.
func TestRxOne(t *testing.T) {
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 64, BigBuffers: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	c := pl.NewCache()

	frame := func(n int) []byte {
		f := make([]byte, n)
		for i := range f {
			f[i] = byte(i*13 + 1)
		}
		return f
	}
	vnet := func(flags, gso uint8, gsoSize, start, off uint16) [vnetHdrLen]byte {
		var h [vnetHdrLen]byte
		v := header.VirtioNetHdr(h[:])
		v.SetFlags(flags)
		v.SetGSOType(gso)
		v.SetGSOSize(gsoSize)
		v.SetCsumStart(start)
		v.SetCsumOffset(off)
		return h
	}
	aux := func(status uint32, tci, tpid uint16) []byte {
		b := make([]byte, cmsgLen)
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		h.Len = uint64(unix.CmsgLen(sizeofAuxdata))
		h.Level, h.Type = unix.SOL_PACKET, unix.PACKET_AUXDATA
		a := (*unix.TpacketAuxdata)(unsafe.Pointer(&b[unix.CmsgLen(0)]))
		a.Status, a.Vlan_tci, a.Vlan_tpid = status, tci, tpid
		return b
	}
	tag := func(f []byte, tpid, tci uint16) []byte { return tagged(f, tpid, tci) }

	cases := []struct {
		name     string
		frame    []byte
		hdr      [vnetHdrLen]byte
		msgLen   int // 0: vnetHdrLen + len(frame)
		flags    int32
		ctl      []byte
		want     []byte // nil: dropped with an rx error
		partial  bool
		start    uint16
		gso      uint8
		verified bool
	}{
		{name: "plain", frame: frame(60), want: frame(60)},
		{name: "data-valid", frame: frame(100), hdr: vnet(header.VirtioNetHdrFDataValid, 0, 0, 0, 0), want: frame(100), verified: true},
		{name: "partial", frame: frame(200), hdr: vnet(header.VirtioNetHdrFNeedsCsum, 0, 0, 34, 16), want: frame(200), partial: true, start: 34},
		{name: "gso-tcp4", frame: frame(1800), hdr: vnet(header.VirtioNetHdrFNeedsCsum, header.VirtioNetHdrGSOTCPv4, 1448, 34, 16),
			want: frame(1800), partial: true, start: 34, gso: packet.GSOTCPv4},
		{name: "spill", frame: frame(9000), hdr: vnet(header.VirtioNetHdrFNeedsCsum, header.VirtioNetHdrGSOTCPv6, 1400, 54, 16),
			want: frame(9000), partial: true, start: 54, gso: packet.GSOTCPv6},
		{name: "spill-max", frame: frame(65549), want: frame(65549)},
		{name: "vlan", frame: frame(80), ctl: aux(unix.TP_STATUS_VLAN_VALID, 100, 0), want: tag(frame(80), 0x8100, 100)},
		{name: "vlan-tpid", frame: frame(80), ctl: aux(unix.TP_STATUS_VLAN_VALID|unix.TP_STATUS_VLAN_TPID_VALID, 7, 0x88a8),
			want: tag(frame(80), 0x88a8, 7)},
		{name: "vlan-partial", frame: frame(120), hdr: vnet(header.VirtioNetHdrFNeedsCsum, 0, 0, 34, 6),
			ctl: aux(unix.TP_STATUS_VLAN_VALID, 5, 0), want: tag(frame(120), 0x8100, 5), partial: true, start: 38},
		{name: "tpid-without-vlan", frame: frame(80), ctl: aux(unix.TP_STATUS_VLAN_TPID_VALID, 7, 0x88a8), want: frame(80)},
		{name: "bad-gso-type", frame: frame(200), hdr: vnet(0, 7, 100, 0, 0)},
		{name: "gso-size-0", frame: frame(200), hdr: vnet(header.VirtioNetHdrFNeedsCsum, header.VirtioNetHdrGSOTCPv4, 0, 34, 16)},
		{name: "csum-outside", frame: frame(60), hdr: vnet(header.VirtioNetHdrFNeedsCsum, 0, 0, 50, 16)},
		{name: "truncated", frame: frame(60), flags: unix.MSG_TRUNC},
		{name: "runt", frame: frame(10)},
		{name: "no-header", frame: frame(0), msgLen: 4},
		{name: "bad-cmsg", frame: frame(80), ctl: []byte{200, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 8, 0, 0, 0}, want: frame(80)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := &Device{name: "unit", rx: &rxQueue{spill: make([]byte, packet.BatchSize*spillSize)}}
			d.rx.init()
			q := d.rx
			const i = 3
			small := c.Alloc(packet.SmallCapacity)
			q.posted[i] = small
			q.postedCap[i] = packet.SmallCapacity
			q.pool = pl
			n := copy(small.Data(), tc.frame)
			copy(q.spill[i*spillSize:], tc.frame[n:])
			q.vnet[i] = tc.hdr
			q.msgs[i].Len = uint32(vnetHdrLen + len(tc.frame))
			if tc.msgLen != 0 {
				q.msgs[i].Len = uint32(tc.msgLen)
			}
			q.msgs[i].Hdr.Flags = tc.flags
			copy(q.cmsg[i][:], tc.ctl)
			q.msgs[i].Hdr.Controllen = uint64(len(tc.ctl))
			p := d.rxOne(q, i, c)
			if tc.want == nil {
				if p != nil {
					t.Fatalf("accepted: %d bytes", p.Len())
				}
				if d.rxErrors.Load() != 1 {
					t.Fatalf("rx errors %d, want 1", d.rxErrors.Load())
				}
			} else {
				if p == nil {
					t.Fatalf("dropped (errors %d, drops %d)", d.rxErrors.Load(), d.rxDropped.Load())
				}
				if !bytes.Equal(p.Data(), tc.want) {
					t.Fatalf("data differs: got %d bytes, want %d", p.Len(), len(tc.want))
				}
				m := p.Meta
				if m.CsumPartial != tc.partial || m.CsumStart != tc.start || m.GSOType != tc.gso || m.CsumVerified != tc.verified {
					t.Fatalf("meta partial %v start %d gso %d verified %v", m.CsumPartial, m.CsumStart, m.GSOType, m.CsumVerified)
				}
				c.Free(p)
			}
			if q.posted[i] != nil {
				c.Free(q.posted[i])
			}
		})
	}
	c.PublishStats()
	if st := pl.Stats(); st.InUse() != 0 {
		t.Fatalf("%d buffers leaked", st.InUse())
	}
}

func TestGSOHdrLen(t *testing.T) {
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	c := pl.NewCache()
	cases := []struct {
		name    string
		size    int
		gso     uint8
		partial bool
		start   uint16
		l4      uint16
		doff    byte
		want    uint16
		ok      bool
	}{
		{"none", 100, packet.GSONone, false, 0, packet.OffsetNone, 0, 0, true},
		{"tcp-partial", 200, packet.GSOTCPv4, true, 34, packet.OffsetNone, 8, 34 + 32, true},
		{"tcp-l4ofs", 200, packet.GSOTCPv6, false, 0, 54, 5, 54 + 20, true},
		{"udp", 200, packet.GSOUDPL4, true, 34, packet.OffsetNone, 0, 42, true},
		{"unknown-l4", 200, packet.GSOTCPv4, false, 0, packet.OffsetNone, 5, 0, false},
		{"tcp-short", 40, packet.GSOTCPv4, true, 34, packet.OffsetNone, 5, 0, false},
		{"tcp-doff-past-end", 60, packet.GSOTCPv4, true, 34, packet.OffsetNone, 15, 0, false},
		{"udp-short", 38, packet.GSOUDPL4, true, 34, packet.OffsetNone, 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := c.Alloc(tc.size)
			defer c.Free(p)
			clear(p.Data())
			l4 := int(tc.start)
			if !tc.partial {
				l4 = int(tc.l4)
			}
			if l4+12 < tc.size {
				p.Data()[l4+12] = tc.doff << 4
			}
			p.Meta.GSOType, p.Meta.GSOSize = tc.gso, 1000
			p.Meta.CsumPartial, p.Meta.CsumStart, p.Meta.L4Ofs = tc.partial, tc.start, tc.l4
			got, ok := gsoHdrLen(p)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("gsoHdrLen = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// loopback opens devices on both ends of a veth pair: frames sent on one
// arrive on the other.
func loopback(tb testing.TB, opts Options) (a, b *Device, c *packet.Cache) {
	tb.Helper()
	ns := testnetNetns(tb)
	quietNetns(tb, ns)
	na, nb := testnetVeth(tb, ns)
	// Jumbo frames, to exercise the overflow area without GSO.
	run(tb, ns, "ip", "link", "set", na, "mtu", "9000")
	run(tb, ns, "ip", "link", "set", nb, "mtu", "9000")
	a = openIn(tb, ns, na, opts)
	b = openIn(tb, ns, nb, Options{})
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 4096, BigBuffers: 128})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { pl.Close() })
	return a, b, pl.NewCache()
}

// roundTrip sends one batch of 32 frames of size bytes from a and receives
// them on b. It returns the number received (bounded in time).
func roundTrip(a, b *Device, c *packet.Cache, frame []byte, out, in *packet.Batch) int {
	for range packet.BatchSize {
		p := c.Alloc(len(frame))
		copy(p.Data(), frame)
		out.Add(p)
	}
	if err := a.Tx(0, out, c); err != nil {
		return -1
	}
	got := 0
	for spins := 0; got < packet.BatchSize && spins < 100000; spins++ {
		n, err := b.Rx(0, in, c)
		if err != nil {
			return -1
		}
		for _, p := range in.Slice() {
			d := p.Data()
			if binary.BigEndian.Uint16(d[12:]) == 0x88b5 || binary.BigEndian.Uint16(d[12:]) == 0x8100 && binary.BigEndian.Uint16(d[16:]) == 0x88b5 {
				got++
			}
		}
		if n == 0 {
			runtime.Gosched()
		}
		c.FreeBatch(in)
	}
	return got
}

func TestRxTxAllocs(t *testing.T) {
	a, b, c := loopback(t, Options{})
	for _, tc := range []struct {
		name  string
		frame []byte
	}{
		{"untagged", testFrame(macB, macA, 0, 64)},
		{"vlan", tagged(testFrame(macB, macA, 0, 64), 0x8100, 42)},
		{"spill", testFrame(macB, macA, 0, 4000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, in packet.Batch
			if got := roundTrip(a, b, c, tc.frame, &out, &in); got != packet.BatchSize {
				t.Fatalf("warm-up: received %d of %d", got, packet.BatchSize)
			}
			lost := 0
			allocs := testing.AllocsPerRun(50, func() {
				lost += packet.BatchSize - roundTrip(a, b, c, tc.frame, &out, &in)
			})
			if allocs != 0 {
				t.Errorf("Rx+Tx of a batch: %v allocations, want 0", allocs)
			}
			if lost != 0 {
				t.Errorf("%d frames lost", lost)
			}
		})
	}
}

func benchmarkRoundTrip(bm *testing.B, size int, opts Options) {
	a, b, c := loopback(bm, opts)
	frame := testFrame(macB, macA, 0, size)
	var out, in packet.Batch
	bm.SetBytes(int64(size * packet.BatchSize))
	bm.ReportAllocs()
	lost := 0
	for bm.Loop() {
		lost += packet.BatchSize - roundTrip(a, b, c, frame, &out, &in)
	}
	bm.ReportMetric(float64(bm.N*packet.BatchSize)/bm.Elapsed().Seconds(), "frames/s")
	if lost != 0 {
		bm.Logf("%d frames lost", lost)
	}
}

// BenchmarkRoundTrip64 sends batches of 32 64-byte frames through a veth
// pair: Tx on one device, Rx on the other.
func BenchmarkRoundTrip64(bm *testing.B) { benchmarkRoundTrip(bm, 64, Options{}) }

// BenchmarkRoundTrip64Bypass is BenchmarkRoundTrip64 with
// PACKET_QDISC_BYPASS on the sender.
func BenchmarkRoundTrip64Bypass(bm *testing.B) {
	benchmarkRoundTrip(bm, 64, Options{QdiscBypass: true})
}

// BenchmarkRoundTrip1514 is BenchmarkRoundTrip64 with full-size frames.
func BenchmarkRoundTrip1514(bm *testing.B) { benchmarkRoundTrip(bm, 1514, Options{}) }

// TestRxBigPosted: after a GSO packet, big buffers are posted and a large
// frame lands in its buffer without a copy; small ones are posted again
// once large frames stop coming.
func TestRxBigPosted(t *testing.T) {
	pl, err := packet.NewPool(packet.PoolConfig{Buffers: 64, BigBuffers: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer pl.Close()
	c := pl.NewCache()
	d := &Device{name: "unit", rx: &rxQueue{spill: make([]byte, packet.BatchSize*spillSize)}}
	d.rx.init()
	q := d.rx
	const i = 0
	big := c.Alloc(packet.BigCapacity)
	q.posted[i], q.postedCap[i], q.pool = big, packet.BigCapacity, pl
	f := make([]byte, 30000)
	for j := range f {
		f[j] = byte(j * 7)
	}
	copy(big.Data(), f)
	q.msgs[i].Len = uint32(vnetHdrLen + len(f))
	q.calls = 5
	p := d.rxOne(q, i, c)
	if p != big {
		t.Fatal("a frame that fits the posted big buffer was copied")
	}
	if !bytes.Equal(p.Data(), f) {
		t.Fatal("data differs")
	}
	if q.bigUntil != 5+bigPostCalls {
		t.Fatalf("bigUntil %d", q.bigUntil)
	}
	c.Free(p)
	c.Release()
}
