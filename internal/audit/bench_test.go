package audit_test

import (
	"context"
	"sync/atomic"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// BenchmarkConcurrentWrites measures audited writes through the store from
// 64 goroutines at once: each is a transaction that inserts a row and
// appends its hash-chained audit record, committed before it returns. Any
// error — a busy database above all — fails the benchmark.
func BenchmarkConcurrentWrites(b *testing.B) {
	db := storetest.Open(b)
	ctx := access.With(context.Background(), &access.Principal{UserID: 0, Username: "bench"})
	var n, failed atomic.Int64
	b.SetParallelism(32) // 32 × GOMAXPROCS(2) = 64 goroutines on this machine
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			err := db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO flow_events (entity, entity_id, action, from_state, to_state, on_date, at, actor)
					VALUES ('bench', ?, 'create', '', 'new', '2023-07-11', ?, 'bench')`, i, tx.Now); err != nil {
					return err
				}
				return audit.Append(ctx, tx, audit.Entry{Action: "bench.create", Object: "bench", ObjectID: i})
			})
			if err != nil {
				failed.Add(1)
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	b.ReportMetric(float64(failed.Load()), "errors")
	if _, brk, err := audit.Verify(ctx, db.Read(), nil); brk != nil || err != nil {
		b.Fatalf("chain after the benchmark: %v %v", brk, err)
	}
}
