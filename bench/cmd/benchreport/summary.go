package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// columns are the CSV header bench/run.sh writes, in order.
var columns = []string{"round", "cfg", "test", "value", "unit", "window_s", "offered",
	"switch_cpu_pct", "sys_busy_pct", "switch_us_per_unit", "sys_us_per_unit", "extra"}

// row is one measurement of one config in one round; empty numeric fields
// (not applicable, e.g. the switch CPU of the Linux bridge) are NaN.
type row struct {
	round int
	cfg   string
	test  string
	// fields maps a numeric column name to its value.
	fields map[string]float64
	extra  string
}

// parseCSV reads the benchmark CSV and checks its header.
func parseCSV(r io.Reader) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(columns)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	for i, c := range columns {
		if head[i] != c {
			return nil, fmt.Errorf("header column %d is %q, want %q", i+1, head[i], c)
		}
	}
	var rows []row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		round, err := strconv.Atoi(rec[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: round %q: %w", line, rec[0], err)
		}
		rw := row{round: round, cfg: rec[1], test: rec[2], fields: map[string]float64{}, extra: rec[11]}
		for i := 3; i < 11; i++ {
			if i == 4 {
				continue // unit
			}
			v := math.NaN()
			if s := strings.TrimSpace(rec[i]); s != "" && s != "-" {
				if v, err = strconv.ParseFloat(s, 64); err != nil {
					return nil, fmt.Errorf("line %d: %s %q: %w", line, columns[i], rec[i], err)
				}
			}
			rw.fields[columns[i]] = v
		}
		// The share of the offered frames that arrived; NaN without an
		// offered rate.
		rw.fields["delivered_pct"] = math.NaN()
		if o := rw.fields["offered"]; o > 0 {
			rw.fields["delivered_pct"] = 100 * rw.fields["value"] / o
		}
		rows = append(rows, rw)
	}
}

// metric is one line of the summary: a column of the rows of one test.
type metric struct {
	name   string // label in the table and chart
	test   string
	column string
	unit   string
	lower  bool // lower is better
}

var metrics = []metric{
	{"tcp", "tcp", "value", "Gbit/s", false},
	{"udp64_1flow", "udp64_1flow", "value", "pps", false},
	{"udp64_1flow cpu", "udp64_1flow", "switch_us_per_unit", "switch us/pkt", true},
	{"udp64_1flow sys", "udp64_1flow", "sys_us_per_unit", "system us/pkt", true},
	{"udp64_8kflows", "udp64_8kflows", "value", "pps", false},
	{"udp64_8kflows cpu", "udp64_8kflows", "switch_us_per_unit", "switch us/pkt", true},
	{"udp64_8kflows sys", "udp64_8kflows", "sys_us_per_unit", "system us/pkt", true},
	{"tcp_rr", "tcp_rr", "value", "trans/s", false},
	{"megaflow_setup", "megaflow_setup", "value", "upcalls/s", false},
	{"est_before", "est_before", "value", "pps", false},
	{"est_during", "est_during", "value", "pps", false},
	{"est_before delivered", "est_before", "delivered_pct", "% of offered", false},
	{"est_during delivered", "est_during", "delivered_pct", "% of offered", false},
}

// stat is the median, minimum and maximum of one metric of one config.
type stat struct {
	n                int
	median, min, max float64
}

// summary holds every metric's statistics per config.
type summary struct {
	cfgs  []string // in order of first appearance
	lines []summaryLine
}

type summaryLine struct {
	metric
	stats map[string]stat // by config; absent when no round had a value
}

func summarize(rows []row) summary {
	var s summary
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.cfg] {
			seen[r.cfg] = true
			s.cfgs = append(s.cfgs, r.cfg)
		}
	}
	for _, m := range metrics {
		l := summaryLine{metric: m, stats: map[string]stat{}}
		for _, c := range s.cfgs {
			var vs []float64
			for _, r := range rows {
				if r.cfg == c && r.test == m.test {
					if v := r.fields[m.column]; !math.IsNaN(v) {
						vs = append(vs, v)
					}
				}
			}
			if len(vs) > 0 {
				l.stats[c] = statOf(vs)
			}
		}
		if len(l.stats) > 0 {
			s.lines = append(s.lines, l)
		}
	}
	return s
}

func statOf(vs []float64) stat {
	sort.Float64s(vs)
	n := len(vs)
	med := vs[n/2]
	if n%2 == 0 {
		med = (vs[n/2-1] + vs[n/2]) / 2
	}
	return stat{n: n, median: med, min: vs[0], max: vs[n-1]}
}

// ratio is the ratio of the medians of configs a and b in line l, NaN when
// either is missing or b's is zero.
func (l summaryLine) ratio(a, b string) float64 {
	sa, okA := l.stats[a]
	sb, okB := l.stats[b]
	if !okA || !okB || sb.median == 0 {
		return math.NaN()
	}
	return sa.median / sb.median
}

func (s summary) line(name string) (summaryLine, bool) {
	for _, l := range s.lines {
		if l.name == name {
			return l, true
		}
	}
	return summaryLine{}, false
}

// summaryRatios are the three ratios of the last line.
func (s summary) summaryRatios() (tcpVsLinuxbr, udpVsOVS, cpuVsOVS float64) {
	get := func(name, a, b string) float64 {
		if l, ok := s.line(name); ok {
			return l.ratio(a, b)
		}
		return math.NaN()
	}
	return get("tcp", "govs", "linuxbr"), get("udp64_1flow", "govs", "ovs"), get("udp64_1flow cpu", "govs", "ovs")
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "NA"
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

// fmtValue prints v with about three significant digits.
func fmtValue(v float64) string {
	a := math.Abs(v)
	switch {
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func writeTable(w io.Writer, s summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "metric\tunit")
	for _, c := range s.cfgs {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprint(tw, "\tgovs/linuxbr\tgovs/ovs\n")
	for _, l := range s.lines {
		fmt.Fprintf(tw, "%s\t%s", l.name, l.unit)
		for _, c := range s.cfgs {
			st, ok := l.stats[c]
			switch {
			case !ok:
				fmt.Fprint(tw, "\t-")
			case st.n == 1:
				fmt.Fprintf(tw, "\t%s", fmtValue(st.median))
			default:
				fmt.Fprintf(tw, "\t%s [%s-%s]", fmtValue(st.median), fmtValue(st.min), fmtValue(st.max))
			}
		}
		fmt.Fprintf(tw, "\t%s\t%s\n", fmtRatio(l.ratio("govs", "linuxbr")), fmtRatio(l.ratio("govs", "ovs")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "cells: median [min-max] over rounds; ratios are of medians; cpu = switch process CPU per delivered packet, sys = whole-system busy time per delivered packet")
	t, u, c := s.summaryRatios()
	_, err := fmt.Fprintf(w, "summary tcp_vs_linuxbr=%s udp64_vs_ovs=%s cpu_per_pkt_vs_ovs=%s\n", fmtRatio(t), fmtRatio(u), fmtRatio(c))
	return err
}
