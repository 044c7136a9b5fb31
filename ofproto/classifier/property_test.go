package classifier

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"govs.dev/govs/flow"
)

// bruteRule is the reference's view of a rule.
type bruteRule struct {
	r              *Rule
	added, removed uint64
	deleted        bool
}

// brute is the slow reference classifier: a list scanned in full.
type brute struct{ rules []*bruteRule }

func (b *brute) lookup(k *flow.Key, version uint64) *Rule {
	var best *bruteRule
	for _, br := range b.rules {
		if br.deleted || version < br.added || version >= br.removed || !br.r.Match.Matches(k) {
			continue
		}
		if best == nil || br.r.Priority > best.r.Priority {
			best = br
		}
	}
	if best == nil {
		return nil
	}
	return best.r
}

// gen draws keys and matches from small domains so that rules overlap and
// packets hit them often.
type gen struct{ rng *rand.Rand }

func (g gen) pick(vals ...uint32) uint32 { return vals[g.rng.IntN(len(vals))] }

// key returns a random packet key.
func (g gen) key() flow.Key {
	var k flow.Key
	k.InPort = g.pick(1, 2, 3)
	k.Regs[0] = g.pick(0, 1, 0x80000000)
	k.DlType = uint16(g.pick(0x0800, 0x86dd, 0x0806))
	k.DlSrc = [6]byte{0, 0, 0, 0, 0, byte(g.pick(1, 2))}
	k.VLANs[0].TCI = uint16(g.pick(0, 0x1005, 0x1006))
	k.NwSrc = g.pick(0x0a000001, 0x0a000002, 0x0a000102, 0x0b000001, 0xc0a80001)
	k.NwDst = g.pick(0x0a000001, 0x0a0000ff, 0x0a010203, 0x14000001, 0x0a000080)
	k.IPv6Src[15] = byte(g.pick(1, 2))
	k.IPv6Src[0] = byte(g.pick(0x20, 0xfe))
	k.NwProto = uint8(g.pick(6, 17, 1))
	k.NwTOS = uint8(g.pick(0, 4))
	k.TpSrc = uint16(g.pick(80, 443, 1024, 0x8050))
	k.TpDst = uint16(g.pick(80, 53, 8080, 0))
	k.TCPFlags = uint16(g.pick(0, 2, 0x12))
	k.CtState = g.pick(0, flow.CtTracked|flow.CtNew, flow.CtTracked|flow.CtEstablished)
	return k
}

func prefix32(n int) uint32 {
	if n == 0 {
		return 0
	}
	return ^uint32(0) << (32 - n)
}

