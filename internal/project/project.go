// Package project follows the zone's key projects through their life
// (项目全生命周期): 签约 → 开工 → 入库 → 投产 → 达效, with a responsible cadre
// (包保领导) answerable for each and a commissioner (项目专员) serving it;
// planned and actual dates and evidence for every stage, monthly investment
// progress, red/yellow/green warnings, the commissioners' yearly rating
// (金牌保姆) and the dashboard's project figures.
package project

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// Stage is where a project stands.
type Stage string

// The stages of API.md.
const (
	Signed     Stage = "signed"
	Started    Stage = "started"
	Registered Stage = "registered"
	Producing  Stage = "producing"
	Effective  Stage = "effective"
	Stalled    Stage = "stalled"
	Terminated Stage = "terminated"
)

// Milestones are the stages a project reaches in order, each with a planned
// and an actual date. 入库 may be skipped: a project under the threshold goes
// from 开工 straight to 投产.
var Milestones = []Stage{Signed, Started, Registered, Producing, Effective}

// Stages lists every stage in display order.
var Stages = []Stage{Signed, Started, Registered, Producing, Effective, Stalled, Terminated}

// Label is the stage's name.
func (s Stage) Label() i18n.Text {
	switch s {
	case Signed:
		return i18n.T("签约", "Signed")
	case Started:
		return i18n.T("开工", "Started")
	case Registered:
		return i18n.T("入库", "Registered")
	case Producing:
		return i18n.T("投产", "Producing")
	case Effective:
		return i18n.T("达效", "Effective")
	case Stalled:
		return i18n.T("停滞", "Stalled")
	case Terminated:
		return i18n.T("终止", "Terminated")
	}
	return i18n.T(string(s), string(s))
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, x := range Stages {
		if x == s {
			return true
		}
	}
	return false
}

// order is the position of a milestone (−1 for stalled and terminated).
func (s Stage) order() int {
	for i, m := range Milestones {
		if m == s {
			return i
		}
	}
	return -1
}

// Open reports whether a project in s is still under way (not 达效, not
// terminated).
func (s Stage) Open() bool { return s != Effective && s != Terminated }

// RegisterThresholdFen is the planned total investment a project needs to
// enter the fixed-asset investment statistics (入库): 5,000,000 yuan.
const RegisterThresholdFen int64 = 500_000_000

// Mu is an area of land in thousandths of a 亩, written in JSON as a decimal
// number of 亩 (120.35).
type Mu int64

// MaxMu is the largest land area accepted: 100,000 亩.
const MaxMu Mu = 100_000_000

// String writes the area in 亩 with as many decimals as it needs.
func (m Mu) String() string {
	s := strconv.FormatInt(int64(m)/1000, 10)
	if f := int64(m) % 1000; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", f), "0")
	}
	return s
}

