package ofproto

import (
	"fmt"
	"sync"
	"time"

	"govs.dev/govs/ofproto/xlate"
	"govs.dev/govs/vlog"
)

var ridLog = vlog.Module("ofproto_dpif_rid")

// Recirculation id allocation limits, as in OVS's ofproto-dpif-rid.
const (
	// recircStaticIDs are skipped when the id space wraps: the first ids
	// may be held for a long time (bonds, in OVS).
	recircStaticIDs = 1024
	// recircGrace is how long an id whose last reference went stays
	// findable (packets in flight may still carry it) before it can be
	// reused. OVS frees such ids after 250 to 500 ms.
	recircGrace = 250 * time.Millisecond
)

// RecircTable is a datapath's frozen-state table (OVS's ofproto-dpif-rid):
// it gives each distinct xlate.FrozenState a recirculation id, counts the
// references that megaflows, xlate caches and held continuations have on
// it, and keeps an id findable for a grace period after its last reference
// went, so that packets still in flight with it resume correctly. Ids are
// not reused while findable; the allocator moves forward through the id
// space. All methods are safe for concurrent use.
type RecircTable struct {
	now func() time.Time

	mu      sync.RWMutex
	byID    map[uint32]*recircNode
	byState map[string]*recircNode // referenced nodes only
	nextID  uint32
	// expiring holds unreferenced nodes, oldest first; each is removed
	// from byID once its grace period has passed.
	expiring  []*recircNode
	lastSweep time.Time
}

// recircNode is one frozen state and its id. state and key never change;
// refs is guarded by the table's mutex.
type recircNode struct {
	id      uint32
	key     string
	state   *xlate.FrozenState
	refs    int
	expired time.Time // when refs reached 0
}

var _ xlate.FrozenTable = (*RecircTable)(nil)

// NewRecircTable returns an empty table. now is the clock the grace period
// is measured with (nil: time.Now).
func NewRecircTable(now func() time.Time) *RecircTable {
	if now == nil {
		now = time.Now
	}
	return &RecircTable{now: now, byID: map[uint32]*recircNode{}, byState: map[string]*recircNode{}, nextID: 1}
}

// Freeze returns the id of the referenced state equal to s with one more
// reference, or a new id with one reference (xlate.FrozenTable). s belongs
// to the table afterwards.
func (t *RecircTable) Freeze(s *xlate.FrozenState) (uint32, error) {
	key, err := s.Key()
	if err != nil {
		return 0, fmt.Errorf("recirc: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked()
	if n := t.byState[key]; n != nil {
		n.refs++
		return n.id, nil
	}
	id, ok := t.freeIDLocked()
	if !ok {
		return 0, fmt.Errorf("recirc: no free recirculation id")
	}
	n := &recircNode{id: id, key: key, state: s, refs: 1}
	t.byID[id] = n
	t.byState[key] = n
	return id, nil
}

// freeIDLocked claims the next id not in use (referenced or lingering).
func (t *RecircTable) freeIDLocked() (uint32, bool) {
	// The map cannot hold every id, so a free one exists; the bound only
	// guards against a broken invariant.
	for range 1 << 20 {
		id := t.nextID
		t.nextID++
		if id == 0 {
			id = recircStaticIDs + 1
			t.nextID = id + 1
		}
		if _, used := t.byID[id]; !used {
			return id, true
		}
	}
	return 0, false
}

// Thaw returns the frozen state of id, referenced or still in its grace
// period, or nil (xlate.FrozenTable).
func (t *RecircTable) Thaw(id uint32) *xlate.FrozenState {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.byID[id]; n != nil {
		return n.state
	}
	return nil
}

// Ref takes one more reference to id if it is still referenced (OVS's
// recirc_id_node_find_and_ref): a held continuation uses it. It reports
// false for an unknown id or one in its grace period.
func (t *RecircTable) Ref(id uint32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.byID[id]
	if n == nil || n.refs == 0 {
		return false
	}
	n.refs++
	return true
}

// Unref drops one reference to id (xlate.FrozenTable). When the last goes,
// an equal state frozen later gets a new id, and id stays findable for the
// grace period. Dropping a reference that is not held is ignored.
func (t *RecircTable) Unref(id uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.byID[id]
	if n == nil || n.refs == 0 {
		ridLog.Err("Freeing nonexistent recirculation ID: %d", id)
		return
	}
	if n.refs--; n.refs == 0 {
		delete(t.byState, n.key)
		n.expired = t.now()
		t.expiring = append(t.expiring, n)
	}
	t.sweepLocked()
}

// Refs returns the reference count of id (0 for unknown or expiring ids).
func (t *RecircTable) Refs(id uint32) int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if n := t.byID[id]; n != nil {
		return n.refs
	}
	return 0
}

// Len returns the number of ids in use: referenced ones and those in their
// grace period.
func (t *RecircTable) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byID)
}

// Sweep frees the ids whose grace period has passed. Freeze and Unref sweep
// too; a periodic caller (the revalidator) keeps memory bounded when
// neither runs.
func (t *RecircTable) Sweep() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSweep = time.Time{}
	t.sweepLocked()
}

// sweepLocked removes expired nodes, at most once per grace period.
func (t *RecircTable) sweepLocked() {
	if len(t.expiring) == 0 {
		return
	}
	now := t.now()
	if !t.lastSweep.IsZero() && now.Sub(t.lastSweep) < recircGrace && now.After(t.lastSweep) {
		return
	}
	t.lastSweep = now
	i := 0
	for ; i < len(t.expiring); i++ {
		n := t.expiring[i]
		if now.Sub(n.expired) < recircGrace {
			break
		}
		if t.byID[n.id] == n {
			delete(t.byID, n.id)
		}
	}
	t.expiring = append(t.expiring[:0], t.expiring[i:]...)
}
