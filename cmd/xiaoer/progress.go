package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a progress bar on one terminal line (stderr), redrawn at
// most ten times a second.
type progress struct {
	w     io.Writer
	label string
	unit  string
	start time.Time
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer, label, unit string) *progress {
	return &progress{w: w, label: label, unit: unit, start: time.Now()}
}

// update shows done of total (total 0: unknown, a count only).
func (p *progress) update(done, total int) {
	now := time.Now()
	if p.drawn && now.Sub(p.last) < 100*time.Millisecond && done != total {
		return
	}
	p.last, p.drawn = now, true
	secs := now.Sub(p.start).Seconds()
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s %d %s  %.1fs ", p.label, done, p.unit, secs)
		return
	}
	const width = 30
	frac := min(float64(done)/float64(total), 1)
	full := int(frac * width)
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%%  %d/%d %s  %.1fs ", p.label, strings.Repeat("█", full), strings.Repeat("░", width-full),
		frac*100, done, total, p.unit, secs)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