// MarshalJSON writes the area as a JSON number of 亩.
func (m Mu) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a number (or numeric string) of 亩 with at most three
// decimals, exactly: no floating point in between.
func (m *Mu) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	if s == "null" || s == "" {
		*m = 0
		return nil
	}
	v, err := ParseMu(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseMu reads a decimal number of 亩 ("120.35").
func ParseMu(s string) (Mu, error) {
	bad := errs.Invalidf("land_mu", "用地面积应为不超过三位小数的亩数，如 120.35", "land_mu must be a number of 亩 with at most three decimals, e.g. 120.35")
	s = strings.TrimSuffix(strings.TrimSpace(s), "亩")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 3 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, bad
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > int64(MaxMu/1000) {
		return 0, bad
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt(frac+strings.Repeat("0", 3-len(frac)), 10, 64); err != nil || f < 0 {
			return 0, bad
		}
	}
	v := Mu(w*1000 + f)
	if v > MaxMu {
		return 0, bad
	}
	return v, nil
}

// Agreement is what the investment agreement commits the project to at full
// production (达产), per year, and what the project has achieved. The
// agreement's deadlines are the project's planned stage dates.
type Agreement struct {
	ContractNo         string `json:"contract_no"`
	CommittedOutputFen int64  `json:"committed_output_fen" doc:"annual output value committed at full production"`
	CommittedTaxFen    int64  `json:"committed_tax_fen" doc:"annual tax committed at full production"`
	AchievedOutputFen  int64  `json:"achieved_output_fen" doc:"annual output value achieved (latest full year)"`
	AchievedTaxFen     int64  `json:"achieved_tax_fen" doc:"annual tax achieved (latest full year)"`
}

// Unmet returns what keeps the project from 达效, in both languages: no
// indicator agreed, an achieved figure missing, or one below the agreement.
func (a Agreement) Unmet() []i18n.Text {
	if a.CommittedOutputFen == 0 && a.CommittedTaxFen == 0 {
		return []i18n.Text{i18n.T("协议未约定达产产值或税收指标，请先在项目信息中填写", "The agreement sets no output or tax indicator; enter them in the project first")}
	}
	var out []i18n.Text
	check := func(committed, achieved int64, zh, en string) {
		switch {
		case committed == 0:
		case achieved == 0:
			out = append(out, i18n.F("尚未登记实际%s（约定 %s）", "the achieved %s is not recorded (agreed %s)", i18n.T(zh, en), moneyText(committed)))
		case achieved < committed:
			out = append(out, i18n.F("实际%s %s 低于约定的 %s", "the achieved %s of %s is below the agreed %s", i18n.T(zh, en), moneyText(achieved), moneyText(committed)))
		}
	}
	check(a.CommittedOutputFen, a.AchievedOutputFen, "年产值", "annual output")
	check(a.CommittedTaxFen, a.AchievedTaxFen, "年税收", "annual tax")
	return out
}

// Project is one key project.
type Project struct {
	ID                  int64                `json:"id,string"`
	Name                string               `json:"name"`
	EnterpriseID        int64                `json:"enterprise_id,string,omitempty"`
	EnterpriseName      string               `json:"enterprise_name,omitempty"`
	OrgID               int64                `json:"org_id,string"`
	OrgName             string               `json:"org_name"`
	IndustryCode        string               `json:"industry_code"`
	IndustryName        string               `json:"industry_name"`
	TotalInvestmentFen  int64                `json:"total_investment_fen"`
	FixedInvestmentFen  int64                `json:"fixed_investment_fen"`
	LandMu              Mu                   `json:"land_mu" doc:"a decimal number of 亩, e.g. 120.35"`
	InvestmentIntensity *float64             `json:"investment_intensity" doc:"万元/亩: fixed-asset investment per 亩 of land; null without both"`
	Key                 bool                 `json:"key"`
	LeaderUserID        int64                `json:"leader_user_id,string,omitempty"`
	LeaderName          string               `json:"leader_name,omitempty"`
	CommissionerUserID  int64                `json:"commissioner_user_id,string,omitempty"`
	CommissionerName    string               `json:"commissioner_name,omitempty"`
	LeadDepartmentID    int64                `json:"lead_department_id,string,omitempty"`
	LeadDepartmentName  string               `json:"lead_department_name,omitempty"`
	Stage               Stage                `json:"stage"`
	StalledFrom         Stage                `json:"stalled_from,omitempty" doc:"the stage a stalled project resumes to"`
	Planned             map[Stage]civil.Date `json:"planned"`
	Actual              map[Stage]civil.Date `json:"actual" doc:"actual date of each stage reached (also stalled and terminated)"`
	Agreement           Agreement            `json:"agreement"`
	Light               Light                `json:"light"`
	LightOn             civil.Date           `json:"light_on" doc:"the day the light or its reasons last changed"`
	Warnings            []Reason             `json:"warnings"`
	InvestedFen         int64                `json:"invested_fen" doc:"cumulative investment reported in the monthly progress"`
	CreatedAt           time.Time            `json:"created_at"`
	UpdatedAt           time.Time            `json:"updated_at"`

	orgPath     string
	lastStageOn civil.Date
}

// LastStageOn is the business date of the project's last transition.
func (p *Project) LastStageOn() civil.Date { return p.lastStageOn }

// intensity is fixed-asset investment in 万元 per 亩, rounded to 0.01.
func intensity(fixedFen int64, land Mu) *float64 {
	if fixedFen <= 0 || land <= 0 {
		return nil
	}
	// fen / 10⁶ = 万元; milli-亩 / 10³ = 亩.
	v := math.Round(float64(fixedFen)/float64(land)/1000*100) / 100
	return &v
}

// Input is the body of create and update.
type Input struct {
	Name               string            `json:"name"`
	EnterpriseID       int64             `json:"enterprise_id,string,omitempty" doc:"absent for public projects run by the zone"`
	OrgID              int64             `json:"org_id,string,omitempty" doc:"where the project is; default the enterprise's org"`
	IndustryCode       string            `json:"industry_code,omitempty" doc:"GB/T 4754; default the enterprise's industry"`
	TotalInvestmentFen int64             `json:"total_investment_fen"`
	FixedInvestmentFen int64             `json:"fixed_investment_fen,omitempty"`
	LandMu             Mu                `json:"land_mu,omitempty" doc:"a decimal number of 亩, e.g. 120.35"`
	Key                bool              `json:"key"`
	LeaderUserID       int64             `json:"leader_user_id,string,omitempty" doc:"包保领导: a user with the cadre role"`
	CommissionerUserID int64             `json:"commissioner_user_id,string,omitempty" doc:"项目专员: a user with the cadre or project_office role"`
	LeadDepartmentID   int64             `json:"lead_department_id,string,omitempty" doc:"牵头单位: an org of kind department"`
	Planned            map[string]string `json:"planned,omitempty" doc:"planned date per stage (started, registered, producing, effective): the agreement's deadlines"`
	Actual             map[string]string `json:"actual,omitempty" doc:"create only: signed (default today) and the later stages already reached, for back-entry; each in order and not in the future"`
	Agreement          Agreement         `json:"agreement"`

	planned map[Stage]civil.Date
	actual  map[Stage]civil.Date
}

// MaxInvestmentFen bounds amounts: 10,000 亿元.
const MaxInvestmentFen int64 = 1_000_000_000_000_000

func tooLong(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
	}
	return nil
}