// match returns a random match: a random subset of fields with
// random (often CIDR) masks, its values taken from a random key.
func (g gen) match() flow.Match {
	k := g.key()
	var m flow.Key
	on := func() bool { return g.rng.IntN(3) == 0 }
	if on() {
		m.InPort = ^uint32(0)
	}
	if on() {
		m.Regs[0] = g.pick(^uint32(0), 0x80000000, 1)
	}
	if on() || g.rng.IntN(2) == 0 {
		m.DlType = 0xffff
	}
	if on() {
		m.DlSrc = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	if on() {
		m.VLANs[0].TCI = uint16(g.pick(0xffff, 0x1000, 0x0fff))
	}
	if on() {
		m.NwSrc = prefix32(int(g.pick(8, 16, 24, 30, 32)))
	}
	if on() {
		m.NwDst = g.pick(prefix32(8), prefix32(16), prefix32(24), prefix32(25), ^uint32(0), 0xff)
	}
	if on() {
		m.IPv6Src = [16]byte{0xff}
	}
	if on() {
		m.NwProto = 0xff
	}
	if on() {
		m.NwTOS = 0xfc
	}
	if on() {
		m.TpSrc = uint16(g.pick(0xffff, 0xff00, 0x8000))
	}
	if on() {
		m.TpDst = uint16(g.pick(0xffff, 0xfff0))
	}
	if on() {
		m.TCPFlags = uint16(g.pick(0x0fff, 0x0002))
	}
	if on() {
		m.CtState = g.pick(flow.CtTracked, flow.CtNew|flow.CtEstablished)
	}
	mt := flow.Match{Key: k, Mask: m}
	mt.Normalize()
	return mt
}

// agreeing returns a random key equal to p on the bits of wc.
func (g gen) agreeing(p, wc *flow.Key) flow.Key {
	var q flow.Key
	if g.rng.IntN(2) == 0 {
		q = g.key()
	} else {
		for i := range q.Words() {
			q.Words()[i] = g.rng.Uint64()
		}
	}
	qw, pw, mw := q.Words(), p.Words(), wc.Words()
	for i := range qw {
		qw[i] = qw[i]&^mw[i] | pw[i]&mw[i]
	}
	return q
}

// runProperty drives a classifier and the reference through a random
// history of inserts, removes and deletes over several versions, and checks
// every lookup's result and wildcards against the reference.
func runProperty(t *testing.T, seed uint64, steps, nChecks int, prefixes []string) {
	t.Helper()
	g := gen{rand.New(rand.NewPCG(seed, seed^0x5eed))}
	c := New()
	if err := c.SetPrefixFields(prefixes); err != nil {
		t.Fatal(err)
	}
	var ref brute
	const window = 3 // lookups reach this many versions back
	version := uint64(1)
	usedPri := map[int32]bool{}
	newPri := func() int32 {
		for {
			p := int32(g.rng.IntN(2000))
			if !usedPri[p] {
				usedPri[p] = true
				return p
			}
		}
	}
	var live []*bruteRule
	for step := 0; step < steps; step++ {
		version++
		nIns := g.rng.IntN(6)
		for i := 0; i < nIns; i++ {
			r := &Rule{Match: g.match(), Priority: newPri(), Value: fmt.Sprint("r", step, i)}
			if len(live) > 0 && g.rng.IntN(5) == 0 {
				// Same match as an existing rule, other priority.
				r.Match = live[g.rng.IntN(len(live))].r.Match
			}
			if err := c.Insert(r, version); err != nil {
				t.Fatalf("step %d: insert: %v", step, err)
			}
			br := &bruteRule{r: r, added: version, removed: NotRemoved}
			ref.rules = append(ref.rules, br)
			live = append(live, br)
		}
		// Replace a rule by one with the same match and priority (a
		// versioned modify).
		if len(live) > 0 && g.rng.IntN(3) == 0 {
			i := g.rng.IntN(len(live))
			old := live[i]
			if old.removed == NotRemoved && old.added < version {
				if err := c.Remove(old.r, version); err != nil {
					t.Fatal(err)
				}
				old.removed = version
				nr := &Rule{Match: old.r.Match, Priority: old.r.Priority, Value: "mod"}
				if err := c.Insert(nr, version); err != nil {
					t.Fatalf("step %d: modify insert: %v", step, err)
				}
				br := &bruteRule{r: nr, added: version, removed: NotRemoved}
				ref.rules = append(ref.rules, br)
				live = append(live, br)
			}
		}
		nRem := g.rng.IntN(4)
		for i := 0; i < nRem && len(live) > 0; i++ {
			br := live[g.rng.IntN(len(live))]
			if br.removed != NotRemoved {
				continue
			}
			if err := c.Remove(br.r, version); err != nil {
				t.Fatal(err)
			}
			br.removed = version
		}
		// Physically delete rules no lookup can see any more.
		kept := live[:0]
		for _, br := range live {
			if br.removed <= version-window {
				if err := c.Delete(br.r); err != nil {
					t.Fatal(err)
				}
				br.deleted = true
				continue
			}
			kept = append(kept, br)
		}
		live = kept
		if c.Count() != len(live) {
			t.Fatalf("step %d: Count %d, want %d", step, c.Count(), len(live))
		}

		for n := 0; n < nChecks; n++ {
			v := version - uint64(g.rng.IntN(window))
			var p flow.Key
			if len(live) > 0 && g.rng.IntN(2) == 0 {
				m := live[g.rng.IntN(len(live))].r.Match
				p = g.agreeing(&m.Key, &m.Mask)
			} else {
				p = g.key()
			}
			var wc flow.Key
			got := c.Lookup(&p, v, &wc)
			want := ref.lookup(&p, v)
			if got != want {
				t.Fatalf("step %d v%d: Lookup = %v, want %v", step, v, ruleName(got), ruleName(want))
			}
			if nw := c.Lookup(&p, v, nil); nw != got {
				t.Fatalf("step %d: Lookup without wildcards = %v, with = %v", step, ruleName(nw), ruleName(got))
			}
			for j := 0; j < 8; j++ {
				q := g.agreeing(&p, &wc)
				if w := ref.lookup(&q, v); w != got {
					msg := fmt.Sprintf("p: %s\nwc: %s\nq: %s\n", keyString(&p), keyString(&wc), keyString(&q))
					msg += fmt.Sprintf("w: %s / %s\n", keyString(&w.Match.Key), keyString(&w.Match.Mask))
					if got != nil {
						msg += fmt.Sprintf("got: %s / %s\n", keyString(&got.Match.Key), keyString(&got.Match.Mask))
					}
					t.Fatalf("step %d v%d: wildcards too wide: packet agreeing on wc gets %v, lookup said %v\n%s",
						step, v, ruleName(w), ruleName(got), msg)
				}
			}
		}
	}
}

func ruleName(r *Rule) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%v(pri %d)", r.Value, r.Priority)
}

func TestPropertyRandom(t *testing.T) {
	for _, tc := range []struct {
		name     string
		prefixes []string
	}{
		{"default-tries", DefaultPrefixFields},
		{"no-tries", nil},
		{"ipv6-and-reg", []string{"ipv6_src", "reg0", "nw_dst"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 4; seed++ {
				runProperty(t, seed, 120, 20, tc.prefixes)
			}
		})
	}
}

// FuzzClassifier runs the property test with fuzzer-chosen seeds and sizes.
func FuzzClassifier(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 9 {
			return
		}
		seed := binary.LittleEndian.Uint64(data)
		steps := 10 + int(data[8])%60
		prefixes := [][]string{DefaultPrefixFields, nil, {"ipv6_src", "reg0"}}[int(seed%3)]
		runProperty(t, seed, steps, 10, prefixes)
	})
}
