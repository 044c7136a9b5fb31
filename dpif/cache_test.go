package dpif

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"

	"govs.dev/govs/flow"
	"govs.dev/govs/packet"
)

// fullMap names every word of a key.
const fullMap = 1<<flow.KeyWords - 1

// mapOf is the word map of k's nonzero words.
func mapOf(k *flow.Key) uint64 {
	var m uint64
	for i, w := range k.Words() {
		if w != 0 {
			m |= 1 << i
		}
	}
	return m
}

// TestEMCHashFields checks that the fields emcHash reads all change it, that
// the word map does, and that keys differing only in a field it leaves out
// still get their own flows from the EMC (the entry's check tells them
// apart).
func TestEMCHashFields(t *testing.T) {
	base := tcpKey(1)
	base.InPort = 1
	wm := mapOf(&base)
	h := emcHash(&base, wm)
	for name, mod := range map[string]func(k *flow.Key){
		"in_port":   func(k *flow.Key) { k.InPort ^= 1 << 31 },
		"recirc_id": func(k *flow.Key) { k.RecircID = 7 },
		"dl_dst":    func(k *flow.Key) { k.DlDst[0] ^= 0x80 },
		"dl_src":    func(k *flow.Key) { k.DlSrc[5] ^= 1 },
		"dl_type":   func(k *flow.Key) { k.DlType = 0x0806 },
		"vlan":      func(k *flow.Key) { k.VLANs[0].TCI = 0x1000 | 10 },
		"vlan2":     func(k *flow.Key) { k.VLANs[1].TCI = 0x1000 | 20 },
		"nw_src":    func(k *flow.Key) { k.NwSrc ^= 1 << 31 },
		"nw_dst":    func(k *flow.Key) { k.NwDst ^= 1 },
		"nw_proto":  func(k *flow.Key) { k.NwProto = 17 },
		"tp_src":    func(k *flow.Key) { k.TpSrc ^= 0x8000 },
		"tp_dst":    func(k *flow.Key) { k.TpDst ^= 1 },
		"ct_state":  func(k *flow.Key) { k.CtState = flow.CtTracked | flow.CtNew },
		"ct_zone":   func(k *flow.Key) { k.CtZone = 3 },
		"nw_tos":    func(k *flow.Key) { k.NwTOS = 0xb8 },
		"nw_ttl":    func(k *flow.Key) { k.NwTTL-- },
	} {
		k := base
		mod(&k)
		if emcHash(&k, wm) == h {
			t.Errorf("%s: changed key hashes alike", name)
		}
	}
	if emcHash(&base, fullMap) == h {
		t.Error("word map not hashed")
	}
	// IPv6 addresses and tunnels count when the word map has them.
	v6 := base
	v6.DlType, v6.NwSrc, v6.NwDst = 0x86dd, 0, 0
	v6.IPv6Src[0], v6.IPv6Src[15] = 0x20, 1
	v6.IPv6Dst[0], v6.IPv6Dst[15] = 0x20, 2
	v6b := v6
	v6b.IPv6Src[1] = 1
	v6c := v6
	v6c.IPv6Dst[9] = 0x20
	if m := mapOf(&v6); emcHash(&v6, m) == emcHash(&v6b, mapOf(&v6b)) || emcHash(&v6, m) == emcHash(&v6c, mapOf(&v6c)) {
		t.Error("IPv6 addresses not hashed")
	}
	tun := base
	tun.TunID, tun.TunDst[15] = 5, 1
	tunb := tun
	tunb.TunID = 6
	tunc := tun
	tunc.TunDst[15] = 2
	if m := mapOf(&tun); emcHash(&tun, m) == emcHash(&tunb, mapOf(&tunb)) || emcHash(&tun, m) == emcHash(&tunc, mapOf(&tunc)) {
		t.Error("tunnel ID or destination not hashed")
	}

	// Keys that differ only in a field left out (the TCP flags) hash
	// alike: the entry holds the flow inserted last, and the check tells
	// the other keys that it is not theirs.
	var mf megaflowCache
	var exact flow.Key
	for i := range exact.Words() {
		exact.Words()[i] = ^uint64(0)
	}
	c := new(emc)
	var keys []flow.Key
	var flows []*megaflow
	for _, fl := range []uint16{0x002, 0x012, 0x010, 0x011} {
		k := base
		k.TCPFlags = fl
		if emcHash(&k, wm) != h {
			t.Fatal("TCP flags hashed")
		}
		keys, flows = append(keys, k), append(flows, installed(&mf, k, exact))
	}
	for i := range keys {
		c.insert(h, flows[i])
		for j, k := range keys {
			f := c.lookup(h)
			if hit := f != nil && f.matches(&k); hit != (i == j) {
				t.Errorf("flags %#x cached, flags %#x: hit %v", keys[i].TCPFlags, k.TCPFlags, hit)
			}
		}
	}
}

