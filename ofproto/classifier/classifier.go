package classifier

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"sync/atomic"

	"govs.dev/govs/flow"
)

// NotRemoved is the removal version of a rule that has not been removed.
const NotRemoved = math.MaxUint64

// Errors returned by the writer methods; test with errors.Is.
var (
	ErrNilRule      = errors.New("classifier: nil rule")
	ErrInClassifier = errors.New("classifier: rule is already in a classifier")
	ErrNotInserted  = errors.New("classifier: rule is not in this classifier")
	ErrDuplicate    = errors.New("classifier: a rule with the same match and priority is already visible")
	ErrBadVersion   = errors.New("classifier: bad version")
	ErrPrefixField  = errors.New("classifier: unusable prefix field")
)

// Rule is one classification rule. The caller owns it and fills Match,
// Priority and Value before Insert; from Insert until Delete the classifier
// reads Match and Priority concurrently with lookups, so the caller must not
// change them (Value too, if readers use it without their own
// synchronisation). A Rule is in at most one classifier at a time.
type Rule struct {
	// Match says which packets the rule matches. Insert clears the bits of
	// Match.Key that Match.Mask does not cover.
	Match flow.Match
	// Priority orders overlapping rules: higher wins. Among equal-priority
	// overlapping rules the one Lookup returns is unspecified, as in OVS.
	Priority int32
	// Value is the caller's payload (an ofproto rule, a test label, ...).
	Value any

	// Writer-only bookkeeping.
	st  *subtable
	cls *Classifier
	idx uint32
}

// view is the immutable snapshot readers start every lookup from.
type view struct {
	subs   []viewSub // ranked by max priority, highest first
	fields [MaxPrefixFields]*prefixField
	tries  [MaxPrefixFields]*trie
	nTries int
}

type viewSub struct {
	st   *subtable
	pri  int32
	plen [MaxPrefixFields]uint
}

// Classifier is an OpenFlow flow table's rule set: tuple-space search with
// priorities, versions, staged lookup and prefix tries (OVS lib/classifier.c).
//
// Concurrency: exactly one goroutine at a time (the writer, ofproto) may call
// Insert, Remove, RestoreVisibility, Delete, FindExact and SetPrefixFields.
// Any number of goroutines may call Lookup, Rules, Count and NumSubtables at
// the same time as the writer and each other, without locks: they read
// atomically published snapshots and never block the writer. As in OVS,
// changes meant for version v must be complete before any lookup at version
// v starts, and Delete may only be called once no lookup can still run at a
// version in which the rule was visible.
type Classifier struct {
	v     atomic.Pointer[view]
	count atomic.Int64

	// Writer only.
	byMask map[flow.Key]*subtable
	order  []*subtable // OVS pvector order
	fields []*prefixField
	tries  []*trie
}

// New returns an empty classifier with prefix tries on DefaultPrefixFields,
// like an OVS flow table.
func New() *Classifier {
	c := &Classifier{byMask: map[flow.Key]*subtable{}}
	if err := c.SetPrefixFields(DefaultPrefixFields); err != nil {
		panic(err) // the defaults are known fields
	}
	return c
}

// publish makes the current writer state visible to readers.
func (c *Classifier) publish() {
	v := &view{subs: make([]viewSub, len(c.order)), nTries: len(c.fields)}
	copy(v.fields[:], c.fields)
	copy(v.tries[:], c.tries)
	for i, st := range c.order {
		v.subs[i] = viewSub{st: st, pri: st.maxPri, plen: st.plen}
	}
	c.v.Store(v)
}

// sortOrder re-sorts the subtables by max priority, keeping the relative
// order of equal priorities, as OVS's pvector does (insertion appends, and
// glibc's qsort is a stable merge sort).
func (c *Classifier) sortOrder() {
	slices.SortStableFunc(c.order, func(a, b *subtable) int {
		switch {
		case a.maxPri > b.maxPri:
			return -1
		case a.maxPri < b.maxPri:
			return 1
		}
		return 0
	})
}

// SetPrefixFields sets the fields that get prefix tries (Flow_Table:prefixes),
// at most MaxPrefixFields of them; names are OVS field names such as
// "nw_src", "ipv6_dst" or "tun_id". An empty list or "none" disables tries.
// Writer only.
func (c *Classifier) SetPrefixFields(names []string) error {
	var fields []*prefixField
	for _, n := range names {
		if n == "none" {
			fields = nil
			break
		}
		f, ok := prefixFields[n]
		if !ok {
			return fmt.Errorf("%w: %q", ErrPrefixField, n)
		}
		if slices.Contains(fields, f) {
			continue
		}
		if len(fields) == MaxPrefixFields {
			return fmt.Errorf("%w: more than %d fields", ErrPrefixField, MaxPrefixFields)
		}
		fields = append(fields, f)
	}
	tries := make([]*trie, len(fields))
	for i := range tries {
		tries[i] = newTrie()
	}
	for _, st := range c.order {
		st.plen = [MaxPrefixFields]uint{}
		s := st.state.Load()
		for j, f := range fields {
			st.plen[j] = uint(f.prefixLen(&st.mask))
			if st.plen[j] == 0 {
				continue
			}
			s.forEachHead(func(id uint32) {
				val := f.value(&s.entries.at(id).rule.Match.Key)
				tries[j].insert(&val, st.plen[j])
			})
		}
	}
	c.fields, c.tries = fields, tries
	c.publish()
	return nil
}

