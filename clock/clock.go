package clock

import (
	"container/heap"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Clock is a monotonic millisecond clock that can be stopped and warped,
// with timers that fire on its time. All methods are safe for concurrent
// use.
//
// Timer and ticker callbacks run one at a time on a goroutine owned by the
// clock (or, during a warp, on the goroutine that warps), in deadline
// order. They must not block for long and must not call Warp.
type Clock struct {
	start  time.Time // real start, carries Go's monotonic reading
	baseMs int64     // CLOCK_MONOTONIC at start, in milliseconds
	// offset is read without locking on the hot path; it is replaced (under
	// mu) whenever Stop or a warp changes it.
	offset atomic.Pointer[offset]

	mu     sync.Mutex
	timers timerHeap
	seq    uint64
	real   *time.Timer // wakes the clock for the earliest timer
	hooks  map[int]func()
	nextID int

	fireMu sync.Mutex // serialises timer callbacks
	warpMu sync.Mutex // one warp at a time
}

// offset is how the clock's reading derives from real time: frozen at
// 'frozen' if stopped, else real elapsed time, plus 'warp'.
type offset struct {
	stopped bool
	frozen  time.Duration
	warp    time.Duration
}

// New returns a running clock.
func New() *Clock {
	var ts unix.Timespec
	base := int64(0)
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err == nil {
		base = ts.Nano() / 1e6
	}
	c := &Clock{start: time.Now(), baseMs: base, hooks: make(map[int]func())}
	c.offset.Store(&offset{})
	return c
}

var (
	defaultOnce  sync.Once
	defaultClock *Clock
)

// Default returns the process-wide clock that the daemon's time/stop and
// time/warp commands control.
func Default() *Clock {
	defaultOnce.Do(func() { defaultClock = New() })
	return defaultClock
}

// elapsedLocked is the clock's time since start, including warps. (It
// needs no lock; the name says where it is called from.)
func (c *Clock) elapsedLocked() time.Duration { return c.Since() }

// Since returns the clock's time since it was created, warps included.
// Hot path: lock-free, no allocation.
func (c *Clock) Since() time.Duration {
	o := c.offset.Load()
	e := o.frozen
	if !o.stopped {
		e = time.Since(c.start)
	}
	return e + o.warp
}

// Msec returns the monotonic time in milliseconds, like OVS's time_msec():
// CLOCK_MONOTONIC at creation plus the clock's elapsed time and warps.
// Hot path: lock-free, no allocation.
func (c *Clock) Msec() int64 {
	return c.baseMs + c.Since().Milliseconds()
}

// Now returns the clock's current time as a time.Time: the real time at
// creation plus Since(). Differences between two Now readings are clock
// durations (warps included); use Wall for the real time of day.
func (c *Clock) Now() time.Time {
	return c.start.Add(c.Since())
}

// Wall returns the real time of day, which time/warp does not change.
func (c *Clock) Wall() time.Time { return time.Now() }

// Stopped reports whether Stop froze the clock.
func (c *Clock) Stopped() bool { return c.offset.Load().stopped }

// Stop freezes the clock (time/stop): from now on it only moves by Warp.
func (c *Clock) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o := c.offset.Load(); !o.stopped {
		c.offset.Store(&offset{stopped: true, frozen: time.Since(c.start), warp: o.warp})
	}
	c.armLocked()
}

// OnWarp registers f to run after every warp step, after the timers that
// fell due. It returns a function that unregisters f. Hooks let components
// whose timing is not expressed as timers (revalidation sweeps, expiry
// scans) catch up before the warp command returns.
func (c *Clock) OnWarp(f func()) (cancel func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.nextID
	c.nextID++
	c.hooks[id] = f
	return func() {
		c.mu.Lock()
		delete(c.hooks, id)
		c.mu.Unlock()
	}
}

// ErrWarpInProgress is returned by Warp while another warp runs.
//
//lint:ignore ST1005 OVS's exact message, which scripts and tests match
var ErrWarpInProgress = errors.New("A previous warp in progress")

// Warp advances the clock by d, runs the timers that fell due and then the
// OnWarp hooks, and returns when they have run.
func (c *Clock) Warp(d time.Duration) error {
	return c.WarpSteps(0, d)
}