func amount(field string, v int64, positive bool) error {
	switch {
	case positive && v <= 0:
		return errs.Invalidf(field, "%s 必须大于零（单位：分）", "%s must be a positive number of fen", field)
	case v < 0:
		return errs.Invalidf(field, "%s 不能为负数", "%s must not be negative", field)
	case v > MaxInvestmentFen:
		return errs.Invalidf(field, "%s 超出合理范围", "%s is out of range", field)
	}
	return nil
}

func parseDates(field string, in map[string]string, allowed []Stage) (map[Stage]civil.Date, error) {
	out := map[Stage]civil.Date{}
	for k, v := range in {
		st := Stage(k)
		ok := false
		for _, a := range allowed {
			ok = ok || a == st
		}
		if !ok {
			return nil, errs.Invalidf(field+"."+k, "%s 没有名为「%s」的阶段", "%s has no stage %q", field, k)
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		d, err := civil.Parse(strings.TrimSpace(v))
		if err != nil {
			return nil, errs.Invalidf(field+"."+k, "%s.%s 应为YYYY-MM-DD格式的日期", "%s.%s must be a date YYYY-MM-DD", field, k)
		}
		out[st] = d
	}
	return out, nil
}

// Validate normalises and checks what needs no database. Dates of actual
// stages are checked against today by the service.
func (in *Input) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Agreement.ContractNo = strings.TrimSpace(in.Agreement.ContractNo)
	if in.Name == "" {
		return errs.Invalidf("name", "请填写项目名称", "name is required")
	}
	if err := tooLong("name", in.Name, 100); err != nil {
		return err
	}
	if err := tooLong("agreement.contract_no", in.Agreement.ContractNo, 50); err != nil {
		return err
	}
	code, err := enterprise.NormalizeIndustry(in.IndustryCode)
	if err != nil {
		return err
	}
	in.IndustryCode = code
	for _, c := range []error{
		amount("total_investment_fen", in.TotalInvestmentFen, true),
		amount("fixed_investment_fen", in.FixedInvestmentFen, false),
		amount("agreement.committed_output_fen", in.Agreement.CommittedOutputFen, false),
		amount("agreement.committed_tax_fen", in.Agreement.CommittedTaxFen, false),
		amount("agreement.achieved_output_fen", in.Agreement.AchievedOutputFen, false),
		amount("agreement.achieved_tax_fen", in.Agreement.AchievedTaxFen, false),
	} {
		if c != nil {
			return c
		}
	}
	if in.FixedInvestmentFen > in.TotalInvestmentFen {
		return errs.Invalidf("fixed_investment_fen", "固定资产投资不能超过计划总投资", "The fixed-asset investment cannot exceed the total investment")
	}
	if in.LandMu < 0 || in.LandMu > MaxMu {
		return errs.Invalidf("land_mu", "用地面积超出合理范围", "land_mu is out of range")
	}
	if in.planned, err = parseDates("planned", in.Planned, Milestones[1:]); err != nil {
		return err
	}
	if in.actual, err = parseDates("actual", in.Actual, Milestones); err != nil {
		return err
	}
	// Planned dates follow the stages' order.
	var prev civil.Date
	var prevStage Stage
	for _, st := range Milestones[1:] {
		d, ok := in.planned[st]
		if !ok {
			continue
		}
		if !prev.IsZero() && d.Before(prev) {
			return errs.Invalidf("planned."+string(st), "计划%s日期 %s 早于计划%s日期 %s", "The planned %s date %s is before the planned %s date %s",
				st.Label(), d, prevStage.Label(), prev)
		}
		prev, prevStage = d, st
	}
	return nil
}

