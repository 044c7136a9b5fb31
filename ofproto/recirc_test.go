package ofproto

import (
	"sync"
	"testing"
	"time"

	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/openflow"
)

// stepClock is a clock tests move by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func state(table uint8, reg0 uint32) *xlate.FrozenState {
	s := &xlate.FrozenState{Bridge: "br0", Table: table}
	s.Metadata.Regs[0] = reg0
	return s
}

func TestRecircTable(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, tb *RecircTable, clk *stepClock)
	}{
		{"same state same id", func(t *testing.T, tb *RecircTable, _ *stepClock) {
			a, _ := tb.Freeze(state(1, 5))
			b, _ := tb.Freeze(state(1, 5))
			c, _ := tb.Freeze(state(1, 6))
			if a == 0 || a != b || a == c {
				t.Fatalf("ids %d %d %d: want equal states to share a nonzero id", a, b, c)
			}
			if tb.Refs(a) != 2 || tb.Refs(c) != 1 {
				t.Fatalf("refs %d %d, want 2 1", tb.Refs(a), tb.Refs(c))
			}
		}},
		{"actions distinguish states", func(t *testing.T, tb *RecircTable, _ *stepClock) {
			s1, s2 := state(0, 0), state(0, 0)
			s1.Actions = []openflow.Action{openflow.Output{Port: 1}}
			s2.Actions = []openflow.Action{openflow.Output{Port: 2}}
			a, _ := tb.Freeze(s1)
			b, _ := tb.Freeze(s2)
			s3 := state(0, 0)
			s3.Actions = []openflow.Action{xlate.UnrollXlate{Table: 1, Cookie: 2}, openflow.Output{Port: 1}}
			c, _ := tb.Freeze(s3)
			if a == b || a == c || b == c {
				t.Fatalf("ids %d %d %d: want distinct", a, b, c)
			}
		}},
		{"release lingers then frees", func(t *testing.T, tb *RecircTable, clk *stepClock) {
			a, _ := tb.Freeze(state(1, 5))
			tb.Unref(a)
			if tb.Thaw(a) == nil {
				t.Fatal("id gone right after its last reference; want a grace period")
			}
			if tb.Ref(a) {
				t.Fatal("Ref succeeded on an unreferenced id")
			}
			// An equal state frozen now gets a new id: the old one is
			// on its way out.
			b, _ := tb.Freeze(state(1, 5))
			if b == a {
				t.Fatalf("id %d reused during its grace period", a)
			}
			clk.add(2 * recircGrace)
			tb.Sweep()
			if tb.Thaw(a) != nil {
				t.Fatal("id still found after the grace period")
			}
			if tb.Thaw(b) == nil {
				t.Fatal("referenced id freed")
			}
			if n := tb.Len(); n != 1 {
				t.Fatalf("Len = %d, want 1", n)
			}
		}},
		{"ids move forward", func(t *testing.T, tb *RecircTable, clk *stepClock) {
			a, _ := tb.Freeze(state(1, 1))
			tb.Unref(a)
			clk.add(2 * recircGrace)
			tb.Sweep()
			b, _ := tb.Freeze(state(1, 1))
			if b <= a {
				t.Fatalf("id %d after %d: ids must not be reused at once", b, a)
			}
		}},
		{"wrap skips static ids and used ids", func(t *testing.T, tb *RecircTable, _ *stepClock) {
			tb.nextID = 0
			a, _ := tb.Freeze(state(1, 1))
			if a != recircStaticIDs+1 {
				t.Fatalf("after wrap id = %d, want %d", a, recircStaticIDs+1)
			}
			tb.nextID = a
			b, _ := tb.Freeze(state(1, 2))
			if b != a+1 {
				t.Fatalf("id %d in use was not skipped (got %d)", a, b)
			}
		}},
		{"unknown and double unref", func(t *testing.T, tb *RecircTable, _ *stepClock) {
			if tb.Thaw(12345) != nil || tb.Ref(12345) {
				t.Fatal("unknown id found")
			}
			tb.Unref(12345) // logged, ignored
			a, _ := tb.Freeze(state(1, 1))
			tb.Unref(a)
			tb.Unref(a)
			if tb.Refs(a) != 0 {
				t.Fatal("refcount went wrong on double unref")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &stepClock{t: time.Unix(1000, 0)}
			tc.run(t, NewRecircTable(clk.now), clk)
		})
	}
}

// TestRecircTableConcurrent freezes, thaws and releases from many
// goroutines (run with -race): held ids stay referenced and the table ends
// up empty once every reference went and the grace period passed.
func TestRecircTableConcurrent(t *testing.T) {
	clk := &stepClock{t: time.Unix(1000, 0)}
	tb := NewRecircTable(clk.now)
	const workers, states, rounds = 8, 16, 50
	ids := make([][states]uint32, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				for s := range states {
					id, err := tb.Freeze(state(uint8(s), 7))
					if err != nil {
						t.Error(err)
						return
					}
					if tb.Thaw(id) == nil {
						t.Errorf("frozen id %d not found", id)
					}
					if r == rounds-1 {
						ids[w][s] = id // keep the last reference
					} else {
						tb.Unref(id)
					}
				}
			}
		}()
	}
	wg.Wait()
	for w := range workers {
		for s := range states {
			if tb.Thaw(ids[w][s]) == nil || tb.Refs(ids[w][s]) == 0 {
				t.Fatalf("held id %d not referenced", ids[w][s])
			}
		}
	}
	for w := range workers {
		for s := range states {
			tb.Unref(ids[w][s])
		}
	}
	clk.add(2 * recircGrace)
	tb.Sweep()
	if n := tb.Len(); n != 0 {
		t.Fatalf("%d ids left after every reference went", n)
	}
}

// TestBackerReleaseRef checks that a megaflow's ref releases its ids once,
// whoever calls it.
func TestBackerReleaseRef(t *testing.T) {
	k := NewBacker("dummy", &fixedClock{time.Unix(1000, 0)})
	id, _ := k.Recirc().Freeze(state(1, 1))
	r := k.newRef(&xlate.Result{Recircs: []uint32{id}}, genSnapshot{})
	if k.Recirc().Refs(id) != 1 {
		t.Fatal("ref did not take over the reference")
	}
	k.ReleaseRef(r)
	k.ReleaseRef(r)
	if k.Recirc().Refs(id) != 0 {
		t.Fatalf("refs = %d after release", k.Recirc().Refs(id))
	}
	k.ReleaseRef("not a ref")
}
