package stats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Check is what recomputing one module's rollups found.
type Check struct {
	Module      string   `json:"module"`
	Rows        int      `json:"rows" doc:"rollup rows after recomputing"`
	Compared    bool     `json:"compared" doc:"a verification compares; a rebuild only replaces"`
	Matched     bool     `json:"matched"`
	Differences []string `json:"differences,omitempty" doc:"the first rows that differ: key, running total, recomputed"`
}

// errKeep rolls back a verification after it has compared.
var errKeep = errors.New("stats: verification only")

// Rebuild recomputes every module's rollups (or only those of the modules
// named) from its records and events and compares them with the running
// totals. With apply the recomputed totals replace the running ones;
// without, nothing changes. Each module is done in one transaction, audited.
func (s *Service) Rebuild(ctx context.Context, apply bool, progress func(module string), only ...string) ([]Check, error) {
	var out []Check
	for _, m := range s.Modules {
		if m.Rebuild == nil || len(m.Metrics) == 0 || len(only) > 0 && !slices.Contains(only, m.Name) {
			continue
		}
		if progress != nil {
			progress(m.Name)
		}
		var c Check
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			c = Check{Module: m.Name, Compared: !apply}
			if !apply {
				if err := rollup.Keep(ctx, tx, m.Metrics...); err != nil {
					return err
				}
			}
			if err := rollup.Clear(ctx, tx, m.Metrics...); err != nil {
				return err
			}
			if err := rollup.Stage(ctx, tx); err != nil {
				return err
			}
			if err := m.Rebuild(ctx, tx); err != nil {
				return err
			}
			if err := rollup.Settle(ctx, tx); err != nil {
				return err
			}
			if apply {
				n, err := rollup.Count(ctx, tx, m.Metrics...)
				c.Rows, c.Matched = n, true
				if err != nil {
					return err
				}
			} else {
				n, err := rollup.Count(ctx, tx, m.Metrics...)
				if err != nil {
					return err
				}
				differ, first, err := rollup.Differences(ctx, tx, maxDifferences, m.Metrics...)
				if err != nil {
					return err
				}
				if differ > len(first) {
					first = append(first, fmt.Sprintf("… and %d more", differ-len(first)))
				}
				c.Rows, c.Differences, c.Matched = n, first, differ == 0
			}
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

// maxDifferences is how many differing rows a verification names.
const maxDifferences = 20

// staleKey is the setting a migration leaves when the running totals must
// be rebuilt from the records: "true" when it has made the rollup tables
// anew, or the names of the modules whose rollups it has added, separated
// by commas.
const staleKey = "rollups.stale"

// RebuildIfStale rebuilds the rollups a migration has asked for, and
// reports whether it did. fresh says the database was empty before its
// migrations: there is nothing to rebuild from, and the demo or first
// records keep their totals as they are written.
func (s *Service) RebuildIfStale(ctx context.Context, fresh bool) (bool, error) {
	var v string
	err := s.DB.Read().QueryRow(ctx, "SELECT value FROM settings WHERE key = ?", staleKey).Scan(&v)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fresh {
		var only []string
		if v != "true" {
			only = strings.Split(v, ",")
		}
		if _, err := s.Rebuild(ctx, true, nil, only...); err != nil {
			return false, err
		}
	}
	return !fresh, s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM settings WHERE key = ?", staleKey); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "settings.delete", Object: "settings", ObjectID: staleKey})
	})
}
