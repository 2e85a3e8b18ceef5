package enterprise

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/org"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// pageAll pages through a search and returns the ids in page order.
func pageAll(t *testing.T, f *fixture, filter Filter) ([]int64, int) {
	t.Helper()
	var ids []int64
	filter.Limit = 37
	total := -1
	for range 1000 {
		pg, err := f.svc.List(f.ctx, f.sys, filter)
		if err != nil {
			t.Fatalf("list %+v: %v", filter, err)
		}
		if total < 0 {
			total = pg.Total
		}
		for _, e := range pg.Items {
			ids = append(ids, e.ID)
		}
		if pg.Next.ID == 0 {
			return ids, total
		}
		filter.After = pg.Next
	}
	t.Fatal("paging does not end")
	return nil, 0
}

func TestSearchFindsEveryMatchInKeyOrder(t *testing.T) {
	f := newFixture(t)
	rows, ids := f.generate(t, 3, 1500)
	type row struct {
		id         int64
		name, uscc string
		phone      string
	}
	all := make([]row, len(rows))
	for i, r := range rows {
		all[i] = row{ids[i], r.Name, r.USCC, r.ContactPhone}
	}
	for _, term := range []string{"湖北", "湖", "黄石市", all[7].name[:6], NameKey(all[11].name)[:3], "9142028", all[5].uscc[:12], all[9].phone, all[9].name} {
		kind, key := classify(term)
		var want []row
		for _, r := range all {
			var k string
			switch kind {
			case byNameKey:
				k = NameKey(r.name)
			case byName:
				k = normalizeName(r.name)
			case byUSCC:
				k = r.uscc
			case byPhone:
				k = r.phone
			}
			if strings.HasPrefix(k, key) && (kind != byPhone || k == key) {
				want = append(want, row{id: r.id, name: k})
			}
		}
		if kind == byPhone {
			slices.SortFunc(want, func(a, b row) int { return cmp.Compare(b.id, a.id) })
		} else {
			slices.SortFunc(want, func(a, b row) int { return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.id, b.id)) })
		}
		got, total := pageAll(t, f, Filter{Q: term})
		if total != len(want) || len(got) != len(want) {
			t.Errorf("%q: total %d, %d rows paged, want %d", term, total, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i] != want[i].id {
				t.Errorf("%q: row %d is %d, want %d", term, i, got[i], want[i].id)
				break
			}
		}
		if len(want) == 0 {
			t.Errorf("%q finds nothing: a poor test term", term)
		}
	}
	// Without a term the list is newest first, and filters narrow it.
	got, total := pageAll(t, f, Filter{OrgID: f.park.ID, Scale: Micro})
	n := 0
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].OrgID == f.park.ID && rows[i].Scale == Micro {
			if n >= len(got) || got[n] != ids[i] {
				t.Fatalf("park & micro: row %d is not %d", n, ids[i])
			}
			n++
		}
	}
	if n != len(got) || total != n {
		t.Fatalf("park & micro: %d rows, total %d, want %d", len(got), total, n)
	}
}

func TestCountStopsAtTheCap(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ten thousand enterprises")
	}
	f := newFixture(t)
	f.generate(t, 4, CountCap+5)
	pg, err := f.svc.List(f.ctx, f.sys, Filter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if pg.Total != CountCap || !pg.TotalCapped || len(pg.Items) != 10 {
		t.Fatalf("total %d capped %v, %d items", pg.Total, pg.TotalCapped, len(pg.Items))
	}
	pg, _ = f.svc.List(f.ctx, f.sys, Filter{OrgID: f.park.ID, Limit: 10})
	if pg.TotalCapped || pg.Total >= CountCap || pg.Total == 0 {
		t.Fatalf("a narrower list: total %d capped %v", pg.Total, pg.TotalCapped)
	}
}

