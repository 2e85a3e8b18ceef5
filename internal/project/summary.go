package project

import (
	"context"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// MetricPrefix is the prefix of the module's rollup metrics.
const MetricPrefix = "projects."

// Rollup metrics: for each milestone, the projects that reached it and
// their planned total investment, dated by the stage's actual date; and the
// projects that went into production in the calendar year they started.
func metricCount(st Stage) string { return MetricPrefix + string(st) }
func metricFen(st Stage) string   { return MetricPrefix + string(st) + "_fen" }

const metricSameYear = MetricPrefix + "same_year"

// addStage adds (sign +1) or removes (−1) one milestone of a project to the
// running totals. Reaching producing in the year of the start also counts
// the project as started and producing in the same year.
func addStage(ctx context.Context, tx *store.Tx, orgID, totalFen int64, st Stage, on, started civil.Date, sign int64) error {
	if err := rollup.Add(ctx, tx, metricCount(st), on, orgID, "", sign); err != nil {
		return err
	}
	if err := rollup.Add(ctx, tx, metricFen(st), on, orgID, "", sign*totalFen); err != nil {
		return err
	}
	if st == Producing && !started.IsZero() && started.Year == on.Year {
		return rollup.Add(ctx, tx, metricSameYear, on, orgID, "", sign)
	}
	return nil
}

// addProject adds or removes every milestone a project has reached.
func addProject(ctx context.Context, tx *store.Tx, orgID, totalFen int64, actual map[Stage]civil.Date, sign int64) error {
	for _, st := range Milestones {
		if d, ok := actual[st]; ok {
			if err := addStage(ctx, tx, orgID, totalFen, st, d, actual[Started], sign); err != nil {
				return err
			}
		}
	}
	return nil
}

// Summary fills the "projects" keys of the period summary (API.md): for
// each milestone the projects that reached it within from..to (by the
// actual date of the transition, back-entered dates included) and the sum
// of their planned total investment; and started_and_producing_same_year,
// the projects that went into production within the period in the same
// calendar year as they started.
func (s *Service) Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	metrics := []string{metricSameYear}
	for _, st := range Milestones {
		metrics = append(metrics, metricCount(st), metricFen(st))
	}
	sums, err := rollup.Sum(ctx, q, rollup.ScopeOf(p), from, to, metrics...)
	if err != nil {
		return err
	}
	out := map[string]any{"started_and_producing_same_year": sums[metricSameYear]}
	for _, st := range Milestones {
		out[string(st)] = map[string]any{"count": sums[metricCount(st)], "investment_fen": sums[metricFen(st)]}
	}
	into["projects"] = out
	return nil
}

// Rebuild recomputes the module's rollups from the stage events: the date
// each project reached each milestone is the business date of the event
// that took it there ("create" for signed), applied with the project's
// current place and planned total investment, as the running totals are.
func (s *Service) Rebuild(ctx context.Context, tx *store.Tx) error {
	rows, err := tx.Query(ctx, `SELECT entity_id, action, on_date FROM flow_events
		WHERE entity = ? AND action IN ('create', 'start', 'register', 'produce', 'reach_effect') ORDER BY id`, Entity)
	if err != nil {
		return err
	}
	reached := map[int64]map[Stage]civil.Date{}
	for rows.Next() {
		var id int64
		var action string
		var on civil.Date
		if err := rows.Scan(&id, &action, &on); err != nil {
			rows.Close()
			return err
		}
		if reached[id] == nil {
			reached[id] = map[Stage]civil.Date{}
		}
		reached[id][reachedBy[action]] = on
	}
	if err := rows.Close(); err != nil {
		return err
	}
	type place struct{ org, total int64 }
	places := map[int64]place{}
	rows, err = tx.Query(ctx, "SELECT id, org_id, total_investment_fen FROM projects")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var pl place
		if err := rows.Scan(&id, &pl.org, &pl.total); err != nil {
			rows.Close()
			return err
		}
		places[id] = pl
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for id, actual := range reached {
		pl, ok := places[id]
		if !ok {
			continue
		}
		if err := addProject(ctx, tx, pl.org, pl.total, actual, 1); err != nil {
			return err
		}
	}
	return nil
}