// WarpSteps implements "time/warp LARGE_MSECS MSECS": it advances the clock
// by total in steps of step (the last step may be shorter), running timers
// and hooks after each step. With total 0 it makes one step of step. It
// returns ErrWarpInProgress if another warp is running.
func (c *Clock) WarpSteps(total, step time.Duration) error {
	if step <= 0 || total < 0 {
		return errors.New("invalid MSECS")
	}
	if !c.warpMu.TryLock() {
		return ErrWarpInProgress
	}
	defer c.warpMu.Unlock()
	for {
		d := step
		if total > 0 && total < step {
			d = total
		}
		c.mu.Lock()
		o := *c.offset.Load()
		o.warp += d
		c.offset.Store(&o)
		c.mu.Unlock()
		c.fireDue()
		c.runHooks()
		if total > 0 {
			total -= d
		}
		if total == 0 {
			break
		}
		runtime.Gosched()
	}
	c.mu.Lock()
	c.armLocked()
	c.mu.Unlock()
	return nil
}

func (c *Clock) runHooks() {
	c.mu.Lock()
	hooks := make([]func(), 0, len(c.hooks))
	ids := make([]int, 0, len(c.hooks))
	for id := range c.hooks {
		ids = append(ids, id)
	}
	// Run hooks in registration order.
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	for _, id := range ids {
		hooks = append(hooks, c.hooks[id])
	}
	c.mu.Unlock()
	for _, h := range hooks {
		h()
	}
}

// Timer is a one-shot or periodic callback on a Clock.
type Timer struct {
	c        *Clock
	f        func()
	deadline time.Duration // clock elapsed time at which it fires
	period   time.Duration // > 0 for tickers
	seq      uint64
	index    int // in the heap, -1 when not scheduled
}

// AfterFunc calls f once the clock has advanced by d (by real time or by
// warps).
func (c *Clock) AfterFunc(d time.Duration, f func()) *Timer {
	t := &Timer{c: c, f: f, index: -1}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scheduleLocked(t, c.elapsedLocked()+d)
	return t
}

// Ticker calls f every period of clock time. A warp across several periods
// calls f once per period, in order. It panics if period is not positive,
// which is a programming error.
func (c *Clock) Ticker(period time.Duration, f func()) *Timer {
	if period <= 0 {
		panic(fmt.Sprintf("clock: non-positive ticker period %v", period))
	}
	t := &Timer{c: c, f: f, period: period, index: -1}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scheduleLocked(t, c.elapsedLocked()+period)
	return t
}

// Stop cancels the timer. It reports whether the timer was pending. A
// callback already running is not interrupted.
func (t *Timer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index < 0 {
		t.period = 0
		return false
	}
	heap.Remove(&c.timers, t.index)
	t.period = 0
	c.armLocked()
	return true
}

// Reset reschedules the timer to fire after d (keeping a ticker's period).
func (t *Timer) Reset(d time.Duration) {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index >= 0 {
		heap.Remove(&c.timers, t.index)
	}
	c.scheduleLocked(t, c.elapsedLocked()+d)
}

func (c *Clock) scheduleLocked(t *Timer, deadline time.Duration) {
	c.seq++
	t.seq = c.seq
	t.deadline = deadline
	heap.Push(&c.timers, t)
	c.armLocked()
}

// armLocked points the real timer at the earliest deadline, or disarms it
// if there is none or the clock is stopped.
func (c *Clock) armLocked() {
	if c.real != nil {
		c.real.Stop()
	}
	if c.offset.Load().stopped || len(c.timers) == 0 {
		return
	}
	wait := c.timers[0].deadline - c.elapsedLocked()
	if wait < 0 {
		wait = 0
	}
	if c.real == nil {
		c.real = time.AfterFunc(wait, func() {
			c.fireDue()
			c.mu.Lock()
			c.armLocked()
			c.mu.Unlock()
		})
		return
	}
	c.real.Reset(wait)
}

// fireDue runs every timer whose deadline has passed, earliest first.
func (c *Clock) fireDue() {
	c.fireMu.Lock()
	defer c.fireMu.Unlock()
	for {
		c.mu.Lock()
		now := c.elapsedLocked()
		if len(c.timers) == 0 || c.timers[0].deadline > now {
			c.mu.Unlock()
			return
		}
		t := heap.Pop(&c.timers).(*Timer)
		if t.period > 0 {
			c.seq++
			t.seq = c.seq
			t.deadline += t.period
			heap.Push(&c.timers, t)
		}
		f := t.f
		c.mu.Unlock()
		f()
	}
}

type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].deadline != h[j].deadline {
		return h[i].deadline < h[j].deadline
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.index = -1
	return t
}
