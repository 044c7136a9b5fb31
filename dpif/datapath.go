package dpif

import (
	"cmp"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"govs.dev/govs/dpif/odp"
	"govs.dev/govs/flow"
	"govs.dev/govs/netdev"
	"govs.dev/govs/netdev/dummy"
	"govs.dev/govs/packet"
)

// Clock is the datapath's source of time (idle timeouts, "used" times). It
// must be safe for concurrent use.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures a Datapath.
type Config struct {
	// Name is the datapath name ("ovs-dummy", "ovs-netdev"); it is also
	// the name of the local port 0.
	Name string
	// Type is "dummy" or "netdev" (OVS's dpif class name); "ovs-dummy" and
	// "ovs-netdev" are accepted as synonyms. Under "dummy", port numbers
	// follow the digits of port names as with OVS's dummy datapath.
	Type string
	// Pool supplies packet buffers; required.
	Pool *packet.Pool
	// Handler translates misses; required.
	Handler UpcallHandler
	// Clock defaults to the wall clock.
	Clock Clock
	// Loops is the number of forwarding loops (default 1). Loop 0 is
	// reported as OVS's "main thread", the others as pmd threads.
	Loops int
	// Handlers is the number of handler goroutines (default 1).
	Handlers int
	// LocalDevice is the device of port 0; a "dummy-internal" dummy named
	// Name when nil.
	LocalDevice netdev.Device

	manual     bool // tests and benchmarks drive loop 0 themselves
	queueLen   int  // upcall queue length (default upcallQueueLen), for tests
	noHandlers bool // start no handler goroutines, for tests
}

// Stats are a megaflow's counters.
type Stats struct {
	Packets, Bytes uint64
	Used           time.Time // zero: never used
	TCPFlags       uint16
}

// FlowInfo describes one installed megaflow (FlowDump, Revalidate).
type FlowInfo struct {
	Key, Mask flow.Key
	Actions   []odp.Action
	Stats     Stats
	UFID      [16]byte
	Loop      int // index of the forwarding loop holding the flow
}

// PortInfo describes one datapath port.
type PortInfo struct {
	No   uint32
	Name string
	Type string
	Dev  netdev.Device
}

// Errors of the datapath API; wrapped with context, test with errors.Is.
var (
	ErrExists   = errors.New("already exists")
	ErrNotFound = errors.New("not found")
	ErrClosed   = errors.New("datapath closed")
	ErrInvalid  = errors.New("invalid argument")
)

// Limits. Each holder of packets is bounded below the pool size.
const (
	// DefaultFlowLimit and DefaultMaxIdle are OVS's other_config:flow-limit
	// and max-idle defaults.
	DefaultFlowLimit = 200000
	DefaultMaxIdle   = 10 * time.Second
	// MaxPorts bounds datapath port numbers (OVS uses 16-bit numbers for
	// the netdev datapath).
	MaxPorts = 65535
	// revalidateInterval is how often the revalidator pushes stats and
	// ages flows, as OVS's revalidators do at most every 500 ms.
	revalidateInterval = 500 * time.Millisecond
	// upcallQueueLen bounds the misses waiting for a handler across all
	// loops; beyond it misses are dropped and counted ("lost").
	upcallQueueLen = 1024
)

// Datapath is one userspace datapath shared by the bridges of a
// datapath_type. Its methods are safe for concurrent use by the control
// plane; none may be called from an UpcallHandler callback except Execute,
// FlowDump and the accessors.
type Datapath struct {
	cfg     Config
	clock   Clock
	handler UpcallHandler
	pool    *packet.Pool

	mu     sync.Mutex // guards ports, names, closed
	ports  map[uint32]*port
	names  map[string]*port
	closed bool

	loops   []*loop
	upcallQ chan *missEntry
	wg      sync.WaitGroup // loops, handlers, revalidator
	quit    chan struct{}

	nFlows    atomic.Int64
	flowLimit atomic.Int64
	maxIdle   atomic.Int64 // ns

	revalMu       sync.Mutex // serialises revalidation passes and flow deletion
	revalSeq      atomic.Uint64
	revalKick     chan struct{}
	revalDone     *sync.Cond // signalled after each pass, with revalMu
	passSeq       uint64     // revalSeq value the last completed pass started at (revalMu)
	paused        atomic.Bool
	inflightMu    sync.Mutex
	inflight      map[uint64]int // upcalls under translation, by revalSeq at start
	flowLimitHits atomic.Uint64
}