// Insert adds r, visible from version on. The rule must not be in a
// classifier. Rules with the same match and different priorities coexist;
// a second rule with the same match and priority is refused unless the first
// has been removed in some version (Remove), in which case both coexist and
// lookups see whichever is visible. Writer only.
func (c *Classifier) Insert(r *Rule, version uint64) error {
	if r == nil {
		return ErrNilRule
	}
	if r.st != nil {
		return ErrInClassifier
	}
	if version == NotRemoved {
		return fmt.Errorf("%w: insert at version %d", ErrBadVersion, version)
	}
	r.Match.Normalize()
	st, isNew := c.byMask[r.Match.Mask], false
	if st == nil {
		st, isNew = newSubtable(&r.Match.Mask), true
		for j, f := range c.fields {
			st.plen[j] = uint(f.prefixLen(&st.mask))
		}
	}
	var ihb [numStages]uint32
	ih := ihb[:len(st.state.Load().indices)]
	h := st.hashes(&r.Match.Key, ih)
	s := st.state.Load()
	head := st.findEqual(s, &r.Match.Key, h)
	var id uint32
	if head == 0 {
		st.roomForHead()
		s = st.state.Load()
		var e *entry
		id, e = s.entries.alloc()
		e.rule, e.pri, e.added = r, r.Priority, version
		e.removed.Store(NotRemoved)
		for j, t := range c.tries {
			if st.plen[j] > 0 {
				val := c.fields[j].value(&r.Match.Key)
				t.insert(&val, st.plen[j])
			}
		}
		if st.ports != nil {
			val := [5]uint32{portsValue(&r.Match.Key)}
			st.ports.insert(&val, st.portsLen)
		}
		for i, x := range ih {
			s.indices[i].inc(x)
		}
		s.rules.insert(h, id)
		st.heads++
	} else {
		prev, it := uint32(0), head
		for it != 0 {
			ie := s.entries.at(it)
			if r.Priority > ie.pri || (r.Priority == ie.pri && ie.removed.Load() == NotRemoved) {
				break
			}
			prev, it = it, ie.next.Load()
		}
		if it != 0 && s.entries.at(it).pri == r.Priority {
			return fmt.Errorf("%w: priority %d", ErrDuplicate, r.Priority)
		}
		var e *entry
		id, e = s.entries.alloc()
		e.rule, e.pri, e.added = r, r.Priority, version
		e.removed.Store(NotRemoved)
		e.next.Store(it)
		if prev == 0 {
			s.rules.replace(h, head, id)
		} else {
			s.entries.at(prev).next.Store(id)
		}
	}
	s.entries.publish()
	r.st, r.cls, r.idx = st, c, id
	st.live++
	c.count.Add(1)

	switch {
	case isNew:
		st.maxPri, st.maxCount = r.Priority, 1
		c.byMask[st.mask] = st
		c.order = append(c.order, st)
		c.sortOrder()
		c.publish()
	case r.Priority == st.maxPri:
		st.maxCount++
	case r.Priority > st.maxPri:
		st.maxPri, st.maxCount = r.Priority, 1
		c.sortOrder()
		c.publish()
	}
	return nil
}

func (c *Classifier) entryOf(r *Rule) (*entry, error) {
	if r == nil {
		return nil, ErrNilRule
	}
	if r.st == nil || r.cls != c {
		return nil, ErrNotInserted
	}
	return r.st.state.Load().entries.at(r.idx), nil
}

// Remove makes r invisible in version and every later version; lookups at
// earlier versions still see it. The rule stays in the classifier (and keeps
// shaping wildcards, as in OVS) until Delete. Writer only.
func (c *Classifier) Remove(r *Rule, version uint64) error {
	e, err := c.entryOf(r)
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	if version < e.added || version == NotRemoved {
		return fmt.Errorf("remove at %d of a rule added at %d: %w", version, e.added, ErrBadVersion)
	}
	e.removed.Store(version)
	return nil
}

// RestoreVisibility undoes Remove (for a bundle that is rolled back). Writer
// only.
func (c *Classifier) RestoreVisibility(r *Rule) error {
	e, err := c.entryOf(r)
	if err != nil {
		return fmt.Errorf("restore visibility: %w", err)
	}
	e.removed.Store(NotRemoved)
	return nil
}

// Visible reports whether r is in the classifier and visible in version.
// Writer only.
func (c *Classifier) Visible(r *Rule, version uint64) bool {
	e, err := c.entryOf(r)
	return err == nil && e.visible(version)
}

