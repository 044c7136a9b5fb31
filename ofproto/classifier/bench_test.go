package classifier

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"govs.dev/govs/flow"
)

// benchClassifier builds 1000 rules spread over nSub distinct masks.
func benchClassifier(b *testing.B, nSub int) (*Classifier, []flow.Key) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := New()
	for i := range 1000 {
		s := i % nSub
		var m flow.Match
		m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
		m.Key.InPort, m.Mask.InPort = uint32(1+i%4), ^uint32(0)
		// Each subtable gets its own nw_dst prefix length and port mask.
		m.Key.NwDst, m.Mask.NwDst = rng.Uint32(), prefix32(8+s%25)
		if s >= 25 {
			m.Key.TpDst, m.Mask.TpDst = uint16(rng.IntN(1024)), ^uint16(0)>>(s/25-1)
		}
		m.Normalize()
		if err := c.Insert(&Rule{Match: m, Priority: int32(rng.IntN(1000))}, 1); err != nil {
			b.Fatal(err)
		}
	}
	if got := c.NumSubtables(); got != nSub {
		b.Fatalf("built %d subtables, want %d", got, nSub)
	}
	keys := make([]flow.Key, 256)
	for i := range keys {
		keys[i].DlType = 0x0800
		keys[i].InPort = uint32(1 + i%4)
		keys[i].NwDst = rng.Uint32()
		keys[i].NwProto = 6
		keys[i].TpDst = uint16(rng.IntN(1024))
	}
	return c, keys
}

func BenchmarkLookup(b *testing.B) {
	for _, nSub := range []int{1, 10, 100} {
		for _, withWC := range []bool{true, false} {
			b.Run(fmt.Sprintf("subtables=%d/wc=%v", nSub, withWC), func(b *testing.B) {
				c, keys := benchClassifier(b, nSub)
				var wc flow.Key
				wcp := &wc
				if !withWC {
					wcp = nil
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c.Lookup(&keys[i&255], 1, wcp)
				}
			})
		}
	}
}

func BenchmarkInsertDelete(b *testing.B) {
	c, _ := benchClassifier(b, 10)
	r := &Rule{Match: ipMatch(0x0a000000, 24), Priority: 5}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := c.Insert(r, 1); err != nil {
			b.Fatal(err)
		}
		if err := c.Delete(r); err != nil {
			b.Fatal(err)
		}
	}
}
