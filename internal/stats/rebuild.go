package stats

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"xiaoer/internal/audit"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Check is what recomputing one module's rollups found.
type Check struct {
	Module      string   `json:"module"`
	Rows        int      `json:"rows" doc:"rollup rows after recomputing"`
	Matched     bool     `json:"matched"`
	Differences []string `json:"differences,omitempty" doc:"the first rows that differ: key, running total, recomputed"`
}

// errKeep rolls back a verification after it has compared.
var errKeep = errors.New("stats: verification only")

// Rebuild recomputes every module's rollups from its records and events and
// compares them with the running totals. With apply the recomputed totals
// replace the running ones; without, nothing changes. Each module is done
// in one transaction, audited.
func (s *Service) Rebuild(ctx context.Context, apply bool, progress func(module string)) ([]Check, error) {
	var out []Check
	for _, m := range s.Modules {
		if m.Rebuild == nil || len(m.Metrics) == 0 {
			continue
		}
		if progress != nil {
			progress(m.Name)
		}
		var c Check
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			c = Check{Module: m.Name}
			before, err := rollup.Snapshot(ctx, tx, m.Metrics...)
			if err != nil {
				return err
			}
			if err := rollup.Clear(ctx, tx, m.Metrics...); err != nil {
				return err
			}
			if err := m.Rebuild(ctx, tx); err != nil {
				return err
			}
			after, err := rollup.Snapshot(ctx, tx, m.Metrics...)
			if err != nil {
				return err
			}
			c.Rows, c.Differences = len(after), diff(before, after, 20)
			c.Matched = len(c.Differences) == 0
			action := "rollups.verify"
			if apply {
				action = "rollups.rebuild"
			}
			if err := audit.Append(ctx, tx, audit.Entry{Action: action, Object: "rollups", ObjectID: m.Name,
				Summary: map[string]any{"rows": c.Rows, "matched": c.Matched}}); err != nil {
				return err
			}
			if !apply {
				return errKeep
			}
			return nil
		})
		if err != nil && !errors.Is(err, errKeep) {
			return out, fmt.Errorf("%s: %w", m.Name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// diff lists up to max keys whose values differ, in key order.
func diff(a, b map[string]int64, max int) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		if a[k] != b[k] {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	var out []string
	for i, k := range ks {
		if i == max {
			out = append(out, fmt.Sprintf("… and %d more", len(ks)-max))
			break
		}
		out = append(out, fmt.Sprintf("%s: running %d, recomputed %d", k, a[k], b[k]))
	}
	return out
}
