// Package calendar knows China's working days: weekends, the statutory
// holidays and the make-up working days (调休) the State Council announces
// each year, and the local changes a zone makes. Time limits of cases and
// appeals are counted on it, with clocks that pause and resume.
package calendar

import (
	"slices"
	"sync"

	"xiaoer/internal/civil"
)

// Kind says what a listed day is.
type Kind string

// Kinds of listed days. Normal undoes a national entry locally.
const (
	Holiday Kind = "holiday"
	Workday Kind = "workday"
	Normal  Kind = "normal"
)

// Day is a day that differs from the weekday rule.
type Day struct {
	Date  civil.Date `json:"date"`
	Kind  Kind       `json:"kind"`
	Name  string     `json:"name"`
	Local bool       `json:"local"` // a local change, not the national table
}

// Calendar answers working-day questions. It is safe for concurrent use;
// local changes are swapped in whole.
type Calendar struct {
	mu       sync.RWMutex
	national map[civil.Date]Day
	days     map[civil.Date]Day // national with local changes applied
}

// New returns a calendar with the national table and no local changes.
func New() *Calendar {
	c := &Calendar{national: map[civil.Date]Day{}}
	for _, n := range notices {
		first, last := civil.MustParse(n.first), civil.MustParse(n.last)
		for d := first; !d.After(last); d = d.AddDays(1) {
			c.national[d] = Day{Date: d, Kind: Holiday, Name: n.name}
		}
		for _, w := range n.makeUpDays {
			d := civil.MustParse(w)
			c.national[d] = Day{Date: d, Kind: Workday, Name: n.name + "调休上班"}
		}
	}
	c.SetLocal(nil)
	return c
}

// SetLocal replaces the local changes.
func (c *Calendar) SetLocal(local []Day) {
	days := make(map[civil.Date]Day, len(c.national)+len(local))
	for d, v := range c.national {
		days[d] = v
	}
	for _, l := range local {
		l.Local = true
		days[l.Date] = l
	}
	c.mu.Lock()
	c.days = days
	c.mu.Unlock()
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d civil.Date) bool {
	c.mu.RLock()
	v, ok := c.days[d]
	c.mu.RUnlock()
	if ok && v.Kind != Normal {
		return v.Kind == Workday
	}
	wd := d.Weekday()
	return wd != 0 && wd != 6
}

// AddWorkdays returns the n-th working day after from; from itself is not
// counted. With n = 0 it returns from.
func (c *Calendar) AddWorkdays(from civil.Date, n int) civil.Date {
	d := from
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days in (a, b]: after a, up to and
// including b. It is 0 when b is not after a.
func (c *Calendar) WorkdaysBetween(a, b civil.Date) int {
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// Year returns the year's listed days in date order.
func (c *Calendar) Year(y int) []Day {
	c.mu.RLock()
	var out []Day
	for d, v := range c.days {
		if d.Year == y {
			out = append(out, v)
		}
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b Day) int { return a.Date.Compare(b.Date) })
	return out
}

// Clock is a time limit counted in working days that can pause: the state a
// case or appeal keeps for its deadline.
type Clock struct {
	StartOn    civil.Date `json:"start_on"`
	Limit      int        `json:"limit_workdays"`
	PausedOn   civil.Date `json:"paused_on"` // zero when running
	PausedDays int        `json:"paused_workdays"`
	DueOn      civil.Date `json:"due_on"`
	StoppedOn  civil.Date `json:"stopped_on"`
}

// Start starts the clock on day on with a limit of limit working days.
func (c *Calendar) Start(k *Clock, on civil.Date, limit int) {
	*k = Clock{StartOn: on, Limit: limit, DueOn: c.AddWorkdays(on, limit)}
}

// Pause stops counting from day on (supplement requested, special procedure).
func (c *Calendar) Pause(k *Clock, on civil.Date) {
	if k.StartOn.IsZero() || !k.PausedOn.IsZero() || !k.StoppedOn.IsZero() {
		return
	}
	k.PausedOn = on
}

// Resume counts again from day on; the due date moves later by the working
// days the clock spent paused.
func (c *Calendar) Resume(k *Clock, on civil.Date) {
	if k.PausedOn.IsZero() {
		return
	}
	k.PausedDays += c.WorkdaysBetween(k.PausedOn, on)
	k.PausedOn = civil.Date{}
	k.DueOn = c.AddWorkdays(k.StartOn, k.Limit+k.PausedDays)
}

// Stop stops the clock on day on (concluded, replied).
func (c *Calendar) Stop(k *Clock, on civil.Date) {
	if k.StartOn.IsZero() || !k.StoppedOn.IsZero() {
		return
	}
	if !k.PausedOn.IsZero() {
		c.Resume(k, on)
	}
	k.StoppedOn = on
}

// Running reports whether the clock counts now.
func (k *Clock) Running() bool {
	return !k.StartOn.IsZero() && k.PausedOn.IsZero() && k.StoppedOn.IsZero()
}

// Overdue reports whether the limit was missed: still open after the due
// date, or stopped (or paused) after it.
func (k *Clock) Overdue(today civil.Date) bool {
	if k.StartOn.IsZero() {
		return false
	}
	if !k.StoppedOn.IsZero() {
		return k.StoppedOn.After(k.DueOn)
	}
	if !k.PausedOn.IsZero() {
		// A paused clock is late only if it was already late when it paused.
		return k.PausedOn.After(k.DueOn)
	}
	return today.After(k.DueOn)
}

// Used returns the working days counted against the limit by day today.
func (c *Calendar) Used(k *Clock, today civil.Date) int {
	if k.StartOn.IsZero() {
		return 0
	}
	end := today
	if !k.StoppedOn.IsZero() && k.StoppedOn.Before(end) {
		end = k.StoppedOn
	}
	if !k.PausedOn.IsZero() && k.PausedOn.Before(end) {
		end = k.PausedOn
	}
	return c.WorkdaysBetween(k.StartOn, end) - k.PausedDays
}

// Signal is the traffic light of a time limit.
type Signal string

// The lights: red when overdue, yellow from 80 % of the limit used.
const (
	Green  Signal = "green"
	Yellow Signal = "yellow"
	Red    Signal = "red"
)

// Light returns the signal of an open clock on day today.
func (c *Calendar) Light(k *Clock, today civil.Date) Signal {
	switch {
	case k.StartOn.IsZero():
		return Green
	case k.Overdue(today):
		return Red
	case !k.StoppedOn.IsZero():
		return Green
	case k.Limit > 0 && c.Used(k, today)*5 >= k.Limit*4:
		return Yellow
	}
	return Green
}
