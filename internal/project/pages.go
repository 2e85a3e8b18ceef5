package project

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// Choice is one option of a form's select.
type Choice struct {
	ID   int64
	Name string
}

// Choices are the options of the project forms and filters.
type Choices struct {
	Places        []Choice // zone, streets, communities, parks within the user's subtree
	Departments   []Choice
	Leaders       []Choice // users with the cadre role
	Commissioners []Choice // users with the cadre or project office role
}

func choices(ctx context.Context, q store.Querier, query string, args ...any) ([]Choice, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Choice
	for rows.Next() {
		var c Choice
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Choices returns the options p's forms offer.
func (s *Service) Choices(ctx context.Context, p *access.Principal) (Choices, error) {
	q := s.DB.Read()
	var c Choices
	var err error
	path := p.OrgPath
	if p.System || path == "" {
		path = "/"
	}
	if c.Places, err = choices(ctx, q, "SELECT id, name FROM orgs WHERE kind IN ('zone', 'street', 'community', 'park') AND path LIKE ? ORDER BY path", path+"%"); err != nil {
		return c, err
	}
	if c.Departments, err = choices(ctx, q, "SELECT id, name FROM orgs WHERE kind = 'department' ORDER BY id"); err != nil {
		return c, err
	}
	people := `SELECT u.id, u.name FROM users u WHERE u.disabled = FALSE AND u.id IN (SELECT user_id FROM user_roles WHERE role IN (%s)) ORDER BY u.id`
	if c.Leaders, err = choices(ctx, q, fmt.Sprintf(people, "'cadre'")); err != nil {
		return c, err
	}
	c.Commissioners, err = choices(ctx, q, fmt.Sprintf(people, "'cadre', 'project_office'"))
	return c, err
}

// enterpriseRef finds the enterprise a form names: by id, credit code,
// full name or short name.
func (s *Service) enterpriseRef(ctx context.Context, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	q := s.DB.Read()
	if id, err := enterprise.ByUSCC(ctx, q, text); err != nil || id != 0 {
		return id, err
	}
	var ids []int64
	rows, err := q.Query(ctx, "SELECT id FROM enterprises WHERE name = ? OR short_name = ? LIMIT 2", text, text)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if len(ids) != 1 {
		return 0, errs.Invalidf("enterprise_id", "找不到唯一的企业「%s」：请填写统一社会信用代码或全称", "No single enterprise called %q: give its credit code or full name", text)
	}
	return ids[0], rows.Err()
}

// yuanText writes fen for a form field ("" for none).
func yuanText(fen int64) string {
	if fen == 0 {
		return ""
	}
	return strings.ReplaceAll(money.Yuan2(fen), ",", "")
}

// formValues are the form fields of a project as it is.
func formValues(p Project) map[string]string {
	v := map[string]string{"name": p.Name, "org_id": idText(p.OrgID), "industry_code": p.IndustryCode,
		"total_investment": yuanText(p.TotalInvestmentFen), "fixed_investment": yuanText(p.FixedInvestmentFen),
		"leader_user_id": idText(p.LeaderUserID), "commissioner_user_id": idText(p.CommissionerUserID),
		"lead_department_id": idText(p.LeadDepartmentID), "contract_no": p.Agreement.ContractNo,
		"committed_output": yuanText(p.Agreement.CommittedOutputFen), "committed_tax": yuanText(p.Agreement.CommittedTaxFen),
		"achieved_output": yuanText(p.Agreement.AchievedOutputFen), "achieved_tax": yuanText(p.Agreement.AchievedTaxFen)}
	if p.EnterpriseID != 0 {
		v["enterprise"] = p.EnterpriseName
	}
	if p.LandMu != 0 {
		v["land_mu"] = p.LandMu.String()
	}
	if p.Key {
		v["key"] = "on"
	}
	for st, d := range p.Planned {
		v["planned_"+string(st)] = d.String()
	}
	return v
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// readForm reads a project form into an input and keeps what was typed.
func (h *Handler) readForm(r *http.Request, create bool) (Input, map[string]string, error) {
	if err := r.ParseForm(); err != nil {
		return Input{}, map[string]string{}, errs.Invalidf("", "表单无效", "The form is not valid")
	}
	v := map[string]string{}
	for k := range r.PostForm {
		v[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	in := Input{Name: v["name"], IndustryCode: v["industry_code"], Key: v["key"] != "", Planned: map[string]string{}, Actual: map[string]string{}}
	in.Agreement.ContractNo = v["contract_no"]
	var err error
	if in.EnterpriseID, err = h.Svc.enterpriseRef(r.Context(), v["enterprise"]); err != nil {
		return in, v, err
	}
	for field, dst := range map[string]*int64{"org_id": &in.OrgID, "leader_user_id": &in.LeaderUserID,
		"commissioner_user_id": &in.CommissionerUserID, "lead_department_id": &in.LeadDepartmentID} {
		if s := v[field]; s != "" {
			if *dst, err = strconv.ParseInt(s, 10, 64); err != nil {
				return in, v, errs.Invalidf(field, "%s 无效", "%s is not valid", field)
			}
		}
	}
	for field, dst := range map[string]*int64{"total_investment": &in.TotalInvestmentFen, "fixed_investment": &in.FixedInvestmentFen,
		"committed_output": &in.Agreement.CommittedOutputFen, "committed_tax": &in.Agreement.CommittedTaxFen,
		"achieved_output": &in.Agreement.AchievedOutputFen, "achieved_tax": &in.Agreement.AchievedTaxFen} {
		if s := v[field]; s != "" {
			if *dst, err = money.Parse(s); err != nil {
				return in, v, errs.Invalidf(field, "金额「%s」无效：请填写元（可写“万”“亿”）", "The amount %q is not valid: yuan (万/亿 allowed)", s)
			}
		}
	}
	if s := v["land_mu"]; s != "" {
		if in.LandMu, err = ParseMu(s); err != nil {
			return in, v, err
		}
	}
	for _, st := range Milestones {
		if d := v["planned_"+string(st)]; d != "" && st != Signed {
			in.Planned[string(st)] = d
		}
		if d := v["actual_"+string(st)]; d != "" && create {
			in.Actual[string(st)] = d
		}
	}
	return in, v, nil
}

func message(r *http.Request, err error) (int, string, error) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		return 0, "", err
	}
	return web.StatusOf(e), e.Msg.In(i18n.From(r.Context())), nil
}

func (h *Handler) listData(r *http.Request) (map[string]any, error) {
	lp, err := web.ParseList(r)
	if err != nil {
		return nil, err
	}
	f, err := filterOf(lp)
	if err != nil {
		return nil, err
	}
	p := web.Principal(r)
	items, total, err := h.Svc.List(r.Context(), p, f)
	if err != nil {
		return nil, err
	}
	h.localize(r, items)
	ch, err := h.Svc.Choices(r.Context(), p)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	q.Del("cursor")
	query := q.Encode()
	if query != "" {
		query += "&"
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(Cursor(items[len(items)-1]))
	}
	return map[string]any{"Items": items, "Total": total, "Next": next, "Query": query, "F": r.URL.Query(), "Choices": ch,
		"Stages": Stages, "Milestones": Milestones, "Lights": Lights, "Year": h.today().Year}, nil
}

func (h *Handler) listPage(w http.ResponseWriter, r *http.Request) error {
	data, err := h.listData(r)
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "project_list", i18n.T("重点项目", "Key projects"), data)
}

// boardColumn is one stage of the board.
type boardColumn struct {
	Stage  Stage
	Totals Totals
	Items  []Project
}

// BoardLimit is how many cards a board column shows (red first).
const BoardLimit = 30

func (h *Handler) boardPage(w http.ResponseWriter, r *http.Request) error {
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(lp)
	if err != nil {
		return err
	}
	p := web.Principal(r)
	totals, err := h.Svc.ByStage(r.Context(), p, f)
	if err != nil {
		return err
	}
	var cols []boardColumn
	for _, st := range Stages {
		if st == Terminated {
			continue
		}
		g := f
		g.Stage, g.Limit, g.BeforeID = st, BoardLimit, 0
		items, _, err := h.Svc.List(r.Context(), p, g)
		if err != nil {
			return err
		}
		h.localize(r, items)
		cols = append(cols, boardColumn{Stage: st, Totals: totals[st], Items: items})
	}
	ch, err := h.Svc.Choices(r.Context(), p)
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "project_board", i18n.T("项目看板", "Project board"), map[string]any{
		"Columns": cols, "Terminated": totals[Terminated], "F": r.URL.Query(), "Choices": ch, "Lights": Lights, "Milestones": Milestones,
		"Year": h.today().Year, "Limit": BoardLimit})
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, id int64, values map[string]string, msg string) error {
	ch, err := h.Svc.Choices(r.Context(), web.Principal(r))
	if err != nil {
		return err
	}
	title := i18n.T("登记项目", "New project")
	if id != 0 {
		title = i18n.T("修改项目", "Edit project")
	}
	return h.UI.RenderStatus(w, r, status, "project_form", title, map[string]any{
		"ID": id, "V": values, "Error": msg, "Choices": ch, "Milestones": Milestones, "Today": h.today()})
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderForm(w, r, http.StatusOK, 0, map[string]string{"key": "on", "actual_signed": h.today().String()}, "")
}

func (h *Handler) createPost(w http.ResponseWriter, r *http.Request) error {
	in, v, err := h.readForm(r, true)
	if err == nil {
		var p Project
		if p, err = h.Svc.Create(r.Context(), web.Principal(r), in); err == nil {
			web.Flash(w, "prj.created")
			web.Redirect(w, r, fmt.Sprintf("/projects/%d", p.ID))
			return nil
		}
	}
	status, msg, err := message(r, err)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, status, 0, v, msg)
}

