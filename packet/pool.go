package packet

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// DefaultHeadroom is the headroom of a fresh buffer when PoolConfig.Headroom
// is 0: room for a virtio-net header plus an outer Ethernet/IPv6/UDP/Geneve
// encapsulation with options, so tunnel push never copies.
const DefaultHeadroom = 128

// MaxHeadroom bounds PoolConfig.Headroom.
const MaxHeadroom = 4096

// cacheMax is how many free buffers of one class a Cache keeps before it
// gives BatchSize of them back: two batches, so that a loop that frees one
// batch and allocates the next never touches the pool's lock.
const cacheMax = 2 * BatchSize

// maxBuffers bounds the number of buffers of a pool: handles are uint32 and
// the MPSC free stack reserves 0 for "empty".
const maxBuffers = 1 << 30

// PoolConfig sizes a Pool.
type PoolConfig struct {
	// Buffers is the number of MTU-size buffers (SmallCapacity bytes of
	// data each).
	Buffers int
	// BigBuffers is the number of 64 KiB buffers (BigCapacity bytes of
	// data each), used for GSO packets.
	BigBuffers int
	// Headroom is the free space kept in front of a fresh packet;
	// DefaultHeadroom when 0.
	Headroom int
	// HugePages backs the slab with huge pages (MAP_HUGETLB); NewPool
	// fails if the system has none to give.
	HugePages bool
}

// Pool owns the packet buffers: one anonymous mmap'd slab holding both size
// classes, and a preallocated descriptor per buffer. The slab is a single
// mapping whatever the pool size, so that the number of memory mappings
// (and with huge pages the number of hugepage reservations) is O(1) rather
// than growing with the number of buffers (pitfall P9).
//
// A Pool is safe for concurrent use. Allocation goes through per-goroutine
// Caches; Pool.Free may be called from any goroutine.
type Pool struct {
	mem      []byte
	pkts     []Packet
	headroom int
	nSmall   int
	nBig     int

	mu     sync.Mutex
	free   [2][]Handle // protected by mu
	caches []*Cache    // protected by mu; for Stats
	closed bool        // protected by mu

	// remote is the head of the MPSC stack of buffers freed by Pool.Free:
	// handle+1, 0 when empty. Producers push with CAS; the consumer (a
	// refill, under mu) takes the whole stack with one Swap, so the
	// classic ABA problem of lock-free pops does not arise.
	remote      atomic.Uint64
	next        []uint32 // link of the remote stack, per handle: handle+1 or 0
	remoteFrees [2]atomic.Uint64
}

// ClassStats describes one size class of a Pool.
type ClassStats struct {
	Total         int    // buffers in the class
	InUse         int    // allocated and not yet freed
	Free          int    // Total - InUse (includes buffers held by caches)
	AllocFailures uint64 // Alloc calls that found the class exhausted
}

// PoolStats is a snapshot of a Pool's counters.
type PoolStats struct {
	Small ClassStats // MTU-size buffers
	Big   ClassStats // 64 KiB buffers
}

// InUse returns the number of buffers in use over both classes.
func (s PoolStats) InUse() int { return s.Small.InUse + s.Big.InUse }

// ErrClosed is returned when using a closed Pool.
var ErrClosed = errors.New("packet: pool closed")

func roundUp(n, to int) int { return (n + to - 1) / to * to }

// NewPool maps the slab and builds the descriptors and free lists.
func NewPool(cfg PoolConfig) (*Pool, error) {
	if cfg.Buffers < 0 || cfg.BigBuffers < 0 || cfg.Buffers+cfg.BigBuffers == 0 ||
		cfg.Buffers > maxBuffers || cfg.BigBuffers > maxBuffers/32 {
		return nil, fmt.Errorf("packet: new pool: bad buffer counts %d/%d", cfg.Buffers, cfg.BigBuffers)
	}
	if cfg.Headroom < 0 || cfg.Headroom > MaxHeadroom {
		return nil, fmt.Errorf("packet: new pool: headroom %d out of range [0, %d]", cfg.Headroom, MaxHeadroom)
	}
	headroom := cfg.Headroom
	if headroom == 0 {
		headroom = DefaultHeadroom
	}
	smallSlot := roundUp(headroom+SmallCapacity, 64)
	bigSlot := roundUp(headroom+BigCapacity, 64)
	size := cfg.Buffers*smallSlot + cfg.BigBuffers*bigSlot
	flags := unix.MAP_PRIVATE | unix.MAP_ANONYMOUS
	if cfg.HugePages {
		size = roundUp(size, 2<<20)
		flags |= unix.MAP_HUGETLB
	} else {
		size = roundUp(size, unix.Getpagesize())
	}
	mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return nil, fmt.Errorf("packet: new pool: mmap %d bytes (hugepages %v): %w", size, cfg.HugePages, err)
	}
	n := cfg.Buffers + cfg.BigBuffers
	pl := &Pool{
		mem:      mem,
		pkts:     make([]Packet, n),
		headroom: headroom,
		nSmall:   cfg.Buffers,
		nBig:     cfg.BigBuffers,
		next:     make([]uint32, n),
	}
	pl.free[classSmall] = make([]Handle, 0, cfg.Buffers)
	pl.free[classBig] = make([]Handle, 0, cfg.BigBuffers)
	off := 0
	for i := range pl.pkts {
		p := &pl.pkts[i]
		slot := smallSlot
		p.class = classSmall
		if i >= cfg.Buffers {
			slot = bigSlot
			p.class = classBig
		}
		p.buf = mem[off : off+slot : off+slot]
		off += slot
		p.handle = Handle(i)
		p.pool = pl
		p.free = true
	}
	// Hand out low handles first: LIFO stacks, so push in reverse.
	for i := cfg.Buffers - 1; i >= 0; i-- {
		pl.free[classSmall] = append(pl.free[classSmall], Handle(i))
	}
	for i := n - 1; i >= cfg.Buffers; i-- {
		pl.free[classBig] = append(pl.free[classBig], Handle(i))
	}
	return pl, nil
}

