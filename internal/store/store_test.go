package store_test

import (
	"context"
	"errors"
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