// Delete takes r out of the classifier for good (OVS classifier_remove);
// afterwards r may be inserted again. Writer only; see Classifier for when it
// is safe.
func (c *Classifier) Delete(r *Rule) error {
	e, err := c.entryOf(r)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	st := r.st
	s := st.state.Load()
	var ihb [numStages]uint32
	ih := ihb[:len(s.indices)]
	h := st.hashes(&r.Match.Key, ih)
	head := st.findEqual(s, &r.Match.Key, h)
	destroyed := false
	switch {
	case head != r.idx:
		for p := head; p != 0; {
			pe := s.entries.at(p)
			n := pe.next.Load()
			if n == r.idx {
				pe.next.Store(e.next.Load())
				break
			}
			p = n
		}
	case e.next.Load() != 0:
		s.rules.replace(h, head, e.next.Load())
	default:
		if st.ports != nil {
			val := [5]uint32{portsValue(&r.Match.Key)}
			st.ports.remove(&val, st.portsLen)
		}
		for j, t := range c.tries {
			if st.plen[j] > 0 {
				val := c.fields[j].value(&r.Match.Key)
				t.remove(&val, st.plen[j])
			}
		}
		for i, x := range ih {
			s.indices[i].dec(x)
		}
		s.rules.replace(h, head, 0)
		st.heads--
		if st.heads == 0 {
			destroyed = true
			delete(c.byMask, st.mask)
			i := slices.Index(c.order, st)
			last := len(c.order) - 1
			c.order[i] = c.order[last]
			c.order = c.order[:last]
			c.sortOrder()
			c.publish()
		}
	}
	if !destroyed && st.maxPri == e.pri {
		st.maxCount--
		if st.maxCount == 0 {
			maxPri := int32(math.MinInt32)
			s.forEachHead(func(id uint32) {
				p := s.entries.at(id).pri
				if p > maxPri {
					maxPri, st.maxCount = p, 1
				} else if p == maxPri {
					st.maxCount++
				}
			})
			st.maxPri = maxPri
			c.sortOrder()
			c.publish()
		}
	}
	e.dead.Store(true)
	st.live--
	st.dead++
	r.st, r.cls, r.idx = nil, nil, 0
	c.count.Add(-1)
	if !destroyed && st.dead > 64 && st.dead > st.live {
		st.rebuild(0)
	}
	return nil
}

// FindExact returns the rule with exactly match m and priority pri that is
// visible in version, or nil (OVS classifier_find_rule_exactly, for strict
// flow_mod). m need not be normalized. Writer only.
func (c *Classifier) FindExact(m *flow.Match, pri int32, version uint64) *Rule {
	st := c.byMask[m.Mask]
	if st == nil {
		return nil
	}
	key := m.Key
	key.And(&m.Mask)
	s := st.state.Load()
	var ihb [numStages]uint32
	h := st.hashes(&key, ihb[:0])
	for id := st.findEqual(s, &key, h); id != 0; {
		e := s.entries.at(id)
		if e.pri < pri {
			break
		}
		if e.pri == pri && e.visible(version) {
			return e.rule
		}
		id = e.next.Load()
	}
	return nil
}

// Count returns the number of rules in the classifier, visible or not (OVS
// classifier_count). Safe for concurrent use.
func (c *Classifier) Count() int { return int(c.count.Load()) }

// NumSubtables returns the number of distinct masks. Safe for concurrent use.
func (c *Classifier) NumSubtables() int { return len(c.v.Load().subs) }

// Rules iterates over the rules visible in version whose match is at least
// as specific as target and agrees with it on target's mask (OVS's loose
// match, for dump-flows and non-strict flow_mod); a nil target selects every
// rule. Subtables come in priority rank, rules in insertion order. Safe for
// concurrent use; the writer may change the classifier during the iteration,
// as long as it deletes no rule the iteration may still reach.
func (c *Classifier) Rules(version uint64, target *flow.Match) iter.Seq[*Rule] {
	return func(yield func(*Rule) bool) {
		v := c.v.Load()
		for i := range v.subs {
			st := v.subs[i].st
			if target != nil && !maskCovers(&st.mask, &target.Mask) {
				continue
			}
			s := st.state.Load()
			n := s.entries.len()
			for id := uint32(1); id < n; id++ {
				e := s.entries.at(id)
				if e.dead.Load() || !e.visible(version) {
					continue
				}
				if target != nil && !flow.MaskedEqual(&e.rule.Match.Key, &target.Key, &target.Mask) {
					continue
				}
				if !yield(e.rule) {
					return
				}
			}
		}
	}
}

// maskCovers reports whether every bit of sub is also in m.
func maskCovers(m, sub *flow.Key) bool {
	mw, sw := m.Words(), sub.Words()
	for i := range mw {
		if sw[i]&^mw[i] != 0 {
			return false
		}
	}
	return true
}