func (h *Handler) editPage(w http.ResponseWriter, r *http.Request) error {
	p, err := h.get(r)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, http.StatusOK, p.ID, formValues(p), "")
}

func (h *Handler) updatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, v, err := h.readForm(r, false)
	if err == nil {
		if _, err = h.Svc.Update(r.Context(), web.Principal(r), id, in); err == nil {
			web.Flash(w, "prj.saved")
			web.Redirect(w, r, fmt.Sprintf("/projects/%d", id))
			return nil
		}
	}
	if errs.Is(err, errs.NotFound) {
		return err
	}
	status, msg, err := message(r, err)
	if err != nil {
		return err
	}
	return h.renderForm(w, r, status, id, v, msg)
}

// stageRow is one line of a project's stage table.
type stageRow struct {
	Stage   Stage
	Planned civil.Date
	Actual  civil.Date
	Late    int // days the actual date is after the planned one (or today, if not reached and overdue)
	Files   []File
}

// eventView is one line of the history.
type eventView struct {
	flow.Event
	Label    i18n.Text
	FromName i18n.Text
	ToName   i18n.Text
	Back     bool
}

// chart is the monthly progress as SVG bars: no script, no style attributes.
type chart struct {
	W, H    int
	Bars    []bar
	PlanW   int // width of the plan bar
	DoneW   int // width of the cumulative bar
	Percent string
}

