package packet

import (
	"bytes"
	"errors"
	"sync"
	"testing"
)

func newTestPool(t testing.TB, cfg PoolConfig) *Pool {
	t.Helper()
	p, err := NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestNewPoolErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  PoolConfig
	}{
		{"empty", PoolConfig{}},
		{"negative", PoolConfig{Buffers: -1, BigBuffers: 2}},
		{"headroom-negative", PoolConfig{Buffers: 1, Headroom: -1}},
		{"headroom-huge", PoolConfig{Buffers: 1, Headroom: MaxHeadroom + 1}},
		{"too-many", PoolConfig{Buffers: maxBuffers + 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, err := NewPool(tc.cfg); err == nil {
				p.Close()
				t.Errorf("NewPool(%+v) succeeded", tc.cfg)
			}
		})
	}
}

func TestPoolClose(t *testing.T) {
	p, err := NewPool(PoolConfig{Buffers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestAllocSizeClasses(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 2, BigBuffers: 1, Headroom: 64})
	c := p.NewCache()
	tests := []struct {
		size    int
		wantNil bool
		big     bool
	}{
		{0, false, false},
		{SmallCapacity, false, false},
		{SmallCapacity + 1, false, true},
		{BigCapacity, true, true}, // the only big buffer is taken by now
		{BigCapacity + 1, true, false},
		{-1, true, false},
	}
	for _, tc := range tests {
		q := c.Alloc(tc.size)
		if (q == nil) != tc.wantNil {
			t.Fatalf("Alloc(%d) = %v, want nil %v", tc.size, q, tc.wantNil)
		}
		if q == nil {
			continue
		}
		if q.Len() != tc.size || q.Headroom() != 64 {
			t.Errorf("Alloc(%d): len %d headroom %d", tc.size, q.Len(), q.Headroom())
		}
		if (q.class == classBig) != tc.big {
			t.Errorf("Alloc(%d): class %d", tc.size, q.class)
		}
		if q.Meta.L3Ofs != OffsetNone {
			t.Errorf("fresh packet L3Ofs %d", q.Meta.L3Ofs)
		}
	}
	c.PublishStats()
	s := p.Stats()
	if s.Small.InUse != 2 || s.Big.InUse != 1 || s.Big.AllocFailures != 1 || s.Small.Free != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestExhaustionAndReuse(t *testing.T) {
	const n = 100
	p := newTestPool(t, PoolConfig{Buffers: n})
	c := p.NewCache()
	seen := map[Handle]bool{}
	var pkts []*Packet
	for range n {
		q := c.Alloc(60)
		if q == nil {
			t.Fatal("pool exhausted early")
		}
		if seen[q.Handle()] {
			t.Fatalf("handle %d handed out twice", q.Handle())
		}
		seen[q.Handle()] = true
		if p.Packet(q.Handle()) != q {
			t.Fatal("Pool.Packet does not find the descriptor")
		}
		pkts = append(pkts, q)
	}
	if c.Alloc(60) != nil {
		t.Fatal("Alloc past exhaustion succeeded")
	}
	c.PublishStats()
	if p.Stats().Small.AllocFailures != 1 || p.Stats().InUse() != n {
		t.Errorf("stats %+v", p.Stats())
	}
	for _, q := range pkts {
		c.Free(q)
	}
	c.PublishStats()
	if p.Stats().InUse() != 0 {
		t.Errorf("after free: %+v", p.Stats())
	}
	for range n {
		if c.Alloc(60) == nil {
			t.Fatal("cannot reallocate freed buffers")
		}
	}
}

func TestDoubleFreePanics(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 4})
	c := p.NewCache()
	q := c.Alloc(10)
	c.Free(q)
	defer func() {
		if recover() == nil {
			t.Error("double free did not panic")
		}
	}()
	c.Free(q)
}

// TestRemoteFree frees packets from other goroutines while the owner keeps
// allocating: every buffer must come back exactly once.
func TestRemoteFree(t *testing.T) {
	const n = 256
	p := newTestPool(t, PoolConfig{Buffers: n})
	c := p.NewCache()
	ch := make(chan *Packet, n)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range ch {
				p.Free(q)
			}
		}()
	}
	for i := 0; i < 20*n; {
		q := c.Alloc(64)
		if q == nil {
			continue // freed buffers still in flight
		}
		q.Data()[0] = byte(i)
		ch <- q
		i++
	}
	close(ch)
	wg.Wait()
	c.PublishStats()
	s := p.Stats()
	if s.InUse() != 0 {
		t.Errorf("stats after remote frees %+v", s)
	}
	got := 0
	for c.Alloc(1) != nil {
		got++
	}
	if got != n {
		t.Errorf("reallocated %d buffers, want %d", got, n)
	}
}

func TestCacheRelease(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 3 * BatchSize})
	c1, c2 := p.NewCache(), p.NewCache()
	q := c1.Alloc(1)
	c1.Free(q) // c1 now caches BatchSize buffers
	c1.Release()
	n := 0
	for c2.Alloc(1) != nil {
		n++
	}
	if n != 3*BatchSize {
		t.Errorf("second cache got %d buffers, want %d", n, 3*BatchSize)
	}
}