// installed returns a flow for key k with mask m, as the megaflow cache
// installs it.
func installed(c *megaflowCache, k, m flow.Key) *megaflow {
	m.InPort, m.RecircID = ^uint32(0), ^uint32(0)
	k.And(&m)
	f := &megaflow{key: k, mask: m}
	c.insert(f)
	return f
}

func TestEMCChecksFlow(t *testing.T) {
	var mf megaflowCache
	a, b := tcpKey(1), tcpKey(2)
	a.InPort, b.InPort = 1, 1
	var m flow.Key
	m.DlType, m.TpSrc = 0xffff, 0xffff
	f := installed(&mf, a, m)
	var wide flow.Key
	for i := range wide.Words() {
		wide.Words()[i] = ^uint64(0)
	}
	g := installed(&mf, b, wide) // more mask words than pkInline
	if len(g.ents) <= pkInline {
		t.Fatalf("wide mask has %d words", len(g.ents))
	}
	c := new(emc)
	ha, hb := emcHash(&a, mapOf(&a)), emcHash(&b, mapOf(&b))
	c.insert(ha, f)
	if c.lookup(ha) != f || !f.matches(&a) {
		t.Fatal("cached flow not found or not matching its key")
	}
	if got := c.lookup(hb); got != nil && got.matches(&b) {
		t.Fatal("another key hits the cached flow")
	}
	if f.matches(&b) || !g.matches(&b) || g.matches(&a) {
		t.Fatal("matches disagrees with the masks")
	}
	c.insert(hb, g)
	if c.lookup(hb) != g || c.lookup(ha) != f {
		t.Fatal("second entry lost")
	}
	// A deleted flow's entry stays until replaced; the loop checks the
	// flag.
	f.dead = true
	if got := c.lookup(ha); got != nil && !got.dead {
		t.Error("dead flow still hits the EMC")
	}
	// A full bucket evicts.
	for i := 0; i < 8*emcWays; i++ {
		c.insert(uint64(i), g) // all in bucket 0
	}
	c.clear()
	if c.lookup(hb) != nil {
		t.Error("clear left entries")
	}
}

// TestLookupBatchMatchesSequential compares the batched megaflow lookup
// with one subtable walk per packet on random masks, flows and keys.
func TestLookupBatchMatchesSequential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []int{
		flow.StageL2, flow.StageL2 + 1, flow.StageL3, flow.StageL4, 16,
	}
	randKey := func(port uint32) flow.Key {
		var k flow.Key
		for _, w := range words {
			k.Words()[w] = r.Uint64N(4)
		}
		k.InPort = port
		return k
	}
	var c megaflowCache
	for m := 0; m < 12; m++ {
		var mask flow.Key
		for _, w := range words {
			if r.IntN(2) == 0 {
				mask.Words()[w] = r.Uint64N(4)
			}
		}
		mask.InPort, mask.RecircID = ^uint32(0), ^uint32(0)
		for n := 0; n < 20; n++ {
			port := uint32(1 + r.IntN(2))
			k := randKey(port)
			k.And(&mask)
			if c.find(&k, &mask) == nil {
				f := &megaflow{key: k, mask: mask}
				c.insert(f)
				// The lookup's inlined hash agrees with insert's.
				if f.st.lookup(&k) != f || !f.matches(&k) {
					t.Fatalf("flow %d of mask %d not found in its subtable", n, m)
				}
			}
		}
	}
	for round := 0; round < 200; round++ {
		var keys [packet.BatchSize]flow.Key
		var out [packet.BatchSize]*megaflow
		n := 1 + r.IntN(packet.BatchSize)
		todo := uint32(0)
		for i := 0; i < n; i++ {
			keys[i] = randKey(uint32(1 + r.IntN(3)))
			if r.IntN(4) != 0 {
				todo |= 1 << i
			}
		}
		miss, hits, lookups := c.lookupBatch(&keys, todo, &out)
		var wantHits, wantLookups uint64
		for i := 0; i < n; i++ {
			if todo&(1<<i) == 0 {
				if out[i] != nil {
					t.Fatalf("packet %d not asked for but found", i)
				}
				continue
			}
			f, nl := c.lookup(&keys[i])
			wantLookups += uint64(nl)
			if f != nil {
				wantHits++
			}
			if f != out[i] || (f == nil) != (miss&(1<<i) != 0) {
				t.Fatalf("round %d packet %d: batch %p (miss %v), sequential %p", round, i, out[i], miss&(1<<i) != 0, f)
			}
		}
		if hits != wantHits || lookups != wantLookups {
			t.Fatalf("round %d: hits %d lookups %d, want %d %d", round, hits, lookups, wantHits, wantLookups)
		}
		if bits.OnesCount32(miss)+int(hits) != bits.OnesCount32(todo) {
			t.Fatalf("round %d: misses and hits do not add up", round)
		}
	}
}

