package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

func appendN(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := access.With(context.Background(), &access.Principal{UserID: 0, Username: "tester"})
	for i := range n {
		err := db.Write(ctx, func(tx *store.Tx) error {
			return audit.Append(ctx, tx, audit.Entry{Action: "test.write", Object: "thing", ObjectID: int64(i + 1), Summary: map[string]int{"i": i}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifies(t *testing.T) {
	db := storetest.Open(t)
	appendN(t, db, 25)
	n, brk, err := audit.Verify(context.Background(), db.Read(), nil)
	if err != nil || brk != nil || n != 25 {
		t.Fatalf("Verify = %d, %v, %v", n, brk, err)
	}
}

func TestVerifyNamesAlteredRecord(t *testing.T) {
	db := storetest.Open(t)
	appendN(t, db, 10)
	ctx := context.Background()
	// An operator with file access drops the guard and edits record 7.
	tamper(t, db, "UPDATE audit_log SET summary = '{\"i\":99}' WHERE seq = 7")
	_, brk, err := audit.Verify(ctx, db.Read(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if brk == nil || brk.Seq != 7 {
		t.Fatalf("Verify break = %v, want record 7", brk)
	}
}

func TestVerifyNamesRemovedRecord(t *testing.T) {
	db := storetest.Open(t)
	appendN(t, db, 10)
	tamper(t, db, "DELETE FROM audit_log WHERE seq = 4")
	_, brk, _ := audit.Verify(context.Background(), db.Read(), nil)
	if brk == nil || brk.Seq != 4 {
		t.Fatalf("Verify break = %v, want record 4", brk)
	}
	db2 := storetest.Open(t)
	appendN(t, db2, 10)
	tamper(t, db2, "DELETE FROM audit_log WHERE seq = 10")
	_, brk, _ = audit.Verify(context.Background(), db2.Read(), nil)
	if brk == nil || brk.Seq != 10 {
		t.Fatalf("Verify break after removing the last record = %v, want 10", brk)
	}
}

// tamper runs a statement around the append-only guard, as someone editing
// the database by hand would.
func tamper(t *testing.T, db *store.DB, stmt string) {
	t.Helper()
	ctx := context.Background()
	var drop, create []string
	if db.Dialect == store.Postgres {
		drop = []string{"ALTER TABLE audit_log DISABLE TRIGGER USER"}
		create = []string{"ALTER TABLE audit_log ENABLE TRIGGER USER"}
	} else {
		drop = []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	}
	err := db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		for _, s := range append(append(drop, stmt), create...) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentAppendsStayChained(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				err := db.Write(ctx, func(tx *store.Tx) error {
					return audit.Append(ctx, tx, audit.Entry{Action: "test.write", Username: fmt.Sprintf("g%d", g), ObjectID: int64(i + 1)})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	n, brk, err := audit.Verify(ctx, db.Read(), nil)
	if err != nil || brk != nil || n != 160 {
		t.Fatalf("Verify = %d, %v, %v", n, brk, err)
	}
}

func TestRolledBackChangeLeavesNoRecord(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := audit.Append(ctx, tx, audit.Entry{Action: "test.write"}); err != nil {
			return err
		}
		return fmt.Errorf("the change failed after its record was appended")
	})
	if err == nil {
		t.Fatal("expected the error")
	}
	recs, _ := audit.List(ctx, db.Read(), audit.Filter{})
	if len(recs) != 0 {
		t.Fatalf("%d records survived a rolled-back change", len(recs))
	}
	appendN(t, db, 1)
	if _, brk, _ := audit.Verify(ctx, db.Read(), nil); brk != nil {
		t.Fatalf("chain broken after a rollback: %v", brk)
	}
}

func TestListFilters(t *testing.T) {
	db := storetest.Open(t)
	appendN(t, db, 5)
	ctx := context.Background()
	db.Write(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, audit.Entry{Action: "login", Outcome: audit.Failed, Username: "alice"})
	})
	recs, err := audit.List(ctx, db.Read(), audit.Filter{Outcome: audit.Failed})
	if err != nil || len(recs) != 1 || recs[0].Username != "alice" {
		t.Fatalf("failed logins = %+v, %v", recs, err)
	}
	recs, _ = audit.List(ctx, db.Read(), audit.Filter{Action: "test.", Limit: 2})
	if len(recs) != 2 || recs[0].Seq != 5 || !strings.HasPrefix(recs[0].Action, "test.") {
		t.Fatalf("newest test records = %+v", recs)
	}
	recs, _ = audit.List(ctx, db.Read(), audit.Filter{BeforeSeq: 3})
	if len(recs) != 2 || recs[0].Seq != 2 {
		t.Fatalf("page before 3 = %+v", recs)
	}
}

func TestBatchedFoldsATransactionIntoOneRecord(t *testing.T) {
	db := storetest.Open(t)
	ctx := audit.Batched(access.With(context.Background(), access.SystemPrincipal("demo")), "demo.load")
	err := db.Write(ctx, func(tx *store.Tx) error {
		for i := range 3 {
			if err := audit.Append(ctx, tx, audit.Entry{Action: "case.accept", ObjectID: int64(i + 1)}); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "case.conclude", ObjectID: int64(1)})
	})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := audit.List(ctx, db.Read(), audit.Filter{})
	if len(recs) != 1 || recs[0].Action != "demo.load" || !strings.Contains(recs[0].Summary, `"records":4`) || !strings.Contains(recs[0].Summary, `"case.accept":3`) {
		t.Fatalf("records = %+v", recs)
	}
	if _, brk, err := audit.Verify(ctx, db.Read(), nil); brk != nil || err != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
	// A batched transaction that records nothing is still refused.
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', ?)", tx.Now)
		return err
	})
	if !errors.Is(err, store.ErrUnaudited) {
		t.Fatalf("unaudited batched write: %v", err)
	}
}
