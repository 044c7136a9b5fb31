package main

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
	"unicode"
)

const header = "round,cfg,test,value,unit,window_s,offered,switch_cpu_pct,sys_busy_pct,switch_us_per_unit,sys_us_per_unit,extra\n"

const sample = header +
	"1,linuxbr,tcp,12,Gbit/s,10,,,60,,,retrans=1\n" +
	"1,ovs,tcp,0,Gbit/s,10,,,60,,,retrans=0\n" +
	"1,govs,tcp,11,Gbit/s,10,,,60,,,retrans=1\n" +
	"2,linuxbr,tcp,14,Gbit/s,10,,,60,,,retrans=1\n" +
	"2,ovs,tcp,0,Gbit/s,10,,,60,,,retrans=0\n" +
	"2,govs,tcp,13,Gbit/s,10,,,60,,,retrans=1\n" +
	"1,linuxbr,udp64_1flow,300000,pps,4,300000,,50,,3,p1_rx=0\n" +
	"1,ovs,udp64_1flow,200000,pps,4,500000,90,99,4,9,p1_rx=1\n" +
	"1,govs,udp64_1flow,250000,pps,4,400000,40,99,2,8,p1_rx=1\n"

func TestParseCSV(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		rows     int
		wantErr  string
	}{
		{"sample", sample, 9, ""},
		{"header only", header, 0, ""},
		{"empty", "", 0, "read header"},
		{"wrong header", strings.Replace(header, "value", "val", 1), 0, "header column 4"},
		{"bad round", header + "x,govs,tcp,1,Gbit/s,1,,,,,,\n", 0, "round"},
		{"bad value", header + "1,govs,tcp,fast,Gbit/s,1,,,,,,\n", 0, "value"},
		{"short row", header + "1,govs,tcp\n", 0, "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := parseCSV(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.rows {
				t.Fatalf("%d rows, want %d", len(rows), tc.rows)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	rows, err := parseCSV(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(rows)
	if got := strings.Join(s.cfgs, " "); got != "linuxbr ovs govs" {
		t.Errorf("cfgs %q", got)
	}
	tcp, ok := s.line("tcp")
	if !ok {
		t.Fatal("no tcp line")
	}
	if st := tcp.stats["govs"]; st.median != 12 || st.min != 11 || st.max != 13 || st.n != 2 {
		t.Errorf("govs tcp %+v", st)
	}
	if _, ok := s.line("udp64_1flow cpu"); !ok {
		t.Fatal("no cpu line")
	}
	if l, _ := s.line("udp64_1flow cpu"); !math.IsNaN(l.ratio("govs", "linuxbr")) {
		t.Errorf("linuxbr has no switch process: ratio should be NA")
	}
	tr, ur, cr := s.summaryRatios()
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"tcp", tr, 12.0 / 13}, {"udp", ur, 1.25}, {"cpu", cr, 0.5}} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s ratio %v, want %v", c.name, c.got, c.want)
		}
	}
	var b bytes.Buffer
	if err := writeTable(&b, s); err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSpace(b.String())
	lines := strings.Split(out, "\n")
	if last := lines[len(lines)-1]; last != "summary tcp_vs_linuxbr=0.92 udp64_vs_ovs=1.25 cpu_per_pkt_vs_ovs=0.50" {
		t.Errorf("last line %q", last)
	}
	if !strings.Contains(out, "12.00 [11.00-13.00]") {
		t.Errorf("table lacks govs tcp median [min-max]:\n%s", out)
	}
}

func TestSummaryMissing(t *testing.T) {
	rows, err := parseCSV(strings.NewReader(header + "1,govs,tcp,5,Gbit/s,1,,,,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := writeTable(&b, summarize(rows)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "summary tcp_vs_linuxbr=NA udp64_vs_ovs=NA cpu_per_pkt_vs_ovs=NA\n") {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestStatOf(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want stat
	}{
		{[]float64{3}, stat{1, 3, 3, 3}},
		{[]float64{5, 1, 3}, stat{3, 3, 1, 5}},
		{[]float64{4, 1, 3, 2}, stat{4, 2.5, 1, 4}},
	} {
		if got := statOf(tc.in); got != tc.want {
			t.Errorf("statOf(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestChart(t *testing.T) {
	rows, err := parseCSV(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	img := drawChart(summarize(rows))
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&b)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds().Dx() != panelCols*panelW {
		t.Errorf("width %d", dec.Bounds().Dx())
	}
	// The govs bar of the first panel is drawn in govs's colour.
	found := false
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && !found; y++ {
		for x := 0; x < panelW; x++ {
			if img.RGBAAt(x, y) == cfgColors["govs"] {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("no govs-coloured pixel in the tcp panel")
	}
	// An empty summary still draws.
	if drawChart(summary{}).Bounds().Empty() {
		t.Error("empty chart")
	}
}

func TestFontCoversLabels(t *testing.T) {
	var labels []string
	for _, m := range metrics {
		labels = append(labels, m.name, m.unit)
	}
	labels = append(labels, "linuxbr ovs-tso govs N/A 0123456789.-=:")
	for _, l := range labels {
		for _, r := range l {
			if _, ok := glyphs[unicode.ToUpper(r)]; !ok {
				t.Errorf("no glyph for %q in %q", r, l)
			}
		}
	}
	if w := textWidth("ab", 2); w != (2*(glyphW+1)-1)*2 {
		t.Errorf("textWidth %d", w)
	}
}