// emcBench is an EMC holding benchFlows TCP keys of flows matching on
// tp_src.
func emcBench() (*emc, []flow.Key, []uint64) {
	c := new(emc)
	var mf megaflowCache
	keys := make([]flow.Key, benchFlows)
	maps := make([]uint64, benchFlows)
	var m flow.Key
	m.DlType, m.TpSrc = 0xffff, 0xffff
	for i := range keys {
		keys[i] = tcpKey(uint16(i))
		keys[i].InPort = 1
		maps[i] = mapOf(&keys[i])
		c.insert(emcHash(&keys[i], maps[i]), installed(&mf, keys[i], m))
	}
	return c, keys, maps
}

func BenchmarkEMCLookup(b *testing.B) {
	c, keys, maps := emcBench()
	i := 0
	for b.Loop() {
		if f := c.lookup(emcHash(&keys[i], maps[i])); f != nil && !f.matches(&keys[i]) {
			b.Fatal("mismatch")
		}
		i = (i + 1) % len(keys)
	}
}

func TestEMCLookupAllocs(t *testing.T) {
	c, keys, maps := emcBench()
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		if f := c.lookup(emcHash(&keys[i], maps[i])); f != nil {
			f.matches(&keys[i])
		}
		i = (i + 1) % len(keys)
	}); n != 0 {
		t.Fatalf("%v allocations per lookup", n)
	}
}

// megaflowBench is a megaflow cache of benchFlows flows over nSub
// subtables, as BenchmarkPipeline's, and batches of their keys.
func megaflowBench(nSub int) (*megaflowCache, [][packet.BatchSize]flow.Key) {
	c := new(megaflowCache)
	var batches [][packet.BatchSize]flow.Key
	for i := 0; i < benchFlows; i++ {
		k := tcpKey(uint16(i))
		k.InPort = 1
		var m flow.Key
		m.DlType, m.TpSrc = 0xffff, 0xffff
		m.Metadata = uint64(i%nSub) + 1
		m.InPort, m.RecircID = ^uint32(0), ^uint32(0)
		kk := k
		kk.And(&m)
		c.insert(&megaflow{key: kk, mask: m})
		if i%packet.BatchSize == 0 {
			batches = append(batches, [packet.BatchSize]flow.Key{})
		}
		batches[len(batches)-1][i%packet.BatchSize] = k
	}
	return c, batches[:len(batches)-1]
}

func BenchmarkLookupBatch(b *testing.B) {
	for _, nSub := range []int{1, 10, 100} {
		c, batches := megaflowBench(nSub)
		b.Run(fmt.Sprintf("sub%d", nSub), func(b *testing.B) {
			var out [packet.BatchSize]*megaflow
			i := 0
			for b.Loop() {
				if miss, _, _ := c.lookupBatch(&batches[i], ^uint32(0), &out); miss != 0 {
					b.Fatal("miss")
				}
				i = (i + 1) % len(batches)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*packet.BatchSize), "ns/pkt")
		})
	}
}

func TestLookupBatchAllocs(t *testing.T) {
	c, batches := megaflowBench(10)
	var out [packet.BatchSize]*megaflow
	i := 0
	if n := testing.AllocsPerRun(100, func() {
		c.lookupBatch(&batches[i], ^uint32(0), &out)
		i = (i + 1) % len(batches)
	}); n != 0 {
		t.Fatalf("%v allocations per batch", n)
	}
}
