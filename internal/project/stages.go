package project

import (
	"context"
	"encoding/json"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/store"
)

// Entity is the name of projects in flow events and the audit log.
const Entity = "project"

var (
	actors    = []access.Role{access.ProjectOffice, access.Cadre}
	dateField = flow.Field{Name: "date", Kind: flow.Date, Required: true, Label: i18n.T("日期", "Date")}
	open      = []string{string(Signed), string(Started), string(Registered), string(Producing)}
)

// Def is the key-project workflow of API.md. Resume returns a stalled
// project to the stage it was in; the engine cannot know which, so the
// action declares no target and the service sets it.
var Def = flow.Def{
	Entity:  Entity,
	Initial: string(Signed),
	States: []flow.State{
		{Name: string(Signed), Label: Signed.Label()},
		{Name: string(Started), Label: Started.Label()},
		{Name: string(Registered), Label: Registered.Label()},
		{Name: string(Producing), Label: Producing.Label()},
		{Name: string(Effective), Label: Effective.Label(), Terminal: true},
		{Name: string(Stalled), Label: Stalled.Label()},
		{Name: string(Terminated), Label: Terminated.Label(), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "start", Label: i18n.T("开工", "Start"), From: []string{string(Signed)}, To: string(Started), Roles: actors,
			Fields: []flow.Field{dateField}},
		{Name: "register", Label: i18n.T("入库", "Register"), From: []string{string(Started)}, To: string(Registered), Roles: actors,
			Fields: []flow.Field{dateField}},
		{Name: "produce", Label: i18n.T("投产", "Produce"), From: []string{string(Started), string(Registered)}, To: string(Producing), Roles: actors,
			Fields: []flow.Field{dateField}},
		{Name: "reach_effect", Label: i18n.T("达效", "Reach effect"), From: []string{string(Producing)}, To: string(Effective), Roles: actors,
			Fields: []flow.Field{dateField,
				{Name: "achieved_output_fen", Kind: flow.Money, Label: i18n.T("实际年产值", "Achieved annual output")},
				{Name: "achieved_tax_fen", Kind: flow.Money, Label: i18n.T("实际年税收", "Achieved annual tax")}}},
		{Name: "stall", Label: i18n.T("停滞", "Stall"), From: open, To: string(Stalled), Roles: actors,
			Fields: []flow.Field{dateField}},
		{Name: "resume", Label: i18n.T("恢复推进", "Resume"), From: []string{string(Stalled)}, Roles: actors,
			Fields: []flow.Field{dateField}},
		{Name: "terminate", Label: i18n.T("终止", "Terminate"), From: append(append([]string{}, open...), string(Stalled)), To: string(Terminated), Roles: actors,
			Fields: []flow.Field{dateField}},
	},
}

// actionOf is the action that reaches each milestone after signing.
var actionOf = map[Stage]string{Started: "start", Registered: "register", Producing: "produce", Effective: "reach_effect"}

// before is the milestone each later one needs first (入库 may be skipped).
var before = map[Stage]Stage{Started: Signed, Registered: Started, Producing: Started, Effective: Producing}

// all is the scope of the platform's own reads inside a write that has
// already checked the caller's scope.
func all() *access.Scope {
	sc := &access.Scope{}
	sc.All()
	return sc
}

// reachedBy is the milestone each forward action reaches ("create" reaches
// signed).
var reachedBy = map[string]Stage{"create": Signed, "start": Started, "register": Registered, "produce": Producing, "reach_effect": Effective}

func moneyText(fen int64) i18n.Text { return i18n.T(money.Format(fen), money.FormatEn(fen)) }

func hasRole(ctx context.Context, q store.Querier, userID int64, roles ...access.Role) (bool, error) {
	in, args := store.In(roles)
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.user_id = ? AND u.disabled = FALSE AND ur.role IN ("+in+")",
		append([]any{userID}, args...)...).Scan(&n)
	return n > 0, err
}

