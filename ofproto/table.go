package ofproto

import (
	"sync/atomic"
	"time"

	"govs.dev/govs/flow"
	"govs.dev/govs/ofproto/classifier"
)

// deleteGrace is how long a removed rule stays in the classifier (invisible
// in new versions) before it is deleted, so that lookups still running at an
// older version never see freed state.
const deleteGrace = time.Second

// table is one OpenFlow table: a versioned classifier of *Rule.
type table struct {
	cls     *classifier.Classifier
	n       int // visible rules in the latest version (writer only)
	lookups atomic.Uint64
	matched atomic.Uint64
	pending []pendingDelete
}

type pendingDelete struct {
	cr *classifier.Rule
	at time.Time
}

func newTable() *table { return &table{cls: classifier.New()} }

func (t *table) insert(r *Rule, version uint64) {
	cr := &classifier.Rule{Match: r.Match, Priority: int32(r.Priority), Value: r}
	r.clsHandle = cr
	if err := t.cls.Insert(cr, version); err != nil {
		// Insert only fails for a rule already in a classifier, which
		// cannot happen for a new rule.
		panic(err)
	}
	t.n++
}

func (t *table) remove(r *Rule, version uint64) {
	cr := r.clsHandle.(*classifier.Rule)
	if err := t.cls.Remove(cr, version); err == nil {
		t.n--
		t.pending = append(t.pending, pendingDelete{cr, time.Now()})
	}
	t.reap()
}

// reap deletes removed rules whose grace period has passed.
func (t *table) reap() {
	now := time.Now()
	i := 0
	for ; i < len(t.pending) && now.Sub(t.pending[i].at) >= deleteGrace; i++ {
		_ = t.cls.Delete(t.pending[i].cr)
	}
	t.pending = t.pending[i:]
}

func (t *table) count() int { return t.n }

func (t *table) lookup(key *flow.Key, version uint64, wc *flow.Key) *Rule {
	t.lookups.Add(1)
	cr := t.cls.Lookup(key, version, wc)
	if cr == nil {
		return nil
	}
	t.matched.Add(1)
	return cr.Value.(*Rule)
}

func (t *table) findExact(m *flow.Match, pri uint16, version uint64) *Rule {
	mm := *m
	mm.Normalize()
	cr := t.cls.FindExact(&mm, int32(pri), version)
	if cr == nil {
		return nil
	}
	return cr.Value.(*Rule)
}

func (t *table) forEach(version uint64, fn func(*Rule)) {
	for cr := range t.cls.Rules(version, nil) {
		fn(cr.Value.(*Rule))
	}
}

// overlaps reports whether a rule of the same priority could match a packet
// that m matches (check_overlap).
func (t *table) overlaps(m *flow.Match, pri uint16, version uint64) bool {
	found := false
	t.forEach(version, func(r *Rule) {
		if found || r.Priority != pri {
			return
		}
		// Two matches overlap unless some bit both care about differs.
		rw, mw := r.Match.Mask.Words(), m.Mask.Words()
		rk, mk := r.Match.Key.Words(), m.Key.Words()
		for i := range rw {
			if (rk[i]^mk[i])&rw[i]&mw[i] != 0 {
				return
			}
		}
		found = true
	})
	return found
}