// Close unmaps the slab. Every packet and every byte slice obtained from the
// pool becomes invalid; the caller must have stopped every user first.
// Closing twice returns ErrClosed.
func (pl *Pool) Close() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.closed {
		return ErrClosed
	}
	pl.closed = true
	if err := unix.Munmap(pl.mem); err != nil {
		return fmt.Errorf("packet: close pool: munmap: %w", err)
	}
	pl.mem = nil
	return nil
}

// Headroom returns the headroom of a freshly allocated packet.
func (pl *Pool) Headroom() int { return pl.headroom }

// Packet returns the descriptor of handle h, or nil if h is not a handle of
// this pool. It does not check that the buffer is allocated.
func (pl *Pool) Packet(h Handle) *Packet {
	if int(h) >= len(pl.pkts) {
		return nil
	}
	return &pl.pkts[h]
}

// poisonByte fills freed buffers in debug builds.
const poisonByte = 0xa5

// release marks p free; in debug builds it also poisons the buffer.
func (p *Packet) release() {
	if p.free {
		panic("packet: double free")
	}
	p.free = true
	if debugPool {
		b := p.buf
		for i := range b {
			b[i] = poisonByte
		}
	}
}

// Free returns p to the pool from any goroutine, through a lock-free MPSC
// stack that the next cache refill drains. Freeing a packet twice is a
// broken invariant and panics.
func (pl *Pool) Free(p *Packet) {
	if p.pool != pl {
		panic("packet: Free of a packet from another pool")
	}
	p.release()
	h := uint64(p.handle) + 1
	for {
		old := pl.remote.Load()
		pl.next[p.handle] = uint32(old)
		if pl.remote.CompareAndSwap(old, h) {
			break
		}
	}
	pl.remoteFrees[p.class].Add(1)
}

// drainRemoteLocked moves the remote stack into the free lists.
func (pl *Pool) drainRemoteLocked() {
	h := pl.remote.Swap(0)
	for h != 0 {
		idx := Handle(h - 1)
		c := pl.pkts[idx].class
		pl.free[c] = append(pl.free[c], idx)
		h = uint64(pl.next[idx])
	}
}

// Stats returns a snapshot of the pool's counters. It is safe to call from
// any goroutine. A cache's allocations and frees count from the last time
// it published them (see Cache.PublishStats), so InUse may be off by the
// packets a cache handled since.
func (pl *Pool) Stats() PoolStats {
	var allocs, frees, fails [2]uint64
	pl.mu.Lock()
	for _, c := range pl.caches {
		for i := range 2 {
			allocs[i] += c.allocs[i].Load()
			frees[i] += c.frees[i].Load()
			fails[i] += c.failures[i].Load()
		}
	}
	pl.mu.Unlock()
	var s PoolStats
	cls := [2]*ClassStats{&s.Small, &s.Big}
	tot := [2]int{pl.nSmall, pl.nBig}
	for i := range 2 {
		frees[i] += pl.remoteFrees[i].Load()
		inUse := int(int64(allocs[i] - frees[i]))
		inUse = max(0, min(inUse, tot[i]))
		*cls[i] = ClassStats{Total: tot[i], InUse: inUse, Free: tot[i] - inUse, AllocFailures: fails[i]}
	}
	return s
}

// Cache is a per-goroutine front end of a Pool: it keeps a few free buffers
// of each class so that Alloc and Free touch no lock and no shared cache
// line in the common case.
//
// A Cache is NOT safe for concurrent use: it belongs to one goroutine (a
// forwarding loop, a handler). Its counters may be read by Pool.Stats from
// any goroutine.
type Cache struct {
	pool *Pool
	free [2][]Handle
	// Plain counters owned by the cache's goroutine, published to the
	// atomics below by PublishStats (and on every exchange with the pool),
	// so that the per-packet path does no atomic read-modify-write.
	nAllocs, nFrees [2]uint64
	allocs          [2]atomic.Uint64
	frees           [2]atomic.Uint64
	failures        [2]atomic.Uint64
}

