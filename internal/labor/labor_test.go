package labor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/labor"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

type zone struct {
	db      *store.DB
	svc     *labor.Service
	ents    []int64 // ents[0], ents[1] in street A; ents[2] in street B
	office  *access.Principal
	officeB *access.Principal
	ent     *access.Principal // ents[0]'s user
	sys     *access.Principal
}

var today = civil.New(2023, 7, 15)

func newZone(t *testing.T) *zone {
	t.Helper()
	db := storetest.Open(t)
	db.SetClock(func() time.Time { return today.Time().Add(9 * time.Hour) })
	cipher, _ := pii.NewCipher(make([]byte, 32))
	z := &zone{db: db, svc: &labor.Service{DB: db}, sys: access.SystemPrincipal("test")}
	ctx := access.With(context.Background(), z.sys)
	reg := &enterprise.Service{DB: db, Cipher: cipher}
	err := db.Write(ctx, func(tx *store.Tx) error {
		zn, err := org.CreateTx(ctx, tx, org.Input{Name: "高新区", Kind: org.Zone})
		if err != nil {
			return err
		}
		a, _ := org.CreateTx(ctx, tx, org.Input{Name: "罗家桥街道", Kind: org.Street, ParentID: zn.ID})
		b, _ := org.CreateTx(ctx, tx, org.Input{Name: "金湖街道", Kind: org.Street, ParentID: zn.ID})
		for i, st := range []org.Org{a, a, b} {
			id, err := reg.CreateTx(ctx, tx, z.sys, enterprise.Input{USCC: enterprise.DemoUSCC(700 + i), Name: fmt.Sprintf("企业%d", i),
				OrgID: st.ID, IndustryCode: "3612"})
			if err != nil {
				return err
			}
			z.ents = append(z.ents, id)
		}
		z.office = &access.Principal{Username: "office", Roles: []access.Role{access.ServiceOffice}, OrgID: zn.ID, OrgPath: zn.Path}
		z.officeB = &access.Principal{Username: "officeb", Roles: []access.Role{access.ServiceOffice}, OrgID: b.ID, OrgPath: b.Path}
		z.ent = &access.Principal{Username: "ent", Roles: []access.Role{access.Enterprise}, OrgID: a.ID, OrgPath: a.Path, EnterpriseID: z.ents[0]}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func ctxOf(p *access.Principal) context.Context { return access.With(context.Background(), p) }

func (z *zone) demand(t *testing.T, p *access.Principal, e int64, head int, needBy civil.Date) labor.Demand {
	t.Helper()
	d, err := z.svc.CreateDemand(ctxOf(p), p, labor.DemandInput{EnterpriseID: e, Job: "焊工", Headcount: head, NeedBy: needBy,
		PostedOn: civil.New(2023, 3, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (z *zone) event(t *testing.T, ents ...int64) labor.Event {
	t.Helper()
	v, err := z.svc.CreateEvent(ctxOf(z.office), z.office, labor.EventInput{Name: "春风行动专场", Kind: labor.Onsite, Date: civil.New(2023, 3, 5),
		Enterprises: ents, Positions: 100, Attendees: 300, Hires: 80})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPlacementFillsTheDemandButNotBeyondItsHeadcount(t *testing.T) {
	z := newZone(t)
	d := z.demand(t, z.ent, 0, 10, civil.New(2023, 4, 1))
	v := z.event(t, z.ents[0])
	if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, labor.PlacementInput{EventID: v.ID, DemandID: d.ID, Date: civil.New(2023, 3, 6), Workers: 7}); err != nil {
		t.Fatal(err)
	}
	got, _ := z.svc.GetDemand(ctxOf(z.ent), z.ent, d.ID)
	if got.Filled != 7 || got.Unfilled != 3 || got.EnterpriseID != z.ents[0] {
		t.Fatalf("demand = %+v", got)
	}
	_, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, labor.PlacementInput{DemandID: d.ID, Date: civil.New(2023, 3, 7), Workers: 4})
	if !errs.Is(err, errs.Conflict) {
		t.Fatalf("overfilling placement: %v, want 409", err)
	}
	// The surplus goes to the event alone.
	if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, labor.PlacementInput{EnterpriseID: z.ents[0], EventID: v.ID, Date: civil.New(2023, 3, 7), Workers: 4}); err != nil {
		t.Fatal(err)
	}
	got, _ = z.svc.GetDemand(ctxOf(z.ent), z.ent, d.ID)
	if got.Filled != 7 {
		t.Fatalf("filled = %d after a placement without the demand", got.Filled)
	}
	// A placement for an enterprise that was not at the event is refused.
	if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, labor.PlacementInput{EnterpriseID: z.ents[1], EventID: v.ID, Date: civil.New(2023, 3, 7), Workers: 1}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("placement for a non-participant: %v, want 400", err)
	}
	// Deleting the first placement gives its workers back to the shortfall.
	list, _, workers, _ := z.svc.ListPlacements(ctxOf(z.office), z.office, labor.PlacementFilter{DemandID: d.ID})
	if len(list) != 1 || workers != 7 {
		t.Fatalf("placements of the demand = %+v", list)
	}
	if err := z.svc.DeletePlacement(ctxOf(z.office), z.office, list[0].ID); err != nil {
		t.Fatal(err)
	}
	got, _ = z.svc.GetDemand(ctxOf(z.ent), z.ent, d.ID)
	if got.Filled != 0 {
		t.Fatalf("filled = %d after deleting the placement", got.Filled)
	}
}

func TestAnEnterpriseSeesOnlyItsOwnDemands(t *testing.T) {
	z := newZone(t)
	z.demand(t, z.ent, 0, 5, civil.New(2023, 8, 1))
	other := z.demand(t, z.office, z.ents[1], 5, civil.New(2023, 8, 1))
	list, total, _ := z.svc.ListDemands(ctxOf(z.ent), z.ent, labor.DemandFilter{})
	if total != 1 || list[0].EnterpriseID != z.ents[0] {
		t.Fatalf("enterprise sees %+v", list)
	}
	if _, err := z.svc.GetDemand(ctxOf(z.ent), z.ent, other.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another's demand: %v, want 404", err)
	}
	if _, err := z.svc.UpdateDemand(ctxOf(z.ent), z.ent, other.ID, labor.DemandInput{Job: "x", Headcount: 1, NeedBy: civil.New(2023, 9, 1)}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("changing another's demand: %v, want 404", err)
	}
	if _, err := z.svc.CreateDemand(ctxOf(z.ent), z.ent, labor.DemandInput{EnterpriseID: z.ents[1], Job: "x", Headcount: 1, NeedBy: civil.New(2023, 9, 1)}); !errs.Is(err, errs.NotFound) {
		t.Fatalf("posting for another: %v, want 404", err)
	}
	if _, total, _ := z.svc.ListDemands(ctxOf(z.officeB), z.officeB, labor.DemandFilter{}); total != 0 {
		t.Fatalf("street B's office sees %d of street A's demands", total)
	}
	if _, err := z.svc.CreatePlacement(ctxOf(z.officeB), z.officeB, labor.PlacementInput{DemandID: other.ID, Date: civil.New(2023, 7, 1), Workers: 1}); !errs.Is(err, errs.Invalid) {
		t.Fatalf("street B's office filling street A's demand: %v", err)
	}
}

func TestShortageListIsSortedByUrgency(t *testing.T) {
	z := newZone(t)
	later := z.demand(t, z.office, z.ents[0], 10, civil.New(2023, 9, 1))
	soonHalf := z.demand(t, z.office, z.ents[1], 10, civil.New(2023, 7, 20))
	soonAll := z.demand(t, z.office, z.ents[2], 10, civil.New(2023, 7, 20))
	late := z.demand(t, z.office, z.ents[0], 4, civil.New(2023, 7, 1))
	full := z.demand(t, z.office, z.ents[1], 2, civil.New(2023, 6, 1))
	v := z.event(t, z.ents...)
	for _, p := range []labor.PlacementInput{{DemandID: soonHalf.ID, EventID: v.ID, Workers: 5}, {DemandID: full.ID, EventID: v.ID, Workers: 2}} {
		p.Date = civil.New(2023, 3, 10)
		if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, p); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	f := labor.DemandFilter{Shortage: true, Limit: 2}
	for {
		page, total, err := z.svc.ListDemands(ctxOf(z.office), z.office, f)
		if err != nil || total != 4 {
			t.Fatalf("total %d, %v", total, err)
		}
		for _, d := range page {
			ids = append(ids, d.ID)
		}
		if len(page) < f.Limit {
			break
		}
		last := page[len(page)-1]
		f.After.NeedBy, f.After.BP, f.After.ID = last.NeedBy, int64(last.Unfilled)*10000/int64(last.Headcount), last.ID
	}
	want := []int64{late.ID, soonAll.ID, soonHalf.ID, later.ID}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("order %v, want %v (overdue, then soon with more unfilled, then later)", ids, want)
	}
	d, _ := z.svc.GetDemand(ctxOf(z.office), z.office, late.ID)
	if d.Urgency != labor.Overdue {
		t.Fatalf("urgency of an overdue demand = %q", d.Urgency)
	}
}

func TestEventsKeepParticipantsWhoReceivedWorkers(t *testing.T) {
	z := newZone(t)
	v := z.event(t, z.ents[0], z.ents[1])
	if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, labor.PlacementInput{EnterpriseID: z.ents[0], EventID: v.ID, Date: civil.New(2023, 3, 8), Workers: 3}); err != nil {
		t.Fatal(err)
	}
	in := labor.EventInput{Name: v.Name, Kind: v.Kind, Date: v.Date, Enterprises: labor.IDs{z.ents[1]}, Positions: 1}
	if _, err := z.svc.UpdateEvent(ctxOf(z.office), z.office, v.ID, in); !errs.Is(err, errs.Conflict) {
		t.Fatalf("dropping a participant with placements: %v, want 409", err)
	}
	in.Enterprises, in.Date = labor.IDs{z.ents[0]}, civil.New(2023, 3, 9)
	if _, err := z.svc.UpdateEvent(ctxOf(z.office), z.office, v.ID, in); !errs.Is(err, errs.Invalid) {
		t.Fatalf("moving the event after its placement: %v, want 400", err)
	}
	in.Date = civil.New(2023, 3, 4)
	got, err := z.svc.UpdateEvent(ctxOf(z.office), z.office, v.ID, in)
	if err != nil || len(got.Participants) != 1 || got.Placed != 3 {
		t.Fatalf("update = %+v, %v", got, err)
	}
}

func TestRebuildEqualsRunningTotalsAndSummary(t *testing.T) {
	z := newZone(t)
	ctx := context.Background()
	d := z.demand(t, z.office, z.ents[0], 50, civil.New(2023, 5, 1))
	v := z.event(t, z.ents...)
	v2, _ := z.svc.CreateEvent(ctxOf(z.office), z.office, labor.EventInput{Name: "校园招聘", Kind: labor.Campus, Date: civil.New(2023, 6, 30),
		Enterprises: labor.IDs{z.ents[2]}, Positions: 10, Attendees: 40, Hires: 6})
	for _, p := range []labor.PlacementInput{
		{DemandID: d.ID, EventID: v.ID, Date: civil.New(2023, 3, 5), Workers: 20},
		{EnterpriseID: z.ents[1], EventID: v.ID, Date: civil.New(2023, 3, 31), Workers: 11},
		{EnterpriseID: z.ents[2], EventID: v2.ID, Date: civil.New(2023, 7, 1), Workers: 6},
	} {
		if _, err := z.svc.CreatePlacement(ctxOf(z.office), z.office, p); err != nil {
			t.Fatal(err)
		}
	}
	// An edit moves the first event to another day and kind.
	if _, err := z.svc.UpdateEvent(ctxOf(z.office), z.office, v.ID, labor.EventInput{Name: v.Name, Kind: labor.Stationed, Date: civil.New(2023, 3, 2),
		Enterprises: v.Enterprises, Positions: 120, Attendees: 200, Hires: 90}); err != nil {
		t.Fatal(err)
	}
	running, _ := rollup.Snapshot(ctx, z.db.Read(), "labor.")
	err := z.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if err := rollup.Clear(ctx, tx, "labor."); err != nil {
			return err
		}
		return labor.Rebuild(ctx, tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, _ := rollup.Snapshot(ctx, z.db.Read(), "labor.")
	if len(running) == 0 || fmt.Sprint(running) != fmt.Sprint(rebuilt) {
		t.Fatalf("running %v\nrebuilt %v", running, rebuilt)
	}
	into := map[string]any{}
	if err := labor.Summary(ctx, z.db.Read(), z.sys, civil.New(2023, 1, 1), civil.New(2023, 6, 30), into); err != nil {
		t.Fatal(err)
	}
	m := into["labor"].(map[string]any)
	if m["events"] != int64(2) || m["placements"] != int64(31) || m["positions"] != int64(130) || m["hires"] != int64(96) ||
		m["events_by_kind"].(map[string]int64)["stationed"] != 1 || m["subsidy_paid_fen"] != int64(0) {
		t.Fatalf("H1 summary = %v", m)
	}
	// Street B's leader sees street B's placements only (the events are the
	// zone's).
	leaderB := &access.Principal{Roles: []access.Role{access.Leader}, OrgPath: z.officeB.OrgPath}
	if err := labor.Summary(ctx, z.db.Read(), leaderB, civil.New(2023, 1, 1), civil.New(2023, 7, 31), into); err != nil {
		t.Fatal(err)
	}
	if m := into["labor"].(map[string]any); m["placements"] != int64(6) || m["events"] != int64(0) {
		t.Fatalf("street B summary = %v", m)
	}
}
