package project_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/project"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// world is a small zone on a real database: two streets, a department, two
// enterprises, and one principal per kind of user the module knows.
type world struct {
	t   *testing.T
	ctx context.Context
	db  *store.DB
	svc *project.Service

	mu  sync.Mutex
	now time.Time

	zone, street1, street2, street3, dept org.Org
	entA, entB                            int64

	office       *access.Principal // project office at the zone
	streetOffice *access.Principal // project office of street 2 only
	cadreA       *access.Principal // responsible cadre
	cadreB       *access.Principal // another cadre, assigned to nothing
	commissioner *access.Principal
	entUser      *access.Principal // a user of enterprise A
	leader       *access.Principal
	admin        *access.Principal
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, db: storetest.Open(t), now: time.Date(2023, 7, 11, 10, 0, 0, 0, civil.Zone)}
	w.db.SetClock(func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now })
	w.svc = &project.Service{DB: w.db}
	sys := access.SystemPrincipal("test")
	w.ctx = access.With(context.Background(), sys)
	cipher, err := pii.NewCipher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	users, err := auth.NewService(w.ctx, w.db, cipher)
	if err != nil {
		t.Fatal(err)
	}
	ents := &enterprise.Service{DB: w.db, Cipher: cipher}
	err = w.db.Write(w.ctx, func(tx *store.Tx) error {
		var err error
		mk := func(in org.Input) org.Org {
			if err != nil {
				return org.Org{}
			}
			var o org.Org
			o, err = org.CreateTx(w.ctx, tx, in)
			return o
		}
		w.zone = mk(org.Input{Name: "测试园区", Kind: org.Zone})
		w.street1 = mk(org.Input{Name: "一街道", Kind: org.Street, ParentID: w.zone.ID})
		w.street2 = mk(org.Input{Name: "二街道", Kind: org.Street, ParentID: w.zone.ID})
		w.street3 = mk(org.Input{Name: "三社区", Kind: org.Community, ParentID: w.street2.ID})
		w.dept = mk(org.Input{Name: "经济发展局", Kind: org.Department, ParentID: w.zone.ID})
		if err != nil {
			return err
		}
		if w.entA, err = ents.CreateTx(w.ctx, tx, sys, enterprise.Input{USCC: enterprise.DemoUSCC(1), Name: "甲科技有限公司", ShortName: "甲科技",
			OrgID: w.street1.ID, IndustryCode: "3841"}); err != nil {
			return err
		}
		if w.entB, err = ents.CreateTx(w.ctx, tx, sys, enterprise.Input{USCC: enterprise.DemoUSCC(2), Name: "乙材料有限公司", ShortName: "乙材料",
			OrgID: w.street2.ID, IndustryCode: "2929"}); err != nil {
			return err
		}
		user := func(username, name string, role access.Role, o org.Org, ent int64) *access.Principal {
			if err != nil {
				return nil
			}
			var u auth.User
			u, err = users.CreateTx(w.ctx, tx, auth.NewUser{Username: username, Name: name, OrgID: o.ID, Roles: []access.Role{role},
				EnterpriseID: ent, Password: "demo", Demo: true})
			return &access.Principal{UserID: u.ID, Username: username, Name: name, Roles: []access.Role{role}, OrgID: o.ID, OrgPath: o.Path, EnterpriseID: ent}
		}
		w.office = user("office1", "项目办", access.ProjectOffice, w.zone, 0)
		w.streetOffice = user("office2", "二街道项目办", access.ProjectOffice, w.street2, 0)
		w.cadreA = user("cadrea", "包保甲", access.Cadre, w.street1, 0)
		w.cadreB = user("cadreb", "包保乙", access.Cadre, w.street1, 0)
		w.commissioner = user("comm1", "专员一", access.Cadre, w.zone, 0)
		w.entUser = user("enta", "甲企业", access.Enterprise, w.street1, w.entA)
		w.leader = user("leader1", "领导", access.Leader, w.zone, 0)
		w.admin = user("admin1", "管理员", access.Sysadmin, w.zone, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// setToday moves the database clock to a day (at 10:00 in the zone).
func (w *world) setToday(d string) {
	day := civil.MustParse(d)
	w.mu.Lock()
	w.now = time.Date(day.Year, day.Month, day.Day, 10, 0, 0, 0, civil.Zone)
	w.mu.Unlock()
}

// input is a valid project of enterprise A signed on 2023-01-02, assigned
// to cadre A and the commissioner, with total investment in 万元.
func (w *world) input(name string, wan int64) project.Input {
	return project.Input{Name: name, EnterpriseID: w.entA, TotalInvestmentFen: wan * 1_000_000, Key: true,
		LeaderUserID: w.cadreA.UserID, CommissionerUserID: w.commissioner.UserID, LeadDepartmentID: w.dept.ID,
		Actual: map[string]string{"signed": "2023-01-02"}}
}

func (w *world) create(p *access.Principal, in project.Input) project.Project {
	w.t.Helper()
	pr, err := w.svc.Create(w.ctx, p, in)
	if err != nil {
		w.t.Fatalf("create %s: %v", in.Name, err)
	}
	return pr
}

func body(date string, extra ...any) []byte {
	m := map[string]any{"date": date}
	for i := 0; i+1 < len(extra); i += 2 {
		m[fmt.Sprint(extra[i])] = extra[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}

// act takes an action and fails the test on error.
func (w *world) act(p *access.Principal, id int64, action, date string, extra ...any) project.Project {
	w.t.Helper()
	pr, err := w.svc.Act(w.ctx, p, id, action, body(date, extra...))
	if err != nil {
		w.t.Fatalf("%s on %s: %v", action, date, err)
	}
	return pr
}

// wantErr checks the code and field of an error.
func wantErr(t *testing.T, err error, code errs.Code, field string) *errs.Error {
	t.Helper()
	e := errs.As(err)
	if err == nil || e.Code != code || e.Field != field {
		t.Fatalf("err = %v (code %s, field %q), want %s on %q", err, e.Code, e.Field, code, field)
	}
	if e.Msg.In(i18n.ZH) == "" || e.Msg.In(i18n.EN) == "" || e.Msg.In(i18n.ZH) == e.Msg.In(i18n.EN) {
		t.Fatalf("message not in both languages: %+v", e.Msg)
	}
	return e
}
