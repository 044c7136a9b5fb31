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

func TestEMCDistinguishesEveryWord(t *testing.T) {
	base := tcpKey(1)
	base.InPort = 1
	wm := mapOf(&base)
	for i := 0; i < flow.KeyWords; i++ {
		other := base
		other.Words()[i] ^= 1 << (i % 64)
		owm := wm | 1<<i
		t.Run(fmt.Sprint("word", i), func(t *testing.T) {
			c := new(emc)
			f := &megaflow{}
			var w, ow [emcWords]uint64
			h, ok := packKey(&base, wm, &w)
			if !ok {
				t.Fatal("base key not packable")
			}
			c.insert(h, wm, &w, f)
			if c.lookup(h, wm, &w) != f {
				t.Fatal("inserted key not found")
			}
			oh, ok := packKey(&other, owm, &ow)
			if !ok {
				t.Fatal("other key not packable")
			}
			if c.lookup(oh, owm, &ow) != nil {
				t.Errorf("key differing in word %d hits the EMC", i)
			}
			// A deleted flow's entry stays until replaced; the loop
			// checks the flag.
			f.dead = true
			if got := c.lookup(h, wm, &w); got != nil && !got.dead {
				t.Error("dead flow still hits the EMC")
			}
		})
	}
}

func TestEMCLargeKeyNotPacked(t *testing.T) {
	var k flow.Key
	var w [emcWords]uint64
	if _, ok := packKey(&k, fullMap, &w); ok {
		t.Fatalf("a %d-word map packs into %d words", flow.KeyWords, emcWords)
	}
	if _, ok := packKey(&k, 1<<emcWords-1, &w); !ok {
		t.Fatalf("a %d-word map does not pack", emcWords)
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
				c.insert(&megaflow{key: k, mask: mask})
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

// emcBench is an EMC holding benchFlows TCP keys.
func emcBench() (*emc, []flow.Key, []uint64) {
	c := new(emc)
	keys := make([]flow.Key, benchFlows)
	maps := make([]uint64, benchFlows)
	for i := range keys {
		keys[i] = tcpKey(uint16(i))
		keys[i].InPort = 1
		maps[i] = mapOf(&keys[i])
		var w [emcWords]uint64
		h, _ := packKey(&keys[i], maps[i], &w)
		c.insert(h, maps[i], &w, &megaflow{})
	}
	return c, keys, maps
}

func BenchmarkEMCLookup(b *testing.B) {
	c, keys, maps := emcBench()
	var w [emcWords]uint64
	i := 0
	for b.Loop() {
		h, _ := packKey(&keys[i], maps[i], &w)
		c.lookup(h, maps[i], &w) // a few keys lost their slot to others
		i = (i + 1) % len(keys)
	}
}

func TestEMCLookupAllocs(t *testing.T) {
	c, keys, maps := emcBench()
	var w [emcWords]uint64
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		h, _ := packKey(&keys[i], maps[i], &w)
		c.lookup(h, maps[i], &w)
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
		// The same lookups one packet at a time, for comparison.
		b.Run(fmt.Sprintf("sub%d_seq", nSub), func(b *testing.B) {
			i := 0
			for b.Loop() {
				for j := range batches[i] {
					if f, _ := c.lookup(&batches[i][j]); f == nil {
						b.Fatal("miss")
					}
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
