package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"xiaoer/internal/errs"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	got := store.Rebind(`SELECT * FROM t WHERE a = ? AND b = '?' AND "c?" = ? OR d IN (?, ?)`)
	want := `SELECT * FROM t WHERE a = $1 AND b = '?' AND "c?" = $2 OR d IN ($3, $4)`
	if got != want {
		t.Fatalf("Rebind = %s", got)
	}
}

func TestMigrationsApplyOnceInOrder(t *testing.T) {
	db := storetest.OpenEmpty(t)
	ctx := context.Background()
	done, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := store.Migrations()
	if len(done) != len(ms) {
		t.Fatalf("applied %d of %d migrations", len(done), len(ms))
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Migrate applied %v, %v", again, err)
	}
	v, _ := db.Version(ctx)
	if v != len(ms) {
		t.Fatalf("Version = %d, want %d", v, len(ms))
	}
}

// markAudited stands in for an audit record in tests of the store itself.
func markAudited(tx *store.Tx) { tx.MarkAudited() }

func TestWriteRefusesUnauditedChange(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", "k", "v", tx.Now)
		return err
	})
	if !errors.Is(err, store.ErrUnaudited) {
		t.Fatalf("unaudited write: err = %v, want ErrUnaudited", err)
	}
	var n int
	db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", "k").Scan(&n)
	if n != 0 {
		t.Fatalf("the refused write left %d rows", n)
	}
}

func TestDuplicateIsConflict(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	ins := func() error {
		return db.Write(ctx, func(tx *store.Tx) error {
			markAudited(tx)
			_, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", "k", "v", tx.Now)
			return err
		})
	}
	if err := ins(); err != nil {
		t.Fatal(err)
	}
	err := ins()
	if !errs.Is(err, errs.Conflict) || !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("duplicate: err = %v, want conflict/ErrDuplicate", err)
	}
}

func TestForeignKeyIsInvalid(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		markAudited(tx)
		_, err := tx.Exec(ctx, "INSERT INTO orgs (name, kind, parent_id, created_at) VALUES (?, ?, ?, ?)", "x", "street", 999, tx.Now)
		return err
	})
	if !errors.Is(err, store.ErrReference) {
		t.Fatalf("err = %v, want ErrReference", err)
	}
}