// Light is a project's warning colour.
type Light string

// The lights, worst first.
const (
	Red    Light = "red"
	Yellow Light = "yellow"
	Green  Light = "green"
)

// Lights lists the lights, worst first.
var Lights = []Light{Red, Yellow, Green}

func (l Light) rank() int {
	switch l {
	case Red:
		return 0
	case Yellow:
		return 1
	}
	return 2
}

func lightOfRank(r int) Light { return Lights[min(max(r, 0), 2)] }

// Label is the light's name.
func (l Light) Label() i18n.Text {
	switch l {
	case Red:
		return i18n.T("红灯", "Red")
	case Yellow:
		return i18n.T("黄灯", "Yellow")
	}
	return i18n.T("绿灯", "Green")
}

// Service keeps the key projects.
type Service struct {
	DB *store.DB
	// ProblemsSolved counts, for the commissioner rating, the problems of a
	// commissioner's projects solved in a year. The appeals module provides
	// it; until then nil counts none and the rating page says so.
	ProblemsSolved func(ctx context.Context, userID int64, year int) (int, error)
}

// ReadScope returns the predicate of the projects p may see, over the
// table alias: the project office and leaders their org subtree, the
// assigned cadre and commissioner their projects, an enterprise user its
// own enterprise's projects. Admins see none.
func ReadScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.ProjectOffice, access.Leader) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if p.UserID != 0 {
			sc.Or(alias+".leader_user_id = ? OR "+alias+".commissioner_user_id = ?", p.UserID, p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(alias+".enterprise_id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// WriteScope returns the predicate of the projects p may change: the
// project office within its subtree, the assigned cadre and commissioner.
func WriteScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.ProjectOffice) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if p.Has(access.ProjectOffice, access.Cadre) {
			sc.Or(alias+".leader_user_id = ? OR "+alias+".commissioner_user_id = ?", p.UserID, p.UserID)
		}
	}
	return sc
}

