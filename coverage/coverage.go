package coverage

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"govs.dev/govs/unixctl"
)

// Rate history geometry, as in OVS: the history advances every RunInterval
// and keeps one minute of intervals and one hour of minutes.
const (
	// RunIntervalMsec is how often Run should be called, in milliseconds.
	RunIntervalMsec = 5000
	minAvgLen       = 60000 / RunIntervalMsec
	hrAvgLen        = 60
)

// Counter counts one kind of event. Its methods are safe for concurrent use
// from any goroutine. Counters are created with Define and live for the
// life of the process.
type Counter struct {
	n    atomic.Uint64
	_    [56]byte // keep hot counters on separate cache lines
	name string

	// Guarded by registry.mu.
	lastTotal uint64
	min       [minAvgLen]uint32
	hr        [hrAvgLen]uint32
}

// Name returns the counter's name.
func (c *Counter) Name() string { return c.name }

// Inc counts one event. Hot path: a single atomic add, no allocation.
func (c *Counter) Inc() { c.n.Add(1) }

// Add counts n events. Hot path: a single atomic add, no allocation.
func (c *Counter) Add(n uint64) { c.n.Add(n) }

// Value returns the number of events counted so far.
func (c *Counter) Value() uint64 { return c.n.Load() }

type registry struct {
	mu       sync.Mutex
	counters []*Counter
	byName   map[string]*Counter
	runTime  int64 // next Run deadline in msec; 0 until the first Run
	idx      uint32
}

var reg = newRegistry()

func newRegistry() *registry {
	r := &registry{byName: make(map[string]*Counter, len(ovsNames))}
	for _, n := range ovsNames {
		r.define(n)
	}
	return r
}

func (r *registry) define(name string) *Counter {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.byName[name]; ok {
		return c
	}
	c := &Counter{name: name}
	r.counters = append(r.counters, c)
	r.byName[name] = c
	return c
}

// Define returns the counter called name, creating it on first use. It is
// meant for package-level variables (var c = coverage.Define("x")); calling
// it again with the same name returns the same counter. Safe for concurrent
// use.
func Define(name string) *Counter { return reg.define(name) }

// Lookup returns the counter called name, or nil if none is defined.
func Lookup(name string) *Counter {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.byName[name]
}

// Run advances the rate history to time nowMsec (a monotonic millisecond
// clock, e.g. clock.Msec). The daemon calls it periodically, at least every
// RunIntervalMsec; intervals skipped by a late call (or a time warp) share
// the events evenly, as in OVS. Safe for concurrent use.
func Run(nowMsec int64) { reg.run(nowMsec) }

func (r *registry) run(now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.runTime == 0 {
		r.runTime = now + RunIntervalMsec
	}
	if now < r.runTime {
		return
	}
	slots := int((now-r.runTime)/RunIntervalMsec) + 1
	for _, c := range r.counters {
		total := c.n.Load()
		count := uint32(total - c.lastTotal)
		c.lastTotal = total
		portion := count / uint32(slots)
		idx := r.idx
		for j := 0; j < slots; j++ {
			m := idx % minAvgLen
			h := idx / minAvgLen
			v := portion
			if j == slots-1 {
				v += count % uint32(slots)
			}
			c.min[m] = v
			if m == 0 {
				c.hr[h] = v
			} else {
				c.hr[h] += v
			}
			idx = (idx + 1) % (minAvgLen * hrAvgLen)
		}
	}
	r.idx = (r.idx + uint32(slots)) % (minAvgLen * hrAvgLen)
	r.runTime = now + RunIntervalMsec
}

// Show returns the text of coverage/show in OVS's format: a header with the
// hash of the counters' ranking, one line per counter that was ever hit
// (per-second averages over the last interval, minute and hour, and the
// total), and the number of counters never hit.
func Show() string { return reg.show() }

func (r *registry) show() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	totals := make([]uint64, len(r.counters))
	for i, c := range r.counters {
		totals[i] = c.n.Load()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Event coverage, avg rate over last: %d seconds, last minute, last hour,  hash=%08x:\n",
		RunIntervalMsec/1000, rankHash(r.counters, totals))
	never := 0
	last := (r.idx + minAvgLen*hrAvgLen - 1) % minAvgLen
	for i, c := range r.counters {
		if totals[i] == 0 {
			never++
			continue
		}
		var minSum, hrSum uint32
		for _, v := range c.min {
			minSum += v
		}
		for _, v := range c.hr {
			hrSum += v
		}
		fmt.Fprintf(&b, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   total: %d\n",
			c.name, float64(c.min[last])*1000.0/RunIntervalMsec,
			float64(minSum)/60.0, float64(hrSum)/3600.0, totals[i])
	}
	fmt.Fprintf(&b, "%d events never hit\n", never)
	return b.String()
}

// ReadCounter returns the total of the counter called name.
func ReadCounter(name string) (uint64, bool) {
	c := Lookup(name)
	if c == nil {
		return 0, false
	}
	return c.Value(), true
}

// RegisterCommands registers coverage/show and coverage/read-counter on s.
func RegisterCommands(s *unixctl.Server) {
	s.Register("coverage/show", "", 0, 0, func([]string) (string, error) {
		return Show(), nil
	})
	s.Register("coverage/read-counter", "COUNTER", 1, 1, func(args []string) (string, error) {
		v, ok := ReadCounter(args[0])
		if !ok {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return "", fmt.Errorf("No such counter")
		}
		return fmt.Sprintf("%d\n", v), nil
	})
}
