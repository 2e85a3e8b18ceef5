package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// TestConcurrentWritesKeepTheirOwnOutcome runs many writes at once — on
// SQLite they share transactions — where some fail before changing
// anything, some after, and one panics: exactly the successful ones are
// kept, each failure comes back to its own writer, and nothing half-written
// remains.
func TestConcurrentWritesKeepTheirOwnOutcome(t *testing.T) {
	// Many rounds, each on a fresh database whose statements are not yet
	// prepared: preparing them while transactions run once deadlocked the
	// single writer, and only some interleavings showed it.
	rounds := 25
	if storetest.IsPG() {
		rounds = 2
	}
	for range rounds {
		concurrentOutcomes(t)
	}
}

func concurrentOutcomes(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	errEarly, errLate := errors.New("refused early"), errors.New("refused late")
	const n = 400
	var wg sync.WaitGroup
	results := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			results[i] = db.Write(ctx, func(tx *store.Tx) error {
				if i%7 == 1 {
					return errEarly
				}
				if _, err := tx.Exec(ctx, "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)", fmt.Sprint("k", i), "v", tx.Now); err != nil {
					return err
				}
				switch {
				case i%7 == 2:
					return errLate
				case i == 3:
					panic("boom")
				}
				markAudited(tx)
				return nil
			})
		}()
	}
	wg.Wait()
	for i := range n {
		var want error
		switch {
		case i == 3:
			if panics[i] != "boom" {
				t.Errorf("write %d: the panic came back as %v", i, panics[i])
			}
			continue
		case i%7 == 1:
			want = errEarly
		case i%7 == 2:
			want = errLate
		}
		if (want == nil && results[i] != nil) || (want != nil && !errors.Is(results[i], want)) {
			t.Errorf("write %d: %v, want %v", i, results[i], want)
		}
		var cnt int
		db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM settings WHERE key = ?", fmt.Sprint("k", i)).Scan(&cnt)
		if (cnt == 1) != (want == nil) {
			t.Errorf("write %d (err %v) left %d rows", i, results[i], cnt)
		}
	}
}