// PublishStats makes the cache's allocation counters visible to
// Pool.Stats. The cache publishes them whenever it exchanges buffers with
// the pool; an owner that allocates and frees in a steady state should call
// PublishStats now and then (a forwarding loop: once per iteration).
func (c *Cache) PublishStats() {
	for cl := range 2 {
		c.allocs[cl].Store(c.nAllocs[cl])
		c.frees[cl].Store(c.nFrees[cl])
	}
}

// NewCache returns a new cache of pl for the calling goroutine.
func (pl *Pool) NewCache() *Cache {
	c := &Cache{pool: pl}
	c.free[classSmall] = make([]Handle, 0, cacheMax)
	c.free[classBig] = make([]Handle, 0, cacheMax)
	pl.mu.Lock()
	pl.caches = append(pl.caches, c)
	pl.mu.Unlock()
	return c
}

// Pool returns the pool c allocates from.
func (c *Cache) Pool() *Pool { return c.pool }

// Alloc returns a packet of size bytes (contents undefined) with the pool's
// headroom and zero metadata (layer offsets absent), from the MTU-size class
// when size <= SmallCapacity and from the 64 KiB class otherwise. It returns
// nil when the class is exhausted or size is out of range; the caller counts
// the drop. Hot path: no allocation.
func (c *Cache) Alloc(size int) *Packet {
	if size < 0 || size > BigCapacity {
		return nil
	}
	cl := classSmall
	if size > SmallCapacity {
		cl = classBig
	}
	if len(c.free[cl]) == 0 && !c.refill(cl) {
		c.failures[cl].Add(1)
		return nil
	}
	last := len(c.free[cl]) - 1
	h := c.free[cl][last]
	c.free[cl] = c.free[cl][:last]
	p := &c.pool.pkts[h]
	p.free = false
	if debugPool {
		p.gen++
	}
	p.off = uint32(c.pool.headroom)
	p.n = uint32(size)
	p.Meta = Meta{}
	p.Meta.ResetOffsets()
	c.nAllocs[cl]++
	return p
}

// refill takes up to BatchSize buffers of class cl from the pool.
func (c *Cache) refill(cl int) bool {
	pl := c.pool
	pl.mu.Lock()
	if pl.remote.Load() != 0 {
		pl.drainRemoteLocked()
	}
	g := pl.free[cl]
	n := min(BatchSize, len(g))
	c.free[cl] = append(c.free[cl], g[len(g)-n:]...)
	pl.free[cl] = g[:len(g)-n]
	pl.mu.Unlock()
	c.PublishStats()
	return n > 0
}

// Free returns p to the cache. p must have been allocated from the cache's
// pool (by any cache); freeing it twice is a broken invariant and panics.
// Hot path: no allocation.
func (c *Cache) Free(p *Packet) {
	if p.pool != c.pool {
		p.pool.Free(p)
		return
	}
	p.release()
	cl := p.class
	if len(c.free[cl]) == cacheMax {
		c.flush(int(cl))
	}
	c.free[cl] = append(c.free[cl], p.handle)
	c.nFrees[cl]++
}

// flush gives BatchSize buffers of class cl back to the pool.
func (c *Cache) flush(cl int) {
	pl := c.pool
	f := c.free[cl]
	pl.mu.Lock()
	pl.free[cl] = append(pl.free[cl], f[len(f)-BatchSize:]...)
	pl.mu.Unlock()
	c.free[cl] = f[:len(f)-BatchSize]
	c.PublishStats()
}

// Release gives every buffer the cache holds back to the pool. The cache
// stays usable; call it when its goroutine stops.
func (c *Cache) Release() {
	pl := c.pool
	pl.mu.Lock()
	for cl := range c.free {
		pl.free[cl] = append(pl.free[cl], c.free[cl]...)
		c.free[cl] = c.free[cl][:0]
	}
	pl.mu.Unlock()
	c.PublishStats()
}

// FreeBatch frees every packet of b and resets it.
func (c *Cache) FreeBatch(b *Batch) {
	for _, p := range b.Slice() {
		c.Free(p)
	}
	b.Reset()
}

// Clone returns a copy of p (data, headroom position and metadata) from c,
// or nil when the pool is exhausted.
func (c *Cache) Clone(p *Packet) *Packet {
	q := c.Alloc(p.Len())
	if q == nil {
		return nil
	}
	if p.Len() <= len(q.buf)-int(p.off) {
		q.off = p.off
	}
	copy(q.buf[q.off:q.off+q.n], p.Data())
	q.Meta = p.Meta
	return q
}