const cols = `pr.id, pr.name, pr.enterprise_id, COALESCE(e.name, ''), pr.org_id, o.name, o.path, pr.industry_code,
	pr.total_investment_fen, pr.fixed_investment_fen, pr.land_milli_mu, pr.is_key, pr.leader_user_id, COALESCE(lu.name, ''),
	pr.commissioner_user_id, COALESCE(cu.name, ''), pr.lead_department_id, COALESCE(d.name, ''), pr.stage, pr.stalled_from,
	pr.last_stage_on, pr.signed_on, pr.started_on, pr.registered_on, pr.producing_on, pr.effective_on, pr.stalled_on, pr.terminated_on,
	pr.planned_started, pr.planned_registered, pr.planned_producing, pr.planned_effective, pr.contract_no,
	pr.committed_output_fen, pr.committed_tax_fen, pr.achieved_output_fen, pr.achieved_tax_fen, pr.light_rank, pr.light_on, pr.light_reasons,
	(SELECT COALESCE(SUM(g.invested_fen), 0) FROM project_progress g WHERE g.project_id = pr.id), pr.created_at, pr.updated_at`

const from = ` FROM projects pr JOIN orgs o ON o.id = pr.org_id LEFT JOIN enterprises e ON e.id = pr.enterprise_id
	LEFT JOIN users lu ON lu.id = pr.leader_user_id LEFT JOIN users cu ON cu.id = pr.commissioner_user_id
	LEFT JOIN orgs d ON d.id = pr.lead_department_id`

func scan(sc interface{ Scan(...any) error }) (Project, error) {
	var p Project
	var actual [7]civil.Date // signed … effective, stalled, terminated
	var planned [4]civil.Date
	var reasons string
	var rank int
	err := sc.Scan(&p.ID, &p.Name, store.Z(&p.EnterpriseID), &p.EnterpriseName, &p.OrgID, &p.OrgName, &p.orgPath, &p.IndustryCode,
		&p.TotalInvestmentFen, &p.FixedInvestmentFen, &p.LandMu, &p.Key, store.Z(&p.LeaderUserID), &p.LeaderName,
		store.Z(&p.CommissionerUserID), &p.CommissionerName, store.Z(&p.LeadDepartmentID), &p.LeadDepartmentName, &p.Stage, &p.StalledFrom,
		&p.lastStageOn, &actual[0], &actual[1], &actual[2], &actual[3], &actual[4], &actual[5], &actual[6],
		&planned[0], &planned[1], &planned[2], &planned[3], &p.Agreement.ContractNo,
		&p.Agreement.CommittedOutputFen, &p.Agreement.CommittedTaxFen, &p.Agreement.AchievedOutputFen, &p.Agreement.AchievedTaxFen,
		&rank, &p.LightOn, &reasons, &p.InvestedFen, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return p, err
	}
	p.Actual, p.Planned = map[Stage]civil.Date{}, map[Stage]civil.Date{}
	for i, st := range append(append([]Stage{}, Milestones...), Stalled, Terminated) {
		if !actual[i].IsZero() {
			p.Actual[st] = actual[i]
		}
	}
	for i, st := range Milestones[1:] {
		if !planned[i].IsZero() {
			p.Planned[st] = planned[i]
		}
	}
	p.IndustryName = enterprise.IndustryName(p.IndustryCode)
	p.InvestmentIntensity = intensity(p.FixedInvestmentFen, p.LandMu)
	p.Light = lightOfRank(rank)
	if err := json.Unmarshal([]byte(reasons), &p.Warnings); err != nil {
		return p, errs.Wrap(err, "project light reasons")
	}
	if p.Warnings == nil {
		p.Warnings = []Reason{}
	}
	return p, nil
}