// port is one datapath port.
type port struct {
	no      uint32
	name    string
	typ     string
	dev     netdev.Device
	caps    netdev.Caps  // dev.Capabilities() when added
	txLocks []sync.Mutex // one per tx queue, used when loops share a queue
	shared  bool         // more loops than tx queues
	rxLoops []int        // loop of each rx queue
}

// New creates a datapath with its local port 0 and starts its forwarding
// loops, handlers and revalidator.
func New(cfg Config) (*Datapath, error) {
	switch cfg.Type {
	case "dummy", "ovs-dummy":
		cfg.Type = "dummy"
	case "netdev", "ovs-netdev":
		cfg.Type = "netdev"
	default:
		return nil, fmt.Errorf("dpif: new datapath %q: unknown type %q: %w", cfg.Name, cfg.Type, ErrInvalid)
	}
	if cfg.Name == "" {
		cfg.Name = "ovs-" + cfg.Type
	}
	if cfg.Pool == nil || cfg.Handler == nil {
		return nil, fmt.Errorf("dpif: new datapath %s: Pool and Handler are required: %w", cfg.Name, ErrInvalid)
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Loops <= 0 {
		cfg.Loops = 1
	}
	if cfg.Handlers <= 0 {
		cfg.Handlers = 1
	}
	if cfg.manual {
		cfg.Loops = 1
	}
	dp := &Datapath{
		cfg: cfg, clock: cfg.Clock, handler: cfg.Handler, pool: cfg.Pool,
		ports: map[uint32]*port{}, names: map[string]*port{},
		upcallQ:   make(chan *missEntry, cmp.Or(cfg.queueLen, upcallQueueLen)),
		quit:      make(chan struct{}),
		revalKick: make(chan struct{}, 1),
		inflight:  map[uint64]int{},
	}
	dp.revalDone = sync.NewCond(&dp.revalMu)
	dp.flowLimit.Store(DefaultFlowLimit)
	dp.maxIdle.Store(int64(DefaultMaxIdle))
	for i := 0; i < cfg.Loops; i++ {
		l, err := newLoop(dp, i)
		if err != nil {
			for _, l := range dp.loops {
				l.closeFDs()
			}
			return nil, fmt.Errorf("dpif %s: %w", cfg.Name, err)
		}
		dp.loops = append(dp.loops, l)
	}
	if !cfg.manual {
		for _, l := range dp.loops {
			dp.wg.Add(1)
			go l.run()
		}
	}
	for i := 0; i < cfg.Handlers && !cfg.noHandlers; i++ {
		dp.wg.Add(1)
		go dp.handlerLoop()
	}
	dp.wg.Add(1)
	go dp.revalidatorLoop()

	local := cfg.LocalDevice
	if local == nil {
		d, err := dummy.New(cfg.Name, dummy.Options{Type: "dummy-internal"})
		if err != nil {
			dp.Close()
			return nil, fmt.Errorf("dpif %s: local port: %w", cfg.Name, err)
		}
		local = d
	}
	if _, err := dp.addPort(cfg.Name, local, 0, true); err != nil {
		dp.Close()
		return nil, err
	}
	return dp, nil
}

// Name returns the datapath's name, e.g. "ovs-dummy".
func (dp *Datapath) Name() string { return dp.cfg.Name }

// Type returns the datapath's type, "dummy" or "netdev".
func (dp *Datapath) Type() string { return dp.cfg.Type }

// FullName returns "type@name" as dpctl/show prints it.
func (dp *Datapath) FullName() string { return dp.cfg.Type + "@" + dp.cfg.Name }

// Close stops the loops, handlers and revalidator, frees every packet the
// datapath holds and closes the devices of its ports. It is idempotent.
func (dp *Datapath) Close() error {
	dp.mu.Lock()
	if dp.closed {
		dp.mu.Unlock()
		return nil
	}
	dp.closed = true
	dp.mu.Unlock()
	for _, l := range dp.loops {
		l.stop.Store(true)
		l.wake()
	}
	close(dp.quit)
	dp.wg.Wait()
	for _, l := range dp.loops {
		l.shutdown()
	}
	// Upcalls no handler took: free their packets.
	for len(dp.upcallQ) > 0 {
		e := <-dp.upcallQ
		for _, p := range e.pkts {
			dp.pool.Free(p)
		}
		e.pkts = e.pkts[:0]
	}
	var errs []error
	dp.mu.Lock()
	for _, p := range dp.ports {
		if err := p.dev.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close port %s: %w", p.name, err))
		}
	}
	dp.ports, dp.names = map[uint32]*port{}, map[string]*port{}
	dp.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dpif %s: close: %w", dp.cfg.Name, err)
	}
	return nil
}

