package bridge

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ovn-kubernetes/libovsdb/cache"
	"github.com/ovn-kubernetes/libovsdb/client"
	"github.com/ovn-kubernetes/libovsdb/model"

	"govs.dev/govs/dpif"
	"govs.dev/govs/netdev/link"
	"govs.dev/govs/netdev/tap"
	"govs.dev/govs/ofproto"
	"govs.dev/govs/ovsdb/vswitchdb"
	"govs.dev/govs/packet"
	"govs.dev/govs/unixctl"
	"govs.dev/govs/vlog"
)

var log = vlog.Module("bridge")

// Clock is the daemon's clock (time/stop, time/warp).
type Clock interface{ Now() time.Time }

// Options configure Run.
type Options struct {
	// DBEndpoint is the OVSDB server, e.g. "unix:/var/run/openvswitch/db.sock".
	DBEndpoint string
	// RunDir holds <bridge>.mgmt sockets.
	RunDir string
	// Unixctl is the daemon's control server; Run registers its commands.
	Unixctl *unixctl.Server
	// Clock defaults to the wall clock.
	Clock Clock
	// EnableDummy allows the dummy datapath and interface types;
	// DummyOverride maps every interface and datapath type to dummy.
	EnableDummy, DummyOverride bool
	// DisableSystem disables the system (kernel) datapath.
	DisableSystem bool
	// Ready is called once, when the first database configuration has been
	// applied (it completes --detach).
	Ready func()
	// Cleanup reports, when Run returns, whether `exit --cleanup` asked for
	// datapath ports and taps to be removed.
	Cleanup func() bool
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// Run connects to the database and keeps the switch in line with it until ctx
// is cancelled.
func Run(ctx context.Context, o Options) error {
	if o.Clock == nil {
		o.Clock = wallClock{}
	}
	db, err := vswitchdb.Connect(ctx, o.DBEndpoint, vlog.Module("reconnect").Slog())
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("bridge: database %s: %w", o.DBEndpoint, err)
	}
	defer db.Close()
	pool, err := packet.NewPool(packet.PoolConfig{Buffers: 16384, BigBuffers: 512})
	if err != nil {
		return fmt.Errorf("bridge: packet pool: %w", err)
	}
	s := &switchd{o: o, db: db, pool: pool, backers: map[string]*ofproto.Backer{},
		bridges: map[string]*brState{}, kick: make(chan struct{}, 1), openErrs: map[string]string{}}
	s.ctlCache = pool.NewCache()
	s.registerCommands()
	go s.watchLinks(ctx)
	running.Store(s)
	defer running.Store(nil)
	db.Cache().AddEventHandler(&cache.EventHandlerFuncs{
		AddFunc:    func(string, model.Model) { s.poke() },
		UpdateFunc: func(string, model.Model, model.Model) { s.poke() },
		DeleteFunc: func(string, model.Model) { s.poke() },
	})
	if w, ok := o.Clock.(interface{ OnWarp(func()) func() }); ok {
		// time/warp returns once rule and MAC timeouts of the warp ran.
		cancel := w.OnWarp(s.periodic)
		defer cancel()
	}
	s.poke()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	ready := false
	for {
		select {
		case <-ctx.Done():
			s.shutdown(o.Cleanup != nil && o.Cleanup())
			return nil
		case <-s.kick:
		case <-tick.C:
			s.periodic()
			if !s.reconcileDue() {
				// Nothing changed: the database, links and statistics
				// wait for their own triggers.
				continue
			}
		}
		applied, err := s.reconcile(ctx)
		if err != nil {
			log.Warn("reconfigure failed: %v", err)
			continue
		}
		if applied && !ready {
			ready = true
			if o.Ready != nil {
				o.Ready()
			}
		}
	}
}

// running is the daemon's switch while Run runs, for Memory.
var running atomic.Pointer[switchd]

// Memory returns the counts memory/show prints (OVS's names), or nil when
// the switch is not running. Safe for concurrent use.
func Memory() map[string]uint64 {
	s := running.Load()
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]uint64{"handlers": 1, "revalidators": 1}
	var ports, rules, flows uint64
	for _, b := range s.bridges {
		ports += uint64(len(b.ifaces))
		rules += uint64(b.of.RuleCount())
	}
	for _, k := range s.backers {
		flows += uint64(k.DP.NumFlows())
	}
	m["ports"], m["rules"], m["udpif keys"] = ports, rules, flows
	return m
}

// switchd is the state of the running daemon. Its fields are guarded by mu:
// the reconciler and unixctl handlers both use them.
type switchd struct {
	o    Options
	db   client.Client
	pool *packet.Pool
	kick chan struct{}

	mu         sync.Mutex
	backers    map[string]*ofproto.Backer
	bridges    map[string]*brState
	dummyMACs  int
	localTaps  []*tap.Device // datapaths' own ports
	pmdMask    string        // other_config:pmd-cpu-mask applied
	pmdMaskErr string        // last invalid mask logged
	statsDue   bool          // the next reconcile writes Interface.statistics
	lastStats  time.Time
	openErrs   map[string]string // last open error logged per interface

	flowTables    map[string]*vswitchdb.FlowTable // this reconcile's Flow_Table rows by UUID
	linkEvents    map[string]bool                 // this reconcile's share of linkDirty
	linkEventsAll bool

	ctlMu    sync.Mutex
	ctlCache *packet.Cache // buffers for packets the control plane injects

	linkMu    sync.Mutex
	linkDirty map[string]bool // kernel interfaces with link events since the last reconcile
	linkAll   bool            // recheck every kernel interface
}