// Get returns one project within p's scope (404 otherwise).
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Project, error) {
	return getQ(ctx, s.DB.Read(), ReadScope(p, "pr"), id)
}

func getQ(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Project, error) {
	var w store.Where
	w.Add("pr.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scan(q.QueryRow(ctx, "SELECT "+cols+from+where, args...))
}

// getForWrite returns a project p may change. One p may only see is a 403
// (it is no secret that it exists); one p may not see is a 404.
func getForWrite(ctx context.Context, q store.Querier, p *access.Principal, id int64) (Project, error) {
	pr, err := getQ(ctx, q, WriteScope(p, "pr"), id)
	if errs.Is(err, errs.NotFound) {
		if _, rerr := getQ(ctx, q, ReadScope(p, "pr"), id); rerr == nil {
			return pr, errs.Forbiddenf("您可以查看该项目，但无权修改", "You may see this project but not change it")
		}
	}
	return pr, err
}

// Filter selects projects.
type Filter struct {
	Q                  string
	Stage              Stage
	Industry           string // division or finer code prefix
	LeaderUserID       int64
	CommissionerUserID int64
	EnterpriseID       int64
	OrgID              int64 // the org node and everything beneath it
	Year               int   // a year in which YearStage was reached
	YearStage          Stage // default signed
	// From and To: YearStage reached within these days (the dashboard's
	// drill-down from a period's figure).
	From, To civil.Date
	Light    Light
	Key      *bool
	// Cursor: rows after (AfterRank, BeforeID) in the list order, red first
	// and newest first within a light.
	AfterRank int
	BeforeID  int64
	Limit     int
}

// yearColumn is the date column of a milestone, for the year filter.
var yearColumn = map[Stage]string{Signed: "pr.signed_on", Started: "pr.started_on", Registered: "pr.registered_on",
	Producing: "pr.producing_on", Effective: "pr.effective_on"}

func (s *Service) where(ctx context.Context, q store.Querier, p *access.Principal, f Filter) (store.Where, error) {
	var w store.Where
	w.Scope(ReadScope(p, "pr"))
	if f.Q != "" {
		like := store.Like("%", strings.TrimSpace(f.Q), "%")
		w.Add(`(pr.name LIKE ? ESCAPE '\' OR pr.enterprise_id IN (SELECT id FROM enterprises WHERE name LIKE ? ESCAPE '\' OR short_name LIKE ? ESCAPE '\'))`,
			like, like, like)
	}
	if f.Stage != "" {
		if !f.Stage.Valid() {
			return w, errs.Invalidf("stage", "阶段无效：%s", "Invalid stage: %s", string(f.Stage))
		}
		w.Add("pr.stage = ?", f.Stage)
	}
	if f.Industry != "" {
		code, err := enterprise.NormalizeIndustry(f.Industry)
		if err != nil {
			return w, err
		}
		w.Add("pr.industry_code LIKE ?", code+"%")
	}
	if f.LeaderUserID != 0 {
		w.Add("pr.leader_user_id = ?", f.LeaderUserID)
	}
	if f.CommissionerUserID != 0 {
		w.Add("pr.commissioner_user_id = ?", f.CommissionerUserID)
	}
	if f.EnterpriseID != 0 {
		w.Add("pr.enterprise_id = ?", f.EnterpriseID)
	}
	if f.OrgID != 0 {
		var path string
		if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", f.OrgID).Scan(&path); err != nil {
			return w, errs.Invalidf("org_id", "组织不存在", "No such org")
		}
		w.Add("pr.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", path+"%")
	}
	if f.Year != 0 || !f.From.IsZero() || !f.To.IsZero() {
		st := f.YearStage
		if st == "" {
			st = Signed
		}
		col, ok := yearColumn[st]
		if !ok {
			return w, errs.Invalidf("year_stage", "year_stage 应为 signed、started、registered、producing 或 effective", "year_stage must be signed, started, registered, producing or effective")
		}
		lo, hi := f.From, f.To
		if f.Year != 0 {
			if f.Year < 1990 || f.Year > 2100 {
				return w, errs.Invalidf("year", "年份无效", "Invalid year")
			}
			lo, hi = civil.New(f.Year, 1, 1), civil.New(f.Year, 12, 31)
		}
		if !lo.IsZero() {
			w.Add(col+" >= ?", lo)
		}
		if !hi.IsZero() {
			w.Add(col+" <= ?", hi)
		}
	}
	if f.Light != "" {
		w.Add("pr.light_rank = ?", f.Light.rank())
	}
	if f.Key != nil {
		w.Add("pr.is_key = ?", *f.Key)
	}
	return w, nil
}