type bar struct {
	X, Y, W, H int
	Label      string
	Title      string
}

func makeChart(items []Progress, plan int64) chart {
	c := chart{W: 720, H: 150, PlanW: 720}
	if len(items) > 24 {
		items = items[len(items)-24:]
	}
	var top int64 = 1
	for _, g := range items {
		top = max(top, g.InvestedFen)
	}
	if n := len(items); n > 0 {
		slot := c.W / 24
		for i, g := range items {
			hgt := int(g.InvestedFen * 110 / top)
			c.Bars = append(c.Bars, bar{X: i*slot + 4, Y: 120 - hgt, W: slot - 8, H: hgt, Label: g.Month[2:],
				Title: g.Month + " " + money.Format(g.InvestedFen)})
		}
		cum := items[n-1].CumulativeFen
		if plan > 0 {
			c.DoneW = int(min(cum, plan) * int64(c.PlanW) / plan)
			c.Percent = fmt.Sprintf("%.1f%%", float64(cum)*100/float64(plan))
		}
	}
	return c
}

func (h *Handler) renderProject(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	pr, err := h.get(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := web.Principal(r)
	evs, err := h.Svc.Events(ctx, p, pr.ID)
	if err != nil {
		return err
	}
	files, err := h.Svc.Files(ctx, p, pr.ID)
	if err != nil {
		return err
	}
	progress, err := h.Svc.Progress(ctx, p, pr.ID)
	if err != nil {
		return err
	}
	today := h.today()
	var rows []stageRow
	for _, st := range append(append([]Stage{}, Milestones...), Stalled, Terminated) {
		row := stageRow{Stage: st, Planned: pr.Planned[st], Actual: pr.Actual[st]}
		if (st == Stalled || st == Terminated) && row.Actual.IsZero() {
			continue
		}
		switch {
		case !row.Planned.IsZero() && !row.Actual.IsZero() && row.Actual.After(row.Planned):
			row.Late = row.Planned.DaysUntil(row.Actual)
		case !row.Planned.IsZero() && row.Actual.IsZero() && row.Planned.Before(today) && pr.Stage.Open():
			row.Late = row.Planned.DaysUntil(today)
		}
		for _, f := range files {
			if f.Stage == st {
				row.Files = append(row.Files, f)
			}
		}
		rows = append(rows, row)
	}
	views := make([]eventView, len(evs))
	for i, e := range evs {
		views[i] = eventView{Event: e, Label: ActionLabel(e.Action), FromName: Stage(e.From).Label(), ToName: Stage(e.To).Label(),
			Back: e.Data["back_entry"] == true}
	}
	_, werr := getQ(ctx, h.Svc.DB.Read(), WriteScope(p, "pr"), pr.ID)
	canWrite := werr == nil
	var acts []flow.Action
	if canWrite {
		for _, a := range Def.Allowed(string(pr.Stage), actingAs(p)) {
			// No 入库 button under the threshold (the API says why if asked).
			if a.Name != "register" || pr.TotalInvestmentFen >= RegisterThresholdFen {
				acts = append(acts, a)
			}
		}
	}
	raise, list := appealLinks(pr)
	data := map[string]any{"P": pr, "Stages": rows, "Events": views, "Progress": progress, "Chart": makeChart(progress, pr.TotalInvestmentFen),
		"Actions": acts, "CanWrite": canWrite, "Today": today, "Error": msg, "AppealNew": raise, "AppealList": list,
		"CanRaise": p.Has(access.Cadre, access.Enterprise), "Reached": reachedStages(pr), "Month": today.String()[:7]}
	if p.Has(access.Enterprise) && p.EnterpriseID == pr.EnterpriseID && pr.CommissionerUserID != 0 {
		rt, err := h.Svc.RatingOf(ctx, p, pr.ID, today.Year)
		if err != nil {
			return err
		}
		data["CanRate"], data["Rating"] = rt == nil, rt
	}
	return h.UI.RenderStatus(w, r, status, "project_page", i18n.T(pr.Name, pr.Name), data)
}

// reachedStages are the stages evidence may be uploaded for.
func reachedStages(pr Project) []Stage {
	var out []Stage
	for _, st := range Stages {
		if _, ok := pr.Actual[st]; ok {
			out = append(out, st)
		}
	}
	return out
}

func (h *Handler) projectPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderProject(w, r, http.StatusOK, "")
}

