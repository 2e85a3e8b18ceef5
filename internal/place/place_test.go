package place_test

import (
	"context"
	"math"
	"reflect"
	"strings"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/place"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

func TestDrawProjectsAndScales(t *testing.T) {
	// A (30.00 N, 115.00 E) and B (30.02 N, 115.02 E). Middle latitude
	// 30.01°: k = cos 30.01° = 0.865938. Spans: x 0.02·k = 0.0173188,
	// y 0.02. Pixels per degree s = min(720/0.0173188, 480/0.02) =
	// min(41574, 24000) = 24000; height 0.02·24000 + 80 = 560.
	// A: x = 400 − 0.01·k·24000 = 192.2, y = 280 + 0.01·24000 = 520;
	// B: x = 607.8, y = 40.
	m := place.Draw([]place.Place{{Name: "A", Lat: 30.00, Lng: 115.00}, {Name: "B", Lat: 30.02, Lng: 115.02}})
	if m.Width != 800 || m.Height != 560 {
		t.Fatalf("size %v×%v", m.Width, m.Height)
	}
	a, b := m.Points[0], m.Points[1]
	if a.X != 192.2 || a.Y != 520 || b.X != 607.8 || b.Y != 40 || a.N != 1 || b.N != 2 {
		t.Fatalf("A = (%v, %v) #%d, B = (%v, %v) #%d", a.X, a.Y, a.N, b.X, b.Y, b.N)
	}
	// 111320/24000 = 4.6383 m a pixel; a fifth of the width is 742 m, so
	// the bar is 500 m long: 500/4.6383 = 107.8 px.
	if m.Scale.Metres != 500 || m.Scale.Length != 107.8 || m.Scale.Label != "500 m" || m.Scale.EndX != m.Scale.X+107.8 {
		t.Fatalf("scale %+v", m.Scale)
	}
	// The bar measures true distances: A to B east–west is
	// 0.02·111320·k = 1927.9 m, and 415.6 px · 4.6383 m = 1927.7 m.
	east := (b.X - a.X) * 111320 / 24000
	if math.Abs(east-0.02*111320*math.Cos(30.01*math.Pi/180)) > 2 {
		t.Fatalf("east–west distance on the map %.1f m", east)
	}
}

func TestDrawOnePlaceAndAWideZone(t *testing.T) {
	// One place: spans widen to 0.005°; s = min(720, 480)/0.005 = 96000;
	// it sits in the middle. 111320/96000 = 1.1596 m/px, a fifth of the
	// width 185.5 m → a 100 m bar of 86.2 px.
	m := place.Draw([]place.Place{{Lat: 30.09, Lng: 114.97}})
	if p := m.Points[0]; p.X != 400 || p.Y != 280 || m.Height != 560 {
		t.Fatalf("single place at (%v, %v), height %v", p.X, p.Y, m.Height)
	}
	if m.Scale.Metres != 100 || m.Scale.Length != 86.2 {
		t.Fatalf("scale %+v", m.Scale)
	}
	// 0.1° east–west at 30° N: k = 0.866025, span 0.0866 (y 0.005). The
	// width decides: s = 720/0.0866025 = 8313.8, height 0.005·s + 80 = 121.6
	// → 122; the points sit on the margins, x = 40 and 760.
	m = place.Draw([]place.Place{{Lat: 30, Lng: 115.0}, {Lat: 30, Lng: 115.1}})
	if m.Height != 122 || m.Points[0].X != 40 || m.Points[1].X != 760 {
		t.Fatalf("wide zone: height %v, x %v and %v", m.Height, m.Points[0].X, m.Points[1].X)
	}
	// 111320/8313.8 = 13.39 m/px, a fifth 2142 m → 2 km.
	if m.Scale.Label != "2 km" {
		t.Fatalf("wide zone scale %+v", m.Scale)
	}
	if m := place.Draw(nil); len(m.Points) != 0 || m.Height == 0 {
		t.Fatalf("empty map %+v", m)
	}
}

type world struct {
	db                      *store.DB
	svc                     *place.Service
	zone, street1, street2  org.Org
	dept                    org.Org
	office, office2, leader *access.Principal
}

func newWorld(t *testing.T) *world {
	w := &world{db: storetest.Open(t)}
	w.svc = &place.Service{DB: w.db}
	ctx := access.With(context.Background(), access.SystemPrincipal("test"))
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if w.zone, err = org.CreateTx(ctx, tx, org.Input{Name: "区", Kind: org.Zone}); err != nil {
			return err
		}
		if w.street1, err = org.CreateTx(ctx, tx, org.Input{Name: "甲街道", Kind: org.Street, ParentID: w.zone.ID}); err != nil {
			return err
		}
		if w.street2, err = org.CreateTx(ctx, tx, org.Input{Name: "乙街道", Kind: org.Street, ParentID: w.zone.ID}); err != nil {
			return err
		}
		w.dept, err = org.CreateTx(ctx, tx, org.Input{Name: "科技局", Kind: org.Department, ParentID: w.zone.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.office = &access.Principal{Username: "office", Roles: []access.Role{access.ServiceOffice}, OrgID: w.zone.ID, OrgPath: w.zone.Path}
	w.office2 = &access.Principal{Username: "office2", Roles: []access.Role{access.ServiceOffice}, OrgID: w.street2.ID, OrgPath: w.street2.Path}
	w.leader = &access.Principal{Username: "leader", Roles: []access.Role{access.Leader}, OrgID: w.street1.ID, OrgPath: w.street1.Path}
	return w
}

func TestInputsAreChecked(t *testing.T) {
	w := newWorld(t)
	ctx := access.With(context.Background(), w.office)
	base := place.Input{Name: "邻里中心", Kind: place.Neighbourhood, Status: place.Open, Lat: 30.09, Lng: 114.97, OrgID: w.street1.ID,
		OpenedOn: civil.MustParse("2022-01-01")}
	for _, tc := range []struct {
		name, field, zh string
		edit            func(*place.Input)
	}{
		{"no name", "name", "名称", func(in *place.Input) { in.Name = " " }},
		{"unknown kind", "kind", "类型", func(in *place.Input) { in.Kind = "park" }},
		{"unknown status", "status", "状态", func(in *place.Input) { in.Status = "done" }},
		{"no coordinates", "lat", "坐标", func(in *place.Input) { in.Lat, in.Lng = 0, 0 }},
		{"swapped coordinates", "lat", "填反", func(in *place.Input) { in.Lat, in.Lng = 114.97, 30.09 }},
		{"outside China", "lng", "不在中国境内", func(in *place.Input) { in.Lng = -0.12 }},
		{"opened while planned", "opened_on", "已建成", func(in *place.Input) { in.Status = place.Planned }},
		{"opened in the future", "opened_on", "晚于今天", func(in *place.Input) { in.OpenedOn = civil.MustParse("2999-01-01") }},
		{"in a department", "org_id", "街道", func(in *place.Input) { in.OrgID = w.dept.ID }},
	} {
		in := base
		tc.edit(&in)
		_, err := w.svc.Create(ctx, w.office, in)
		e := errs.As(err)
		if e.Code != errs.Invalid || e.Field != tc.field || !strings.Contains(e.Msg.In(i18n.ZH), tc.zh) || e.Msg.In(i18n.EN) == e.Msg.In(i18n.ZH) {
			t.Errorf("%s: %v (field %q), want invalid %s with %q", tc.name, err, e.Field, tc.field, tc.zh)
		}
	}
	// The street 2 office places nothing in street 1, and changes nothing there.
	if _, err := w.svc.Create(access.With(context.Background(), w.office2), w.office2, base); errs.As(err).Field != "org_id" {
		t.Errorf("street 2 office in street 1: %v", err)
	}
	x, err := w.svc.Create(ctx, w.office, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Update(access.With(context.Background(), w.office2), w.office2, x.ID, base); !errs.Is(err, errs.NotFound) {
		t.Errorf("street 2 office changes street 1's place: %v", err)
	}
	if _, err := w.svc.Create(access.With(context.Background(), w.leader), w.leader, base); !errs.Is(err, errs.Forbidden) {
		t.Errorf("leader records a place: %v", err)
	}
	admin := &access.Principal{Username: "admin", Roles: []access.Role{access.Sysadmin}, OrgPath: w.zone.Path}
	if _, err := w.svc.Get(context.Background(), admin, x.ID); !errs.Is(err, errs.NotFound) {
		t.Errorf("administrator reads a place: %v", err)
	}
	if got, err := w.svc.Get(context.Background(), w.leader, x.ID); err != nil || got.Lat != 30.09 || got.OrgName != "甲街道" {
		t.Errorf("leader reads %+v, %v", got, err)
	}
}

func TestSummaryOnADay(t *testing.T) {
	w := newWorld(t)
	ctx := access.With(context.Background(), w.office)
	for _, in := range []place.Input{
		{Name: "居住组团一", Kind: place.Residential, Status: place.Open, OpenedOn: civil.MustParse("2020-01-01"), OrgID: w.street1.ID},
		{Name: "居住组团二", Kind: place.Residential, Status: place.Building, OrgID: w.street1.ID},
		{Name: "邻里中心", Kind: place.Neighbourhood, Status: place.Open, OpenedOn: civil.MustParse("2023-07-01"), OrgID: w.street1.ID},
		{Name: "学校", Kind: place.School, Status: place.Open, OrgID: w.street2.ID},
		{Name: "医院", Kind: place.Hospital, Status: place.Planned, OrgID: w.street2.ID},
	} {
		in.Lat, in.Lng = 30.09, 114.97
		if _, err := w.svc.Create(ctx, w.office, in); err != nil {
			t.Fatal(err)
		}
	}
	sum := func(p *access.Principal) map[string]any {
		into := map[string]any{}
		if err := w.svc.Summary(ctx, w.db.Read(), p, civil.MustParse("2023-01-01"), civil.MustParse("2023-06-30"), into); err != nil {
			t.Fatal(err)
		}
		return into["places"].(map[string]any)
	}
	got := sum(w.office)
	// On 30 June the neighbourhood centre (opened 1 July) was still being
	// built; the school is open with no date.
	if s := got["by_status"]; !reflect.DeepEqual(s, map[string]int64{"open": 2, "building": 2, "planned": 1}) {
		t.Errorf("by status %v", s)
	}
	if got["residential_cluster"] != int64(2) || got["neighbourhood_center"] != int64(1) || got["sports"] != int64(0) || got["facilities"] != int64(2) {
		t.Errorf("by kind %v", got)
	}
	if o := got["open_by_kind"]; !reflect.DeepEqual(o, map[string]int64{"residential_cluster": 1, "school": 1}) {
		t.Errorf("open by kind %v", o)
	}
	// A street leader counts the street's places only.
	if s := sum(w.leader)["by_status"]; !reflect.DeepEqual(s, map[string]int64{"open": 1, "building": 2, "planned": 0}) {
		t.Errorf("street 1 by status %v", s)
	}
}
