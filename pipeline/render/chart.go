// Package render writes what chimera shows people and other tools: Markdown and aligned-text tables, SVG charts,
// JSON, and files replaced atomically.
package render

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// LineChart is a chart of lines through points with ±sd whiskers. It is written as a self-contained SVG, without
// scripts, web fonts or links, so it renders offline.
type LineChart struct {
	Title    string
	Subtitle string
	XLabel   string
	YLabel   string
	Series   []Series
}

type Series struct {
	Name    string
	Points  []Point // in increasing X
	Scatter bool    // points only, not joined by a line
}

type Point struct{ X, Y, SD float64 }

// The canvas and the plot area inside it, in SVG user units; the legend sits right of the plot.
const (
	chartWidth, chartHeight = 760.0, 460.0
	plotLeft, plotRight     = 80.0, 590.0
	plotTop, plotBottom     = 70.0, 390.0
	xInset                  = 20.0 // keeps the first and last points off the axes
	yTicks                  = 5
)

var chartColors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"}

func (c LineChart) WriteSVG(w io.Writer) error {
	xs := c.xValues()
	x := linear(xs[0], xs[len(xs)-1], plotLeft+xInset, plotRight-xInset)
	yMax := niceCeil(c.yMax())
	y := linear(0, yMax, plotBottom, plotTop)

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n",
		chartWidth, chartHeight, chartWidth, chartHeight)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="white"/>`+"\n", chartWidth, chartHeight)
	text(&b, plotLeft, 28, `font-size="16"`, c.Title)
	text(&b, plotLeft, 48, `fill="#555"`, c.Subtitle)
	for i := range yTicks + 1 {
		v := yMax * float64(i) / yTicks
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`+"\n", plotLeft, y(v), plotRight, y(v))
		text(&b, plotLeft-8, y(v)+4, `text-anchor="end"`, formatTick(v))
	}
	for _, v := range xs {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="black"/>`+"\n", x(v), plotBottom, x(v), plotBottom+5)
		text(&b, x(v), plotBottom+20, `text-anchor="middle"`, formatTick(v))
	}
	fmt.Fprintf(&b, `<polyline points="%g,%g %g,%g %g,%g" fill="none" stroke="black"/>`+"\n", plotLeft, plotTop, plotLeft, plotBottom, plotRight, plotBottom)
	text(&b, (plotLeft+plotRight)/2, plotBottom+45, `text-anchor="middle"`, c.XLabel)
	text(&b, 20, (plotTop+plotBottom)/2, fmt.Sprintf(`text-anchor="middle" transform="rotate(-90 20 %g)"`, (plotTop+plotBottom)/2), c.YLabel)
	for i, s := range c.Series {
		writeSeries(&b, s, chartColors[i%len(chartColors)], x, y)
		legendY := plotTop + 10 + 20*float64(i)
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="2"/>`+"\n", plotRight+20, legendY, plotRight+40, legendY, chartColors[i%len(chartColors)])
		text(&b, plotRight+46, legendY+4, "", s.Name)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeSeries(b *strings.Builder, s Series, color string, x, y func(float64) float64) {
	points := make([]string, len(s.Points))
	for i, p := range s.Points {
		points[i] = fmt.Sprintf("%.1f,%.1f", x(p.X), y(p.Y))
	}
	if !s.Scatter {
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(points, " "), color)
	}
	for _, p := range s.Points {
		if p.SD > 0 {
			fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", x(p.X), y(max(p.Y-p.SD, 0)), x(p.X), y(p.Y+p.SD), color)
		}
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`+"\n",
			x(p.X), y(p.Y), color, escapeXML(fmt.Sprintf("%s: %s ± %s", s.Name, formatTick(p.Y), formatTick(p.SD))))
	}
}

// text writes a text element; attrs are extra attributes, already SVG.
func text(b *strings.Builder, x, y float64, attrs, content string) {
	if content != "" {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" %s>%s</text>`+"\n", x, y, attrs, escapeXML(content))
	}
}

func escapeXML(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xValues are the distinct X values of every series, sorted; the X axis is ticked at each.
func (c LineChart) xValues() []float64 {
	var xs []float64
	for _, s := range c.Series {
		for _, p := range s.Points {
			xs = append(xs, p.X)
		}
	}
	if len(xs) == 0 {
		return []float64{0}
	}
	slices.Sort(xs)
	return slices.Compact(xs)
}

func (c LineChart) yMax() float64 {
	top := 0.0
	for _, s := range c.Series {
		for _, p := range s.Points {
			top = max(top, p.Y+p.SD)
		}
	}
	return top
}

// linear maps [d0, d1] onto [r0, r1]; a single value maps to the middle.
func linear(d0, d1, r0, r1 float64) func(float64) float64 {
	if d1 == d0 {
		return func(float64) float64 { return (r0 + r1) / 2 }
	}
	return func(v float64) float64 { return r0 + (v-d0)/(d1-d0)*(r1-r0) }
}

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten, so the ticks fall on round numbers.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	magnitude := math.Pow(10, math.Floor(math.Log10(v)))
	for _, step := range []float64{1, 2, 2.5, 5, 10} {
		if v <= step*magnitude {
			return step * magnitude
		}
	}
	return 10 * magnitude
}

func formatTick(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
