// Package classifier is the OpenFlow classifier of govs, after OVS's
// lib/classifier.c: it finds the highest-priority rule matching a flow.Key in
// a given version of a flow table, and reports which bits of the key the
// answer depended on, so that the datapath megaflow built from the lookup is
// as wide as stock OVS's.
//
// # What it owns
//
//   - Tuple-space search: one subtable per distinct mask, rules hashed by
//     their masked key, subtables ranked by the highest priority they hold so
//     that a lookup stops once no remaining subtable can beat its match.
//     Rules with the same match but different priorities (or the same
//     priority in disjoint versions) are kept in a per-match list.
//   - Versions: a rule is visible in versions [added, removed). Insert(r, v)
//     adds, Remove(r, v) hides from v on, RestoreVisibility undoes that,
//     Delete takes the rule out for good once no reader can still need it.
//   - Staged lookup: each subtable hashes the metadata, L2, L3 and L4 parts
//     of its mask in turn (OVS's flow segments, field for field) and gives up
//     at the first stage no rule has, unwildcarding only the stages looked at.
//   - Prefix tries on the Flow_Table:prefixes fields (default nw_dst and
//     nw_src, as OVS 3.1 sets for every table) and a per-subtable trie on
//     tp_src/tp_dst, which unwildcard only the prefix bits needed to rule a
//     subtable out.
//   - FindExact for strict flow_mod, Rules for dump-flows and loose
//     flow_mod matching, Count.
//
// # API
//
//	c := classifier.New()
//	r := &classifier.Rule{Match: m, Priority: 100, Value: myRule}
//	err := c.Insert(r, version)          // writer
//	err = c.Remove(r, version+1)         // writer: invisible from version+1
//	got := c.Lookup(&key, version, &wc)  // any goroutine, no allocation
//	for r := range c.Rules(version, nil) { ... }
//	err = c.Delete(r)                    // writer, after readers moved on
//
// # Concurrency
//
// One writer goroutine (ofproto) changes a Classifier; any number of reader
// goroutines (handlers) call Lookup, Rules and Count at the same time without
// taking locks. Readers start from atomically published snapshots; the
// writer updates hash slots, list links and counters with atomic stores in an
// order that keeps every intermediate state consistent for readers, and
// replaces whole structures (copy, then publish) when it resizes or compacts
// them. Garbage collection plays the part of RCU's grace period. As in OVS,
// versions give readers a consistent rule set: the writer finishes the
// changes for version v before publishing v to readers.
//
// # Memory
//
// The numerous structures are index-based: entries and trie nodes live in
// append-only chunked arenas addressed by uint32, hash tables are flat
// arrays of uint64 slots. The only pointer per rule is the entry's pointer
// to the caller's Rule. Arenas are compacted when deleted entries dominate.
//
// # Conjunctive match (not yet)
//
// conjunction(id,k/n) needs, as in OVS, a per-entry set of (id, clause,
// n_clauses) and a second phase in Lookup: a matching entry that carries
// conjunctions is a "soft" match collected with its priority instead of
// becoming the answer; after the subtable loop, if soft matches outrank the
// hard match, their clauses are combined per id and, for a complete
// conjunction, the lookup is repeated with Key.ConjID set to the id. The
// entry struct has room for that set, and Lookup's loop is where it goes.
//
// # Imports
//
// This package imports only flow and the standard library. It must not
// import ofproto, xlate, dpif or openflow: it knows nothing of actions.
package classifier
