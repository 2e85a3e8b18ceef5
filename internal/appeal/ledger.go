package appeal

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"xiaoer/internal/civil"
	"xiaoer/internal/flow"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// The rollup metrics of appeals. Each is kept twice, in the same
// transaction: "appeals.<what>" by category (the dimension is the category;
// the summary and the figures per category read it) and
// "appeals.dept.<what>" by lead department (the dimension is the org id, 0
// before the first dispatch; the ranking reads it). Two narrow families
// keep a summary's read to a dozen rows a day where one department ×
// category family would need up to 143. Each row's org is the appeal's
// org node.
const (
	mReceived           = "appeals.received"            // by the day received
	mDispatched         = "appeals.dispatched"          // dispatches that stood (a granted return withdraws one)
	mSignedOnTime       = "appeals.signed_on_time"      // dated by its dispatch, so never more than dispatched
	mRevisited          = "appeals.revisited"           // revisits
	mRevisitedResolved  = "appeals.revisited_resolved"  // … that found it resolved
	mRevisitedSatisfied = "appeals.revisited_satisfied" // … rated satisfied or basically satisfied
	mReopened           = "appeals.reopened"
	mClosed             = "appeals.closed"
	mClosedOnTime       = "appeals.closed_on_time" // closed with the last round replied by its due day
	mResolved           = "appeals.resolved"       // closed as resolved
	mOverdueOpen        = "appeals.overdue_open"   // +1/−1 marker: open and overdue
	mSupervised         = "appeals.supervised"     // first 督办 of an appeal
)

// MetricPrefix is the prefix of every appeal metric.
const MetricPrefix = "appeals."

// byDept names the department family's version of a metric.
func byDept(metric string) string { return "appeals.dept." + strings.TrimPrefix(metric, MetricPrefix) }

// ledger is the part of an appeal the rollups follow. The live transitions
// and the rebuild both move it with apply, event by event, so the two
// cannot disagree.
type ledger struct {
	org          int64
	cat          Category
	dept         int64
	dispatchedOn civil.Date
	signDue      civil.Date
	due          civil.Date
	// overdueFrom is the day of the +1 "open and overdue" marker of the
	// current round: the day after the due day, from the dispatch until an
	// on-time reply (which cancels it), a new dispatch or the close (which
	// end it with a −1).
	overdueFrom civil.Date
	resolved    bool
	supervised  bool
}

type delta struct {
	metric string
	day    civil.Date
	dept   int64
	n      int64
}

// move is what one event says to the ledger.
type move struct {
	action   string
	from     string
	on       civil.Date
	dept     int64
	signDue  civil.Date
	due      civil.Date
	rating   Rating
	resolved bool
}

// moveOf reads an event, whether just recorded (typed values) or read back
// from storage (JSON values).
func moveOf(ev flow.Event) move {
	m := move{action: ev.Action, from: ev.From, on: ev.On}
	m.dept = dataInt(ev.Data["department_org_id"])
	m.signDue = dataDate(ev.Data["sign_due_on"])
	m.due = dataDate(ev.Data["due_on"])
	if s, ok := ev.Data["rating"].(string); ok {
		m.rating = Rating(s)
	}
	m.resolved, _ = ev.Data["resolved"].(bool)
	return m
}

func dataInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func dataDate(v any) civil.Date {
	switch x := v.(type) {
	case civil.Date:
		return x
	case string:
		d, _ := civil.Parse(x)
		return d
	}
	return civil.Date{}
}

