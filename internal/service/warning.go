package service

import (
	"context"

	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/store"
)

// RefreshWarnings recomputes the stored traffic light of every open case
// for today — yellow from 80 % of the limit, red when overdue — so that the
// lists can sort by it; a transition keeps its own case's light, but time
// passing needs this job. It returns the number of cases whose light
// changed. The light is derived data, not a user's change, so the write is
// not audited (the job's runs are recorded by the job runner).
func (s *Service) RefreshWarnings(ctx context.Context) (int, error) {
	today := s.today()
	in, args := store.In(OpenStates)
	rows, err := s.DB.Read().Query(ctx, `SELECT id, warning, clock_start, limit_workdays, paused_on, paused_workdays, due_on, stopped_on
		FROM cases WHERE status IN (`+in+`)`, args...)
	if err != nil {
		return 0, err
	}
	changed := map[int][]int64{}
	for rows.Next() {
		var id int64
		var old int
		var k calendar.Clock
		if err := rows.Scan(&id, &old, &k.StartOn, &k.Limit, &k.PausedOn, &k.PausedDays, &k.DueOn, &k.StoppedOn); err != nil {
			rows.Close()
			return 0, err
		}
		if w := warningRank(string(s.Cal.Light(&k, today))); w != old {
			changed[w] = append(changed[w], id)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	n := 0
	for w, ids := range changed {
		n += len(ids)
		// Batches keep each write short: the single writer is shared with
		// the windows.
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 500)]
			ids = ids[len(batch):]
			err := s.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
				in, args := store.In(batch)
				_, err := tx.Exec(ctx, "UPDATE cases SET warning = ? WHERE id IN ("+in+")", append([]any{w}, args...)...)
				return err
			})
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// lightOf is the stored light of a clock on day today.
func (s *Service) lightOf(k calendar.Clock, today civil.Date) int {
	if k.StartOn.IsZero() || !k.StoppedOn.IsZero() {
		return 0
	}
	return warningRank(string(s.Cal.Light(&k, today)))
}