// AddPort adds dev as a datapath port. requested 0 lets the datapath choose
// the number (OVS's rules: under "dummy" the first number in the name, plus
// 100 for names starting with "br", else the lowest free number). It
// returns the port number.
func (dp *Datapath) AddPort(name string, dev netdev.Device, requested uint32) (uint32, error) {
	if dev == nil || name == "" {
		return 0, fmt.Errorf("dpif %s: add port %q: missing name or device: %w", dp.cfg.Name, name, ErrInvalid)
	}
	return dp.addPort(name, dev, requested, false)
}

func (dp *Datapath) addPort(name string, dev netdev.Device, requested uint32, local bool) (uint32, error) {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	if dp.closed {
		return 0, fmt.Errorf("dpif %s: add port %s: %w", dp.cfg.Name, name, ErrClosed)
	}
	if _, ok := dp.names[name]; ok {
		return 0, fmt.Errorf("dpif %s: add port %s: %w", dp.cfg.Name, name, ErrExists)
	}
	no := requested
	switch {
	case local:
		no = 0
	case requested != 0:
		if requested > MaxPorts {
			return 0, fmt.Errorf("dpif %s: add port %s: port number %d out of range: %w", dp.cfg.Name, name, requested, ErrInvalid)
		}
		if _, ok := dp.ports[requested]; ok {
			return 0, fmt.Errorf("dpif %s: add port %s: port %d: %w", dp.cfg.Name, name, requested, ErrExists)
		}
	default:
		no = dp.choosePort(name)
		if no == 0 {
			return 0, fmt.Errorf("dpif %s: add port %s: no free port number: %w", dp.cfg.Name, name, ErrInvalid)
		}
	}
	p := &port{no: no, name: name, typ: dev.Type(), dev: dev, caps: dev.Capabilities()}
	ntx := max(dev.NumTxQueues(), 1)
	p.txLocks = make([]sync.Mutex, ntx)
	p.shared = ntx < len(dp.loops)
	dp.ports[no] = p
	dp.names[name] = p
	// Spread the rx queues over the loops, least loaded first.
	for q := 0; q < dev.NumRxQueues(); q++ {
		best := 0
		for i, l := range dp.loops {
			if l.nRxq.Load() < dp.loops[best].nRxq.Load() {
				best = i
			}
		}
		p.rxLoops = append(p.rxLoops, best)
		dp.loops[best].nRxq.Add(1)
	}
	for i, l := range dp.loops {
		var qs []int
		for q, li := range p.rxLoops {
			if li == i {
				qs = append(qs, q)
			}
		}
		txq := i % ntx
		if err := l.call(func(l *loop) { l.addPort(p, qs, txq) }); err != nil {
			return 0, fmt.Errorf("dpif %s: add port %s: %w", dp.cfg.Name, name, err)
		}
	}
	return no, nil
}

