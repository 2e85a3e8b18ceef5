package service

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

func (h *Handler) pageRoutes() []web.Route {
	return []web.Route{
		web.Handle("GET /service/workspace", web.Roles(access.Clerk), h.workspacePage),
		web.Handle("POST /service/workspace", web.Roles(access.Clerk), h.workspacePost),
		web.Handle("GET /service/apply", web.Roles(access.Enterprise), h.applyPage),
		web.Handle("POST /service/apply", web.Roles(access.Enterprise), h.applyPost),
		web.Handle("GET /cases", caseReaders, h.casesPage),
		web.Handle("GET /cases/{id}", caseReaders, h.casePage),
		web.Handle("POST /cases/{id}/actions/{action}", receivers, h.actPost),
		web.Handle("POST /cases/{id}/evaluation", raters, h.evaluatePost),
		web.Handle("POST /cases/{id}/reveal", windowStaff, h.revealPost),
		web.Handle("GET /cases/{id}/receipt/{kind}", windowStaff, h.receiptPage),
		web.Handle("GET /sites", readers, h.sitesPage),
		web.Handle("GET /sites/{id}", readers, h.sitePage),
		web.Handle("GET /matters", readers, h.mattersPage),
		web.Handle("POST /matters/import", office, h.importPost).Limit(20 << 20),
		web.Handle("GET /bad-reviews", badReaders, h.badReviewsPage),
		web.Handle("GET /bad-reviews/{id}", badReaders, h.badReviewPage),
		web.Handle("POST /bad-reviews/{id}/actions/{action}", office, h.badActPost),
		web.Handle("GET /remote-sessions", netReaders, h.remotePage),
		web.Handle("POST /remote-sessions", windowStaff, h.remotePost),
		web.Handle("GET /service/settings", office, h.settingsPage),
		web.Handle("POST /service/settings", office, h.settingsPost),
	}
}

// message renders a user-facing error in the request's language, or
// reports that it is an internal one.
func message(r *http.Request, err error) (string, int, bool) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		return "", 0, false
	}
	return e.Msg.In(i18n.From(r.Context())), web.StatusOf(e), true
}

// workspaceData is what the clerk's workspace shows.
type workspaceData struct {
	Site        Site
	Query       string
	Options     []Matter // datalist: the matters the site offers
	Found       []Matter // search results when the query names several
	Matter      *Matter
	Mode        Mode
	Enterprises []enterprise.Enterprise
	Form        url.Values
	Error       string
}

func (h *Handler) workspace(w http.ResponseWriter, r *http.Request, status int, d *workspaceData) error {
	ctx := r.Context()
	p := web.Principal(r)
	site, err := h.Svc.GetSite(ctx, p, p.SiteID)
	if err != nil {
		return err
	}
	d.Site = site
	offered, _, err := h.Svc.SiteMatters(ctx, p, site.ID, MatterFilter{})
	if err != nil {
		return err
	}
	for _, m := range offered {
		d.Options = append(d.Options, m.Matter)
	}
	if d.Matter == nil && d.Query != "" {
		q := strings.TrimSpace(d.Query)
		for _, m := range d.Options {
			if q == m.Code || q == m.Name || q == m.Code+" "+m.Name {
				d.Matter = &m
				break
			}
		}
		if d.Matter == nil {
			for _, m := range d.Options {
				if strings.Contains(m.Name, q) || strings.HasPrefix(m.Code, q) {
					d.Found = append(d.Found, m)
				}
			}
			if len(d.Found) == 1 {
				d.Matter, d.Found = &d.Found[0], nil
			}
		}
	}
	if d.Matter != nil {
		for _, m := range offered {
			if m.MatterID == d.Matter.ID {
				d.Mode = m.Mode
			}
		}
		d.Enterprises, _, err = h.enterprises(ctx, p)
		if err != nil {
			return err
		}
	}
	if d.Form == nil {
		d.Form = url.Values{}
	}
	return h.UI.RenderStatus(w, r, status, "svc_workspace", i18n.T("窗口收件", "Receive a case"), d)
}

// enterprises lists the registry for the applicant field's suggestions.
func (h *Handler) enterprises(ctx context.Context, p *access.Principal) ([]enterprise.Enterprise, int, error) {
	es := &enterprise.Service{DB: h.Svc.DB, Cipher: h.Svc.Cipher}
	page, err := es.List(ctx, p, enterprise.Filter{Limit: 500})
	return page.Items, page.Total, err
}

