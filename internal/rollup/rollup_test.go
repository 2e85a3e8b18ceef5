package rollup_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/org"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// TestSumMatchesBruteForce records random events on three levels of a tree
// and checks that the sums for random periods (whole months, ragged ends,
// single days, across years) and scopes, in total and by dimension, equal
// the brute-force totals. The buffer is flushed every few rows, as a
// large rebuild's is, so partial flushes must add up too, and half the
// values go through a rebuild's staging.
func TestSumMatchesBruteForce(t *testing.T) {
	t.Cleanup(rollup.SetFlushAt(17))
	db := storetest.Open(t)
	ctx := access.With(context.Background(), access.SystemPrincipal("test"))
	var zone, street1, street2, community org.Org
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		var err error
		if zone, err = org.CreateTx(ctx, tx, org.Input{Name: "区", Kind: org.Zone}); err != nil {
			return err
		}
		if street1, err = org.CreateTx(ctx, tx, org.Input{Name: "甲街道", Kind: org.Street, ParentID: zone.ID}); err != nil {
			return err
		}
		if street2, err = org.CreateTx(ctx, tx, org.Input{Name: "乙街道", Kind: org.Street, ParentID: zone.ID}); err != nil {
			return err
		}
		community, err = org.CreateTx(ctx, tx, org.Input{Name: "一社区", Kind: org.Community, ParentID: street1.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		metric string
		day    civil.Date
		org    int64
		dim    string
		v      int64
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := civil.MustParse("2022-11-01")
	var evs []ev
	for range 600 {
		e := ev{
			metric: []string{"a", "b"}[rng.IntN(2)],
			day:    start.AddDays(rng.IntN(500)),
			org:    []int64{zone.ID, street1.ID, street2.ID, community.ID, 0}[rng.IntN(5)],
			dim:    []string{"", "x", "y"}[rng.IntN(3)],
			v:      int64(rng.IntN(10) - 2),
		}
		evs = append(evs, e)
	}
	// The second half is staged, as a rebuild's values are, and settled
	// onto the rows the first half wrote.
	err = db.Write(ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		for i, e := range evs {
			if i == len(evs)/2 {
				if err := rollup.Stage(ctx, tx); err != nil {
					return err
				}
			}
			if err := rollup.Add(ctx, tx, e.metric, e.day, e.org, e.dim, e.v); err != nil {
				return err
			}
		}
		return rollup.Settle(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		from := start.AddDays(rng.IntN(520) - 10)
		to := from.AddDays(rng.IntN(200))
		if i%5 == 0 { // whole months
			from = civil.New(from.Year, from.Month, 1)
			to = civil.New(to.Year, to.Month+1, 1).AddDays(-1)
		}
		// Everything, the zone, a street with a community, a community.
		scopes := []struct {
			path string
			orgs []int64
		}{
			{"/", []int64{zone.ID, street1.ID, street2.ID, community.ID, 0}},
			{zone.Path, []int64{zone.ID, street1.ID, street2.ID, community.ID}},
			{street1.Path, []int64{street1.ID, community.ID}},
			{community.Path, []int64{community.ID}},
		}
		scope := scopes[i%len(scopes)]
		sc := rollup.Scope{Path: scope.path}
		want := int64(0)
		byDim := map[string]int64{}
		for _, e := range evs {
			if e.metric == "a" && !e.day.Before(from) && !e.day.After(to) && slices.Contains(scope.orgs, e.org) {
				want += e.v
				if e.dim != "" { // rows without a dimension count only in totals
					byDim[e.dim] += e.v
				}
			}
		}
		got, err := rollup.Sum(ctx, db.Read(), sc, from, to, "a")
		if err != nil {
			t.Fatal(err)
		}
		if got["a"] != want {
			t.Fatalf("Sum(a, %s..%s, %s) = %d, want %d", from, to, sc.Path, got["a"], want)
		}
		dims, err := rollup.SumByDim(ctx, db.Read(), sc, from, to, "a")
		if err != nil {
			t.Fatal(err)
		}
		for d := range byDim {
			if dims[d] != byDim[d] {
				t.Fatalf("SumByDim(%s..%s, %s)[%q] = %d, want %d", from, to, sc.Path, d, dims[d], byDim[d])
			}
		}
		for d := range dims {
			if dims[d] != byDim[d] {
				t.Fatalf("SumByDim(%s..%s, %s)[%q] = %d, want %d", from, to, sc.Path, d, dims[d], byDim[d])
			}
		}
		if _, ok := dims[""]; ok {
			t.Fatalf("SumByDim lists the dimensionless total")
		}
	}
}

func TestRate(t *testing.T) {
	if rollup.Rate(1, 0) != nil {
		t.Fatal("rate with nothing to divide is not null")
	}
	if r := rollup.Rate(1, 4); r == nil || *r != 0.25 {
		t.Fatal("1/4")
	}
}

// TestMoveCarriesTotals moves a community, with what was counted in it, to
// another street: every node's totals and values by dimension then equal
// the sums over its subtree as the tree now stands, and later values go to
// the new ancestors.
func TestMoveCarriesTotals(t *testing.T) {
	db := storetest.Open(t)
	ctx := access.With(context.Background(), access.SystemPrincipal("test"))
	orgs := &org.Service{DB: db}
	var zone, street1, street2, community org.Org
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		var err error
		if zone, err = org.CreateTx(ctx, tx, org.Input{Name: "区", Kind: org.Zone}); err != nil {
			return err
		}
		if street1, err = org.CreateTx(ctx, tx, org.Input{Name: "甲街道", Kind: org.Street, ParentID: zone.ID}); err != nil {
			return err
		}
		if street2, err = org.CreateTx(ctx, tx, org.Input{Name: "乙街道", Kind: org.Street, ParentID: zone.ID}); err != nil {
			return err
		}
		community, err = org.CreateTx(ctx, tx, org.Input{Name: "丙社区", Kind: org.Community, ParentID: street1.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	type ev struct {
		metric string
		day    civil.Date
		org    int64
		v      int64
	}
	var evs []ev
	add := func(n int, seed uint64) {
		t.Helper()
		rng := rand.New(rand.NewPCG(seed, 7))
		err := db.Write(ctx, func(tx *store.Tx) error {
			tx.MarkAudited()
			for range n {
				e := ev{[]string{"a", "b"}[rng.IntN(2)], civil.MustParse("2023-01-01").AddDays(rng.IntN(90)),
					[]int64{street1.ID, street2.ID, community.ID}[rng.IntN(3)], int64(rng.IntN(9) + 1)}
				evs = append(evs, e)
				if err := rollup.Add(ctx, tx, e.metric, e.day, e.org, "x", e.v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(under map[int64][]int64) {
		t.Helper()
		from, to := civil.MustParse("2023-01-01"), civil.MustParse("2023-03-31")
		for _, node := range []org.Org{zone, street1, street2, community} {
			o, err := orgs.Get(ctx, node.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{}
			for _, e := range evs {
				if slices.Contains(under[node.ID], e.org) {
					want[e.metric] += e.v
				}
			}
			got, err := rollup.Sum(ctx, db.Read(), rollup.Scope{Path: o.Path}, from, to, "a", "b")
			if err != nil {
				t.Fatal(err)
			}
			if got["a"] != want["a"] || got["b"] != want["b"] {
				t.Errorf("%s (%s): %v, the records say %v", o.Name, o.Path, got, want)
			}
			dims, err := rollup.SumByDims(ctx, db.Read(), rollup.Scope{Path: o.Path}, from, to, "a", "b")
			if err != nil {
				t.Fatal(err)
			}
			if dims["a"]["x"] != want["a"] || dims["b"]["x"] != want["b"] {
				t.Errorf("%s (%s) by dimension: %v, the records say %v", o.Name, o.Path, dims, want)
			}
		}
	}
	add(300, 1)
	check(map[int64][]int64{zone.ID: {street1.ID, street2.ID, community.ID}, street1.ID: {street1.ID, community.ID},
		street2.ID: {street2.ID}, community.ID: {community.ID}})

	if _, err := orgs.Update(ctx, community.ID, org.Input{Name: community.Name, Kind: org.Community, ParentID: street2.ID}); err != nil {
		t.Fatal(err)
	}
	add(300, 2)
	check(map[int64][]int64{zone.ID: {street1.ID, street2.ID, community.ID}, street1.ID: {street1.ID},
		street2.ID: {street2.ID, community.ID}, community.ID: {community.ID}})
}
