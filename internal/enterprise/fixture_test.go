package enterprise

import (
	"context"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// fixture is a migrated database with a small org tree and one cadre.
type fixture struct {
	db      *store.DB
	dsn     string
	svc     *Service
	ctx     context.Context
	sys     *access.Principal
	zone    org.Org
	streets []org.Org
	park    org.Org
	cadre   int64
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	dsn := storetest.DSN(tb)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	c, err := pii.NewCipher(make([]byte, 32))
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{db: db, dsn: dsn, svc: &Service{DB: db, Cipher: c}, sys: access.SystemPrincipal("test")}
	f.ctx = access.With(context.Background(), f.sys)
	err = db.Write(f.ctx, func(tx *store.Tx) error {
		var err error
		if f.zone, err = org.CreateTx(f.ctx, tx, org.Input{Name: "测试高新区", Kind: org.Zone, Code: "Z"}); err != nil {
			return err
		}
		for _, s := range []string{"罗家桥街道", "金湖街道"} {
			o, err := org.CreateTx(f.ctx, tx, org.Input{Name: s, Kind: org.Street, ParentID: f.zone.ID, Code: "S-" + s})
			if err != nil {
				return err
			}
			f.streets = append(f.streets, o)
		}
		f.park, err = org.CreateTx(f.ctx, tx, org.Input{Name: "智能制造产业园", Kind: org.Park, ParentID: f.zone.ID, Code: "P1"})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	users, err := auth.NewService(f.ctx, db, c)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := users.Create(f.ctx, auth.NewUser{Username: "cadre1", Name: "陈包保", OrgID: f.streets[0].ID, Roles: []access.Role{access.Cadre}, Password: "Xiaoer-test-2023"})
	if err != nil {
		tb.Fatal(err)
	}
	f.cadre = u.ID
	return f
}

// places are the fixture's streets and park, for the generator.
func (f *fixture) places() []Place {
	out := []Place{{f.park.ID, f.park.Name}}
	for _, s := range f.streets {
		out = append(out, Place{s.ID, s.Name})
	}
	return out
}

// generate writes n generated enterprises (with qualifications) and
// returns them with their ids.
func (f *fixture) generate(tb testing.TB, seed uint64, n int) ([]Generated, []int64) {
	tb.Helper()
	g := NewGen(seed, f.places(), 1, today(f.db))
	rows := make([]Generated, n)
	for i := range rows {
		rows[i].Input = g.Next()
		rows[i].Qualifications = g.Qualifications(&rows[i].Input)
	}
	var ids []int64
	for start := 0; start < n; start += 10_000 {
		part, err := f.svc.Generate(f.ctx, f.sys, "test", rows[start:min(start+10_000, n)])
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, part...)
	}
	return rows, ids
}

func today(db *store.DB) civil.Date { return civil.Of(db.Now()) }