func TestQualificationsCountOnlyWhileValid(t *testing.T) {
	f := newFixture(t)
	_, ids := f.generate(t, 5, 3)
	on := civil.New(2023, 6, 30)
	del := f.db.Read()
	q := func(kind QualificationKind, from, to string) QualificationInput {
		return QualificationInput{Kind: kind, CertNo: "X", ValidFrom: civil.MustParse(from), ValidTo: civil.MustParse(to)}
	}
	// Start from none: the generator may have given some.
	for _, id := range ids {
		qs, _ := f.svc.Qualifications(f.ctx, f.sys, id)
		for _, x := range qs {
			if err := f.svc.DeleteQualification(f.ctx, f.sys, id, x.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, add := range []struct {
		id int64
		in QualificationInput
	}{
		{ids[0], q(HighTech, "2020-12-01", "2023-11-30")},
		{ids[1], q(HighTech, "2020-06-30", "2023-06-29")}, // lapsed the day before
		{ids[1], q(HighTech, "2023-07-01", "2026-06-30")}, // renewed the day after
		{ids[2], q(HighTech, "2023-06-30", "2026-06-29")}, // valid from the day itself
		{ids[2], q(TechSME, "2023-03-01", "2023-12-31")},
	} {
		if _, err := f.svc.AddQualification(f.ctx, f.sys, add.id, add.in); err != nil {
			t.Fatalf("add %+v: %v", add.in, err)
		}
	}
	if n, err := CountHolding(f.ctx, del, "/", HighTech, on); err != nil || n != 2 {
		t.Fatalf("high-tech on %s: %d %v, want 2", on, n, err)
	}
	if n, _ := CountHolding(f.ctx, del, "/", HighTech, on.AddDays(1)); n != 3 {
		t.Fatalf("high-tech the day after: %d, want 3", n)
	}
	if n, _ := CountHolding(f.ctx, del, f.park.Path, HighTech, on); n > 2 {
		t.Fatalf("in the park: %d", n)
	}
	held, _ := HeldOn(f.ctx, del, ids[1], HighTech, on)
	kinds, _ := HeldKinds(f.ctx, del, ids[2], on)
	if held || len(kinds) != 2 || kinds[0] != HighTech || kinds[1] != TechSME {
		t.Fatalf("HeldOn = %v, HeldKinds = %v", held, kinds)
	}
	pg, _ := f.svc.List(f.ctx, f.sys, Filter{Qualification: "high_tech", QualifiedOn: on})
	if pg.Total != 2 {
		t.Fatalf("the list's qualification filter: %d", pg.Total)
	}
	_, err := f.svc.AddQualification(f.ctx, f.sys, ids[0], q(HighTech, "2023-11-01", "2026-10-31"))
	if e := errs.As(err); e.Code != errs.Conflict || e.Field != "valid_from" {
		t.Fatalf("an overlapping certificate: %v", err)
	}
	_, err = f.svc.AddQualification(f.ctx, f.sys, ids[0], q(TechSME, "2023-11-01", "2023-10-31"))
	if e := errs.As(err); e.Code != errs.Invalid || e.Field != "valid_to" {
		t.Fatalf("valid_to before valid_from: %v", err)
	}
}

func TestUpdateThatChangesNothingWritesNothing(t *testing.T) {
	f := newFixture(t)
	rows, ids := f.generate(t, 6, 1)
	before, _ := f.svc.Get(f.ctx, f.sys, ids[0])
	records := func() int {
		rs, err := audit.List(f.ctx, f.db.Read(), audit.Filter{Action: "enterprise.update"})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	in := rows[0].Input
	in.Name = "  " + in.Name + " " // normalised away
	after, err := f.svc.Update(f.ctx, f.sys, ids[0], in)
	if err != nil || !after.UpdatedAt.Equal(before.UpdatedAt) || records() != 0 {
		t.Fatalf("an update without change wrote: %v, updated_at %v → %v, %d records", err, before.UpdatedAt, after.UpdatedAt, records())
	}
	in.Employees++
	if _, err := f.svc.Update(f.ctx, f.sys, ids[0], in); err != nil || records() != 1 {
		t.Fatalf("a real update: %v, %d records", err, records())
	}
	// A masked phone keeps the number on record; another masked one is refused.
	cadre := &access.Principal{UserID: f.cadre, Username: "cadre1", Roles: []access.Role{access.Cadre}, OrgPath: f.streets[0].Path}
	if _, err := f.svc.Assign(f.ctx, f.sys, ids[0], f.cadre); err != nil {
		t.Fatal(err)
	}
	seen, _ := f.svc.Get(f.ctx, cadre, ids[0])
	if !strings.Contains(seen.ContactPhone, "*") {
		t.Fatalf("a cadre sees the phone %s", seen.ContactPhone)
	}
	in.ContactPhone, in.CadreUserID = seen.ContactPhone, f.cadre
	in.Address = "新地址"
	if got, err := f.svc.Update(f.ctx, cadre, ids[0], in); err != nil || got.Phone() != rows[0].ContactPhone {
		t.Fatalf("a masked phone did not keep the number: %v %s", err, got.Phone())
	}
	in.ContactPhone = "139****0000"
	if _, err := f.svc.Update(f.ctx, cadre, ids[0], in); errs.As(err).Field != "contact_phone" {
		t.Fatalf("a foreign masked phone: %v", err)
	}
	in.ContactPhone, in.OrgID = rows[0].ContactPhone, f.park.ID
	if _, err := f.svc.Update(f.ctx, cadre, ids[0], in); !errs.Is(err, errs.Forbidden) {
		t.Fatalf("a cadre moved an enterprise: %v", err)
	}
}

func TestVisitRules(t *testing.T) {
	f := newFixture(t)
	_, ids := f.generate(t, 8, 2)
	cadre := &access.Principal{UserID: f.cadre, Username: "cadre1", Roles: []access.Role{access.Cadre}, OrgPath: f.streets[0].Path}
	if _, err := f.svc.Assign(f.ctx, f.sys, ids[0], f.cadre); err != nil {
		t.Fatal(err)
	}
	day := today(f.db)
	v, err := f.svc.AddVisit(f.ctx, cadre, ids[0], VisitInput{Date: day, Notes: "走访", Flags: []Flag{Expanding, Expanding, LandNeed}})
	if err != nil || v.CadreUserID != f.cadre || len(v.Flags) != 2 || v.CadreName != "陈包保" {
		t.Fatalf("a cadre's visit: %+v %v", v, err)
	}
	for _, tc := range []struct {
		name string
		id   int64
		in   VisitInput
		code errs.Code
		fld  string
	}{
		{"tomorrow", ids[0], VisitInput{Date: day.AddDays(1), Notes: "x"}, errs.Invalid, "date"},
		{"unknown flag", ids[0], VisitInput{Date: day, Flags: []Flag{"bankrupt"}}, errs.Invalid, "flags"},
		{"nothing said", ids[0], VisitInput{Date: day}, errs.Invalid, "notes"},
		{"someone else's visit", ids[0], VisitInput{CadreUserID: f.cadre + 1000, Date: day, Notes: "x"}, errs.Forbidden, ""},
		{"not assigned", ids[1], VisitInput{Date: day, Notes: "x"}, errs.NotFound, ""},
	} {
		_, err := f.svc.AddVisit(f.ctx, cadre, tc.id, tc.in)
		if e := errs.As(err); e.Code != tc.code || e.Field != tc.fld {
			t.Errorf("%s: %v, want %s %q", tc.name, err, tc.code, tc.fld)
		}
	}
	vs, err := f.svc.Visits(f.ctx, cadre, ids[0])
	if err != nil || len(vs) != 1 {
		t.Fatalf("visits: %v %v", vs, err)
	}
}

// TestHoldingFollowsTheEnterprise moves an enterprise holding a certificate
// to another street: the count leaves the old street and joins the new one,
// and the rollup recomputed from the qualifications equals the running one
// after generation, additions, deletions and the move.
func TestHoldingFollowsTheEnterprise(t *testing.T) {
	f := newFixture(t)
	_, ids := f.generate(t, 6, 40)
	on := civil.New(2023, 6, 30)
	qs, _ := f.svc.Qualifications(f.ctx, f.sys, ids[1])
	for _, x := range qs {
		if err := f.svc.DeleteQualification(f.ctx, f.sys, ids[1], x.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.AddQualification(f.ctx, f.sys, ids[1], QualificationInput{Kind: HighTech, CertNo: "GR1",
		ValidFrom: civil.New(2022, 1, 1), ValidTo: civil.New(2024, 12, 31)}); err != nil {
		t.Fatal(err)
	}
	e, err := f.svc.Get(f.ctx, f.sys, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	from, to := f.streets[0], f.streets[1]
	if e.OrgID == to.ID {
		from, to = to, from
	}
	in := inputOf(&e)
	in.OrgID = from.ID
	if _, err := f.svc.Update(f.ctx, f.sys, ids[1], in); err != nil {
		t.Fatal(err)
	}
	count := func(o org.Org) int64 {
		t.Helper()
		n, err := CountHolding(f.ctx, f.db.Read(), o.Path, HighTech, on)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := [2]int64{count(from), count(to)}
	in.OrgID = to.ID
	if _, err := f.svc.Update(f.ctx, f.sys, ids[1], in); err != nil {
		t.Fatal(err)
	}
	if after := [2]int64{count(from), count(to)}; after != [2]int64{before[0] - 1, before[1] + 1} {
		t.Fatalf("high-tech in %s and %s: %v before the move, %v after", from.Name, to.Name, before, after)
	}
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		running, err := rollup.Snapshot(f.ctx, tx, MetricPrefix)
		if err != nil {
			return err
		}
		if err := rollup.Clear(f.ctx, tx, MetricPrefix); err != nil {
			return err
		}
		if err := Rebuild(f.ctx, tx); err != nil {
			return err
		}
		if err := rollup.Flush(f.ctx, tx); err != nil {
			return err
		}
		rebuilt, err := rollup.Snapshot(f.ctx, tx, MetricPrefix)
		if err != nil {
			return err
		}
		if len(running) == 0 || !maps.Equal(running, rebuilt) {
			t.Errorf("running rollup %d rows, rebuilt %d: they differ", len(running), len(rebuilt))
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("the comparison was not rolled back")
	}
}
