package appeal_test

import (
	"fmt"
	"strings"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/civil"
	"xiaoer/internal/store"
)

// BenchmarkLifecycle files an appeal and takes it through its eight
// transitions to the close, each in its own audited transaction with its
// rollups and notices: one op is one whole appeal.
func BenchmarkLifecycle(b *testing.B) {
	f := newFixture(b)
	f.at("2023-03-01")
	d1 := map[string]any{"department_org_id": f.id(f.d1)}
	ok := map[string]any{"rating": "satisfied", "resolved": true}
	b.ResetTimer()
	for range b.N {
		a := f.file(f.office, appeal.Input{EnterpriseID: f.e1, Channel: appeal.Hotline, Category: appeal.License, Content: "基准"})
		f.act(f.office, a.ID, "accept", nil)
		f.act(f.office, a.ID, "dispatch", d1)
		f.act(f.dept1, a.ID, "sign", nil)
		f.act(f.dept1, a.ID, "reply", map[string]any{"reply": "已办"})
		f.act(f.ent1, a.ID, "revisit", ok)
		f.act(f.office, a.ID, "close", nil)
	}
}

// BenchmarkSummary reads a year's appeal figures for the period summary
// (from the middle of one month to the middle of another, so that both
// monthly and daily rows are read) over a year of rollups with every
// metric on every day for every category and every one of 13 departments —
// more than a zone with tens of thousands of appeals a year leaves.
func BenchmarkSummary(b *testing.B) {
	f := newFixture(b)
	metrics := []string{"appeals.received", "appeals.dispatched", "appeals.signed_on_time", "appeals.revisited",
		"appeals.revisited_resolved", "appeals.revisited_satisfied", "appeals.reopened", "appeals.closed",
		"appeals.closed_on_time", "appeals.resolved", "appeals.supervised", "appeals.overdue_open"}
	err := f.db.WriteUnaudited(f.ctx, func(tx *store.Tx) error {
		var rows []string
		var args []any
		flush := func(table string) error {
			if len(rows) == 0 {
				return nil
			}
			_, err := tx.Exec(f.ctx, "INSERT INTO "+table+" VALUES "+strings.Join(rows, ","), args...)
			rows, args = rows[:0], args[:0]
			return err
		}
		var dims []string
		for _, c := range appeal.Categories {
			dims = append(dims, string(c))
		}
		for day := civil.MustParse("2023-01-01"); day.Year == 2023; day = day.AddDays(1) {
			for _, m := range metrics {
				for _, d := range dims {
					rows = append(rows, "(?, ?, ?, ?, 1)")
					args = append(args, m, day.String(), f.street, d)
				}
				for d := range 13 {
					rows = append(rows, "(?, ?, ?, ?, 1)")
					args = append(args, "appeals.dept."+strings.TrimPrefix(m, "appeals."), day.String(), f.street, fmt.Sprint(d+1))
				}
				if len(rows) >= 400 {
					if err := flush("rollup_day"); err != nil {
						return err
					}
				}
			}
		}
		if err := flush("rollup_day"); err != nil {
			return err
		}
		_, err := tx.Exec(f.ctx, `INSERT INTO rollup_month SELECT metric, substr(day, 1, 7), org_id, dim, SUM(value) FROM rollup_day GROUP BY metric, substr(day, 1, 7), org_id, dim`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sys := access.SystemPrincipal("bench")
	from, to := civil.MustParse("2023-01-15"), civil.MustParse("2023-12-15")
	b.ResetTimer()
	for range b.N {
		into := map[string]any{}
		if err := appeal.Summary(f.ctx, f.db.Read(), sys, from, to, into); err != nil {
			b.Fatal(err)
		}
		if into["appeals"].(map[string]any)["received"].(int64) == 0 {
			b.Fatal("nothing summed")
		}
	}
}
