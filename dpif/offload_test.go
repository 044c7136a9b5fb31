package dpif

import (
	"encoding/binary"
	"testing"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/packet"
	"govs.dev/govs/packet/header"
)

// offloadPacket builds a TCP/IPv4 packet with payload bytes of payload from
// port 1 whose L4 checksum is partial (the field holds the folded
// pseudo-header sum), as a kernel hands it over with the virtio-net header;
// mss > 0 makes it a GSO packet.
func offloadPacket(t *testing.T, c *packet.Cache, payload int, mss uint16) *packet.Packet {
	t.Helper()
	k := tcpKey(7)
	f := packet.Compose(&k, payload)
	p := c.Alloc(len(f))
	if p == nil {
		t.Fatal("no buffer")
	}
	copy(p.Data(), f)
	var m packet.Meta
	var got flow.Key
	packet.ExtractBytes(f, &m, &got)
	d := p.Data()
	l4 := int(m.L4Ofs)
	pseudo := header.IPv4(d[m.L3Ofs:]).PseudoHeaderSum(packet.ProtoTCP, uint16(len(d)-l4))
	binary.BigEndian.PutUint16(d[l4+16:], header.Fold(pseudo))
	p.Meta.InPort = 1
	p.Meta.CsumPartial = true
	p.Meta.CsumStart, p.Meta.CsumOffset = uint16(l4), 16
	if mss > 0 {
		p.Meta.GSOType, p.Meta.GSOSize = packet.GSOTCPv4, mss
	}
	return p
}

// checkTCP4 asserts that frame f is TCP/IPv4 with valid IP and TCP
// checksums and returns its TCP payload length.
func checkTCP4(t *testing.T, f []byte) int {
	t.Helper()
	var m packet.Meta
	var k flow.Key
	packet.ExtractBytes(f, &m, &k)
	if k.DlType != 0x0800 || k.NwProto != packet.ProtoTCP {
		t.Fatalf("not TCP/IPv4: %x", f)
	}
	ip := f[m.L3Ofs:m.L4Ofs]
	if packet.Checksum(ip, 0) != 0 {
		t.Fatalf("bad IPv4 header checksum")
	}
	l4 := f[m.L4Ofs:]
	if packet.Checksum(l4, packet.PseudoHeaderSumIPv4(k.NwSrc, k.NwDst, packet.ProtoTCP, uint16(len(l4)))) != 0 {
		t.Fatalf("bad TCP checksum")
	}
	return len(l4) - header.TCP(l4).DataOffset()
}

func TestTxOffloadFallback(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	plain, err := dummy.New("p3", dummy.Options{KeepTx: 64, LimitCaps: true, Caps: netdev.CapRxCsum})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dp.AddPort("p3", plain, 3); err != nil {
		t.Fatal(err)
	}
	c := e.pool.NewCache()
	defer c.Release()
	out := func(port uint32) []odp.Action { return []odp.Action{{Type: odp.ActOutput, Port: port}} }
	seg0, csum0, pass0 := covSoftSegGood.Value(), covSoftCsum.Value(), covGSOPassthrough.Value()

	// A GSO packet towards a port that takes TSO stays whole.
	if err := e.dp.Execute(offloadPacket(t, c, 4000, 1000), nil, out(2)); err != nil {
		t.Fatal(err)
	}
	if fr := e.p2.TxFrames(); len(fr) != 1 || len(fr[0]) != 14+20+20+4000 {
		t.Fatalf("GSO pass-through: %d frames", len(fr))
	}
	if covGSOPassthrough.Value() != pass0+1 || covSoftSegGood.Value() != seg0 {
		t.Fatalf("pass-through counters: gso %d seg %d", covGSOPassthrough.Value()-pass0, covSoftSegGood.Value()-seg0)
	}

	// The same towards a port without offloads is cut into MSS-size
	// segments with complete checksums.
	if err := e.dp.Execute(offloadPacket(t, c, 4000, 1000), nil, out(3)); err != nil {
		t.Fatal(err)
	}
	fr := plain.TxFrames()
	if len(fr) != 4 {
		t.Fatalf("segmentation: %d frames, want 4", len(fr))
	}
	for _, f := range fr {
		if n := checkTCP4(t, f); n != 1000 {
			t.Fatalf("segment payload %d", n)
		}
	}
	if covSoftSegGood.Value() != seg0+1 {
		t.Fatalf("soft segmentation counter +%d", covSoftSegGood.Value()-seg0)
	}

	// A partial checksum is completed for that port only.
	if err := e.dp.Execute(offloadPacket(t, c, 100, 0), nil, out(3)); err != nil {
		t.Fatal(err)
	}
	fr = plain.TxFrames()
	if n := checkTCP4(t, fr[len(fr)-1]); n != 100 {
		t.Fatalf("payload %d", n)
	}
	if covSoftCsum.Value() != csum0+1 {
		t.Fatalf("soft checksum counter +%d", covSoftCsum.Value()-csum0)
	}
	if err := e.dp.Execute(offloadPacket(t, c, 100, 0), nil, out(2)); err != nil {
		t.Fatal(err)
	}
	if covSoftCsum.Value() != csum0+1 {
		t.Fatal("checksum completed for a port that takes partial checksums")
	}

	// A GSO packet that is not what it claims is dropped and counted.
	bad := offloadPacket(t, c, 100, 10)
	bad.Meta.GSOType = packet.GSOTCPv6
	drops := covSoftSegDrops.Value()
	if err := e.dp.Execute(bad, nil, out(3)); err != nil {
		t.Fatal(err)
	}
	if covSoftSegDrops.Value() != drops+1 {
		t.Fatal("bad GSO packet not counted as dropped")
	}
}

