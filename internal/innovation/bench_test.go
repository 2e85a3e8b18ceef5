package innovation_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/innovation"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// BenchmarkQualified measures the summary's count of enterprises holding a
// valid qualification over a registry of N enterprises (XIAOER_BENCH_N,
// default 100 000) with a long history of certificates: a fifth of the
// enterprises have held 高企 status three times before (all expired by
// 2023), half of those hold a current one, and a third have entered the
// 科技型中小企业 database every year from 2019 to 2023 — 2.4 rows per
// enterprise. It runs the count zone-wide and for one of two streets, with
// the migration's (kind, valid_to, valid_from, enterprise_id) index and
// with only the (kind, valid_from, valid_to) index of the registry.
func BenchmarkQualified(b *testing.B) {
	n := 100_000
	if s := os.Getenv("XIAOER_BENCH_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	db := storetest.Open(b)
	ctx := access.With(context.Background(), access.SystemPrincipal("bench"))
	var street1 org.Org
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		zone, err := org.CreateTx(ctx, tx, org.Input{Name: "区", Kind: org.Zone})
		if err != nil {
			return err
		}
		if street1, err = org.CreateTx(ctx, tx, org.Input{Name: "甲街道", Kind: org.Street, ParentID: zone.ID}); err != nil {
			return err
		}
		street2, err := org.CreateTx(ctx, tx, org.Input{Name: "乙街道", Kind: org.Street, ParentID: zone.ID})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
			INSERT INTO enterprises (uscc, name, org_id, created_at, updated_at)
			SELECT 'U' || i, 'E' || i, CASE WHEN i % 2 = 0 THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END, ?, ? FROM s`,
			n, street1.ID, street2.ID, tx.Now, tx.Now); err != nil {
			return err
		}
		for _, q := range []struct {
			kind, from, to, where string
		}{
			{"high_tech", "2014-01-01", "2016-12-31", "id % 5 = 0"},
			{"high_tech", "2017-01-01", "2019-12-31", "id % 5 = 0"},
			{"high_tech", "2020-01-01", "2022-12-31", "id % 5 = 0"},
			{"high_tech", "2023-01-01", "2025-12-31", "id % 10 = 0"},
			{"tech_sme", "2019-03-01", "2019-12-31", "id % 3 = 0"},
			{"tech_sme", "2020-03-01", "2020-12-31", "id % 3 = 0"},
			{"tech_sme", "2021-03-01", "2021-12-31", "id % 3 = 0"},
			{"tech_sme", "2022-03-01", "2022-12-31", "id % 3 = 0"},
			{"tech_sme", "2023-03-01", "2023-12-31", "id % 3 = 0"},
		} {
			if _, err := tx.Exec(ctx, `INSERT INTO qualifications (enterprise_id, kind, valid_from, valid_to, created_at)
				SELECT id, ?, ?, ?, ? FROM enterprises WHERE `+q.where, q.kind, q.from, q.to, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as a running database would have.
	if err := db.Write(ctx, func(tx *store.Tx) error { tx.MarkAudited(); _, err := tx.Exec(ctx, "ANALYZE"); return err }); err != nil {
		b.Fatal(err)
	}
	on := civil.MustParse("2023-06-30")
	run := func(b *testing.B, path, kind string, want int64) {
		for b.Loop() {
			got, err := innovation.Qualified(ctx, db.Read(), path, kind, on)
			if err != nil {
				b.Fatal(err)
			}
			if got != want {
				b.Fatalf("%s in %s: %d, want %d", kind, path, got, want)
			}
		}
	}
	// Current 高企: every tenth enterprise; 科小: every third.
	highTech, techSME := int64(n/10), int64(n/3)
	// Street 1 holds the even ids: all the tenth ones, half the third ones.
	streetTechSME := int64(n / 6)
	cases := func(b *testing.B) {
		b.Run("high_tech/zone", func(b *testing.B) { run(b, "/", "high_tech", highTech) })
		b.Run("tech_sme/zone", func(b *testing.B) { run(b, "/", "tech_sme", techSME) })
		b.Run("high_tech/street", func(b *testing.B) { run(b, street1.Path, "high_tech", highTech) })
		b.Run("tech_sme/street", func(b *testing.B) { run(b, street1.Path, "tech_sme", streetTechSME) })
	}
	b.Run("index=kind,valid_to,valid_from,enterprise_id", cases)
	if err := db.Write(ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		_, err := tx.Exec(ctx, "DROP INDEX inn_qualifications_valid")
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Run("index=kind,valid_from,valid_to", cases)
}