func (h *Handler) workspacePage(w http.ResponseWriter, r *http.Request) error {
	d := &workspaceData{Query: r.URL.Query().Get("matter")}
	if id, err := strconv.ParseInt(r.URL.Query().Get("matter_id"), 10, 64); err == nil {
		m, err := h.Svc.GetMatter(r.Context(), web.Principal(r), id)
		if err == nil {
			d.Matter = &m
		}
	}
	return h.workspace(w, r, http.StatusOK, d)
}

// resolveEnterprise finds the enterprise the clerk typed: its exact name,
// short name or credit code.
func (h *Handler) resolveEnterprise(ctx context.Context, text string) (int64, error) {
	text = strings.TrimSpace(text)
	if i := strings.LastIndex(text, "（"); i > 0 && strings.HasSuffix(text, "）") {
		text = text[i+len("（") : len(text)-len("）")]
	}
	if id, err := enterprise.ByUSCC(ctx, h.Svc.DB.Read(), text); err == nil && id != 0 {
		return id, nil
	}
	var id int64
	err := h.Svc.DB.Read().QueryRow(ctx, "SELECT id FROM enterprises WHERE name = ? OR short_name = ? ORDER BY id LIMIT 1", text, text).Scan(&id)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.Invalidf("enterprise", "找不到企业「%s」，请输入企业全称或统一社会信用代码", "No enterprise “%s”: type its full name or credit code", text)
	}
	return id, err
}

func (h *Handler) workspacePost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.Principal(r)
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "表单无效", "Invalid form")
	}
	f := r.PostForm
	d := &workspaceData{Form: f}
	mid, _ := strconv.ParseInt(f.Get("matter_id"), 10, 64)
	m, err := h.Svc.GetMatter(ctx, p, mid)
	if err != nil {
		return h.workspace(w, r, http.StatusBadRequest, d)
	}
	d.Matter = &m
	in := CaseInput{MatterID: mid, Channel: Window, Materials: f["materials"], Note: f.Get("note")}
	if f.Get("applicant_kind") == "person" {
		in.Applicant = &Applicant{Name: f.Get("name"), IDNumber: f.Get("id_number"), Phone: f.Get("phone")}
	} else if in.EnterpriseID, err = h.resolveEnterprise(ctx, f.Get("enterprise")); err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		d.Error = msg
		return h.workspace(w, r, st, d)
	}
	then := map[string]string{"action": f.Get("then")}
	switch then["action"] {
	case "request_supplement":
		missing := strings.TrimSpace(f.Get("missing"))
		if missing == "" {
			var lack []string
			for _, x := range m.Materials {
				if !contains(in.Materials, x) {
					lack = append(lack, x)
				}
			}
			missing = strings.Join(lack, "；")
		}
		then["materials"] = missing
	case "reject":
		then["reason"] = f.Get("reason")
	case "conclude":
		then["outcome"] = "approved"
	case "", "accept":
		then["action"] = "accept"
	}
	in.Then, _ = json.Marshal(then)
	c, err := h.Svc.Receive(ctx, p, in)
	if err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		d.Error = msg
		return h.workspace(w, r, st, d)
	}
	web.Flash(w, "svc.received")
	web.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10))
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// applyData is what the enterprise's application page shows.
type applyData struct {
	Sites   []Site
	SiteID  int64
	Matters []SiteMatter
	Error   string
}

func (h *Handler) applyPage(w http.ResponseWriter, r *http.Request) error {
	return h.apply(w, r, http.StatusOK, "")
}

func (h *Handler) apply(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ctx := r.Context()
	p := web.Principal(r)
	sites, _, err := h.Svc.ListSites(ctx, p, SiteFilter{})
	if err != nil {
		return err
	}
	d := &applyData{Sites: sites, Error: msg}
	d.SiteID, _ = strconv.ParseInt(r.FormValue("site_id"), 10, 64)
	if d.SiteID != 0 {
		online := true
		if d.Matters, _, err = h.Svc.SiteMatters(ctx, p, d.SiteID, MatterFilter{Online: &online, Q: r.URL.Query().Get("q")}); err != nil {
			return err
		}
	}
	return h.UI.RenderStatus(w, r, status, "svc_apply", i18n.T("网上申请", "Apply online"), d)
}

func (h *Handler) applyPost(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r)
	site, _ := strconv.ParseInt(r.PostFormValue("site_id"), 10, 64)
	matter, _ := strconv.ParseInt(r.PostFormValue("matter_id"), 10, 64)
	c, err := h.Svc.Receive(r.Context(), p, CaseInput{SiteID: site, MatterID: matter, Channel: Online, Note: r.PostFormValue("note")})
	if err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.apply(w, r, st, msg)
	}
	web.Flash(w, "svc.applied")
	web.Redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10))
	return nil
}