// after answers a page's form post: back to the project with a flash, or
// the page again with the message.
func (h *Handler) after(w http.ResponseWriter, r *http.Request, err error, flash string) error {
	if err == nil {
		web.Flash(w, flash)
		web.Redirect(w, r, "/projects/"+r.PathValue("id"))
		return nil
	}
	if errs.Is(err, errs.NotFound) {
		return err
	}
	status, msg, err := message(r, err)
	if err != nil {
		return err
	}
	return h.renderProject(w, r, status, msg)
}

func (h *Handler) actPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	body := map[string]any{"date": r.PostFormValue("date")}
	if n := strings.TrimSpace(r.PostFormValue("note")); n != "" {
		body["note"] = n
	}
	for _, f := range []string{"achieved_output", "achieved_tax"} {
		if s := strings.TrimSpace(r.PostFormValue(f)); s != "" {
			fen, perr := money.Parse(s)
			if perr != nil {
				return h.after(w, r, errs.Invalidf(f, "金额「%s」无效：请填写元（可写“万”“亿”）", "The amount %q is not valid: yuan (万/亿 allowed)", s), "")
			}
			body[f+"_fen"] = fen
		}
	}
	b, _ := json.Marshal(body)
	_, err = h.Svc.Act(r.Context(), web.Principal(r), id, r.PathValue("action"), b)
	return h.after(w, r, err, "prj.moved")
}