func TestPacketOps(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 4, Headroom: 16})
	c := p.NewCache()
	q := c.Alloc(4)
	copy(q.Data(), "abcd")
	total := q.Headroom() + q.Len() + q.Tailroom()
	steps := []struct {
		name string
		op   func() error
		want string
		room int
	}{
		{"push", func() error { b, err := q.Push(2); copy(b, "xy"); return err }, "xyabcd", 14},
		{"push-too-much", func() error { _, err := q.Push(15); return expectErr(err, ErrNoHeadroom) }, "xyabcd", 14},
		{"pull", func() error { return q.Pull(3) }, "bcd", 17},
		{"pull-too-much", func() error { return expectErr(q.Pull(4), ErrTooShort) }, "bcd", 17},
		{"append", func() error { b, err := q.Append(2); copy(b, "ef"); return err }, "bcdef", 17},
		{"append-too-much", func() error { _, err := q.Append(q.Tailroom() + 1); return expectErr(err, ErrNoTailroom) }, "bcdef", 17},
		{"truncate", func() error { q.Truncate(2); return nil }, "bc", 17},
		{"truncate-longer", func() error { q.Truncate(10); return nil }, "bc", 17},
		{"setdata", func() error { return q.SetData([]byte("hello")) }, "hello", 16},
		{"setdata-big", func() error { return q.SetData(make([]byte, total-10)) }, "", 10},
		{"setdata-too-big", func() error {
			return expectErr(q.SetData(make([]byte, total+1)), ErrNoTailroom)
		}, "", 10},
		{"truncate-negative", func() error { q.Truncate(-1); return nil }, "", 10},
	}
	for _, s := range steps {
		if err := s.op(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.want != "" && string(q.Data()) != s.want || q.Headroom() != s.room {
			t.Fatalf("%s: %d bytes, headroom %d, want %q %d", s.name, q.Len(), q.Headroom(), s.want, s.room)
		}
	}
}

func expectErr(err, want error) error {
	if !errors.Is(err, want) {
		return errors.New("want error " + want.Error() + ", got " + errString(err))
	}
	return nil
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestClone(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 4})
	c := p.NewCache()
	q := c.Alloc(5)
	copy(q.Data(), "hello")
	q.Meta.InPort = 7
	q.Push(3)
	r := c.Clone(q)
	if r == nil || !bytes.Equal(r.Data(), q.Data()) || r.Meta.InPort != 7 || r.Headroom() != q.Headroom() {
		t.Fatalf("clone %v", r)
	}
	r.Data()[0] = 'X'
	if q.Data()[0] == 'X' {
		t.Error("clone shares bytes")
	}
}

func TestBatch(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: BatchSize + 1})
	c := p.NewCache()
	var b Batch
	for i := range BatchSize {
		if !b.Add(c.Alloc(i)) {
			t.Fatalf("Add %d failed", i)
		}
	}
	extra := c.Alloc(1)
	if b.Add(extra) || !b.Full() || len(b.Slice()) != BatchSize {
		t.Fatal("batch overflow")
	}
	c.FreeBatch(&b)
	c.PublishStats()
	if b.N != 0 || b.Pkts[0] != nil || p.Stats().InUse() != 1 {
		t.Errorf("after FreeBatch: n %d in use %d", b.N, p.Stats().InUse())
	}
}

func TestAllocFreeAllocs(t *testing.T) {
	p := newTestPool(t, PoolConfig{Buffers: 256, BigBuffers: 4})
	c := p.NewCache()
	if n := testing.AllocsPerRun(1000, func() {
		q := c.Alloc(1500)
		c.Free(q)
	}); n != 0 {
		t.Errorf("Alloc/Free allocates %v times", n)
	}
	var b Batch
	if n := testing.AllocsPerRun(100, func() {
		for range BatchSize {
			b.Add(c.Alloc(64))
		}
		c.FreeBatch(&b)
	}); n != 0 {
		t.Errorf("batch Alloc/Free allocates %v times", n)
	}
}

func BenchmarkAllocFree(b *testing.B) {
	p := newTestPool(b, PoolConfig{Buffers: 1024})
	c := p.NewCache()
	b.Run("single", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Free(c.Alloc(1500))
		}
	})
	b.Run("batch", func(b *testing.B) {
		var bt Batch
		b.ReportAllocs()
		for b.Loop() {
			for range BatchSize {
				bt.Add(c.Alloc(64))
			}
			c.FreeBatch(&bt)
		}
	})
	b.Run("remote", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p.Free(c.Alloc(64))
		}
	})
}

func TestDebugPoison(t *testing.T) {
	if !debugPool {
		t.Skip("needs -tags govsdebug")
	}
	p := newTestPool(t, PoolConfig{Buffers: 1})
	c := p.NewCache()
	q := c.Alloc(4)
	g := q.Generation()
	copy(q.Data(), "live")
	d := q.Data()
	c.Free(q)
	if string(d) != "\xa5\xa5\xa5\xa5" {
		t.Errorf("freed buffer not poisoned: %q", d)
	}
	if r := c.Alloc(4); r != q || r.Generation() != g+1 {
		t.Errorf("generation %d after %d", r.Generation(), g)
	}
}

func TestHugePages(t *testing.T) {
	// Huge pages may or may not be available here: either NewPool works
	// and the buffers are usable, or it says why.
	p, err := NewPool(PoolConfig{Buffers: 16, BigBuffers: 1, HugePages: true})
	if err != nil {
		t.Logf("no huge pages: %v", err)
		return
	}
	defer p.Close()
	c := p.NewCache()
	q := c.Alloc(BigCapacity)
	if q == nil {
		t.Fatal("cannot allocate from a hugepage pool")
	}
	q.Data()[BigCapacity-1] = 1
	c.Free(q)
}
