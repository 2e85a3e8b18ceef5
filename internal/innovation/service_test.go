package innovation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/innovation"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
	"xiaoer/internal/store/storetest"
)

// world is a small zone: two streets, a university, a department, three
// enterprises (1 and 2 in street 1, 3 in street 2; the cadre has 1) and
// principals for every role that matters here.
type world struct {
	t                                        *testing.T
	db                                       *store.DB
	svc                                      *innovation.Service
	ctx                                      context.Context
	zone, street1, street2, uni1, uni2, dept org.Org
	ent1, ent2, ent3                         int64

	sys, office, office2, leader, leader1, cadre, ent, admin *access.Principal
}

func d(s string) civil.Date { return civil.MustParse(s) }

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, db: storetest.Open(t)}
	w.sys = access.SystemPrincipal("test")
	w.ctx = access.With(context.Background(), w.sys)
	cipher, err := pii.NewCipher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	ents := &enterprise.Service{DB: w.db, Cipher: cipher}
	w.svc = &innovation.Service{DB: w.db, Enterprises: ents}
	var cadreID int64
	err = w.db.Write(w.ctx, func(tx *store.Tx) error {
		mk := func(name string, kind org.Kind, parent int64) (org.Org, error) {
			return org.CreateTx(w.ctx, tx, org.Input{Name: name, Kind: kind, ParentID: parent})
		}
		var err error
		if w.zone, err = mk("区", org.Zone, 0); err != nil {
			return err
		}
		if w.street1, err = mk("甲街道", org.Street, w.zone.ID); err != nil {
			return err
		}
		if w.street2, err = mk("乙街道", org.Street, w.zone.ID); err != nil {
			return err
		}
		if w.uni1, err = mk("甲大学", org.University, w.zone.ID); err != nil {
			return err
		}
		if w.uni2, err = mk("乙大学", org.University, w.zone.ID); err != nil {
			return err
		}
		if w.dept, err = mk("科技局", org.Department, w.zone.ID); err != nil {
			return err
		}
		cadreID, err = tx.Insert(w.ctx, `INSERT INTO users (username, name, org_id, password_hash, created_at, updated_at)
			VALUES ('cadre', '包保', ?, 'x', ?, ?) RETURNING id`, w.street1.ID, tx.Now, tx.Now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(w.ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, 'cadre')", cadreID); err != nil {
			return err
		}
		for i, e := range []struct {
			street int64
			cadre  int64
			into   *int64
		}{{w.street1.ID, cadreID, &w.ent1}, {w.street1.ID, 0, &w.ent2}, {w.street2.ID, 0, &w.ent3}} {
			*e.into, err = ents.CreateTx(w.ctx, tx, w.sys, enterprise.Input{USCC: enterprise.DemoUSCC(500 + i), Name: fmt.Sprintf("企业%d", i+1),
				OrgID: e.street, IndustryCode: "3985", CadreUserID: e.cadre, RegisteredOn: d("2015-03-01")})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	role := func(name string, r access.Role, o org.Org) *access.Principal {
		p := &access.Principal{Username: name, Name: name, Roles: []access.Role{r}, OrgID: o.ID, OrgPath: o.Path}
		if r == access.Cadre {
			p.UserID = cadreID
			return p
		}
		w.must(w.db.Write(w.ctx, func(tx *store.Tx) error {
			tx.MarkAudited()
			var err error
			p.UserID, err = tx.Insert(w.ctx, `INSERT INTO users (username, name, org_id, password_hash, created_at, updated_at)
				VALUES (?, ?, ?, 'x', ?, ?) RETURNING id`, name, name, o.ID, tx.Now, tx.Now)
			return err
		}))
		return p
	}
	w.office = role("office", access.ServiceOffice, w.zone)
	w.office2 = role("office2", access.ServiceOffice, w.street2)
	w.leader = role("leader", access.Leader, w.zone)
	w.leader1 = role("leader1", access.Leader, w.street1)
	w.cadre = role("cadre", access.Cadre, w.street1)
	w.ent = role("ent", access.Enterprise, w.street1)
	w.ent.EnterpriseID = w.ent1
	w.admin = role("admin", access.Sysadmin, w.zone)
	return w
}

func (w *world) as(p *access.Principal) context.Context { return access.With(context.Background(), p) }

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// qualify stores a qualification as the registry would.
func (w *world) qualify(ent int64, kind, from, to string) {
	w.t.Helper()
	w.must(w.db.Write(w.ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		ok, err := enterprise.RecordQualification(w.ctx, tx, ent, enterprise.QualificationInput{Kind: enterprise.QualificationKind(kind),
			CertNo: "T", ValidFrom: civil.MustParse(from), ValidTo: civil.MustParse(to)})
		if err == nil && !ok {
			err = fmt.Errorf("%s %s..%s overlaps one held", kind, from, to)
		}
		return err
	}))
}

func code(err error) errs.Code { return errs.CodeOf(err) }

func field(err error) string { return errs.As(err).Field }

// ids of the records built by seed, by letter.
type seeded struct {
	p map[string]int64 // platforms
	t map[string]int64 // transfers
	x map[string]int64 // partnerships
}

// seed builds the records whose summary for the first half of 2023 the
// tests compute by hand.
func (w *world) seed() seeded {
	w.t.Helper()
	ctx, o := w.as(w.office), w.office
	s := seeded{p: map[string]int64{}, t: map[string]int64{}, x: map[string]int64{}}

	w.qualify(w.ent1, "high_tech", "2021-11-15", "2024-11-14") // valid on 30 June
	w.qualify(w.ent1, "high_tech", "2018-11-15", "2021-11-14") // the same firm's expired one
	w.qualify(w.ent2, "high_tech", "2020-06-01", "2023-05-31") // expired before 30 June
	w.qualify(w.ent3, "high_tech", "2023-07-01", "2026-06-30") // begins after 30 June
	w.qualify(w.ent3, "high_tech", "2020-07-01", "2023-06-30") // ends on 30 June: still valid
	w.qualify(w.ent2, "tech_sme", "2023-03-01", "2023-12-31")
	w.qualify(w.ent1, "tech_sme", "2022-01-01", "2022-12-31")

	for name, in := range map[string]innovation.PlatformInput{
		"P1": {Name: "国家孵化器", Kind: innovation.Incubator, Level: innovation.National, HostOrgID: w.zone.ID, RecognizedOn: d("2019-01-01")},
		"P2": {Name: "企业1省技术中心", Kind: innovation.EnterpriseTechCenter, Level: innovation.Provincial, HostEnterpriseID: w.ent1, RecognizedOn: d("2020-05-01")},
		"P3": {Name: "甲大学省重点实验室", Kind: innovation.KeyLab, Level: innovation.Provincial, HostOrgID: w.uni1.ID, RecognizedOn: d("2015-01-01"),
			Status: innovation.Revoked, RevokedOn: d("2022-12-31")},
		"P4": {Name: "企业3省工程中心", Kind: innovation.EngTechCenter, Level: innovation.Provincial, HostEnterpriseID: w.ent3, RecognizedOn: d("2018-01-01"),
			Status: innovation.Revoked, RevokedOn: d("2023-07-15")},
		"P5": {Name: "企业2市技术中心（下半年）", Kind: innovation.EnterpriseTechCenter, Level: innovation.Municipal, HostEnterpriseID: w.ent2, RecognizedOn: d("2023-07-01")},
		"P6": {Name: "企业2市工程中心", Kind: innovation.EngTechCenter, Level: innovation.Municipal, HostEnterpriseID: w.ent2, RecognizedOn: d("2023-06-30")},
		"P7": {Name: "离岸科创中心", Kind: innovation.OffshoreCenter, Level: innovation.District, HostOrgID: w.zone.ID, RecognizedOn: d("2021-11-18")},
	} {
		x, err := w.svc.CreatePlatform(ctx, o, in)
		w.must(err)
		s.p[name] = x.ID
	}

	event := func(date, kind string, orgID int64, people int) int64 {
		x, err := w.svc.CreateEvent(ctx, o, innovation.EventInput{Name: "活动" + date, Kind: innovation.EventKind(kind), Date: d(date), OrgID: orgID, Participants: people})
		w.must(err)
		return x.ID
	}
	event("2022-12-31", "contest", w.zone.ID, 10)
	event("2023-01-01", "training", w.zone.ID, 50)
	event("2023-03-15", "roadshow", w.street1.ID, 60)
	event("2023-06-30", "contest", w.zone.ID, 70)
	event("2023-07-01", "conference", w.zone.ID, 80)
	moved := event("2023-02-10", "training", w.zone.ID, 90)
	_, err := w.svc.UpdateEvent(ctx, o, moved, innovation.EventInput{Name: "改期的活动", Kind: innovation.Training, Date: d("2023-08-01"), Participants: 90})
	w.must(err)
	w.must(w.svc.DeleteEvent(ctx, o, event("2023-04-01", "roadshow", w.zone.ID, 100)))

	for name, in := range map[string]innovation.PartnershipInput{
		"X1": {UniversityOrgID: w.uni1.ID, EnterpriseID: w.ent1, Kind: innovation.JointDevelopment, SignedOn: d("2022-05-01")},
		"X2": {UniversityOrgID: w.uni1.ID, EnterpriseID: w.ent2, Kind: innovation.Commissioned, SignedOn: d("2021-01-01"), EndsOn: d("2022-12-31")},
		"X3": {UniversityOrgID: w.uni2.ID, EnterpriseID: w.ent2, Kind: innovation.JointPlatform, SignedOn: d("2023-06-30"), EndsOn: d("2024-06-30"), AmountFen: 30 * money.Wan},
		"X4": {UniversityOrgID: w.uni2.ID, EnterpriseID: w.ent3, Kind: innovation.TalentTraining, SignedOn: d("2023-07-01")},
		"X5": {UniversityOrgID: w.uni1.ID, EnterpriseID: w.ent3, Kind: innovation.LicenseTransfer, SignedOn: d("2020-01-01"), EndsOn: d("2023-01-01")},
		"X6": {UniversityOrgID: w.uni1.ID, EnterpriseID: w.ent1, Kind: innovation.Commissioned, SignedOn: d("2023-02-01"), AmountFen: 20 * money.Wan},
	} {
		x, err := w.svc.CreatePartnership(ctx, o, in)
		w.must(err)
		s.x[name] = x.ID
	}

	for _, in := range []innovation.GrantInput{
		{Name: "G1", Kind: innovation.RDProject, Program: "省重点研发计划", Level: innovation.Provincial, EnterpriseID: w.ent1, AmountFen: 100 * money.Wan, Year: 2023},
		{Name: "G2", Kind: innovation.RDProject, Program: "国家重点研发计划", Level: innovation.National, EnterpriseID: w.ent2, AmountFen: 200 * money.Wan, Year: 2023},
		{Name: "G3", Kind: innovation.SpecialSupport, Program: "光谷科创大走廊专项", Level: innovation.Provincial, EnterpriseID: w.ent3, AmountFen: 50 * money.Wan, Year: 2023},
		{Name: "G4", Kind: innovation.RDProject, Program: "市科技计划", Level: innovation.Municipal, EnterpriseID: w.ent1, AmountFen: 10 * money.Wan, Year: 2023},
		{Name: "G5", Kind: innovation.RDProject, Program: "省重点研发计划", Level: innovation.Provincial, EnterpriseID: w.ent1, AmountFen: 99 * money.Wan, Year: 2022},
	} {
		_, err := w.svc.CreateGrant(ctx, o, in)
		w.must(err)
	}

	transfer := func(name string, ent, uni int64, dates ...string) int64 {
		x, err := w.svc.CreateTransfer(ctx, o, innovation.TransferInput{Name: name, EnterpriseID: ent, UniversityOrgID: uni, ResearchOn: d(dates[0])})
		w.must(err)
		for _, on := range dates[1:] {
			_, err := w.svc.Act(ctx, o, x.ID, "advance", []byte(`{"date":"`+on+`"}`))
			w.must(err)
		}
		return x.ID
	}
	s.t["T1"] = transfer("T1", w.ent1, 0, "2022-03-01", "2022-10-01", "2023-02-01", "2023-05-01")
	s.t["T2"] = transfer("T2", w.ent2, w.uni1.ID, "2022-06-01", "2023-06-30", "2023-07-10")
	s.t["T3"] = transfer("T3", 0, w.uni2.ID, "2023-01-15")
	s.t["T4"] = transfer("T4", w.ent3, 0, "2023-07-20")
	s.t["T5"] = transfer("T5", w.ent1, 0, "2021-01-01")
	// T5 passes from enterprise 1 (street 1) to enterprise 3 (street 2).
	_, err = w.svc.UpdateTransfer(ctx, o, s.t["T5"], innovation.TransferInput{Name: "T5", EnterpriseID: w.ent3, ResearchOn: d("2021-01-01")})
	w.must(err)
	return s
}

func (w *world) summary(p *access.Principal, from, to string) map[string]any {
	w.t.Helper()
	into := map[string]any{}
	w.must(w.svc.Summary(w.ctx, w.db.Read(), p, d(from), d(to), into))
	// Through JSON, as the API serves it, so that the test compares numbers.
	b, err := json.Marshal(into["innovation"])
	w.must(err)
	var m map[string]any
	w.must(json.Unmarshal(b, &m))
	return m
}

func TestSummaryFirstHalf2023(t *testing.T) {
	w := newWorld(t)
	w.seed()
	got := w.summary(w.leader, "2023-01-01", "2023-06-30")
	want := map[string]any{
		// Enterprise 1 (2021–2024, its 2018–2021 certificate not counted
		// twice) and enterprise 3 (its certificate ends on 30 June itself);
		// enterprise 2's expired on 31 May, enterprise 3's next begins 1 July.
		"high_tech_enterprises": 2.0,
		// Enterprise 2 (March–December 2023); enterprise 1's ended in 2022.
		"tech_smes": 1.0,
		// National: P1. Provincial: P2, and P4 revoked only on 15 July; P3
		// was revoked in 2022. Municipal: P6 recognised on 30 June; P5 on 1
		// July is not yet. District: P7.
		"platforms":                      map[string]any{"national": 1.0, "provincial": 2.0, "municipal": 1.0, "district": 1.0},
		"platforms_provincial_or_higher": 3.0,
		"national_incubation_platforms":  1.0,
		// 1 January, 15 March, 30 June; not 31 December 2022, 1 July, the one
		// moved to August or the one deleted.
		"events":             3.0,
		"events_by_kind":     map[string]any{"contest": 1.0, "conference": 0.0, "roadshow": 1.0, "training": 1.0},
		"event_participants": 180.0, // 50 + 60 + 70
		// Active: X1 (open-ended), X3 (signed on 30 June), X5 (ended on 1
		// January), X6; not X2 (ended 2022) or X4 (signed 1 July).
		// Universities: 甲 (X1, X5, X6) and 乙 (X3); enterprises 1, 2, 3.
		"partnership_universities": 2.0,
		"partnership_enterprises":  3.0,
		"partnerships_active":      4.0,
		"partnerships_signed":      2.0,                     // X6 (1 Feb), X3 (30 June)
		"partnerships_signed_fen":  float64(50 * money.Wan), // 20万 + 30万
		"grants":                   map[string]any{"count": 4.0, "enterprises": 3.0, "amount_fen": float64(360 * money.Wan)},
		"rd_projects_provincial":   2.0, // G1 provincial, G2 national; G3 is support, G4 municipal, G5 of 2022
		// On 30 June: T1 at market; T2 reached incubation that day (pilot
		// only on 10 July); T3 and T5 in research; T4 began in July.
		"transfers": map[string]any{"research": 2.0, "incubation": 1.0, "pilot": 0.0, "market": 1.0},
		// In the half-year: T3 began; T2 reached incubation; T1 pilot (1 Feb)
		// and market (1 May).
		"transfers_entered": map[string]any{"research": 1.0, "incubation": 1.0, "pilot": 1.0, "market": 1.0},
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("summary has %d keys, want %d: %v", len(got), len(want), got)
	}
}

func TestSummaryWithinAStreet(t *testing.T) {
	w := newWorld(t)
	w.seed()
	got := w.summary(w.leader1, "2023-01-01", "2023-06-30")
	for k, v := range map[string]any{
		"high_tech_enterprises": 1.0, // enterprise 1; enterprise 3 is in street 2
		"tech_smes":             1.0, // enterprise 2
		// P2 (enterprise 1), P6 (enterprise 2); P1 and P7 belong to the zone.
		"platforms": map[string]any{"national": 0.0, "provincial": 1.0, "municipal": 1.0, "district": 0.0},
		"events":    1.0, // the roadshow organised by street 1
		// X1, X6 (enterprise 1) and X3 (enterprise 2).
		"partnership_universities": 2.0,
		"partnership_enterprises":  2.0,
		// T1 (enterprise 1) at market, T2 (enterprise 2) incubating; T5
		// moved to street 2 with enterprise 3; T3 belongs to a university.
		"transfers": map[string]any{"research": 0.0, "incubation": 1.0, "pilot": 0.0, "market": 1.0},
	} {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestSummaryOfOneDayAcrossTheTransition(t *testing.T) {
	w := newWorld(t)
	w.seed()
	// On 10 July T2 reached the pilot stage and P4 was still recognised.
	got := w.summary(w.leader, "2023-07-10", "2023-07-10")
	if v := got["transfers"].(map[string]any); v["pilot"] != 1.0 || v["incubation"] != 0.0 {
		t.Errorf("transfers on 10 July = %v", v)
	}
	if v := got["transfers_entered"].(map[string]any); v["pilot"] != 1.0 || v["market"] != 0.0 {
		t.Errorf("entered on 10 July = %v", v)
	}
	if v := got["platforms"].(map[string]any); v["provincial"] != 2.0 || v["municipal"] != 2.0 {
		t.Errorf("platforms on 10 July = %v", v) // P5 recognised on 1 July joins P6
	}
	// On 16 July P4's revocation counts.
	if v := w.summary(w.leader, "2023-07-16", "2023-07-16")["platforms"].(map[string]any); v["provincial"] != 1.0 {
		t.Errorf("platforms on 16 July = %v", v)
	}
}

func TestRebuildEqualsRunningTotals(t *testing.T) {
	w := newWorld(t)
	w.seed()
	running, err := rollup.Snapshot(w.ctx, w.db.Read(), innovation.Metrics...)
	w.must(err)
	if len(running) == 0 {
		t.Fatal("no rollups were kept")
	}
	w.must(w.db.Write(w.ctx, func(tx *store.Tx) error {
		tx.MarkAudited()
		if err := rollup.Clear(w.ctx, tx, innovation.Metrics...); err != nil {
			return err
		}
		return w.svc.Rebuild(w.ctx, tx)
	}))
	rebuilt, err := rollup.Snapshot(w.ctx, w.db.Read(), innovation.Metrics...)
	w.must(err)
	if !reflect.DeepEqual(running, rebuilt) {
		t.Fatalf("rebuild differs:\nrunning %v\nrebuilt %v", running, rebuilt)
	}
}

func TestTransferWorkflow(t *testing.T) {
	w := newWorld(t)
	s := w.seed()
	advance := func(p *access.Principal, id int64, body string) error {
		_, err := w.svc.Act(w.as(p), p, id, "advance", []byte(body))
		return err
	}
	for _, tc := range []struct {
		name  string
		p     *access.Principal
		id    int64
		body  string
		code  errs.Code
		field string
	}{
		{"market is the last stage", w.office, s.t["T1"], `{"date":"2023-07-01"}`, errs.Conflict, ""},
		{"a leader may not advance", w.leader, s.t["T3"], `{"date":"2023-07-01"}`, errs.Forbidden, ""},
		{"another street's office does not see it", w.office2, s.t["T3"], `{"date":"2023-07-01"}`, errs.NotFound, ""},
		{"date before the current stage's", w.office, s.t["T3"], `{"date":"2023-01-14"}`, errs.Invalid, "date"},
		{"date in the future", w.office, s.t["T3"], `{"date":"2999-01-01"}`, errs.Invalid, "date"},
		{"date missing", w.office, s.t["T3"], `{}`, errs.Invalid, "date"},
		{"unknown field", w.office, s.t["T3"], `{"date":"2023-07-01","stage":"market"}`, errs.Invalid, "stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := advance(tc.p, tc.id, tc.body)
			if code(err) != tc.code || field(err) != tc.field {
				t.Fatalf("err = %v (field %q), want %s %q", err, field(err), tc.code, tc.field)
			}
		})
	}
	if _, err := w.svc.Act(w.as(w.office), w.office, s.t["T3"], "jump", nil); code(err) != errs.NotFound {
		t.Fatalf("unknown action: %v", err)
	}
	// The same day as the current stage is allowed, and the history says so.
	w.must(advance(w.office, s.t["T3"], `{"date":"2023-01-15","note":"当天入孵"}`))
	evs, err := w.svc.TransferEvents(w.ctx, w.office, s.t["T3"])
	w.must(err)
	if len(evs) != 2 || evs[0].Action != "create" || evs[1].From != "research" || evs[1].To != "incubation" || evs[1].Note != "当天入孵" {
		t.Fatalf("history = %+v", evs)
	}
	x, err := w.svc.Transfer(w.ctx, w.office, s.t["T3"])
	w.must(err)
	if x.Stage != innovation.Incubation || x.IncubationOn != d("2023-01-15") {
		t.Fatalf("after advance: %+v", x)
	}
}

func TestFlowIsValid(t *testing.T) {
	if err := innovation.TransferFlow.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestScopes(t *testing.T) {
	w := newWorld(t)
	s := w.seed()
	names := func(p *access.Principal) (platforms, partnerships, transfers []string, events int) {
		w.must(w.svc.Platforms(w.ctx, p, innovation.PlatformFilter{}, func(x innovation.Platform) error {
			platforms = append([]string{x.Name}, platforms...)
			return nil
		}))
		w.must(w.svc.Partnerships(w.ctx, p, innovation.PartnershipFilter{}, func(x innovation.Partnership) error {
			for k, id := range s.x {
				if id == x.ID {
					partnerships = append([]string{k}, partnerships...)
				}
			}
			return nil
		}))
		w.must(w.svc.Transfers(w.ctx, p, innovation.TransferFilter{}, func(x innovation.Transfer) error {
			transfers = append([]string{x.Name}, transfers...)
			return nil
		}))
		n, err := w.svc.CountEvents(w.ctx, p, innovation.EventFilter{})
		w.must(err)
		return platforms, partnerships, transfers, n
	}
	for _, tc := range []struct {
		who                                string
		p                                  *access.Principal
		platforms, partnerships, transfers int
		events                             int
	}{
		{"zone leader", w.leader, 7, 6, 5, 6},
		// Street 1: P2, P5, P6; X1, X2, X3, X6; T1, T2.
		{"street leader", w.leader1, 3, 4, 2, 6},
		// Enterprise 1 only: P2; X1, X6; T1 (T5 went to enterprise 3). Events are public.
		{"enterprise", w.ent, 1, 2, 1, 6},
		// The cadre's enterprise 1: the same.
		{"cadre", w.cadre, 1, 2, 1, 6},
		{"administrator", w.admin, 0, 0, 0, 0},
	} {
		p, x, tr, ev := names(tc.p)
		if len(p) != tc.platforms || len(x) != tc.partnerships || len(tr) != tc.transfers || ev != tc.events {
			t.Errorf("%s sees platforms %v, partnerships %v, transfers %v, %d events", tc.who, p, x, tr, ev)
		}
	}
	// Out of scope is not found, for reads and writes alike.
	if _, err := w.svc.Platform(w.ctx, w.ent, s.p["P6"]); code(err) != errs.NotFound {
		t.Errorf("enterprise reads another's platform: %v", err)
	}
	in := innovation.PlatformInput{Name: "改名", Kind: innovation.EnterpriseTechCenter, Level: innovation.Provincial, HostEnterpriseID: w.ent1, RecognizedOn: d("2020-05-01")}
	if _, err := w.svc.UpdatePlatform(w.as(w.office2), w.office2, s.p["P2"], in); code(err) != errs.NotFound {
		t.Errorf("street 2 office changes street 1's platform: %v", err)
	}
	if err := w.svc.DeletePartnership(w.as(w.office2), w.office2, s.x["X1"]); code(err) != errs.NotFound {
		t.Errorf("street 2 office deletes street 1's partnership: %v", err)
	}
	if _, err := w.svc.CreatePartnership(w.as(w.office2), w.office2, innovation.PartnershipInput{UniversityOrgID: w.uni1.ID,
		EnterpriseID: w.ent1, Kind: innovation.Commissioned, SignedOn: d("2023-01-01")}); code(err) != errs.Invalid || field(err) != "enterprise_id" {
		t.Errorf("street 2 office records street 1's enterprise: %v", err)
	}
	if _, err := w.svc.CreatePlatform(w.as(w.ent), w.ent, in); code(err) != errs.Forbidden {
		t.Errorf("enterprise records a platform: %v", err)
	}
	if _, err := w.svc.CreateEvent(w.as(w.leader), w.leader, innovation.EventInput{Name: "x", Kind: innovation.Training, Date: d("2023-01-01")}); code(err) != errs.Forbidden {
		t.Errorf("leader records an event: %v", err)
	}
}

func TestInputsAreChecked(t *testing.T) {
	w := newWorld(t)
	ctx, o := w.as(w.office), w.office
	base := innovation.PlatformInput{Name: "平台", Kind: innovation.KeyLab, Level: innovation.Provincial, HostOrgID: w.uni1.ID, RecognizedOn: d("2020-01-01")}
	for _, tc := range []struct {
		name, field string
		edit        func(*innovation.PlatformInput)
	}{
		{"two hosts", "host_enterprise_id", func(in *innovation.PlatformInput) { in.HostEnterpriseID = w.ent1 }},
		{"no host", "host_enterprise_id", func(in *innovation.PlatformInput) { in.HostOrgID = 0 }},
		{"a department cannot host", "host_org_id", func(in *innovation.PlatformInput) { in.HostOrgID = w.dept.ID }},
		{"unknown enterprise", "host_enterprise_id", func(in *innovation.PlatformInput) { in.HostOrgID, in.HostEnterpriseID = 0, 999999 }},
		{"unknown kind", "kind", func(in *innovation.PlatformInput) { in.Kind = "lab" }},
		{"unknown level", "level", func(in *innovation.PlatformInput) { in.Level = "county" }},
		{"recognised in the future", "recognized_on", func(in *innovation.PlatformInput) { in.RecognizedOn = d("2999-01-01") }},
		{"revoked without a date", "revoked_on", func(in *innovation.PlatformInput) { in.Status = innovation.Revoked }},
		{"revoked before recognised", "revoked_on", func(in *innovation.PlatformInput) {
			in.Status, in.RevokedOn = innovation.Revoked, d("2019-01-01")
		}},
		{"active with a revocation date", "revoked_on", func(in *innovation.PlatformInput) { in.RevokedOn = d("2021-01-01") }},
	} {
		in := base
		tc.edit(&in)
		_, err := w.svc.CreatePlatform(ctx, o, in)
		if code(err) != errs.Invalid || field(err) != tc.field {
			t.Errorf("%s: %v (field %q), want invalid %s", tc.name, err, field(err), tc.field)
		}
		if e := errs.As(err); e.Msg.In(i18n.ZH) == e.Msg.In(i18n.EN) {
			t.Errorf("%s: message not in both languages: %v", tc.name, e.Msg)
		}
	}
	if _, err := w.svc.CreatePartnership(ctx, o, innovation.PartnershipInput{UniversityOrgID: w.street1.ID, EnterpriseID: w.ent1,
		Kind: innovation.Commissioned, SignedOn: d("2023-01-01")}); field(err) != "university_org_id" {
		t.Errorf("a street as university: %v", err)
	}
	if _, err := w.svc.CreatePartnership(ctx, o, innovation.PartnershipInput{UniversityOrgID: w.uni1.ID, EnterpriseID: w.ent1,
		Kind: innovation.Commissioned, SignedOn: d("2023-01-01"), EndsOn: d("2022-12-31")}); field(err) != "ends_on" {
		t.Errorf("ends before signed: %v", err)
	}
	if _, err := w.svc.CreateGrant(ctx, o, innovation.GrantInput{Name: "G", Kind: innovation.RDProject, Program: "P", Level: innovation.Provincial,
		EnterpriseID: w.ent1, Year: 2999}); field(err) != "year" {
		t.Errorf("grant of a future year: %v", err)
	}
	if _, err := w.svc.CreateTransfer(ctx, o, innovation.TransferInput{Name: "T", ResearchOn: d("2023-01-01")}); field(err) != "enterprise_id" {
		t.Errorf("transfer without enterprise or university: %v", err)
	}
	// A revoked platform hosts no new transfer, and one hosting transfers
	// cannot be deleted.
	p, err := w.svc.CreatePlatform(ctx, o, base)
	w.must(err)
	x, err := w.svc.CreateTransfer(ctx, o, innovation.TransferInput{Name: "T", UniversityOrgID: w.uni1.ID, HostPlatformID: p.ID, ResearchOn: d("2023-01-01")})
	w.must(err)
	if err := w.svc.DeletePlatform(ctx, o, p.ID); code(err) != errs.Conflict {
		t.Errorf("delete a platform hosting transfers: %v", err)
	}
	revoked := base
	revoked.Status, revoked.RevokedOn = innovation.Revoked, d("2023-02-01")
	_, err = w.svc.UpdatePlatform(ctx, o, p.ID, revoked)
	w.must(err)
	if _, err := w.svc.UpdateTransfer(ctx, o, x.ID, innovation.TransferInput{Name: "T", UniversityOrgID: w.uni1.ID, HostPlatformID: p.ID,
		ResearchOn: d("2023-01-01")}); field(err) != "host_platform_id" {
		t.Errorf("revoked host: %v", err)
	}
}

func TestSelfCheckReadsTheRegistryAndKeepsTheResult(t *testing.T) {
	w := newWorld(t)
	w.seed()
	figures := innovation.TechSMEFigures{AsOf: d("2023-06-30"), Staff: 100, TechStaff: 9, SalesFen: money.Yi, AssetsFen: money.Yi,
		CostFen: 8_000 * money.Wan, RDFen: 1_000 * money.Wan, IPClass1: 1, Save: true}
	// The enterprise user checks its own enterprise (1): its valid 高企
	// certificate and its provincial platform P2 come from the registry,
	// and the certificate confirms it directly despite no staff score.
	r, err := w.svc.CheckTechSME(w.as(w.ent), w.ent, figures, i18n.ZH)
	w.must(err)
	if !r.Eligible || r.Route != "high_tech" || r.EnterpriseID != w.ent1 || r.SavedID == 0 ||
		!reflect.DeepEqual(r.FromRegistry, []string{"high_tech_valid", "provincial_platform"}) {
		t.Fatalf("check = %+v", r)
	}
	saved, err := w.svc.SavedCheck(w.ctx, w.ent, r.SavedID)
	w.must(err)
	if saved.Kind != innovation.CheckTechSME || saved.Score == nil || *saved.Score != 80 || !saved.Eligible {
		t.Fatalf("saved = %+v", saved)
	}
	// Enterprise 2 holds neither: the same figures fail.
	figures.EnterpriseID, figures.Save = w.ent2, false
	r, err = w.svc.CheckTechSME(w.as(w.office), w.office, figures, i18n.EN)
	w.must(err)
	if r.Eligible || len(r.Missing) == 0 || r.Advisory == "" {
		t.Fatalf("enterprise 2: %+v", r)
	}
	// An enterprise user cannot check another enterprise; a leader may
	// check but not keep the result.
	if _, err := w.svc.CheckTechSME(w.as(w.ent), w.ent, figures, i18n.ZH); field(err) != "enterprise_id" {
		t.Errorf("enterprise checks another: %v", err)
	}
	figures.Save = true
	if _, err := w.svc.CheckTechSME(w.as(w.leader), w.leader, figures, i18n.ZH); code(err) != errs.Forbidden {
		t.Errorf("leader keeps a result: %v", err)
	}
	// The high-tech check takes the registration date from the registry.
	h, err := w.svc.CheckHighTech(w.as(w.cadre), w.cadre, innovation.HighTechFigures{EnterpriseID: w.ent1, AsOf: d("2023-06-30"),
		IPClass1: 1, Field: innovation.FieldMaterials, Staff: 50, TechStaff: 10, Sales3yFen: money.Yi, SalesLastYearFen: 4_000 * money.Wan,
		RD3yFen: 600 * money.Wan, RDDomesticPct: 100, HighTechIncomeFen: 3_000 * money.Wan, TotalIncomeFen: 4_000 * money.Wan,
		InnovationScore: 75, Save: true}, i18n.ZH)
	w.must(err)
	if !h.Eligible || h.SavedID == 0 || !reflect.DeepEqual(h.FromRegistry, []string{"registered_on"}) {
		t.Fatalf("high-tech check = %+v", h)
	}
	f, err := w.svc.Facts(w.ctx, w.ent, w.ent1, i18n.ZH)
	w.must(err)
	var rows []string
	for _, r := range f.Rows {
		rows = append(rows, r.Label+"="+r.Value)
	}
	want := []string{
		"研发平台=省级企业技术中心（企业1省技术中心）",
		"在执行的产学研合作=2 项：甲大学",
		"项目与专项支持=3 项，共 209万元",
		"成果转化=市场 1",
		"高新技术企业自测=高新技术企业 符合（2023-06-30）",
		"科技型中小企业自测=科技型中小企业 80分 符合（2023-06-30）",
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("facts:\n%v\nwant\n%v", rows, want)
	}
}