// statsInterval is how often Interface.statistics is written, as OVS's
// default other_config:stats-update-interval.
const statsInterval = 5 * time.Second

// watchLinks feeds kernel link events to the reconciler until ctx ends.
func (s *switchd) watchLinks(ctx context.Context) {
	m, err := link.NewMonitor()
	if err != nil {
		log.Warn("link events unavailable, interfaces are rechecked every %v: %v", statsInterval, err)
		return
	}
	go func() {
		<-ctx.Done()
		m.Close()
	}()
	for ev := range m.Events() {
		s.linkMu.Lock()
		if s.linkDirty == nil {
			s.linkDirty = map[string]bool{}
		}
		s.linkDirty[ev.Info.Name] = true
		s.linkMu.Unlock()
		s.poke()
	}
}

// reconcileDue reports whether a periodic wake-up must reconcile: the
// statistics are due, or link events wait.
func (s *switchd) reconcileDue() bool {
	s.mu.Lock()
	due := s.statsDue
	s.mu.Unlock()
	s.linkMu.Lock()
	defer s.linkMu.Unlock()
	return due || s.linkAll || len(s.linkDirty) > 0
}

// takeLinkEvents returns and clears the names with pending link events.
func (s *switchd) takeLinkEvents() (map[string]bool, bool) {
	s.linkMu.Lock()
	defer s.linkMu.Unlock()
	d, all := s.linkDirty, s.linkAll
	s.linkDirty, s.linkAll = nil, false
	return d, all
}

func (s *switchd) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// backer returns the backer of a datapath type, creating it and its datapath.
// Caller holds s.mu.
func (s *switchd) backer(typ string) (*ofproto.Backer, error) {
	if k := s.backers[typ]; k != nil {
		return k, nil
	}
	k := ofproto.NewBacker(typ, s.o.Clock)
	cfg := dpif.Config{Name: "ovs-" + typ, Type: typ, Pool: s.pool, Handler: k, Clock: s.o.Clock}
	if typ == "netdev" {
		// One forwarding loop per CPU, so that pmd-cpu-mask can pin one
		// to each; without a mask they block in epoll and share the rx
		// queues.
		cfg.Loops = runtime.NumCPU()
	}
	var localTap *tap.Device
	if typ == "netdev" {
		// The userspace datapath's own port is a tap named after it, as
		// in OVS ("port 0: ovs-netdev (tap)").
		d, err := tap.Open(cfg.Name, tap.Options{Type: kindInternal})
		if err != nil {
			return nil, fmt.Errorf("datapath %s: local port: %w", typ, openError(cfg.Name, err))
		}
		cfg.LocalDevice, localTap = d, d
	}
	dp, err := dpif.New(cfg)
	if err != nil {
		if localTap != nil {
			localTap.Close()
		}
		return nil, fmt.Errorf("datapath %s: %w", typ, err)
	}
	if localTap != nil {
		s.localTaps = append(s.localTaps, localTap)
	}
	k.Attach(dp, s.pool)
	s.backers[typ] = k
	return k, nil
}

// sortedBridges returns the bridge names in order. Caller holds s.mu.
func (s *switchd) sortedBridges() []*brState {
	out := make([]*brState, 0, len(s.bridges))
	for _, b := range s.bridges {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// periodic runs once a second: rule timeouts, MAC aging, statistics.
func (s *switchd) periodic() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Clock.Now()
	if wall := time.Now(); wall.Sub(s.lastStats) >= statsInterval {
		s.lastStats = wall
		s.statsDue = true
		// Without link events (or if one was missed) kernel interfaces
		// are rechecked at this pace.
		s.linkMu.Lock()
		s.linkAll = true
		s.linkMu.Unlock()
	}
	for _, k := range s.backers {
		// Recirculation ids whose grace period ended are forgotten.
		k.Recirc().Sweep()
	}
	for _, b := range s.bridges {
		b.of.ExpireRules(now)
		b.of.MAC().Expire(now)
	}
}

// shutdown stops the switch. With cleanup (exit --cleanup) the taps govs
// created for internal and tap interfaces and the datapath's own port are
// deleted; otherwise they stay, and the next start adopts them.
func (s *switchd) shutdown(cleanup bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.bridges {
		s.destroyBridge(b, cleanup)
	}
	for _, k := range s.backers {
		if k.DP != nil {
			k.DP.Close()
		}
	}
	for _, d := range s.localTaps {
		if cleanup {
			if err := d.Delete(); err != nil {
				log.Warn("delete tap %s: %v", d.Name(), err)
			}
		} else {
			d.Close()
		}
	}
}
