package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"time"

	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// The rollup metrics of the service network, all per site (dim = the site's
// id) so that the dashboard can rank sites. Flows are counted on the day of
// the transition; overdue_open is a +1/−1 state metric read with Upto.
const (
	mReceived       = "cases.received"
	mOnline         = "cases.online"
	mRemote         = "cases.remote"
	mAccepted       = "cases.accepted"
	mNotAccepted    = "cases.not_accepted"
	mConcluded      = "cases.concluded"
	mOnTime         = "cases.concluded_on_time"
	mOverdueOpen    = "cases.overdue_open"
	mEvaluations    = "cases.evaluations"
	mSatisfied      = "cases.satisfied"
	mBadReviews     = "cases.bad_reviews"
	mBadClosed      = "cases.bad_reviews_closed"
	mRemoteSessions = "cases.remote_sessions"
)

// MetricPrefix is the prefix of every metric the module owns.
const MetricPrefix = "cases."

func siteDim(id int64) string { return strconv.FormatInt(id, 10) }

// adder adds delta to a metric on a day, for an org and dimension: the
// running totals write rollups, a rebuild adds into memory.
type adder func(metric string, day civil.Date, org int64, dim string, delta int64) error

func txAdder(ctx context.Context, tx *store.Tx) adder {
	return func(metric string, day civil.Date, org int64, dim string, delta int64) error {
		return rollup.Add(ctx, tx, metric, day, org, dim, delta)
	}
}

func (s *Service) countReceived(ctx context.Context, tx *store.Tx, on civil.Date, org, site int64, ch Channel) error {
	return countReception(txAdder(ctx, tx), on, org, site, ch)
}

func countReception(add adder, on civil.Date, org, site int64, ch Channel) error {
	dim := siteDim(site)
	if err := add(mReceived, on, org, dim, 1); err != nil {
		return err
	}
	switch ch {
	case Online:
		return add(mOnline, on, org, dim, 1)
	case RemoteChannel:
		return add(mRemote, on, org, dim, 1)
	}
	return nil
}

func (s *Service) countStep(ctx context.Context, tx *store.Tx, action string, on civil.Date, k calendar.Clock, org, site int64) error {
	return countAction(txAdder(ctx, tx), action, on, k, org, site)
}

// countAction counts the flows of one case transition.
func countAction(add adder, action string, on civil.Date, k calendar.Clock, org, site int64) error {
	dim := siteDim(site)
	switch action {
	case "accept":
		return add(mAccepted, on, org, dim, 1)
	case "reject":
		return add(mNotAccepted, on, org, dim, 1)
	case "conclude":
		if err := add(mConcluded, on, org, dim, 1); err != nil {
			return err
		}
		if !k.StoppedOn.After(k.DueOn) {
			return add(mOnTime, on, org, dim, 1)
		}
	}
	return nil
}

// overdueFrom is the first day, from day t on, on which a case with clock k
// is open and overdue — given that nothing else happens to it — or zero if
// it never is. A clock paused while already late stays late; one paused in
// time is not late while it stands still.
func overdueFrom(t civil.Date, k calendar.Clock) civil.Date {
	switch {
	case k.StartOn.IsZero(), !k.StoppedOn.IsZero():
		return civil.Date{}
	case !k.PausedOn.IsZero():
		if k.PausedOn.After(k.DueOn) {
			return t
		}
		return civil.Date{}
	}
	if from := k.DueOn.AddDays(1); from.After(t) {
		return from
	}
	return t
}

// moveOverdueMark keeps the case's open-and-overdue marker right after a
// clock change on day t. A case carries at most one marker: +1 on the first
// day of its current stretch of being open and overdue (possibly a future
// day, the day after its due date). When the clock changes on day t:
//   - a marker not yet begun (on t or later) is taken back;
//   - a stretch under way that goes on is left alone;
//   - a stretch under way that ends is closed with −1 on day t;
//
// and then a new marker is placed where the new clock says the case will be
// overdue. So Upto(day) is exactly the number of cases open and overdue at
// the end of that day.
func moveOverdueMark(ctx context.Context, tx *store.Tx, mark, t civil.Date, k calendar.Clock, org int64, dim string) (civil.Date, error) {
	return moveMark(txAdder(ctx, tx), mark, t, k, org, dim)
}

func moveMark(add adder, mark, t civil.Date, k calendar.Clock, org int64, dim string) (civil.Date, error) {
	from := overdueFrom(t, k)
	if !mark.IsZero() {
		switch {
		case mark == from:
			return mark, nil
		case !mark.Before(t):
			if err := add(mOverdueOpen, mark, org, dim, -1); err != nil {
				return mark, err
			}
		case !from.IsZero() && !from.After(t):
			return mark, nil
		default:
			if err := add(mOverdueOpen, t, org, dim, -1); err != nil {
				return mark, err
			}
		}
	}
	if !from.IsZero() {
		if err := add(mOverdueOpen, from, org, dim, 1); err != nil {
			return civil.Date{}, err
		}
	}
	return from, nil
}

