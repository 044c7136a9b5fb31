package classifier

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"govs.dev/govs/flow"
)

func ipMatch(nwDst uint32, plen int) flow.Match {
	var m flow.Match
	m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
	m.Key.NwDst, m.Mask.NwDst = nwDst, prefix32(plen)
	m.Normalize()
	return m
}

func ipKey(nwDst uint32) flow.Key {
	var k flow.Key
	k.DlType = 0x0800
	k.NwDst = nwDst
	return k
}

func TestPrioritiesAndVersions(t *testing.T) {
	type op struct {
		do      string // "ins", "rem", "del", "restore"
		name    string
		match   flow.Match
		pri     int32
		version uint64
		err     error
	}
	type check struct {
		key     flow.Key
		version uint64
		want    string // rule name or ""
	}
	m24 := ipMatch(0x0a000100, 24)
	m16 := ipMatch(0x0a000000, 16)
	for _, tc := range []struct {
		name   string
		ops    []op
		checks []check
	}{
		{
			name: "higher priority wins across subtables",
			ops: []op{
				{do: "ins", name: "a", match: m16, pri: 10, version: 1},
				{do: "ins", name: "b", match: m24, pri: 20, version: 1},
			},
			checks: []check{
				{ipKey(0x0a000105), 1, "b"},
				{ipKey(0x0a000205), 1, "a"},
				{ipKey(0x0b000105), 1, ""},
				{ipKey(0x0a000105), 0, ""},
			},
		},
		{
			name: "lower priority wider rule loses to higher narrower",
			ops: []op{
				{do: "ins", name: "a", match: m16, pri: 30, version: 1},
				{do: "ins", name: "b", match: m24, pri: 20, version: 1},
			},
			checks: []check{{ipKey(0x0a000105), 1, "a"}},
		},
		{
			name: "same match different priorities",
			ops: []op{
				{do: "ins", name: "lo", match: m24, pri: 10, version: 1},
				{do: "ins", name: "hi", match: m24, pri: 20, version: 2},
				{do: "rem", name: "hi", version: 4},
			},
			checks: []check{
				{ipKey(0x0a000101), 1, "lo"},
				{ipKey(0x0a000101), 2, "hi"},
				{ipKey(0x0a000101), 3, "hi"},
				{ipKey(0x0a000101), 4, "lo"},
			},
		},
		{
			name: "same match and priority refused while visible",
			ops: []op{
				{do: "ins", name: "a", match: m24, pri: 10, version: 1},
				{do: "ins", name: "b", match: m24, pri: 10, version: 2, err: ErrDuplicate},
			},
			checks: []check{{ipKey(0x0a000101), 2, "a"}},
		},
		{
			name: "versioned modify: same match and priority",
			ops: []op{
				{do: "ins", name: "old", match: m24, pri: 10, version: 1},
				{do: "rem", name: "old", version: 5},
				{do: "ins", name: "new", match: m24, pri: 10, version: 5},
			},
			checks: []check{
				{ipKey(0x0a000101), 4, "old"},
				{ipKey(0x0a000101), 5, "new"},
				{ipKey(0x0a000101), 9, "new"},
			},
		},
		{
			name: "restore visibility after an aborted removal",
			ops: []op{
				{do: "ins", name: "a", match: m24, pri: 10, version: 1},
				{do: "rem", name: "a", version: 3},
				{do: "restore", name: "a"},
			},
			checks: []check{{ipKey(0x0a000101), 7, "a"}},
		},
		{
			name: "delete takes the rule out",
			ops: []op{
				{do: "ins", name: "a", match: m24, pri: 10, version: 1},
				{do: "ins", name: "b", match: m16, pri: 5, version: 1},
				{do: "del", name: "a"},
				{do: "del", name: "a", err: ErrNotInserted},
			},
			checks: []check{{ipKey(0x0a000101), 1, "b"}},
		},
		{
			name: "remove before added is refused",
			ops: []op{
				{do: "ins", name: "a", match: m24, pri: 10, version: 5},
				{do: "rem", name: "a", version: 4, err: ErrBadVersion},
			},
			checks: []check{{ipKey(0x0a000101), 4, ""}, {ipKey(0x0a000101), 5, "a"}},
		},
		{
			name: "future rule invisible now",
			ops: []op{
				{do: "ins", name: "now", match: m16, pri: 1, version: 1},
				{do: "ins", name: "later", match: m24, pri: 100, version: 3},
			},
			checks: []check{{ipKey(0x0a000101), 2, "now"}, {ipKey(0x0a000101), 3, "later"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := New()
			rules := map[string]*Rule{}
			for i, o := range tc.ops {
				var err error
				switch o.do {
				case "ins":
					r := &Rule{Match: o.match, Priority: o.pri, Value: o.name}
					if err = c.Insert(r, o.version); err == nil {
						rules[o.name] = r
					}
				case "rem":
					err = c.Remove(rules[o.name], o.version)
				case "restore":
					err = c.RestoreVisibility(rules[o.name])
				case "del":
					err = c.Delete(rules[o.name])
				}
				if !errors.Is(err, o.err) {
					t.Fatalf("op %d (%s %s): err %v, want %v", i, o.do, o.name, err, o.err)
				}
			}
			for _, ch := range tc.checks {
				got := ""
				if r := c.Lookup(&ch.key, ch.version, nil); r != nil {
					got = r.Value.(string)
				}
				if got != ch.want {
					t.Errorf("lookup %x at v%d: got %q, want %q", ch.key.NwDst, ch.version, got, ch.want)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	c := New()
	if err := c.Insert(nil, 1); !errors.Is(err, ErrNilRule) {
		t.Errorf("nil insert: %v", err)
	}
	r := &Rule{Match: ipMatch(0x0a000000, 8)}
	if err := c.Insert(r, NotRemoved); !errors.Is(err, ErrBadVersion) {
		t.Errorf("insert at NotRemoved: %v", err)
	}
	if err := c.Insert(r, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Insert(r, 1); !errors.Is(err, ErrInClassifier) {
		t.Errorf("double insert: %v", err)
	}
	other := New()
	if err := other.Remove(r, 2); !errors.Is(err, ErrNotInserted) {
		t.Errorf("remove from other classifier: %v", err)
	}
	for _, names := range [][]string{{"nosuch"}, {"dl_src"}, {"nw_src", "nw_dst", "ipv6_src", "ipv6_dst"}} {
		if err := c.SetPrefixFields(names); !errors.Is(err, ErrPrefixField) {
			t.Errorf("SetPrefixFields(%v): %v", names, err)
		}
	}
	// Unnormalized matches are normalized.
	u := &Rule{Match: flow.Match{Key: flow.Key{NwSrc: 0xffffffff, DlType: 0x0800}, Mask: flow.Key{DlType: 0xffff}}}
	if err := c.Insert(u, 1); err != nil {
		t.Fatal(err)
	}
	if u.Match.Key.NwSrc != 0 {
		t.Errorf("Insert did not normalize the match")
	}
}

func TestFindExactAndRules(t *testing.T) {
	c := New()
	a := &Rule{Match: ipMatch(0x0a000100, 24), Priority: 10, Value: "a"}
	b := &Rule{Match: ipMatch(0x0a000100, 24), Priority: 20, Value: "b"}
	d := &Rule{Match: ipMatch(0x0a000000, 16), Priority: 10, Value: "d"}
	e := &Rule{Match: ipMatch(0x0b000000, 8), Priority: 10, Value: "e"}
	for _, r := range []*Rule{a, b, d, e} {
		if err := c.Insert(r, 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Remove(b, 2); err != nil {
		t.Fatal(err)
	}
	m := ipMatch(0x0a000100, 24)
	m.Key.NwDst |= 0x7f // not normalized on purpose
	for _, tc := range []struct {
		pri     int32
		version uint64
		want    *Rule
	}{{10, 1, a}, {20, 1, b}, {20, 2, nil}, {30, 1, nil}} {
		if got := c.FindExact(&m, tc.pri, tc.version); got != tc.want {
			t.Errorf("FindExact pri %d v%d = %v, want %v", tc.pri, tc.version, ruleName(got), ruleName(tc.want))
		}
	}
	collect := func(v uint64, target *flow.Match) map[string]bool {
		out := map[string]bool{}
		for r := range c.Rules(v, target) {
			out[r.Value.(string)] = true
		}
		return out
	}
	ten := ipMatch(0x0a000000, 8)
	for _, tc := range []struct {
		name    string
		version uint64
		target  *flow.Match
		want    string
	}{
		{"all v1", 1, nil, "map[a:true b:true d:true e:true]"},
		{"all v2", 2, nil, "map[a:true d:true e:true]"},
		{"loose 10/8", 1, &ten, "map[a:true b:true d:true]"},
		{"loose /16 excludes wider", 2, &m, "map[a:true]"},
	} {
		if got := fmt.Sprint(collect(tc.version, tc.target)); got != tc.want {
			t.Errorf("%s: Rules = %s, want %s", tc.name, got, tc.want)
		}
	}
	if c.Count() != 4 || c.NumSubtables() != 3 {
		t.Errorf("Count %d, NumSubtables %d", c.Count(), c.NumSubtables())
	}
	for range c.Rules(1, nil) {
		break // early stop must not panic
	}
}

// TestChurnCompaction deletes and re-adds many rules so that subtables and
// tries compact, and checks lookups stay right throughout.
func TestChurnCompaction(t *testing.T) {
	c := New()
	var rules []*Rule
	add := func(i int, v uint64) {
		r := &Rule{Match: ipMatch(0x0a000000|uint32(i)<<8, 24), Priority: int32(i % 7), Value: i}
		if err := c.Insert(r, v); err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
	}
	for i := range 3000 {
		add(i, 1)
	}
	for round := range 3 {
		for _, r := range rules[:2500] {
			if err := c.Delete(r); err != nil {
				t.Fatal(err)
			}
		}
		rules = rules[2500:]
		for i := range 2500 {
			add(i+round*10000, 1)
		}
		for _, r := range rules {
			k := ipKey(r.Match.Key.NwDst | 5)
			var wc flow.Key
			if got := c.Lookup(&k, 1, &wc); got != r {
				t.Fatalf("round %d: lookup %x = %v, want %v", round, k.NwDst, ruleName(got), ruleName(r))
			}
		}
	}
	if c.Count() != 3000 {
		t.Fatalf("Count = %d", c.Count())
	}
}

// TestConcurrentLookups runs lock-free readers against a writer that keeps
// inserting and removing rules in new versions. Run with -race. Readers
// check that every rule they see is visible in the version they asked for
// and that a rule present in every version is never lost.
func TestConcurrentLookups(t *testing.T) {
	c := New()
	anchor := &Rule{Match: ipMatch(0x0a000000, 8), Priority: 1, Value: "anchor"}
	if err := c.Insert(anchor, 1); err != nil {
		t.Fatal(err)
	}
	var version atomic.Uint64
	version.Store(1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Value
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := version.Load()
				k := ipKey(0x0a000000 | uint32(i%512)<<8 | 7)
				var wc flow.Key
				r := c.Lookup(&k, v, &wc)
				if r == nil {
					bad.Store(fmt.Sprintf("lookup %x at v%d lost the anchor", k.NwDst, v))
					return
				}
				if r != anchor && !r.Match.Matches(&k) {
					bad.Store("returned a rule that does not match")
					return
				}
				for range c.Rules(v, nil) {
				}
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	var live []*Rule
	for step := range 3000 {
		next := version.Load() + 1
		for j := range 4 {
			r := &Rule{Match: ipMatch(0x0a000000|uint32((step*4+j)%512)<<8, 24), Priority: 10, Value: step}
			if err := c.Insert(r, next); err != nil {
				continue // same match still visible: fine
			}
			live = append(live, r)
		}
		if len(live) > 40 {
			for _, r := range live[:4] {
				if err := c.Remove(r, next); err != nil {
					t.Fatal(err)
				}
			}
		}
		version.Store(next)
		// Delete rules removed long enough ago that no reader can use a
		// version that sees them: readers load the version afresh for
		// every lookup, and the window below is generous.
		if len(live) > 80 {
			for _, r := range live[:4] {
				if err := c.Delete(r); err != nil {
					t.Fatal(err)
				}
			}
			live = live[4:]
		}
	}
	close(stop)
	wg.Wait()
	if s, ok := bad.Load().(string); ok {
		t.Fatal(s)
	}
}

func TestLookupAllocs(t *testing.T) {
	c := New()
	for i := range 100 {
		var m flow.Match
		m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
		m.Key.NwDst, m.Mask.NwDst = uint32(i)<<8, prefix32(8+i%20)
		m.Key.TpDst, m.Mask.TpDst = uint16(i), 0xffff
		m.Normalize()
		if err := c.Insert(&Rule{Match: m, Priority: int32(i)}, 1); err != nil {
			t.Fatal(err)
		}
	}
	k := ipKey(0x0a000001)
	k.TpDst = 5
	var wc flow.Key
	if n := testing.AllocsPerRun(100, func() { c.Lookup(&k, 1, &wc) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { c.Lookup(&k, 1, nil) }); n != 0 {
		t.Errorf("Lookup without wildcards allocates %v times", n)
	}
}

// TestMemoryPerRule logs what 100,000 OVN-like rules cost beyond the Rule
// structs the caller owns.
func TestMemoryPerRule(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 100k rules")
	}
	const n = 100_000
	rules := make([]Rule, n)
	for i := range rules {
		var m flow.Match
		m.Key.Metadata, m.Mask.Metadata = uint64(i%50), ^uint64(0)
		m.Key.Regs[14], m.Mask.Regs[14] = uint32(i%7), ^uint32(0)
		m.Key.DlType, m.Mask.DlType = 0x0800, 0xffff
		m.Key.NwDst, m.Mask.NwDst = uint32(i), ^uint32(0)
		rules[i] = Rule{Match: m, Priority: int32(i % 100)}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c := New()
	for i := range rules {
		if err := c.Insert(&rules[i], 1); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d rules: %.1f bytes/rule in the classifier (Rule itself: %d bytes, owned by the caller), %d subtables",
		n, float64(after.HeapAlloc-before.HeapAlloc)/n, flow.KeySize*2+32, c.NumSubtables())
	runtime.KeepAlive(c)
}