// listQuery is a list page's query string without its cursor, ready for
// the pager to append one.
func listQuery(r *http.Request) string {
	q := r.URL.Query()
	q.Del("cursor")
	if s := q.Encode(); s != "" {
		return s + "&"
	}
	return ""
}

func (h *Handler) casesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.Principal(r)
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := caseFilter(lp)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.ListCases(ctx, p, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(CursorOf(items[len(items)-1], f.ByWarning)...)
	}
	var matters []Matter
	if p.Has(access.Clerk) {
		offered, _, _ := h.Svc.SiteMatters(ctx, p, p.SiteID, MatterFilter{})
		for _, m := range offered {
			matters = append(matters, m.Matter)
		}
	}
	return h.UI.Render(w, r, "svc_cases", i18n.T("办件", "Cases"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Query": listQuery(r), "Q": r.URL.Query(), "Filter": f,
		"States": CaseFlow.States, "Matters": matters, "Export": r.URL.RawQuery,
	})
}

// caseView is what a case's page shows.
type caseView struct {
	Case       Case
	Events     []flow.Event
	Actions    []flow.Action
	Evaluation *Evaluation
	CanRate    bool
	Revealed   *Applicant
	Error      string
}

func (h *Handler) casePage(w http.ResponseWriter, r *http.Request) error {
	return h.renderCase(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, msg string, revealed *Applicant) error {
	ctx := r.Context()
	p := web.Principal(r)
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Svc.GetCase(ctx, p, id)
	if err != nil {
		return err
	}
	evs, err := h.Svc.CaseEvents(ctx, p, id)
	if err != nil {
		return err
	}
	v := &caseView{Case: c, Events: evs, Actions: CaseFlow.Allowed(c.Status, p), Revealed: revealed, Error: msg}
	if e, err := h.Svc.CaseEvaluation(ctx, p, id); err == nil {
		v.Evaluation = &e
	}
	v.CanRate = v.Evaluation == nil && contains(evaluable, c.Status) &&
		((p.Has(access.Clerk) && p.SiteID == c.SiteID) || (p.Has(access.Enterprise) && p.EnterpriseID == c.EnterpriseID && c.EnterpriseID != 0))
	return h.UI.RenderStatus(w, r, status, "svc_case", i18n.F("办件 %s", "Case %s", c.Number), v)
}

// actionBody turns an action form into the action's JSON body: the note
// and the action's declared fields.
func actionBody(def *flow.Def, action string, r *http.Request) []byte {
	fields := map[string]string{}
	if n := strings.TrimSpace(r.PostFormValue("note")); n != "" {
		fields["note"] = n
	}
	if a, ok := def.Action(action); ok {
		for _, f := range a.Fields {
			if v := strings.TrimSpace(r.PostFormValue(f.Name)); v != "" {
				fields[f.Name] = v
			}
		}
	}
	return rawAction(fields)
}

func (h *Handler) actPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if _, err := h.Svc.Act(r.Context(), web.Principal(r), id, action, actionBody(&CaseFlow, action, r)); err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderCase(w, r, st, msg, nil)
	}
	web.Flash(w, "svc.done")
	web.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) evaluatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	score, _ := strconv.Atoi(r.PostFormValue("score"))
	if _, err := h.Svc.Evaluate(r.Context(), web.Principal(r), id, EvaluationInput{Score: score, Comment: r.PostFormValue("comment")}); err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderCase(w, r, st, msg, nil)
	}
	web.Flash(w, "svc.rated")
	web.Redirect(w, r, "/cases/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) revealPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Svc.RevealApplicant(r.Context(), web.Principal(r), id)
	if err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderCase(w, r, st, msg, nil)
	}
	return h.renderCase(w, r, http.StatusOK, "", &a)
}

// Receipt kinds.
var receipts = map[string]struct {
	title  i18n.Text
	states []string
}{
	"accept":     {i18n.T("受理通知书", "Notice of acceptance"), []string{Accepted, InProcess, SpecialProcedure, Concluded, Delivered, Returned}},
	"reject":     {i18n.T("不予受理通知书", "Notice of non-acceptance"), []string{NotAccepted}},
	"supplement": {i18n.T("补正材料通知书", "Notice to supplement materials"), []string{SupplementRequired}},
}

