package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
)

// Chart layout, in pixels: one panel per summary line, panelCols per row.
const (
	panelW    = 380
	panelH    = 240
	panelCols = 3
	textScale = 2
	margin    = 12
)

var (
	white   = color.RGBA{255, 255, 255, 255}
	black   = color.RGBA{0, 0, 0, 255}
	grey    = color.RGBA{160, 160, 160, 255}
	palette = []color.RGBA{
		{90, 170, 90, 255},
		{160, 90, 170, 255},
		{200, 170, 40, 255},
	}
	// cfgColors keeps a config's colour the same in every chart.
	cfgColors = map[string]color.RGBA{
		"linuxbr": {90, 90, 90, 255},
		"ovs":     {70, 130, 200, 255},
		"ovs-tso": {120, 180, 240, 255},
		"govs":    {220, 90, 40, 255},
	}
)

func fillRect(img *image.RGBA, r image.Rectangle, c color.Color) {
	draw.Draw(img, r.Intersect(img.Bounds()), &image.Uniform{c}, image.Point{}, draw.Src)
}

// drawChart draws every summary line as a panel of bars (median per
// config) with a min-max whisker and the median printed above the bar.
func drawChart(s summary) *image.RGBA {
	n := len(s.lines)
	rows := (n + panelCols - 1) / panelCols
	if rows == 0 {
		rows = 1
	}
	legendH := 3 * glyphH * textScale
	img := image.NewRGBA(image.Rect(0, 0, panelCols*panelW, rows*panelH+legendH))
	fillRect(img, img.Bounds(), white)
	// Legend.
	x := margin
	for i, c := range s.cfgs {
		col := colorFor(c, i)
		fillRect(img, image.Rect(x, margin, x+glyphH*textScale, margin+glyphH*textScale), col)
		x += glyphH*textScale + 6
		drawText(img, x, margin, c, textScale, black)
		x += textWidth(c, textScale) + 24
	}
	t, u, c := s.summaryRatios()
	drawText(img, x, margin, fmt.Sprintf("tcp/linuxbr=%s udp64/ovs=%s cpu/ovs=%s", fmtRatio(t), fmtRatio(u), fmtRatio(c)), textScale, black)
	for i, l := range s.lines {
		px := (i % panelCols) * panelW
		py := legendH + (i/panelCols)*panelH
		drawPanel(img, image.Rect(px, py, px+panelW, py+panelH), s.cfgs, l)
	}
	return img
}

func drawPanel(img *image.RGBA, r image.Rectangle, cfgs []string, l summaryLine) {
	lineH := glyphH*textScale + 4
	drawText(img, r.Min.X+margin, r.Min.Y+4, l.name, textScale, black)
	drawText(img, r.Min.X+margin, r.Min.Y+4+lineH, l.unit, 1, grey)
	top := r.Min.Y + 2*lineH + 8
	base := r.Max.Y - lineH - 8
	maxV := 0.0
	for _, st := range l.stats {
		maxV = math.Max(maxV, st.max)
	}
	if maxV <= 0 {
		maxV = 1
	}
	fillRect(img, image.Rect(r.Min.X+margin, base, r.Max.X-margin, base+1), black)
	slot := (r.Dx() - 2*margin) / max(len(cfgs), 1)
	for i, c := range cfgs {
		x0 := r.Min.X + margin + i*slot
		label := c
		if textWidth(label, 1) > slot {
			label = label[:slot/(glyphW+1)]
		}
		drawText(img, x0+(slot-textWidth(label, 1))/2, base+6, label, 1, black)
		st, ok := l.stats[c]
		if !ok {
			drawText(img, x0+(slot-textWidth("N/A", 1))/2, base-12, "N/A", 1, grey)
			continue
		}
		y := func(v float64) int { return base - int(float64(base-top-lineH)*math.Max(v, 0)/maxV) }
		bw := slot * 6 / 10
		bx := x0 + (slot-bw)/2
		fillRect(img, image.Rect(bx, y(st.median), bx+bw, base), colorFor(c, i))
		mid := bx + bw/2
		fillRect(img, image.Rect(mid, y(st.max), mid+1, y(st.min)+1), black)
		fillRect(img, image.Rect(mid-4, y(st.max), mid+5, y(st.max)+1), black)
		fillRect(img, image.Rect(mid-4, y(st.min), mid+5, y(st.min)+1), black)
		v := fmtValue(st.median)
		drawText(img, x0+(slot-textWidth(v, 1))/2, y(st.max)-glyphH-4, v, 1, black)
	}
}

func writePNG(path string, s summary) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, drawChart(s)); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return f.Close()
}

// colorFor is the bar colour of config c, the i-th config of the chart.
func colorFor(c string, i int) color.RGBA {
	if col, ok := cfgColors[c]; ok {
		return col
	}
	return palette[i%len(palette)]
}
