// Package maclearn is the MAC learning table of the NORMAL action (OVS's
// lib/mac-learning): (VLAN, MAC) -> port, with aging, a size limit and LRU
// eviction, and a generation number that moves whenever a learned location
// changes so that cached datapath flows depending on it are revalidated.
//
// A Table is safe for concurrent use: handler goroutines learn and look up
// while the control plane flushes, dumps and reconfigures. It must not import
// any other govs package but flow-agnostic basics.
package maclearn

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults as in OVS: other_config:mac-aging-time and mac-table-size.
const (
	DefaultIdleTime = 300 * time.Second
	DefaultMaxSize  = 2048
	// MinIdleTime is the floor OVS applies to mac-aging-time (15 s).
	MinIdleTime = 15 * time.Second
)

// Key identifies an entry.
type Key struct {
	VLAN uint16
	MAC  [6]byte
}

// Entry is a learned location. Port is the caller's identifier of the port
// (govs uses OpenFlow port numbers).
type Entry struct {
	Key
	Port   uint32
	Used   time.Time
	Static bool
}

// Table is a MAC learning table.
type Table struct {
	mu      sync.Mutex
	entries map[Key]*Entry
	idle    time.Duration
	maxSize int
	gen     atomic.Uint64
	learned atomic.Uint64
	expired atomic.Uint64
	evicted atomic.Uint64
	moved   atomic.Uint64
}

// New returns an empty table with OVS's defaults.
func New() *Table {
	return &Table{entries: make(map[Key]*Entry), idle: DefaultIdleTime, maxSize: DefaultMaxSize}
}

// SetIdleTime sets the aging time (clamped to MinIdleTime like OVS).
func (t *Table) SetIdleTime(d time.Duration) {
	if d < MinIdleTime {
		d = MinIdleTime
	}
	t.mu.Lock()
	t.idle = d
	t.mu.Unlock()
}

// IdleTime returns the aging time.
func (t *Table) IdleTime() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.idle
}

// SetMaxSize sets the maximum number of entries; extra entries are evicted
// least recently used first.
func (t *Table) SetMaxSize(n int) {
	if n < 1 {
		n = 1
	}
	t.mu.Lock()
	t.maxSize = n
	t.evictLocked(0)
	t.mu.Unlock()
}

// Generation returns a number that changes whenever a lookup could return a
// different answer than before (new entry, moved entry, removal).
func (t *Table) Generation() uint64 { return t.gen.Load() }

// Learn records that mac on vlan was seen on port at now. It returns true if
// the table changed in a way that affects forwarding (new or moved entry).
func (t *Table) Learn(vlan uint16, mac [6]byte, port uint32, now time.Time) bool {
	if mac[0]&1 != 0 { // never learn multicast/broadcast sources
		return false
	}
	k := Key{VLAN: vlan, MAC: mac}
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.entries[k]; ok {
		e.Used = now
		if e.Port == port || e.Static {
			return false
		}
		e.Port = port
		t.moved.Add(1)
		t.gen.Add(1)
		return true
	}
	t.evictLocked(1)
	t.entries[k] = &Entry{Key: k, Port: port, Used: now}
	t.learned.Add(1)
	t.gen.Add(1)
	return true
}

// AddStatic adds a static entry (fdb/add).
func (t *Table) AddStatic(vlan uint16, mac [6]byte, port uint32, now time.Time) {
	k := Key{VLAN: vlan, MAC: mac}
	t.mu.Lock()
	t.evictLocked(1)
	t.entries[k] = &Entry{Key: k, Port: port, Used: now, Static: true}
	t.gen.Add(1)
	t.mu.Unlock()
}

// Delete removes one entry, reporting whether it existed.
func (t *Table) Delete(vlan uint16, mac [6]byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := Key{VLAN: vlan, MAC: mac}
	if _, ok := t.entries[k]; !ok {
		return false
	}
	delete(t.entries, k)
	t.gen.Add(1)
	return true
}

// evictLocked makes room for n more entries.
func (t *Table) evictLocked(n int) {
	for len(t.entries)+n > t.maxSize && len(t.entries) > 0 {
		var oldest *Entry
		for _, e := range t.entries {
			if oldest == nil || e.Used.Before(oldest.Used) {
				oldest = e
			}
		}
		delete(t.entries, oldest.Key)
		t.evicted.Add(1)
		t.gen.Add(1)
	}
}

// Lookup returns the port of mac on vlan if known and not expired at now.
func (t *Table) Lookup(vlan uint16, mac [6]byte, now time.Time) (uint32, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[Key{VLAN: vlan, MAC: mac}]
	if !ok || (!e.Static && now.Sub(e.Used) >= t.idle) {
		return 0, false
	}
	return e.Port, true
}

// Refresh marks an entry as used at now without changing its port (stats
// push from a cached flow, as OVS's xlate cache does).
func (t *Table) Refresh(vlan uint16, mac [6]byte, port uint32, now time.Time) {
	t.mu.Lock()
	if e, ok := t.entries[Key{VLAN: vlan, MAC: mac}]; ok && e.Port == port && now.After(e.Used) {
		e.Used = now
	}
	t.mu.Unlock()
}

// Expire removes entries idle for the aging time at now and returns how many.
func (t *Table) Expire(now time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for k, e := range t.entries {
		if !e.Static && now.Sub(e.Used) >= t.idle {
			delete(t.entries, k)
			n++
		}
	}
	if n > 0 {
		t.expired.Add(uint64(n))
		t.gen.Add(1)
	}
	return n
}

// Flush removes every entry (fdb/flush). Static entries go too, as in OVS.
func (t *Table) Flush() {
	t.mu.Lock()
	if len(t.entries) > 0 {
		t.entries = make(map[Key]*Entry)
		t.gen.Add(1)
	}
	t.mu.Unlock()
}

// FlushPort removes every entry on port (port deleted or reconfigured).
func (t *Table) FlushPort(port uint32) {
	t.mu.Lock()
	for k, e := range t.entries {
		if e.Port == port {
			delete(t.entries, k)
			t.gen.Add(1)
		}
	}
	t.mu.Unlock()
}

// Entries returns a copy of the entries, oldest-learned order is not kept:
// sorted by port, VLAN and MAC for stable output.
func (t *Table) Entries() []Entry {
	t.mu.Lock()
	out := make([]Entry, 0, len(t.entries))
	for _, e := range t.entries {
		out = append(out, *e)
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.VLAN != b.VLAN {
			return a.VLAN < b.VLAN
		}
		return string(a.MAC[:]) < string(b.MAC[:])
	})
	return out
}

// Stats are the counters of fdb/stats-show.
type Stats struct{ Learned, Expired, Evicted, Moved uint64 }

// Stats returns the table's counters.
func (t *Table) Stats() Stats {
	return Stats{t.learned.Load(), t.expired.Load(), t.evicted.Load(), t.moved.Load()}
}

// Len returns the number of entries.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.entries)
}
