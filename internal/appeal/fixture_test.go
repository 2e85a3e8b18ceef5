package appeal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/appeal"
	"xiaoer/internal/auth"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// fixture is a small zone on a real database: one street with two
// enterprises, two departments, and one account per role that appeals
// concern. Its clock is set by the test.
type fixture struct {
	t   testing.TB
	ctx context.Context
	db  *store.DB
	svc *appeal.Service

	mu  sync.Mutex
	now time.Time

	street, d1, d2, d1sub int64
	e1, e2                int64

	office, leader, dept1, dept1sub, dept2, ent1, ent2, cadre, clerk, projects, admin *access.Principal
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), db: storetest.Open(t)}
	f.now = civil.MustParse("2023-03-01").Time().Add(10 * time.Hour)
	f.db.SetClock(func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now })
	cipher, err := pii.NewCipher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	users, err := auth.NewService(f.ctx, f.db, cipher)
	if err != nil {
		t.Fatal(err)
	}
	users.DemoMode = true
	ents := &enterprise.Service{DB: f.db, Cipher: cipher}
	ents.Terms = append(ents.Terms, appeal.EnterpriseTerm)
	f.svc = &appeal.Service{DB: f.db, Cal: calendar.New(), Enterprises: ents}
	sys := access.SystemPrincipal("test")
	ctx := access.With(f.ctx, sys)
	ids := map[string]int64{}
	err = f.db.Write(ctx, func(tx *store.Tx) error {
		zone, err := org.CreateTx(ctx, tx, org.Input{Name: "测试园区", Kind: org.Zone})
		if err != nil {
			return err
		}
		add := func(name string, kind org.Kind, parent int64) int64 {
			if err != nil {
				return 0
			}
			var o org.Org
			o, err = org.CreateTx(ctx, tx, org.Input{Name: name, Kind: kind, ParentID: parent})
			return o.ID
		}
		f.street = add("一号街道", org.Street, zone.ID)
		f.d1 = add("市场监督管理局", org.Department, zone.ID)
		f.d1sub = add("市场监督管理局登记科", org.Department, f.d1)
		f.d2 = add("自然资源和规划局", org.Department, zone.ID)
		other := add("二号街道", org.Street, zone.ID)
		if err != nil {
			return err
		}
		cadreUser, err := users.CreateTx(ctx, tx, auth.NewUser{Username: "cadre", Name: "包保干部", OrgID: f.street,
			Roles: []access.Role{access.Cadre}, Password: "demo", Demo: true})
		if err != nil {
			return err
		}
		for i, e := range []struct {
			name  string
			org   int64
			cadre int64
		}{{"甲公司", f.street, cadreUser.ID}, {"乙公司", other, 0}} {
			id, err := ents.CreateTx(ctx, tx, sys, enterprise.Input{USCC: enterprise.DemoUSCC(900 + i), Name: e.name, OrgID: e.org,
				IndustryCode: "3841", Address: e.name + "地址", CadreUserID: e.cadre})
			if err != nil {
				return err
			}
			if i == 0 {
				f.e1 = id
			} else {
				f.e2 = id
			}
		}
		ids["cadre"] = cadreUser.ID
		for _, u := range []auth.NewUser{
			{Username: "office", Name: "营商办", OrgID: zone.ID, Roles: []access.Role{access.ServiceOffice}},
			{Username: "leader", Name: "领导", OrgID: zone.ID, Roles: []access.Role{access.Leader}},
			{Username: "dept1", Name: "市监", OrgID: f.d1, Roles: []access.Role{access.Department}},
			{Username: "dept1sub", Name: "登记科", OrgID: f.d1sub, Roles: []access.Role{access.Department}},
			{Username: "dept2", Name: "自规", OrgID: f.d2, Roles: []access.Role{access.Department}},
			{Username: "ent1", Name: "甲企业", OrgID: f.street, Roles: []access.Role{access.Enterprise}, EnterpriseID: f.e1},
			{Username: "ent2", Name: "乙企业", OrgID: other, Roles: []access.Role{access.Enterprise}, EnterpriseID: f.e2},
			{Username: "clerk", Name: "窗口", OrgID: f.street, Roles: []access.Role{access.Clerk}, SiteID: 1},
			{Username: "projects", Name: "项目办", OrgID: zone.ID, Roles: []access.Role{access.ProjectOffice}},
			{Username: "admin", Name: "管理员", OrgID: zone.ID, Roles: []access.Role{access.Sysadmin}},
		} {
			u.Password, u.Demo = "demo", true
			nu, err := users.CreateTx(ctx, tx, u)
			if err != nil {
				return fmt.Errorf("%s: %w", u.Username, err)
			}
			ids[u.Username] = nu.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p := func(name string) *access.Principal {
		pr, err := users.PrincipalOf(f.ctx, ids[name])
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	f.office, f.leader, f.dept1, f.dept1sub, f.dept2 = p("office"), p("leader"), p("dept1"), p("dept1sub"), p("dept2")
	f.ent1, f.ent2, f.cadre, f.clerk, f.projects, f.admin = p("ent1"), p("ent2"), p("cadre"), p("clerk"), p("projects"), p("admin")
	return f
}

// at moves the clock to 10 o'clock on day.
func (f *fixture) at(day string) {
	f.mu.Lock()
	f.now = civil.MustParse(day).Time().Add(10 * time.Hour)
	f.mu.Unlock()
}

func (f *fixture) file(p *access.Principal, in appeal.Input) appeal.Appeal {
	f.t.Helper()
	a, err := f.svc.Create(access.With(f.ctx, p), p, in)
	if err != nil {
		f.t.Fatalf("file %+v as %s: %v", in, p.Username, err)
	}
	return a
}

// act takes an action that must succeed.
func (f *fixture) act(p *access.Principal, id int64, action string, body map[string]any) appeal.Appeal {
	f.t.Helper()
	a, err := f.try(p, id, action, body)
	if err != nil {
		f.t.Fatalf("%s %s on %d: %v", p.Username, action, id, err)
	}
	return a
}

func (f *fixture) try(p *access.Principal, id int64, action string, body map[string]any) (appeal.Appeal, error) {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	return f.svc.Act(access.With(f.ctx, p), p, id, action, b)
}

func (f *fixture) id(n int64) string { return fmt.Sprint(n) }