// apply moves the ledger by one event and returns the rollup changes.
func (l *ledger) apply(m move) []delta {
	var out []delta
	add := func(metric string, day civil.Date, dept int64, n int64) {
		out = append(out, delta{metric, day, dept, n})
	}
	endOverdue := func(on civil.Date) {
		if l.overdueFrom.IsZero() {
			return
		}
		if l.overdueFrom.After(on) {
			add(mOverdueOpen, l.overdueFrom, l.dept, -1) // never became overdue
		} else {
			add(mOverdueOpen, on, l.dept, -1)
		}
		l.overdueFrom = civil.Date{}
	}
	switch m.action {
	case "create":
		add(mReceived, m.on, 0, 1)
	case "dispatch":
		if m.from == StateReturnRequested && l.dept != 0 {
			add(mDispatched, l.dispatchedOn, l.dept, -1) // the return was granted
		}
		endOverdue(m.on)
		l.dept, l.dispatchedOn, l.signDue, l.due = m.dept, m.on, m.signDue, m.due
		add(mDispatched, m.on, l.dept, 1)
		l.overdueFrom = l.due.AddDays(1)
		add(mOverdueOpen, l.overdueFrom, l.dept, 1)
	case "sign":
		if !m.on.After(l.signDue) {
			add(mSignedOnTime, l.dispatchedOn, l.dept, 1)
		}
	case "extend":
		l.due = m.due
		if !l.overdueFrom.IsZero() {
			add(mOverdueOpen, l.overdueFrom, l.dept, -1)
			l.overdueFrom = l.due.AddDays(1)
			add(mOverdueOpen, l.overdueFrom, l.dept, 1)
		}
	case "reply":
		if !m.on.After(l.due) && !l.overdueFrom.IsZero() {
			add(mOverdueOpen, l.overdueFrom, l.dept, -1)
			l.overdueFrom = civil.Date{}
		}
	case "revisit":
		add(mRevisited, m.on, l.dept, 1)
		if m.resolved {
			add(mRevisitedResolved, m.on, l.dept, 1)
		}
		if m.rating == Satisfied || m.rating == BasicallySatisfied {
			add(mRevisitedSatisfied, m.on, l.dept, 1)
		}
		l.resolved = m.resolved
	case "reopen":
		add(mReopened, m.on, l.dept, 1)
		l.resolved = false
	case "close":
		add(mClosed, m.on, l.dept, 1)
		if l.overdueFrom.IsZero() {
			add(mClosedOnTime, m.on, l.dept, 1)
		}
		if l.resolved {
			add(mResolved, m.on, l.dept, 1)
		}
		endOverdue(m.on)
	case "supervise":
		if !l.supervised {
			add(mSupervised, m.on, l.dept, 1)
			l.supervised = true
		}
	}
	return out
}

// write adds the deltas to both families of rollups inside tx.
func (l *ledger) write(ctx context.Context, tx *store.Tx, ds []delta) error {
	for _, d := range ds {
		if err := rollup.Add(ctx, tx, d.metric, d.day, l.org, string(l.cat), d.n); err != nil {
			return err
		}
		if err := rollup.Add(ctx, tx, byDept(d.metric), d.day, l.org, strconv.FormatInt(d.dept, 10), d.n); err != nil {
			return err
		}
	}
	return nil
}

// Rebuild recomputes the appeal rollups from the recorded events, inside
// tx (the rollups of "appeals." have been cleared). The events are read a
// range of appeals at a time, each appeal's events whole within its range,
// and the range's totals written before the next is read: memory stays flat
// however many appeals there are, and no rollup is written while a query
// is still open (a connection cannot do both on PostgreSQL).
func Rebuild(ctx context.Context, tx *store.Tx) error {
	type key struct {
		metric string
		day    civil.Date
		org    int64
		dim    string
	}
	sums := map[key]int64{}
	var last int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM appeals").Scan(&last); err != nil {
		return err
	}
	for lo := int64(0); lo <= last; lo += rebuildSpan {
		rows, err := tx.Query(ctx, `SELECT ev.entity_id, a.org_id, a.category, ev.action, ev.from_state, ev.on_date, ev.data
			FROM flow_events ev JOIN appeals a ON a.id = ev.entity_id
			WHERE ev.entity = 'appeal' AND ev.entity_id >= ? AND ev.entity_id < ? ORDER BY ev.entity_id, ev.id`, lo, lo+rebuildSpan)
		if err != nil {
			return err
		}
		var cur int64
		var l *ledger
		for rows.Next() {
			var id, org int64
			var cat, data string
			var ev flow.Event
			if err := rows.Scan(&id, &org, &cat, &ev.Action, &ev.From, &ev.On, &data); err != nil {
				rows.Close()
				return err
			}
			if id != cur || l == nil {
				cur, l = id, &ledger{org: org, cat: Category(cat)}
			}
			if data != "" && data != "{}" {
				dec := json.NewDecoder(strings.NewReader(data))
				dec.UseNumber() // ids beyond 2^53 stay exact
				if err := dec.Decode(&ev.Data); err != nil {
					rows.Close()
					return fmt.Errorf("appeal %d: event data: %w", id, err)
				}
			}
			for _, d := range l.apply(moveOf(ev)) {
				sums[key{d.metric, d.day, l.org, string(l.cat)}] += d.n
				sums[key{byDept(d.metric), d.day, l.org, strconv.FormatInt(d.dept, 10)}] += d.n
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for k, n := range sums {
			if err := rollup.Add(ctx, tx, k.metric, k.day, k.org, k.dim, n); err != nil {
				return err
			}
		}
		clear(sums)
	}
	return nil
}

// rebuildSpan is how many appeal ids a rebuild reads at a time. (A
// variable so that tests can cut a small history into many ranges.)
var rebuildSpan int64 = 50_000