// checkRefs validates the references of in and fills the defaults that
// come from the enterprise.
func checkRefs(ctx context.Context, q store.Querier, in *Input) error {
	if in.EnterpriseID != 0 {
		var orgID int64
		var industry string
		err := q.QueryRow(ctx, "SELECT org_id, industry_code FROM enterprises WHERE id = ?", in.EnterpriseID).Scan(&orgID, &industry)
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("enterprise_id", "企业不存在", "No such enterprise")
		}
		if err != nil {
			return err
		}
		if in.OrgID == 0 {
			in.OrgID = orgID
		}
		if in.IndustryCode == "" {
			in.IndustryCode = industry
		}
	}
	if in.OrgID == 0 {
		return errs.Invalidf("org_id", "请选择项目所在的街道、社区或园区（或指定企业）", "org_id is required when the project has no enterprise")
	}
	var kind string
	err := q.QueryRow(ctx, "SELECT kind FROM orgs WHERE id = ?", in.OrgID).Scan(&kind)
	if errs.Is(err, errs.NotFound) {
		return errs.Invalidf("org_id", "所在组织不存在", "No such org")
	}
	if err != nil {
		return err
	}
	switch kind {
	case "zone", "street", "community", "park":
	default:
		return errs.Invalidf("org_id", "项目应位于园区、街道、社区或产业园区", "A project lies in a zone, street, community or park")
	}
	if in.LeadDepartmentID != 0 {
		err := q.QueryRow(ctx, "SELECT kind FROM orgs WHERE id = ?", in.LeadDepartmentID).Scan(&kind)
		if errs.Is(err, errs.NotFound) || (err == nil && kind != "department") {
			return errs.Invalidf("lead_department_id", "牵头单位须是职能部门", "The lead department must be an org of kind department")
		}
		if err != nil {
			return err
		}
	}
	if in.LeaderUserID != 0 {
		ok, err := hasRole(ctx, q, in.LeaderUserID, access.Cadre)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Invalidf("leader_user_id", "包保领导须是具有包保干部角色的用户", "The responsible cadre must be a user with the cadre role")
		}
	}
	if in.CommissionerUserID != 0 {
		ok, err := hasRole(ctx, q, in.CommissionerUserID, access.Cadre, access.ProjectOffice)
		if err != nil {
			return err
		}
		if !ok {
			return errs.Invalidf("commissioner_user_id", "项目专员须是具有包保干部或项目办角色的用户", "The commissioner must be a user with the cadre or project office role")
		}
	}
	return nil
}

func orgPath(ctx context.Context, q store.Querier, id int64) (string, error) {
	var path string
	err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", id).Scan(&path)
	return path, err
}

// summaryOf is the audit summary of an input (no personal data in it).
func summaryOf(in Input) map[string]any {
	return map[string]any{"name": in.Name, "enterprise_id": in.EnterpriseID, "org_id": in.OrgID, "industry_code": in.IndustryCode,
		"total_investment_fen": in.TotalInvestmentFen, "fixed_investment_fen": in.FixedInvestmentFen, "land_mu": in.LandMu.String(),
		"key": in.Key, "leader_user_id": in.LeaderUserID, "commissioner_user_id": in.CommissionerUserID,
		"lead_department_id": in.LeadDepartmentID, "planned": in.Planned, "agreement": in.Agreement}
}

// Create registers a signed project; see CreateTx.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Project, error) {
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p, id)
}

