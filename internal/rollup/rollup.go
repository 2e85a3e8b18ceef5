// Package rollup keeps the running totals behind the dashboard. A module
// calls Add in the same transaction as each transition it counts (a case
// accepted, a project started, a loan disbursed), so that the totals never
// disagree with the records; the summary for any period then reads whole
// months from the monthly rows and the ragged ends from the daily rows.
//
// Figures that are a state at a date rather than a flow ("open and overdue
// on 30 June") are kept as +1/−1 markers on the days the state begins and
// ends; Upto sums them from the beginning of time.
package rollup

import (
	"context"
	"fmt"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/store"
)

// Add adds delta to metric on day, for the org node and dimension, in tx.
func Add(ctx context.Context, tx *store.Tx, metric string, day civil.Date, orgID int64, dim string, delta int64) error {
	if delta == 0 {
		return nil
	}
	if day.IsZero() {
		return fmt.Errorf("rollup: %s without a day", metric)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO rollup_day (metric, day, org_id, dim, value) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (metric, day, org_id, dim) DO UPDATE SET value = rollup_day.value + excluded.value`,
		metric, day.String(), orgID, dim, delta); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO rollup_month (metric, month, org_id, dim, value) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (metric, month, org_id, dim) DO UPDATE SET value = rollup_month.value + excluded.value`,
		metric, month(day), orgID, dim, delta)
	return err
}

func month(d civil.Date) string { return d.String()[:7] }

// Scope limits a sum to the org subtree at Path ("/" or "" for everything).
type Scope struct{ Path string }

// ScopeOf returns the rollup scope of a principal: zone-wide roles see their
// org subtree; the system sees all.
func ScopeOf(p *access.Principal) Scope {
	if p == nil || p.System {
		return Scope{Path: "/"}
	}
	return Scope{Path: p.OrgPath}
}

func (s Scope) pred() (string, []any) {
	if s.Path == "" || s.Path == "/" {
		return "", nil
	}
	return " AND org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", []any{s.Path + "%"}
}

// Sum returns, for each metric, the total over the days from..to inclusive.
// Metrics with nothing recorded are 0.
func Sum(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metrics ...string) (map[string]int64, error) {
	out := make(map[string]int64, len(metrics))
	for _, m := range metrics {
		out[m] = 0
	}
	err := sum(ctx, q, sc, from, to, metrics, false, func(metric, dim string, v int64) { out[metric] += v })
	return out, err
}

// SumByDim returns the total of one metric per dimension over from..to.
func SumByDim(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metric string) (map[string]int64, error) {
	out := map[string]int64{}
	err := sum(ctx, q, sc, from, to, []string{metric}, true, func(_, dim string, v int64) { out[dim] += v })
	return out, err
}

// Upto returns, for each metric, the total of everything recorded up to and
// including day to: the level of a +1/−1 state metric on that day.
func Upto(ctx context.Context, q store.Querier, sc Scope, to civil.Date, metrics ...string) (map[string]int64, error) {
	return Sum(ctx, q, sc, civil.New(1900, 1, 1), to, metrics...)
}

// UptoByDim is Upto per dimension.
func UptoByDim(ctx context.Context, q store.Querier, sc Scope, to civil.Date, metric string) (map[string]int64, error) {
	return SumByDim(ctx, q, sc, civil.New(1900, 1, 1), to, metric)
}

// sum splits from..to into whole months (monthly rows) and the days at
// either end (daily rows).
func sum(ctx context.Context, q store.Querier, sc Scope, from, to civil.Date, metrics []string, byDim bool, add func(metric, dim string, v int64)) error {
	if len(metrics) == 0 || to.Before(from) {
		return nil
	}
	// First whole month: the month of from if from is its first day.
	firstWhole := civil.New(from.Year, from.Month, 1)
	if from.Day != 1 {
		firstWhole = firstWhole.AddMonths(1)
	}
	// Last whole month: the month of to if to is its last day.
	lastWhole := civil.New(to.Year, to.Month, 1)
	if to.AddDays(1).Month == to.Month {
		lastWhole = lastWhole.AddMonths(-1)
	}
	type span struct {
		table, col, lo, hi string
	}
	var spans []span
	if !lastWhole.Before(firstWhole) {
		spans = append(spans, span{"rollup_month", "month", month(firstWhole), month(lastWhole)})
		if from.Before(firstWhole) {
			spans = append(spans, span{"rollup_day", "day", from.String(), firstWhole.AddDays(-1).String()})
		}
		if afterLast := lastWhole.AddMonths(1); !to.Before(afterLast) {
			spans = append(spans, span{"rollup_day", "day", afterLast.String(), to.String()})
		}
	} else {
		spans = append(spans, span{"rollup_day", "day", from.String(), to.String()})
	}
	in, margs := store.In(metrics)
	scopeSQL, sargs := sc.pred()
	dimCol := "''"
	if byDim {
		dimCol = "dim"
	}
	for _, sp := range spans {
		group := "metric"
		if byDim {
			group += ", dim"
		}
		query := "SELECT metric, " + dimCol + ", SUM(value) FROM " + sp.table + " WHERE metric IN (" + in + ") AND " +
			sp.col + " >= ? AND " + sp.col + " <= ?" + scopeSQL + " GROUP BY " + group
		args := append(append(append([]any{}, margs...), sp.lo, sp.hi), sargs...)
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m, dim string
			var v int64
			if err := rows.Scan(&m, &dim, &v); err != nil {
				rows.Close()
				return err
			}
			add(m, dim, v)
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Clear removes every row of the metrics starting with any of prefixes,
// before a rebuild.
func Clear(ctx context.Context, tx *store.Tx, prefixes ...string) error {
	for _, p := range prefixes {
		for _, t := range []string{"rollup_day", "rollup_month"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+t+" WHERE metric LIKE ? ESCAPE '\\'", store.Like("", p, "%")); err != nil {
				return err
			}
		}
	}
	return nil
}

// Snapshot returns every daily and monthly row of the metrics with the
// prefixes, as "metric|day-or-month|org|dim" → value: two snapshots compare
// a rebuild with the running totals.
func Snapshot(ctx context.Context, q store.Querier, prefixes ...string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, p := range prefixes {
		rows, err := q.Query(ctx, `SELECT metric, day, org_id, dim, value FROM rollup_day WHERE metric LIKE ? ESCAPE '\'
			UNION ALL SELECT metric, month, org_id, dim, value FROM rollup_month WHERE metric LIKE ? ESCAPE '\'`,
			store.Like("", p, "%"), store.Like("", p, "%"))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var m, day, dim string
			var org, v int64
			if err := rows.Scan(&m, &day, &org, &dim, &v); err != nil {
				rows.Close()
				return nil, err
			}
			if v != 0 {
				out[strings.Join([]string{m, day, fmt.Sprint(org), dim}, "|")] = v
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Rate returns num/den, or nil when den is 0 (API.md: null when there is
// nothing to divide).
func Rate(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}