func (h *Handler) receiptPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	kind := r.PathValue("kind")
	rc, ok := receipts[kind]
	if !ok {
		return errs.ErrNotFound
	}
	ctx := r.Context()
	p := web.Principal(r)
	c, err := h.Svc.GetCase(ctx, p, id)
	if err != nil {
		return err
	}
	if !contains(rc.states, c.Status) {
		return errs.Conflictf("办件当前状态不能出具%s", "The case's state does not allow a %s", rc.title)
	}
	m, err := h.Svc.GetMatter(ctx, p, c.MatterID)
	if err != nil {
		return err
	}
	site, err := h.Svc.GetSite(ctx, p, c.SiteID)
	if err != nil {
		return err
	}
	evs, _ := h.Svc.CaseEvents(ctx, p, id)
	var on civil.Date
	for _, ev := range evs {
		if (kind == "accept" && ev.Action == "accept") || (kind == "reject" && ev.Action == "reject") || (kind == "supplement" && ev.Action == "request_supplement") {
			on = ev.On
		}
	}
	return h.UI.Render(w, r, "svc_receipt", rc.title, map[string]any{"Kind": kind, "Case": c, "Matter": m, "Site": site, "On": on})
}

func (h *Handler) sitesPage(w http.ResponseWriter, r *http.Request) error {
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := SiteFilter{Q: lp.Q, Level: Level(lp.Query.Get("level"))}
	items, total, err := h.Svc.ListSites(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "svc_sites", i18n.T("服务站点", "Service sites"), map[string]any{
		"Items": items, "Total": total, "Filter": f, "Levels": Levels})
}

func (h *Handler) sitePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := web.Principal(r)
	s, err := h.Svc.GetSite(ctx, p, id)
	if err != nil {
		return err
	}
	ms, _, err := h.Svc.SiteMatters(ctx, p, id, MatterFilter{})
	if err != nil {
		return err
	}
	var local, remote []SiteMatter
	for _, m := range ms {
		if m.Mode == Remote {
			remote = append(remote, m)
		} else {
			local = append(local, m)
		}
	}
	return h.UI.Render(w, r, "svc_site", i18n.T(s.Name, s.Name), map[string]any{"Site": s, "Local": local, "Remote": remote})
}

func (h *Handler) mattersPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderMatters(w, r, http.StatusOK, nil, "")
}

