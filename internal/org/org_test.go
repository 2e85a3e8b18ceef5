package org_test

import (
	"context"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// TestCoversAll: the root of a one-root tree covers every org, a street
// does not, and a second root ends the first's claim.
func TestCoversAll(t *testing.T) {
	db := storetest.Open(t)
	ctx := access.With(context.Background(), access.SystemPrincipal("test"))
	create := func(in org.Input) org.Org {
		var o org.Org
		err := db.Write(ctx, func(tx *store.Tx) error {
			tx.MarkAudited()
			var err error
			o, err = org.CreateTx(ctx, tx, in)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	zone := create(org.Input{Name: "区", Kind: org.Zone})
	street := create(org.Input{Name: "街道", Kind: org.Street, ParentID: zone.ID})
	check := func(path string, want bool) {
		t.Helper()
		got, err := org.CoversAll(ctx, db.Read(), path)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("CoversAll(%s) = %v, want %v", path, got, want)
		}
	}
	check(zone.Path, true)
	check(street.Path, false)
	check("/", true)
	create(org.Input{Name: "另一区", Kind: org.Zone})
	check(zone.Path, false)
}