func TestNotFound(t *testing.T) {
	db := storetest.Open(t)
	var s string
	err := db.Read().QueryRow(context.Background(), "SELECT name FROM orgs WHERE id = ?", 42).Scan(&s)
	if err != errs.ErrNotFound {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestAppendOnlyTables(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		markAudited(tx)
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, username, action, outcome, prev_hash, hash)
			VALUES (1, ?, 'u', 'a', 'ok', '', 'h')`, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"} {
		err := db.Write(ctx, func(tx *store.Tx) error {
			markAudited(tx)
			_, err := tx.Exec(ctx, q)
			return err
		})
		if !errors.Is(err, store.ErrAppendOnly) {
			t.Errorf("%s: err = %v, want ErrAppendOnly", q, err)
		}
	}
}

func TestTimestampsAndDatesRoundTrip(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	at := time.Date(2023, 7, 11, 9, 30, 15, 123456000, time.UTC)
	err := db.Write(ctx, func(tx *store.Tx) error {
		markAudited(tx)
		_, err := tx.Exec(ctx, `INSERT INTO flow_events (entity, entity_id, action, from_state, to_state, on_date, at, actor)
			VALUES ('t', 1, 'a', 'x', 'y', ?, ?, 'me')`, "2023-07-11", at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got time.Time
	var on string
	if err := db.Read().QueryRow(ctx, "SELECT at, on_date FROM flow_events WHERE on_date >= ?", "2023-07-01").Scan(&got, &on); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at) || on != "2023-07-11" {
		t.Fatalf("round trip: %v %s", got, on)
	}
}

func TestNullHelpers(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		markAudited(tx)
		_, err := tx.Exec(ctx, "INSERT INTO orgs (name, kind, parent_id, code, created_at) VALUES (?, ?, ?, ?, ?)",
			"区", "zone", store.Null(int64(0)), store.Null(""), tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var parent int64 = 99
	var code string = "x"
	if err := db.Read().QueryRow(ctx, "SELECT parent_id, code FROM orgs").Scan(store.Z(&parent), store.Z(&code)); err != nil {
		t.Fatal(err)
	}
	if parent != 0 || code != "" {
		t.Fatalf("NULLs read as %d, %q", parent, code)
	}
}

// TestOptimizeGivesThePlannerStatistics: after Optimize SQLite knows how
// many rows its indexes select (sqlite_stat1), which is how it picks the
// small overdue index over the large org index at province scale.
func TestOptimizeGivesThePlannerStatistics(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.SQLite {
		t.Skip("PostgreSQL's autovacuum keeps the statistics")
	}
	ctx := context.Background()
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatal("no sqlite_stat1 after Optimize")
	}
	if err := db.Optimize(ctx); err != nil { // the second time: PRAGMA optimize
		t.Fatal(err)
	}
}

// TestRollupDimensionsMoveUpTheTree converts rollups kept in the layout of
// migration 10 (rows with a dimension at the record's own node only) to the
// layout of migration 12, where every ancestor holds its subtree's rows.
func TestRollupDimensionsMoveUpTheTree(t *testing.T) {
	db := storetest.OpenEmpty(t)
	ctx := context.Background()
	if err := db.MigrateTo(ctx, 11); err != nil {
		t.Fatal(err)
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		markAudited(tx)
		now := time.Now()
		for _, o := range []struct {
			id     int64
			parent any
			kind   string
			path   string
		}{{1, nil, "zone", "/1/"}, {2, 1, "street", "/1/2/"}, {3, 2, "community", "/1/2/3/"}, {4, 1, "street", "/1/4/"}, {14, nil, "zone", "/14/"}} {
			if _, err := tx.Exec(ctx, "INSERT INTO orgs (id, name, kind, parent_id, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
				o.id, o.path, o.kind, o.parent, o.path, now); err != nil {
				return err
			}
		}
		for _, r := range []struct {
			org    int64
			metric string
			dim    string
			value  int64
		}{
			{3, "m@", "x", 5}, {4, "m@", "x", 7}, {1, "m@", "x", 1}, {3, "m@", "y", 2}, {14, "m@", "x", 100},
			// Totals were kept up the tree already: they stay as they are.
			{3, "m", "", 9}, {2, "m", "", 9}, {1, "m", "", 9},
		} {
			for _, q := range []string{"INSERT INTO rollup_day (metric, org_id, dim, day, value) VALUES (?, ?, ?, '2023-01-02', ?)",
				"INSERT INTO rollup_month (metric, org_id, dim, month, value) VALUES (?, ?, ?, '2023-01', ?)"} {
				if _, err := tx.Exec(ctx, q, r.metric, r.org, r.dim, r.value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{
		"m@ 1 x": 13, "m@ 2 x": 5, "m@ 3 x": 5, "m@ 4 x": 7, "m@ 14 x": 100,
		"m@ 1 y": 2, "m@ 2 y": 2, "m@ 3 y": 2,
		"m 1 ": 9, "m 2 ": 9, "m 3 ": 9,
	}
	for _, table := range []string{"rollup_day", "rollup_month"} {
		rows, err := db.Read().Query(ctx, "SELECT metric, org_id, dim, value FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for rows.Next() {
			var m, dim string
			var org, v int64
			if err := rows.Scan(&m, &org, &dim, &v); err != nil {
				t.Fatal(err)
			}
			got[fmt.Sprintf("%s %d %s", m, org, dim)] = v
		}
		rows.Close()
		if !maps.Equal(got, want) {
			t.Errorf("%s after the migration:\n got %v\nwant %v", table, got, want)
		}
	}
}

// TestPragmasTakeEffectOnce: SQLite carries out a pragma's assignment when
// it prepares it, so a pragma must never be prepared for later: the last
// one a write runs is the one in force for the next.
func TestPragmasTakeEffectOnce(t *testing.T) {
	db := storetest.Open(t)
	if db.Dialect != store.SQLite {
		t.Skip("SQLite's pragmas")
	}
	ctx := context.Background()
	for i := range 10 {
		err := db.Write(ctx, func(tx *store.Tx) error {
			markAudited(tx)
			for _, q := range []string{"PRAGMA cache_size = -4000", "PRAGMA cache_size = -8000"} {
				if _, err := tx.Exec(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = db.Write(ctx, func(tx *store.Tx) error {
			markAudited(tx)
			return tx.QueryRow(ctx, "PRAGMA cache_size").Scan(&n)
		})
		if err != nil || n != -8000 {
			t.Fatalf("round %d: cache_size %d after setting -8000 (%v)", i, n, err)
		}
	}
}