// Rebuild recomputes the module's rollups from the records and the case
// events, inside tx (the metrics have been cleared). Each case's history is
// replayed with the clocks its events recorded, so a later change to the
// calendar does not rewrite the past.
//
// The records are read in ranges of ids, and each range's sums are added
// to the rollups before the next is read: memory stays flat at millions of
// cases, and no rollup is written while a query is still open (one
// connection on PostgreSQL cannot do both).
func (s *Service) Rebuild(ctx context.Context, tx *store.Tx) error {
	type key struct {
		metric string
		day    civil.Date
		org    int64
		dim    string
	}
	acc := map[key]int64{}
	add := func(metric string, day civil.Date, org int64, dim string, delta int64) error {
		acc[key{metric, day, org, dim}] += delta
		return nil
	}
	drain := func() error {
		for k, v := range acc {
			if err := rollup.Add(ctx, tx, k.metric, k.day, k.org, k.dim, v); err != nil {
				return err
			}
		}
		clear(acc)
		return nil
	}
	parts := []struct {
		table, query string
		row          func(rows *sql.Rows) error
	}{
		{"cases", "SELECT org_id, site_id, channel, received_on FROM cases WHERE id >= ? AND id < ?", func(rows *sql.Rows) error {
			var org, site int64
			var ch Channel
			var on civil.Date
			if err := rows.Scan(&org, &site, &ch, &on); err != nil {
				return err
			}
			return countReception(add, on, org, site, ch)
		}},
		{"cases", `SELECT c.id, c.org_id, c.site_id, e.action, e.on_date, e.data
			FROM flow_events e JOIN cases c ON c.id = e.entity_id
			WHERE e.entity = 'case' AND e.action <> 'receive' AND e.entity_id >= ? AND e.entity_id < ?
			ORDER BY e.entity_id, e.id`, caseReplay(add)},
		{"evaluations", "SELECT site_id, org_id, score, evaluated_on FROM evaluations WHERE id >= ? AND id < ?", func(rows *sql.Rows) error {
			var site, org int64
			var score int
			var on civil.Date
			if err := rows.Scan(&site, &org, &score, &on); err != nil {
				return err
			}
			return countEvaluation(add, on, org, site, score)
		}},
		{"bad_reviews", "SELECT site_id, org_id, closed_on FROM bad_reviews WHERE closed_on IS NOT NULL AND id >= ? AND id < ?", func(rows *sql.Rows) error {
			var site, org int64
			var on civil.Date
			if err := rows.Scan(&site, &org, &on); err != nil {
				return err
			}
			return add(mBadClosed, on, org, siteDim(site), 1)
		}},
		{"remote_sessions", "SELECT site_id, org_id, started_at FROM remote_sessions WHERE id >= ? AND id < ?", func(rows *sql.Rows) error {
			var site, org int64
			var at time.Time
			if err := rows.Scan(&site, &org, &at); err != nil {
				return err
			}
			return add(mRemoteSessions, civil.Of(at), org, siteDim(site), 1)
		}},
	}
	for _, part := range parts {
		var last int64
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+part.table).Scan(&last); err != nil {
			return err
		}
		for lo := int64(0); lo <= last; lo += rebuildSpan {
			if err := eachRow(ctx, tx, part.query, []any{lo, lo + rebuildSpan}, part.row); err != nil {
				return err
			}
			if err := drain(); err != nil {
				return err
			}
		}
	}
	return nil
}

// rebuildSpan is how many ids a rebuild reads at a time. (A variable so
// that tests can cut a small history into many ranges.)
var rebuildSpan int64 = 200_000

// caseReplay follows case events in order, case by case, keeping the
// current case's overdue mark.
func caseReplay(add adder) func(rows *sql.Rows) error {
	var current int64
	var mark civil.Date
	return func(rows *sql.Rows) error {
		var id, org, site int64
		var action, data string
		var on civil.Date
		if err := rows.Scan(&id, &org, &site, &action, &on, &data); err != nil {
			return err
		}
		if id != current {
			current, mark = id, civil.Date{}
		}
		var d struct {
			Clock *calendar.Clock `json:"clock"`
		}
		json.Unmarshal([]byte(data), &d)
		var k calendar.Clock
		if d.Clock != nil {
			k = *d.Clock
			var err error
			if mark, err = moveMark(add, mark, on, k, org, siteDim(site)); err != nil {
				return err
			}
		}
		return countAction(add, action, on, k, org, site)
	}
}

// eachRow runs query and hands each row to fn.
func eachRow(ctx context.Context, tx *store.Tx, query string, args []any, fn func(rows *sql.Rows) error) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Close()
}

// countEvaluation counts an evaluation and, for a score of 1 or 2, the bad
// review it opens.
func countEvaluation(add adder, on civil.Date, org, site int64, score int) error {
	dim := siteDim(site)
	if err := add(mEvaluations, on, org, dim, 1); err != nil {
		return err
	}
	if score >= 3 {
		return add(mSatisfied, on, org, dim, 1)
	}
	return add(mBadReviews, on, org, dim, 1)
}