func (h *Handler) uploadPost(w http.ResponseWriter, r *http.Request) error {
	_, err := h.upload(r)
	return h.after(w, r, err, "prj.uploaded")
}

func (h *Handler) progressPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := ProgressInput{Month: r.PostFormValue("month"), Notes: r.PostFormValue("notes")}
	if in.InvestedFen, err = money.Parse(r.PostFormValue("invested")); err != nil {
		err = errs.Invalidf("invested_fen", "金额无效：请填写元（可写“万”“亿”）", "The amount is not valid: yuan (万/亿 allowed)")
	} else {
		err = h.Svc.PutProgress(r.Context(), web.Principal(r), id, in)
	}
	return h.after(w, r, err, "prj.progress.saved")
}

func (h *Handler) ratePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	_, err = h.Svc.Rate(r.Context(), web.Principal(r), id, RatingInput{Score: score, Comment: r.PostFormValue("comment")})
	return h.after(w, r, err, "prj.rated")
}

func (h *Handler) ratingsPage(w http.ResponseWriter, r *http.Request) error {
	y, err := h.yearOf(r)
	if err != nil {
		return err
	}
	rk, err := h.Svc.Rank(r.Context(), web.Principal(r), y)
	if err != nil {
		return err
	}
	rk.Localize(i18n.From(r.Context()))
	return h.UI.Render(w, r, "project_ratings", i18n.F("%d年项目专员（金牌保姆）评分", "Commissioner ratings %d", y), map[string]any{
		"R": rk, "Prev": y - 1, "Next": y + 1,
		"P": map[string]float64{"OnTime": PointsOnTime, "Move": PointsPerMove, "MaxMove": MaxMovePoints, "Problem": PointsPerProblem,
			"MaxProblem": MaxProblemPoints, "Ratings": PointsRatings}})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, rules Rules, msg string) error {
	return h.UI.RenderStatus(w, r, status, "project_settings", i18n.T("项目预警规则", "Project warning rules"), map[string]any{
		"Rules": rules, "Error": msg, "Defaults": DefaultRules})
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) error {
	rules, err := LoadRules(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return h.renderSettings(w, r, http.StatusOK, rules, "")
}

func (h *Handler) settingsPost(w http.ResponseWriter, r *http.Request) error {
	atoi := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	rules := Rules{StaleYellowDays: atoi("stale_yellow_days"), StaleRedDays: atoi("stale_red_days"),
		LateRedDays: atoi("late_red_days"), MonthlyReport: r.PostFormValue("monthly_report") != ""}
	if err := h.Svc.SaveRules(r.Context(), web.Principal(r), rules); err != nil {
		status, msg, err := message(r, err)
		if err != nil {
			return err
		}
		return h.renderSettings(w, r, status, rules, msg)
	}
	web.Flash(w, "prj.settings.saved")
	web.Redirect(w, r, "/projects/settings")
	return nil
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) error {
	return h.UI.Render(w, r, "project_import", i18n.T("批量更新月度进度", "Bulk progress update"), map[string]any{})
}

func (h *Handler) importPost(w http.ResponseWriter, r *http.Request) error {
	title := i18n.T("批量更新月度进度", "Bulk progress update")
	rd, done, err := importReader(r)
	if err == nil {
		defer done()
		var res ImportResult
		if res, err = h.Svc.ImportProgress(r.Context(), web.Principal(r), rd); err == nil {
			res.Localize(i18n.From(r.Context()))
			return h.UI.Render(w, r, "project_import", title, map[string]any{"Result": res})
		}
	}
	status, msg, err := message(r, err)
	if err != nil {
		return err
	}
	return h.UI.RenderStatus(w, r, status, "project_import", title, map[string]any{"Error": msg})
}
