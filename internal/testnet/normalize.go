package testnet

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A Normalizer rewrites one command's output so that what legitimately
// differs between two runs (times, ages, UUIDs, allocation order) no longer
// does. Normalizers are pure functions, safe for concurrent use, and
// idempotent: n(n(s)) == n(s).
type Normalizer func(string) string

// Chain returns a Normalizer applying ns in order.
func Chain(ns ...Normalizer) Normalizer {
	return func(s string) string {
		for _, n := range ns {
			s = n(s)
		}
		return s
	}
}

// Trim removes trailing white space from every line and blank lines at the
// end, and ends a non-empty result with exactly one newline. Every other
// normaliser applies it first.
func Trim(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

var reLogPrefix = regexp.MustCompile(`(?m)^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\|[0-9]+\|`)

// LogTimestamps removes the time stamp and sequence number that start an
// OVS log line ("2026-11-21T16:12:48Z|00001|"), as the client tools print
// on standard error, keeping "module|LEVEL|message". Script.Run applies it,
// with Trim, to the standard error of compared steps.
func LogTimestamps(s string) string { return Trim(reLogPrefix.ReplaceAllString(s, "")) }

// SortLines is Trim followed by a lexical sort of the lines.
func SortLines(s string) string {
	lines := splitLines(Trim(s))
	sort.Strings(lines)
	return joinLines(lines)
}

// deleteAll deletes every match of re in s, repeating until none is left
// (a deletion can join text into a new match); it terminates because every
// round shortens s.
func deleteAll(re *regexp.Regexp, s string) string {
	for {
		t := re.ReplaceAllString(s, "")
		if t == s {
			return s
		}
		s = t
	}
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func joinLines(lines []string) string {
	return Trim(strings.Join(lines, "\n"))
}

var (
	reDuration = regexp.MustCompile(`\bduration=[0-9.]+s,? ?`)
	reAge      = regexp.MustCompile(`\b(idle_age|hard_age)=[0-9]+,? ?`)
)

// DumpFlows normalises "ovs-ofctl dump-flows" output (any OpenFlow
// version): it removes duration=, idle_age= and hard_age=, which depend on
// when the command ran, and keeps everything else, in OVS's own order.
// Counters (n_packets, n_bytes) are kept: scripts make them deterministic
// (for example with "ovs-appctl revalidator/wait" before the dump).
func DumpFlows(s string) string {
	lines := splitLines(Trim(s))
	for i, l := range lines {
		l = deleteAll(reDuration, l)
		l = deleteAll(reAge, l)
		lines[i] = strings.TrimRight(l, " ")
	}
	return Trim(joinLines(lines))
}

// DumpFlowsSorted is DumpFlows with the flow lines sorted, for outputs whose
// order is the classifier's internal order rather than a documented one.
// Header lines ("NXST_FLOW reply ...", "OFPST_FLOW reply ...") stay first,
// in their order.
func DumpFlowsSorted(s string) string {
	var head, flows []string
	for _, l := range splitLines(DumpFlows(s)) {
		if strings.HasPrefix(l, " ") {
			flows = append(flows, l)
		} else {
			head = append(head, l)
		}
	}
	sort.Strings(flows)
	return joinLines(append(head, flows...))
}

var (
	reUFID      = regexp.MustCompile(`\bufid:[0-9a-fA-F-]+,? ?`)
	reUsed      = regexp.MustCompile(`\bused:(never|[0-9.]+s),? ?`)
	reExtraInfo = regexp.MustCompile(`,? ?\bdp-extra-info:.*$`)
)

// DpctlFlows normalises "ovs-appctl dpctl/dump-flows [-m]" output: it drops
// the "flow-dump from ..." header lines (their number and text depend on
// the datapath's threads), ufid: (random), used: (time) and
// dp-extra-info: (an implementation detail of the flow's storage), and sorts
// the flows, whose order is hash order. Actions go through
// CanonicalOutputs. Non-zero recirculation IDs (in keys, "recirc()" actions
// and controller "recirc_id=" arguments) are renumbered in order of first
// appearance in the sorted dump, as in Trace. Packet and byte counts are
// kept.
func DpctlFlows(s string) string {
	var out []string
	for _, l := range splitLines(Trim(s)) {
		if strings.HasPrefix(l, "flow-dump from ") {
			continue
		}
		l = deleteAll(reUFID, l)
		l = deleteAll(reUsed, l)
		l = reExtraInfo.ReplaceAllString(l, "")
		if i := strings.LastIndex(l, "actions:"); i >= 0 {
			l = l[:i+len("actions:")] + CanonicalOutputs(l[i+len("actions:"):])
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	sort.SliceStable(out, func(i, j int) bool { return maskRecirc(out[i]) < maskRecirc(out[j]) })
	return renumberRecirc(joinLines(out))
}

// reRecirc matches a recirculation ID in trace output, in its flow-field
// ("recirc_id=0x2", "recirc_id(0x2)") and action ("recirc(0x2)") forms.
var reRecirc = regexp.MustCompile(`\b(recirc_id=|recirc_id\(|recirc\()(0x[0-9a-fA-F]+|[0-9]+)\b`)

// Trace normalises "ovs-appctl ofproto/trace" output. The structure — the
// flow, bridges, tables, matched rules and their actions, "Final flow:",
// "Megaflow:" and "Datapath actions:" — is kept verbatim. Non-zero
// recirculation IDs, which depend on allocation order, are renumbered in
// order of first appearance (0x1, 0x2, ...); recirc_id 0 is kept.
// "Datapath actions:" go through CanonicalOutputs.
func Trace(s string) string {
	lines := splitLines(Trim(s))
	const dpa = "Datapath actions: "
	for i, l := range lines {
		if strings.HasPrefix(l, dpa) {
			lines[i] = dpa + CanonicalOutputs(l[len(dpa):])
		}
	}
	return renumberRecirc(joinLines(lines))
}

// renumberRecirc renumbers the non-zero recirculation IDs of s in order of
// first appearance (0x1, 0x2, ...).
func renumberRecirc(s string) string {
	ids := map[string]string{}
	return reRecirc.ReplaceAllStringFunc(s, func(m string) string {
		sub := reRecirc.FindStringSubmatch(m)
		v, err := strconv.ParseUint(strings.TrimPrefix(sub[2], "0x"), hexOrDec(sub[2]), 64)
		if err != nil || v == 0 {
			return m
		}
		key := strconv.FormatUint(v, 10)
		n, ok := ids[key]
		if !ok {
			n = "0x" + strconv.FormatUint(uint64(len(ids)+1), 16)
			ids[key] = n
		}
		return sub[1] + n
	})
}

// maskRecirc replaces every non-zero recirculation ID by "*", for sorting
// independently of allocation order.
func maskRecirc(s string) string {
	return reRecirc.ReplaceAllStringFunc(s, func(m string) string {
		sub := reRecirc.FindStringSubmatch(m)
		if v, err := strconv.ParseUint(strings.TrimPrefix(sub[2], "0x"), hexOrDec(sub[2]), 64); err == nil && v == 0 {
			return m
		}
		return sub[1] + "*"
	})
}

func hexOrDec(s string) int {
	if strings.HasPrefix(s, "0x") {
		return 16
	}
	return 10
}

var reLastCol = regexp.MustCompile(`\s+\S+$`)

// FdbShow normalises "ovs-appctl fdb/show BRIDGE": it removes the Age
// column (seconds since the entry was last seen) and sorts the entries,
// whose order is the MAC table's LRU order. The header line stays first.
// Input without the " port  VLAN  MAC  Age" header is only trimmed and
// sorted.
func FdbShow(s string) string {
	var head, rows []string
	hasAge := false
	for _, l := range splitLines(Trim(s)) {
		if f := strings.Fields(l); len(f) == 4 && f[0] == "port" && f[1] == "VLAN" && f[2] == "MAC" && f[3] == "Age" {
			hasAge = true
			head = append(head, reLastCol.ReplaceAllString(l, ""))
			continue
		}
		if f := strings.Fields(l); len(f) == 3 && f[0] == "port" && f[1] == "VLAN" && f[2] == "MAC" {
			head = append(head, l)
			continue
		}
		rows = append(rows, l)
	}
	if hasAge {
		for i, l := range rows {
			rows[i] = reLastCol.ReplaceAllString(l, "")
		}
	}
	sort.Strings(rows)
	return joinLines(append(head, rows...))
}

// DpifShow normalises "ovs-appctl dpif/show". Its output is already in a
// documented order (datapaths, then bridges and ports by name), so only
// trailing space is trimmed; the hit/missed counters are kept.
func DpifShow(s string) string { return Trim(s) }

// DumpPorts normalises "ovs-ofctl dump-ports": it removes the
// "duration=" lines of OpenFlow 1.3+ and sorts the per-port blocks by
// port, keeping the header line first.
func DumpPorts(s string) string {
	var head []string
	var blocks []string
	for _, l := range splitLines(Trim(s)) {
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "duration="):
			continue
		case strings.HasPrefix(l, "  port "):
			blocks = append(blocks, l)
		case len(blocks) > 0 && strings.HasPrefix(l, " "):
			blocks[len(blocks)-1] += "\n" + l
		default:
			head = append(head, l)
		}
	}
	sort.Strings(blocks)
	return joinLines(append(head, blocks...))
}

var reUUID = regexp.MustCompile(`\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)

// VolatileColumns are the database columns that VsctlList drops when no
// columns are chosen: row UUIDs and values chosen at random or by the
// system (MAC addresses of internal ports, datapath IDs and versions).
var VolatileColumns = []string{"_uuid", "_version", "mac_in_use", "datapath_id", "datapath_version"}

// VsctlList returns a normaliser for "ovs-vsctl list TABLE [RECORD...]"
// output. When columns is non-empty only those columns are kept, in the
// given order; otherwise every column except VolatileColumns is kept. Every
// UUID value is replaced by "<uuid>", and records are sorted by their
// normalised text (which starts with the name column when it is kept).
func VsctlList(columns ...string) Normalizer {
	keep := map[string]int{}
	for i, c := range columns {
		keep[c] = i
	}
	drop := map[string]bool{}
	for _, c := range VolatileColumns {
		drop[c] = true
	}
	return func(s string) string {
		var recs []string
		for _, rec := range strings.Split(Trim(s), "\n\n") {
			type col struct {
				name, line string
				idx        int
			}
			var cols []col
			for _, l := range splitLines(Trim(rec)) {
				if strings.TrimSpace(l) == "" {
					continue
				}
				name, val, ok := strings.Cut(l, ":")
				name = strings.TrimSpace(name)
				if !ok {
					if len(columns) > 0 {
						continue
					}
					cols = append(cols, col{name: name, line: l})
					continue
				}
				idx, chosen := keep[name]
				if len(columns) > 0 && !chosen {
					continue
				}
				if len(columns) == 0 && drop[name] {
					continue
				}
				val = reUUID.ReplaceAllString(strings.TrimSpace(val), "<uuid>")
				cols = append(cols, col{name: name, line: name + ": " + val, idx: idx})
			}
			if len(cols) == 0 {
				continue
			}
			if len(columns) > 0 {
				sort.SliceStable(cols, func(i, j int) bool { return cols[i].idx < cols[j].idx })
			} else {
				// Put the name first so that records sort by name.
				sort.SliceStable(cols, func(i, j int) bool { return cols[i].name == "name" && cols[j].name != "name" })
			}
			lines := make([]string, len(cols))
			for i, c := range cols {
				lines[i] = c.line
			}
			recs = append(recs, strings.Join(lines, "\n"))
		}
		sort.Strings(recs)
		if len(recs) == 0 {
			return ""
		}
		return strings.Join(recs, "\n\n") + "\n"
	}
}

// rePortToken matches a datapath output action: a port number, or a port
// name as printed by "dpctl/dump-flows -m".
var rePortToken = regexp.MustCompile(`^([0-9]+|[A-Za-z][A-Za-z0-9_.-]*)$`)

// bareActions are datapath actions without arguments; they are not ports.
var bareActions = map[string]bool{
	"drop": true, "pop_vlan": true, "ct": true, "ct_clear": true, "pop_eth": true,
	"pop_nsh": true, "pop_mpls": true, "userspace": true,
}

// CanonicalOutputs rewrites a datapath action list made only of outputs,
// push_vlan(...) and pop_vlan — what a NORMAL flood produces — into an
// order-independent form. Stock OVS floods to ports in the order of an
// internal list whose order depends on memory addresses, so the same flood
// prints as "push_vlan(vid=10,pcp=0),3,100,pop_vlan,2" in one run and
// "push_vlan(vid=10,pcp=0),3,pop_vlan,2,push_vlan(vid=10,pcp=0),100" in
// another. Both become
// "sorted(pop_vlan:2 push_vlan(vid=10,pcp=0):100 push_vlan(vid=10,pcp=0):3)":
// each output with the VLAN operations in effect for it, sorted. Lists with
// fewer than two outputs or any other action are returned unchanged.
func CanonicalOutputs(actions string) string {
	toks := splitActions(actions)
	var state, outs []string
	for _, tok := range toks {
		switch {
		case strings.HasPrefix(tok, "push_vlan(") && strings.HasSuffix(tok, ")"):
			state = append(state, tok)
		case tok == "pop_vlan":
			if n := len(state); n > 0 && state[n-1] != "pop_vlan" {
				state = state[:n-1]
			} else {
				state = append(state, tok)
			}
		case rePortToken.MatchString(tok) && !bareActions[tok]:
			outs = append(outs, strings.Join(state, ",")+":"+tok)
		default:
			return actions
		}
	}
	if len(outs) < 2 {
		return actions
	}
	for i, o := range outs {
		outs[i] = strings.TrimPrefix(o, ":")
	}
	sort.Strings(outs)
	return "sorted(" + strings.Join(outs, " ") + ")"
}

// splitActions splits a datapath action list at the commas that are not
// inside parentheses.
func splitActions(s string) []string {
	var toks []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				toks = append(toks, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(toks, strings.TrimSpace(s[start:]))
}