func (h *Handler) renderMatters(w http.ResponseWriter, r *http.Request, status int, res *ImportResult, msg string) error {
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := matterFilter(lp)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.ListMatters(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	return h.UI.RenderStatus(w, r, status, "svc_matters", i18n.T("事项目录", "Matter catalog"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Query": listQuery(r), "Filter": f, "Import": res, "Error": msg})
}

func (h *Handler) importPost(w http.ResponseWriter, r *http.Request) error {
	data, err := uploaded(r)
	var res ImportResult
	if err == nil {
		res, err = h.Svc.ImportMatters(r.Context(), web.Principal(r), data, i18n.From(r.Context()))
	}
	if err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderMatters(w, r, st, nil, msg)
	}
	return h.renderMatters(w, r, http.StatusOK, &res, "")
}

func (h *Handler) badReviewsPage(w http.ResponseWriter, r *http.Request) error {
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := BadReviewFilter{Status: lp.Query.Get("status"), Limit: lp.Limit}
	if v, ok, err := lp.Bool("overdue"); err != nil {
		return err
	} else if ok {
		f.Overdue = v
	}
	if _, err := web.DecodeCursor(lp.Cursor, &f.BeforeID); err != nil {
		return err
	}
	items, total, err := h.Svc.ListBadReviews(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	return h.UI.Render(w, r, "svc_bad_reviews", i18n.T("差评整改", "Bad reviews"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Query": listQuery(r), "Filter": f, "States": BadReviewFlow.States})
}

func (h *Handler) badReviewPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderBad(w, r, http.StatusOK, "")
}

func (h *Handler) renderBad(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	p := web.Principal(r)
	b, err := h.Svc.GetBadReview(ctx, p, id)
	if err != nil {
		return err
	}
	evs, err := h.Svc.BadReviewEvents(ctx, p, id)
	if err != nil {
		return err
	}
	type line struct {
		flow.Event
		Label, State i18n.Text
	}
	lines := make([]line, len(evs))
	for i, ev := range evs {
		lines[i] = line{Event: ev, Label: i18n.T("收到差评", "Bad review received")}
		if a, ok := BadReviewFlow.Action(ev.Action); ok {
			lines[i].Label = a.Label
		}
		st, _ := BadReviewFlow.State(ev.To)
		lines[i].State = st.Label
	}
	return h.UI.RenderStatus(w, r, status, "svc_bad_review", i18n.F("差评整改 %s", "Bad review %s", b.CaseNumber), map[string]any{
		"Review": b, "Events": lines, "Actions": BadReviewFlow.Allowed(b.Status, p), "Error": msg})
}

func (h *Handler) badActPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	if _, err := h.Svc.ActOnBadReview(r.Context(), web.Principal(r), id, action, actionBody(&BadReviewFlow, action, r)); err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderBad(w, r, st, msg)
	}
	web.Flash(w, "svc.done")
	web.Redirect(w, r, "/bad-reviews/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) remotePage(w http.ResponseWriter, r *http.Request) error {
	return h.renderRemote(w, r, http.StatusOK, "")
}

func (h *Handler) renderRemote(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	ctx := r.Context()
	p := web.Principal(r)
	items, total, err := h.Svc.ListRemoteSessions(ctx, p, RemoteFilter{Limit: 100})
	if err != nil {
		return err
	}
	var matters []SiteMatter
	if p.Has(access.Clerk) {
		if matters, _, err = h.Svc.SiteMatters(ctx, p, p.SiteID, MatterFilter{Mode: Remote}); err != nil {
			return err
		}
	}
	return h.UI.RenderStatus(w, r, status, "svc_remote", i18n.T("云端政务超市 · 远程会话", "Remote sessions"), map[string]any{
		"Items": items, "Total": total, "Matters": matters, "Outcomes": RemoteOutcomes, "Error": msg,
		"Now": h.Svc.DB.Now().In(civil.Zone).Format("2006-01-02T15:04")})
}

func (h *Handler) remotePost(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := web.Principal(r)
	mid, _ := strconv.ParseInt(r.PostFormValue("matter_id"), 10, 64)
	in := RemoteSessionInput{MatterID: mid, Outcome: RemoteOutcome(r.PostFormValue("outcome")), AgentName: r.PostFormValue("agent_name"),
		Note: r.PostFormValue("note")}
	var err error
	if in.StartedAt, err = parseLocal(r.PostFormValue("started_at")); err != nil {
		in.StartedAt = h.Svc.DB.Now()
	}
	if t, err := parseLocal(r.PostFormValue("ended_at")); err == nil {
		in.EndedAt = &t
	}
	if in.Outcome == AcceptedRS {
		if in.EnterpriseID, err = h.resolveEnterprise(ctx, r.PostFormValue("enterprise")); err != nil {
			msg, st, _ := message(r, err)
			return h.renderRemote(w, r, st, msg)
		}
	}
	if _, err := h.Svc.RecordRemoteSession(ctx, p, in); err != nil {
		msg, st, ok := message(r, err)
		if !ok {
			return err
		}
		return h.renderRemote(w, r, st, msg)
	}
	web.Flash(w, "svc.done")
	web.Redirect(w, r, "/remote-sessions")
	return nil
}

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) error {
	st, err := LoadSettings(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "svc_settings", i18n.T("政务服务设置", "Service settings"), map[string]any{"Settings": st})
}

func (h *Handler) settingsPost(w http.ResponseWriter, r *http.Request) error {
	n, _ := strconv.Atoi(r.PostFormValue("bad_review_workdays"))
	st, err := h.Svc.SaveSettings(r.Context(), web.Principal(r), Settings{BadReviewWorkdays: n})
	if err != nil {
		msg, status, ok := message(r, err)
		if !ok {
			return err
		}
		return h.UI.RenderStatus(w, r, status, "svc_settings", i18n.T("政务服务设置", "Service settings"), map[string]any{"Settings": st, "Error": msg})
	}
	web.Flash(w, "svc.saved")
	web.Redirect(w, r, "/service/settings")
	return nil
}

// parseLocal reads a datetime-local form value in the zone's time.
func parseLocal(s string) (time.Time, error) {
	return time.ParseInLocation("2006-01-02T15:04", s, civil.Zone)
}

// ActionLabel is the name of a case action in the history (the reception
// is an event too).
func (v *caseView) ActionLabel(name string) i18n.Text {
	if name == "receive" {
		return i18n.T("收件", "Received")
	}
	if a, ok := CaseFlow.Action(name); ok {
		return a.Label
	}
	return i18n.T(name, name)
}

// ScoreLabel is the name of an evaluation level.
func (v *caseView) ScoreLabel(score int) i18n.Text { return ScoreLabel(score) }