// choosePort picks a free port number as OVS's dpif-netdev does. dp.mu is
// held.
func (dp *Datapath) choosePort(name string) uint32 {
	if dp.cfg.Type == "dummy" {
		start := uint32(0)
		if strings.HasPrefix(name, "br") {
			start = 100
		}
		if i := strings.IndexAny(name, "0123456789"); i >= 0 {
			j := i
			for j < len(name) && name[j] >= '0' && name[j] <= '9' {
				j++
			}
			var n uint64
			ok := true
			for _, c := range name[i:j] {
				n = n*10 + uint64(c-'0')
				if n > MaxPorts {
					ok = false
					break
				}
			}
			no := start + uint32(n)
			if _, used := dp.ports[no]; ok && no > 0 && no <= MaxPorts && !used {
				return no
			}
		}
	}
	for no := uint32(1); no <= MaxPorts; no++ {
		if _, used := dp.ports[no]; !used {
			return no
		}
	}
	return 0
}

// DelPort removes a port. Its megaflows stay until revalidation removes them
// (their outputs to the port drop, as in OVS). The device is not closed: the
// caller gets it back from PortByName before and owns it after.
func (dp *Datapath) DelPort(no uint32) error {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	p, ok := dp.ports[no]
	if !ok {
		return fmt.Errorf("dpif %s: delete port %d: %w", dp.cfg.Name, no, ErrNotFound)
	}
	if no == 0 {
		return fmt.Errorf("dpif %s: delete local port: %w", dp.cfg.Name, ErrInvalid)
	}
	for _, l := range dp.loops {
		if err := l.call(func(l *loop) { l.delPort(no) }); err != nil {
			return fmt.Errorf("dpif %s: delete port %s: %w", dp.cfg.Name, p.name, err)
		}
	}
	for _, li := range p.rxLoops {
		dp.loops[li].nRxq.Add(-1)
	}
	delete(dp.ports, no)
	delete(dp.names, p.name)
	return nil
}

// Ports lists the ports by number.
func (dp *Datapath) Ports() []PortInfo {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	out := make([]PortInfo, 0, len(dp.ports))
	for _, p := range dp.ports {
		out = append(out, PortInfo{No: p.no, Name: p.name, Type: p.typ, Dev: p.dev})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].No < out[j].No })
	return out
}

// PortByName returns the port called name.
func (dp *Datapath) PortByName(name string) (PortInfo, bool) {
	dp.mu.Lock()
	defer dp.mu.Unlock()
	p, ok := dp.names[name]
	if !ok {
		return PortInfo{}, false
	}
	return PortInfo{No: p.no, Name: p.name, Type: p.typ, Dev: p.dev}, true
}

// SetFlowLimit sets the megaflow limit (other_config:flow-limit). Installs
// beyond it are refused (the packets are still forwarded) and revalidators
// age flows faster above it and delete all above twice it, like OVS.
func (dp *Datapath) SetFlowLimit(n int) {
	if n < 0 {
		n = 0
	}
	dp.flowLimit.Store(int64(n))
}

// SetMaxIdle sets how long an unused megaflow lives (other_config:max-idle).
func (dp *Datapath) SetMaxIdle(d time.Duration) {
	if d < 0 {
		d = 0
	}
	dp.maxIdle.Store(int64(d))
}

// NumFlows returns the number of installed megaflows over all loops.
func (dp *Datapath) NumFlows() int { return int(dp.nFlows.Load()) }

// Execute runs acts on p on a forwarding loop (so that outputs, recirculation
// and userspace actions behave as for datapath packets) and waits until it
// has run. It takes ownership of p. key may be nil; it is then extracted.
// p.Meta.InPort should be set by the caller (the port the packet is deemed to
// come from; OVS uses the local port for packet-outs without one).
func (dp *Datapath) Execute(p *packet.Packet, key *flow.Key, acts []odp.Action) error {
	if p == nil {
		return fmt.Errorf("dpif %s: execute: nil packet: %w", dp.cfg.Name, ErrInvalid)
	}
	var k flow.Key
	if key != nil {
		k = *key
	}
	have := key != nil
	err := dp.loops[0].call(func(l *loop) {
		if !have {
			packet.Extract(p, &k)
		}
		l.execute(p, &k, acts, 0)
		l.flushTx()
	})
	if err != nil {
		dp.pool.Free(p)
		return fmt.Errorf("dpif %s: execute: %w", dp.cfg.Name, err)
	}
	return nil
}