// List returns one page of projects, red first, and the total.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) ([]Project, int, error) {
	q := s.DB.Read()
	w, err := s.where(ctx, q, p, f)
	if err != nil {
		return nil, 0, err
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM projects pr"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Project
	err = each(ctx, q, w, f, func(pr Project) error { out = append(out, pr); return nil })
	return out, total, err
}

// Each streams every project matching f (exports), red first.
func (s *Service) Each(ctx context.Context, p *access.Principal, f Filter, yield func(Project) error) error {
	q := s.DB.Read()
	w, err := s.where(ctx, q, p, f)
	if err != nil {
		return err
	}
	f.BeforeID, f.Limit = 0, 0
	return each(ctx, q, w, f, yield)
}

func each(ctx context.Context, q store.Querier, w store.Where, f Filter, yield func(Project) error) error {
	if f.BeforeID > 0 {
		w.Add("(pr.light_rank > ? OR (pr.light_rank = ? AND pr.id < ?))", f.AfterRank, f.AfterRank, f.BeforeID)
	}
	where, args := w.SQL()
	query := "SELECT " + cols + from + where + " ORDER BY pr.light_rank, pr.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		pr, err := scan(rows)
		if err != nil {
			return err
		}
		if err := yield(pr); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Cursor returns the list cursor after pr.
func Cursor(pr Project) (rank int, id int64) { return pr.Light.rank(), pr.ID }

// Totals is the number of projects and their planned total investment.
type Totals struct {
	Count         int   `json:"count"`
	InvestmentFen int64 `json:"investment_fen"`
}

// ByStage returns, for the projects matching f (its stage aside), how many
// stand in each stage and their planned total investment: the board.
func (s *Service) ByStage(ctx context.Context, p *access.Principal, f Filter) (map[Stage]Totals, error) {
	q := s.DB.Read()
	f.Stage = ""
	w, err := s.where(ctx, q, p, f)
	if err != nil {
		return nil, err
	}
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT pr.stage, COUNT(*), COALESCE(SUM(pr.total_investment_fen), 0) FROM projects pr"+where+" GROUP BY pr.stage", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Stage]Totals{}
	for rows.Next() {
		var st Stage
		var t Totals
		if err := rows.Scan(&st, &t.Count, &t.InvestmentFen); err != nil {
			return nil, err
		}
		out[st] = t
	}
	return out, rows.Err()
}

// BelongsTo checks that project id exists and is the enterprise's: the
// appeals module checks a problem's project with it.
func BelongsTo(ctx context.Context, q store.Querier, id, enterpriseID int64) error {
	var one int
	err := q.QueryRow(ctx, "SELECT 1 FROM projects WHERE id = ? AND enterprise_id = ?", id, enterpriseID).Scan(&one)
	if errs.Is(err, errs.NotFound) {
		return errs.Invalidf("project_id", "该项目不存在或不属于这家企业", "No such project of this enterprise")
	}
	return err
}