// CreateTx registers a project as signed on actual.signed (default today)
// and then takes, in order, the stage actions for every later actual date
// given: a project signed in 2024 and started in 2025 is entered today with
// both dates. Each back-entered stage passes the same rules as a live
// action (order, not in the future, not before the previous stage, the
// 入库 threshold, the 达效 indicators) and is recorded as its own event.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, p *access.Principal, in Input) (int64, error) {
	ctx = access.With(ctx, p)
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if !p.System && !p.Has(access.ProjectOffice) {
		return 0, errs.Forbiddenf("只有项目办可以登记项目", "Only the project office registers projects")
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return 0, err
	}
	if !p.System {
		path, err := orgPath(ctx, tx, in.OrgID)
		if err != nil {
			return 0, err
		}
		if !strings.HasPrefix(path, p.OrgPath) {
			return 0, errs.Invalidf("org_id", "项目所在组织不在您的管辖范围内", "The project's org is outside your scope")
		}
	}
	today := civil.Of(tx.Now)
	signed := in.actual[Signed]
	if signed.IsZero() {
		signed = today
	}
	if err := flow.CheckDate("actual.signed", signed, civil.Date{}, today); err != nil {
		return 0, err
	}
	for st, d := range in.planned {
		if d.Before(signed) {
			return 0, errs.Invalidf("planned."+string(st), "计划%s日期 %s 早于签约日期 %s", "The planned %s date %s is before the signing date %s", st.Label(), d, signed)
		}
	}
	pl := func(st Stage) civil.Date { return in.planned[st] }
	id, err := tx.Insert(ctx, `INSERT INTO projects (name, enterprise_id, org_id, industry_code, total_investment_fen, fixed_investment_fen,
		land_milli_mu, is_key, leader_user_id, commissioner_user_id, lead_department_id, stage, last_stage_on, signed_on,
		planned_started, planned_registered, planned_producing, planned_effective, contract_no, committed_output_fen, committed_tax_fen,
		achieved_output_fen, achieved_tax_fen, light_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, store.Null(in.EnterpriseID), in.OrgID, in.IndustryCode, in.TotalInvestmentFen, in.FixedInvestmentFen,
		int64(in.LandMu), in.Key, store.Null(in.LeaderUserID), store.Null(in.CommissionerUserID), store.Null(in.LeadDepartmentID),
		Signed, signed, signed, pl(Started), pl(Registered), pl(Producing), pl(Effective), in.Agreement.ContractNo,
		in.Agreement.CommittedOutputFen, in.Agreement.CommittedTaxFen, in.Agreement.AchievedOutputFen, in.Agreement.AchievedTaxFen,
		today, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	if err := audit.Append(ctx, tx, audit.Entry{Action: "project.create", Object: Entity, ObjectID: id, Summary: summaryOf(in)}); err != nil {
		return 0, err
	}
	ev := &flow.Event{Entity: Entity, EntityID: id, Action: "create", From: "", To: string(Signed), On: signed, At: tx.Now,
		ActorID: p.UserID, Actor: p.Actor()}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	if err := addStage(ctx, tx, in.OrgID, in.TotalInvestmentFen, Signed, signed, civil.Date{}, 1); err != nil {
		return 0, err
	}
	// Back-entry: the later stages, in order, through the workflow.
	for _, st := range Milestones[1:] {
		d, ok := in.actual[st]
		if !ok {
			continue
		}
		if need := before[st]; need != Signed && in.actual[need].IsZero() {
			return 0, errs.Invalidf("actual."+string(st), "补录「%s」须同时补录「%s」的日期", "Back-entering “%s” needs the date of “%s” too", st.Label(), need.Label())
		}
		pr, err := getQ(ctx, tx, all(), id)
		if err != nil {
			return 0, err
		}
		body, _ := json.Marshal(map[string]string{"date": d.String()})
		if err := s.actTx(ctx, tx, p, &pr, actionOf[st], body, true); err != nil {
			if e := errs.As(err); e.Field == "date" || e.Code == errs.Conflict {
				e2 := *e
				e2.Field = "actual." + string(st)
				return 0, &e2
			}
			return 0, err
		}
	}
	pr, err := getQ(ctx, tx, all(), id)
	if err != nil {
		return 0, err
	}
	return id, s.saveLight(ctx, tx, &pr, today)
}

// Update changes what a project is (not its stage or actual dates, which
// only actions change). The assigned cadre and commissioner may edit their
// project's facts but not who is assigned, where it is or whether it is key.
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, in Input) (Project, error) {
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.UpdateTx(ctx, tx, p, id, in) })
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p, id)
}

// UpdateTx changes a project inside tx. Rollups move with the project's
// investment and place, so that the totals always equal a rebuild.
func (s *Service) UpdateTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, in Input) error {
	ctx = access.With(ctx, p)
	if err := in.Validate(); err != nil {
		return err
	}
	if len(in.actual) > 0 {
		return errs.Invalidf("actual", "实际日期只能通过阶段操作登记", "Actual dates are recorded by the stage actions only")
	}
	old, err := getForWrite(ctx, tx, p, id)
	if err != nil {
		return err
	}
	if !p.System && !p.Has(access.ProjectOffice) {
		in.LeaderUserID, in.CommissionerUserID, in.OrgID, in.Key = old.LeaderUserID, old.CommissionerUserID, old.OrgID, old.Key
		if in.EnterpriseID != old.EnterpriseID {
			return errs.Invalidf("enterprise_id", "只有项目办可以更改项目所属企业", "Only the project office changes a project's enterprise")
		}
	}
	if in.OrgID == 0 && in.EnterpriseID == old.EnterpriseID {
		in.OrgID = old.OrgID
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return err
	}
	if !p.System && in.OrgID != old.OrgID {
		path, err := orgPath(ctx, tx, in.OrgID)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(path, p.OrgPath) {
			return errs.Invalidf("org_id", "项目所在组织不在您的管辖范围内", "The project's org is outside your scope")
		}
	}
	signed := old.Actual[Signed]
	for st, d := range in.planned {
		if d.Before(signed) {
			return errs.Invalidf("planned."+string(st), "计划%s日期 %s 早于签约日期 %s", "The planned %s date %s is before the signing date %s", st.Label(), d, signed)
		}
	}
	pl := func(st Stage) civil.Date { return in.planned[st] }
	if err := tx.ExecOne(ctx, `UPDATE projects SET name = ?, enterprise_id = ?, org_id = ?, industry_code = ?, total_investment_fen = ?,
		fixed_investment_fen = ?, land_milli_mu = ?, is_key = ?, leader_user_id = ?, commissioner_user_id = ?, lead_department_id = ?,
		planned_started = ?, planned_registered = ?, planned_producing = ?, planned_effective = ?, contract_no = ?,
		committed_output_fen = ?, committed_tax_fen = ?, achieved_output_fen = ?, achieved_tax_fen = ?, updated_at = ? WHERE id = ?`,
		in.Name, store.Null(in.EnterpriseID), in.OrgID, in.IndustryCode, in.TotalInvestmentFen, in.FixedInvestmentFen, int64(in.LandMu),
		in.Key, store.Null(in.LeaderUserID), store.Null(in.CommissionerUserID), store.Null(in.LeadDepartmentID),
		pl(Started), pl(Registered), pl(Producing), pl(Effective), in.Agreement.ContractNo,
		in.Agreement.CommittedOutputFen, in.Agreement.CommittedTaxFen, in.Agreement.AchievedOutputFen, in.Agreement.AchievedTaxFen,
		tx.Now, id); err != nil {
		return err
	}
	if old.OrgID != in.OrgID || old.TotalInvestmentFen != in.TotalInvestmentFen {
		if err := addProject(ctx, tx, old.OrgID, old.TotalInvestmentFen, old.Actual, -1); err != nil {
			return err
		}
		if err := addProject(ctx, tx, in.OrgID, in.TotalInvestmentFen, old.Actual, 1); err != nil {
			return err
		}
	}
	before := summaryOf(inputOf(old))
	if err := audit.Append(ctx, tx, audit.Entry{Action: "project.update", Object: Entity, ObjectID: id, Summary: audit.Change(before, summaryOf(in))}); err != nil {
		return err
	}
	pr, err := getQ(ctx, tx, all(), id)
	if err != nil {
		return err
	}
	return s.saveLight(ctx, tx, &pr, civil.Of(tx.Now))
}

// inputOf is the input that would make pr as it is (forms, audit).
func inputOf(pr Project) Input {
	in := Input{Name: pr.Name, EnterpriseID: pr.EnterpriseID, OrgID: pr.OrgID, IndustryCode: pr.IndustryCode,
		TotalInvestmentFen: pr.TotalInvestmentFen, FixedInvestmentFen: pr.FixedInvestmentFen, LandMu: pr.LandMu, Key: pr.Key,
		LeaderUserID: pr.LeaderUserID, CommissionerUserID: pr.CommissionerUserID, LeadDepartmentID: pr.LeadDepartmentID,
		Planned: map[string]string{}, Agreement: pr.Agreement}
	for st, d := range pr.Planned {
		in.Planned[string(st)] = d.String()
	}
	return in
}

// Act takes a stage action on a project p may change.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Project, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		pr, err := getForWrite(ctx, tx, p, id)
		if err != nil {
			return err
		}
		return s.actTx(ctx, tx, p, &pr, action, body, false)
	})
	if err != nil {
		return Project{}, err
	}
	return s.Get(ctx, p, id)
}

// actTx checks and applies one action to pr and records it.
func (s *Service) actTx(ctx context.Context, tx *store.Tx, p *access.Principal, pr *Project, action string, body []byte, backEntry bool) error {
	ctx = access.With(ctx, p)
	if action == "register" && pr.Stage == Signed {
		return errs.Conflictf("项目尚未开工：入库须在主体工程开工之后", "The project has not started: 入库 (statistics registration) comes after the start of main works")
	}
	step, err := Def.Begin(string(pr.Stage), action, actingAs(p), body)
	if err != nil {
		return err
	}
	on := step.Input.Date("date")
	today := civil.Of(tx.Now)
	if err := flow.CheckDate("date", on, pr.lastStageOn, today); err != nil {
		return err
	}
	from := pr.Stage
	switch action {
	case "register":
		if pr.TotalInvestmentFen < RegisterThresholdFen {
			return errs.Conflictf("计划总投资 %s 未达到入库标准（500万元及以上），不能入库", "The planned total investment of %s is below the 5,000,000 yuan needed for 入库 (statistics registration)",
				moneyText(pr.TotalInvestmentFen))
		}
	case "reach_effect":
		if step.Input.Has("achieved_output_fen") {
			pr.Agreement.AchievedOutputFen = step.Input.Int("achieved_output_fen")
		}
		if step.Input.Has("achieved_tax_fen") {
			pr.Agreement.AchievedTaxFen = step.Input.Int("achieved_tax_fen")
		}
		if unmet := pr.Agreement.Unmet(); len(unmet) > 0 {
			zh, en := make([]string, len(unmet)), make([]string, len(unmet))
			for i, u := range unmet {
				zh[i], en[i] = u.In(i18n.ZH), u.In(i18n.EN)
			}
			return errs.Conflictf("未达到达效条件：%s", "The project cannot reach effect: %s", strings.Join(zh, "；"), strings.Join(en, "; "))
		}
	case "resume":
		step.To = string(pr.StalledFrom)
	}
	to := Stage(step.To)
	switch action {
	case "stall":
		pr.StalledFrom = from
		pr.Actual[Stalled] = on
	case "resume":
		pr.StalledFrom = ""
		delete(pr.Actual, Stalled)
	case "terminate":
		pr.StalledFrom = ""
		pr.Actual[Terminated] = on
	default:
		pr.Actual[to] = on
	}
	pr.Stage, pr.lastStageOn = to, on
	a := func(st Stage) civil.Date { return pr.Actual[st] }
	res, err := tx.Exec(ctx, `UPDATE projects SET stage = ?, stalled_from = ?, last_stage_on = ?, started_on = ?, registered_on = ?,
		producing_on = ?, effective_on = ?, stalled_on = ?, terminated_on = ?, achieved_output_fen = ?, achieved_tax_fen = ?, updated_at = ?
		WHERE id = ? AND stage = ?`,
		to, pr.StalledFrom, on, a(Started), a(Registered), a(Producing), a(Effective), a(Stalled), a(Terminated),
		pr.Agreement.AchievedOutputFen, pr.Agreement.AchievedTaxFen, tx.Now, pr.ID, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.Conflictf("项目刚被他人更新，请刷新后重试", "The project was just changed by someone else; reload and try again")
	}
	if backEntry {
		step.Input.Set("back_entry", true)
	}
	if _, err := step.Record(ctx, tx, Entity, pr.ID, on); err != nil {
		return err
	}
	if st, ok := reachedBy[action]; ok {
		if err := addStage(ctx, tx, pr.OrgID, pr.TotalInvestmentFen, st, on, pr.Actual[Started], 1); err != nil {
			return err
		}
	}
	if backEntry {
		return nil
	}
	return s.saveLight(ctx, tx, pr, today)
}

// actingAs is the principal the workflow checks roles for: the platform
// itself (the demo loader, imports) acts with the project office's rights.
func actingAs(p *access.Principal) *access.Principal {
	if p != nil && p.System {
		c := *p
		c.Roles = []access.Role{access.ProjectOffice}
		return &c
	}
	return p
}

// Events returns the history of a project p may see, oldest first.
func (s *Service) Events(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	evs, err := flow.Events(ctx, s.DB.Read(), Entity, id)
	if evs == nil {
		evs = []flow.Event{}
	}
	return evs, err
}

// ActionLabel names an action of the history ("create" included).
func ActionLabel(name string) i18n.Text {
	if name == "create" {
		return i18n.T("登记签约", "Signed and registered")
	}
	if a, ok := Def.Action(name); ok {
		return a.Label
	}
	return i18n.T(name, name)
}