// BenchmarkTxNoFixup measures the offload check on a batch that needs no
// fallback (the common case).
func BenchmarkTxNoFixup(b *testing.B) {
	var bt packet.Batch
	pool, err := packet.NewPool(packet.PoolConfig{Buffers: 64})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	c := pool.NewCache()
	for i := 0; i < packet.BatchSize; i++ {
		bt.Add(c.Alloc(64))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if needsTxFixup(&bt, 0) {
			b.Fatal("fixup")
		}
	}
	if n := testing.AllocsPerRun(100, func() { needsTxFixup(&bt, 0) }); n != 0 {
		b.Fatalf("%v allocs", n)
	}
	c.FreeBatch(&bt)
}

// TestTxOffloadAfterRewrite: rewriting addresses and ports of a packet
// whose checksum is still partial keeps the pseudo-header seed right, so
// the checksum completed later (here for a port without offloads) is
// valid; the same holds for a GSO packet cut into segments.
func TestTxOffloadAfterRewrite(t *testing.T) {
	e := newEnv(t, true, 1, newFakeHandler(2))
	plain, err := dummy.New("p3", dummy.Options{KeepTx: 64, LimitCaps: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.dp.AddPort("p3", plain, 3); err != nil {
		t.Fatal(err)
	}
	c := e.pool.NewCache()
	defer c.Release()
	var v, m flow.Key
	v.NwSrc, m.NwSrc = 0xc0a80101, 0xffffffff
	v.NwDst, m.NwDst = 0xac100005, 0xffffffff
	v.TpDst, m.TpDst = 8080, 0xffff
	acts := []odp.Action{{Type: odp.ActSet, Set: &odp.SetMasked{Value: v, Mask: m}}, {Type: odp.ActOutput, Port: 3}}
	for _, tc := range []struct {
		payload int
		mss     uint16
		frames  int
	}{{300, 0, 1}, {3000, 1000, 3}} {
		if err := e.dp.Execute(offloadPacket(t, c, tc.payload, tc.mss), nil, acts); err != nil {
			t.Fatal(err)
		}
		fr := plain.TxFrames()
		if len(fr) < tc.frames {
			t.Fatalf("%d frames, want %d", len(fr), tc.frames)
		}
		for _, f := range fr[len(fr)-tc.frames:] {
			checkTCP4(t, f)
			var k flow.Key
			var meta packet.Meta
			packet.ExtractBytes(f, &meta, &k)
			if k.NwSrc != v.NwSrc || k.NwDst != v.NwDst || k.TpDst != 8080 {
				t.Fatalf("rewrite not applied: %+v", k)
			}
		}
	}
}
