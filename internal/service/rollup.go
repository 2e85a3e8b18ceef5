package service

import (
	"context"
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
	type caseRow struct {
		org, site int64
		mark      civil.Date
	}
	cases := map[int64]*caseRow{}
	rows, err := tx.Query(ctx, "SELECT id, org_id, site_id, channel, received_on FROM cases")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, org, site int64
		var ch Channel
		var on civil.Date
		if err := rows.Scan(&id, &org, &site, &ch, &on); err != nil {
			rows.Close()
			return err
		}
		cases[id] = &caseRow{org: org, site: site}
		countReception(add, on, org, site, ch)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT entity_id, action, on_date, data FROM flow_events WHERE entity = 'case' AND action <> 'receive' ORDER BY entity_id, id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var action, data string
		var on civil.Date
		if err := rows.Scan(&id, &action, &on, &data); err != nil {
			rows.Close()
			return err
		}
		c := cases[id]
		if c == nil {
			continue
		}
		var d struct {
			Clock *calendar.Clock `json:"clock"`
		}
		json.Unmarshal([]byte(data), &d)
		var k calendar.Clock
		if d.Clock != nil {
			k = *d.Clock
			c.mark, _ = moveMark(add, c.mark, on, k, c.org, siteDim(c.site))
		}
		countAction(add, action, on, k, c.org, c.site)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT site_id, org_id, score, evaluated_on FROM evaluations")
	if err != nil {
		return err
	}
	for rows.Next() {
		var site, org int64
		var score int
		var on civil.Date
		if err := rows.Scan(&site, &org, &score, &on); err != nil {
			rows.Close()
			return err
		}
		countEvaluation(add, on, org, site, score)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT site_id, org_id, closed_on FROM bad_reviews WHERE closed_on IS NOT NULL")
	if err != nil {
		return err
	}
	for rows.Next() {
		var site, org int64
		var on civil.Date
		if err := rows.Scan(&site, &org, &on); err != nil {
			rows.Close()
			return err
		}
		add(mBadClosed, on, org, siteDim(site), 1)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, "SELECT site_id, org_id, started_at FROM remote_sessions")
	if err != nil {
		return err
	}
	for rows.Next() {
		var site, org int64
		var at time.Time
		if err := rows.Scan(&site, &org, &at); err != nil {
			rows.Close()
			return err
		}
		add(mRemoteSessions, civil.Of(at), org, siteDim(site), 1)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for k, v := range acc {
		if err := rollup.Add(ctx, tx, k.metric, k.day, k.org, k.dim, v); err != nil {
			return err
		}
	}
	return nil
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
