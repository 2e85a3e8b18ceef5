package appeal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// opt is one option of a select on a page.
type opt struct {
	Value    string
	Label    string
	Selected bool
}

func opts[T ~string](vals []T, label func(T) i18n.Text, lang i18n.Lang, selected string) []opt {
	out := make([]opt, 0, len(vals))
	for _, v := range vals {
		out = append(out, opt{Value: string(v), Label: label(v).In(lang), Selected: string(v) == selected})
	}
	return out
}

func (h *Handler) departmentOpts(r *http.Request, selected string) ([]opt, error) {
	ds, err := Departments(r.Context(), h.Svc.DB.Read())
	out := make([]opt, 0, len(ds))
	for _, d := range ds {
		v := itoa(d.ID)
		out = append(out, opt{Value: v, Label: d.Name, Selected: v == selected})
	}
	return out, err
}

// pagerQuery is the page's query without its cursor, ready for "cursor=".
func pagerQuery(r *http.Request) string {
	q := r.URL.Query()
	q.Del("cursor")
	s := q.Encode()
	if s != "" {
		s += "&"
	}
	return s
}

func (h *Handler) listPage(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r)
	q := r.URL.Query()
	view := q.Get("view")
	if view == "" && len(q) == 0 && p.Has(access.Department) {
		view = "inbox"
	}
	lp, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(lp)
	if err != nil {
		return err
	}
	if view == "inbox" {
		f.Inbox = true
	}
	items, total, next, err := h.Svc.List(r.Context(), p, f)
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	states := []opt{{Value: "open", Label: i18n.Tr(lang, "apl.open"), Selected: f.State == "open"}}
	for _, s := range Flow.States {
		states = append(states, opt{Value: s.Name, Label: s.Label.In(lang), Selected: s.Name == f.State})
	}
	depts, err := h.departmentOpts(r, q.Get("department_org_id"))
	if err != nil {
		return err
	}
	export := url.Values{}
	for k, v := range q {
		if k != "cursor" && k != "view" {
			export[k] = v
		}
	}
	if f.Inbox {
		export.Set("inbox", "true")
	}
	export.Set("format", "xlsx")
	title := i18n.T("企业诉求", "Enterprise appeals")
	switch {
	case view == "inbox":
		title = i18n.T("待办诉求", "Appeals to handle")
	case f.Overdue:
		title = i18n.T("超期诉求清单", "Overdue appeals")
	}
	return h.UI.Render(w, r, "appeal_list", title, map[string]any{
		"Items": items, "Total": total, "Next": next, "Query": pagerQuery(r), "View": view, "Q": f.Q,
		"States": states, "Categories": opts(Categories, Category.Label, lang, string(f.Category)),
		"Channels": opts(Channels, Channel.Label, lang, string(f.Channel)), "Departments": depts,
		"Overdue": f.Overdue, "Supervised": q.Get("supervised") == "true", "EnterpriseID": q.Get("enterprise_id"),
		"ProjectID": q.Get("project_id"), "Export": "/api/v1/appeals?" + export.Encode(),
		"CanFile": filing.Permits(p),
	})
}

// newForm is what the filing page shows and keeps across an error.
type newForm struct {
	In             Input
	EnterpriseText string
	EnterpriseName string
	Fixed          bool // the enterprise came with the link (a visit, a project)
}

func (h *Handler) renderNew(w http.ResponseWriter, r *http.Request, status int, nf newForm, msg string) error {
	p := web.Principal(r)
	lang := i18n.From(r.Context())
	var names []string
	if !p.Has(access.Enterprise) || p.Has(staffRoles...) {
		page, err := h.Svc.Enterprises.List(r.Context(), p, enterprise.Filter{Limit: 300})
		if err != nil {
			return err
		}
		es := page.Items
		for _, e := range es {
			names = append(names, e.Name)
		}
	}
	channels := []Channel{}
	for _, c := range Channels {
		if c != Online {
			channels = append(channels, c)
		}
	}
	staff := p.Has(staffRoles...)
	return h.UI.RenderStatus(w, r, status, "appeal_new", i18n.T("登记诉求", "File an appeal"), map[string]any{
		"F": nf, "Staff": staff, "Enterprises": names, "Error": msg,
		"Channels":   opts(channels, Channel.Label, lang, string(nf.In.Channel)),
		"Categories": opts(Categories, Category.Label, lang, string(nf.In.Category)),
		"Urgencies":  opts(Urgencies, Urgency.Label, lang, string(nf.In.Urgency)),
		"Today":      h.Svc.today(),
	})
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := web.Principal(r)
	nf := newForm{In: Input{Channel: Channel(q.Get("channel")), Category: Category(q.Get("category")), VisitFlag: q.Get("flag")}}
	lp := web.ListParams{Query: q}
	var err error
	if nf.In.EnterpriseID, err = lp.ID("enterprise_id"); err != nil {
		return err
	}
	if nf.In.VisitID, err = lp.ID("visit_id"); err != nil {
		return err
	}
	if nf.In.ProjectID, err = lp.ID("project_id"); err != nil {
		return err
	}
	if p.Has(access.Enterprise) && nf.In.EnterpriseID == 0 {
		nf.In.EnterpriseID = p.EnterpriseID
	}
	if nf.In.Channel == "" {
		nf.In.Channel = Hotline
		if p.Has(access.Cadre) {
			nf.In.Channel = CadreVisit
		}
	}
	if nf.In.EnterpriseID != 0 {
		e, err := h.Svc.Enterprises.Get(r.Context(), p, nf.In.EnterpriseID)
		if err != nil {
			return err
		}
		nf.EnterpriseName, nf.Fixed = e.Name, true
	}
	if nf.In.VisitFlag != "" {
		nf.In.Content = i18n.F("走访发现：%s。", "Found on a visit: %s. ", nf.In.VisitFlag).In(i18n.From(r.Context()))
	}
	return h.renderNew(w, r, http.StatusOK, nf, "")
}

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

func (h *Handler) createPost(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r)
	nf := newForm{In: Input{EnterpriseID: formID(r, "enterprise_id"), Channel: Channel(r.PostFormValue("channel")),
		Category: Category(r.PostFormValue("category")), Urgency: Urgency(r.PostFormValue("urgency")), Content: r.PostFormValue("content"),
		ContactName: r.PostFormValue("contact_name"), VisitID: formID(r, "visit_id"), VisitFlag: r.PostFormValue("visit_flag"),
		ProjectID: formID(r, "project_id")}, EnterpriseText: strings.TrimSpace(r.PostFormValue("enterprise"))}
	fail := func(err error) error {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		if nf.In.EnterpriseID != 0 && r.PostFormValue("fixed") == "1" {
			if ent, err := h.Svc.Enterprises.Get(r.Context(), p, nf.In.EnterpriseID); err == nil {
				nf.EnterpriseName, nf.Fixed = ent.Name, true
			}
		}
		return h.renderNew(w, r, web.StatusOf(e), nf, e.Msg.In(i18n.From(r.Context())))
	}
	if s := strings.TrimSpace(r.PostFormValue("received_on")); s != "" {
		d, err := civil.Parse(s)
		if err != nil {
			return fail(errs.Invalidf("received_on", "登记日期应为YYYY-MM-DD格式", "received_on must be a date YYYY-MM-DD"))
		}
		nf.In.ReceivedOn = d
	}
	if p.Has(access.Enterprise) && !p.Has(staffRoles...) {
		nf.In.EnterpriseID, nf.In.Channel = p.EnterpriseID, Online
	} else if nf.In.EnterpriseID == 0 {
		id, err := h.resolveEnterprise(r, nf.EnterpriseText)
		if err != nil {
			return fail(err)
		}
		nf.In.EnterpriseID = id
	}
	a, err := h.Svc.Create(r.Context(), p, nf.In)
	if err != nil {
		return fail(err)
	}
	web.Flash(w, "apl.filed")
	web.Redirect(w, r, link(&a))
	return nil
}

// resolveEnterprise finds the one enterprise a filer means by a name, short
// name or credit code.
func (h *Handler) resolveEnterprise(r *http.Request, text string) (int64, error) {
	bad := errs.Invalidf("enterprise", "请输入准确的企业名称或统一社会信用代码", "Enter the enterprise's exact name or credit code")
	if text == "" {
		return 0, bad
	}
	page, err := h.Svc.Enterprises.List(r.Context(), web.Principal(r), enterprise.Filter{Q: text, Limit: 20})
	if err != nil {
		return 0, err
	}
	es := page.Items
	code := enterprise.NormalizeUSCC(text)
	for _, e := range es {
		if e.Name == text || e.ShortName == text || e.USCC == code {
			return e.ID, nil
		}
	}
	if len(es) == 1 {
		return es[0].ID, nil
	}
	return 0, bad
}

// field is one input of an action's form.
type field struct {
	Name     string
	Label    string
	Kind     string // textarea, select, multi, date, radio, hidden
	Required bool
	Options  []opt
}

// actionForm is one action a page offers.
type actionForm struct {
	Action string
	Label  string
	Fields []field
}

// eventView is one line of an appeal's history.
type eventView struct {
	flow.Event
	Label   string
	ToLabel string
	Details []string
}

func (h *Handler) forms(r *http.Request, a *Appeal) ([]actionForm, error) {
	p := web.Principal(r)
	lang := i18n.From(r.Context())
	depts, err := h.departmentOpts(r, "")
	if err != nil {
		return nil, err
	}
	var out []actionForm
	for _, name := range a.Actions {
		act, _ := Flow.Action(name)
		f := actionForm{Action: name, Label: act.Label.In(lang)}
		for _, fl := range act.Fields {
			x := field{Name: fl.Name, Label: fl.Label.In(lang), Required: fl.Required}
			switch fl.Kind {
			case flow.Text:
				x.Kind = "textarea"
			case flow.Date:
				x.Kind = "date"
				if fl.Name == "date" && !p.Has(access.ServiceOffice) {
					continue
				}
			case flow.Bool:
				x.Kind = "radio"
			case flow.Enum:
				x.Kind = "select"
				for _, v := range fl.Enum {
					label := v
					switch fl.Name {
					case "urgency":
						label = Urgency(v).Label().In(lang)
					case "rating":
						label = Rating(v).Label().In(lang)
					}
					x.Options = append(x.Options, opt{Value: v, Label: label, Selected: fl.Name == "urgency" && v == string(a.Urgency)})
				}
			case flow.ID:
				x.Kind, x.Options = "select", depts
			case flow.IDs:
				x.Kind, x.Options = "multi", depts
			}
			f.Fields = append(f.Fields, x)
		}
		out = append(out, f)
	}
	return out, nil
}

func (h *Handler) history(r *http.Request, id int64) ([]eventView, error) {
	evs, err := h.Svc.Events(r.Context(), web.Principal(r), id)
	if err != nil {
		return nil, err
	}
	lang := i18n.From(r.Context())
	names := map[int64]string{}
	if ds, err := Departments(r.Context(), h.Svc.DB.Read()); err == nil {
		for _, d := range ds {
			names[d.ID] = d.Name
		}
	}
	out := make([]eventView, 0, len(evs))
	for _, ev := range evs {
		v := eventView{Event: ev, ToLabel: Flow.StateLabel(ev.To, lang)}
		if act, ok := Flow.Action(ev.Action); ok {
			v.Label = act.Label.In(lang)
		} else {
			v.Label = i18n.Tr(lang, "apl.event."+ev.Action)
		}
		d := ev.Data
		str := func(k string) string { s, _ := d[k].(string); return s }
		switch ev.Action {
		case "create":
			v.Details = append(v.Details, Channel(str("channel")).Label().In(lang)+" · "+Category(str("category")).Label().In(lang))
		case "accept":
			if u := str("urgency"); u != "" {
				v.Details = append(v.Details, Urgency(u).Label().In(lang))
			}
		case "dispatch":
			v.Details = append(v.Details, i18n.F("牵头部门：%s", "Lead: %s", names[dataInt(d["department_org_id"])]).In(lang))
			if co, ok := d["co_department_org_ids"].([]any); ok && len(co) > 0 {
				var ns []string
				for _, c := range co {
					ns = append(ns, names[dataInt(c)])
				}
				v.Details = append(v.Details, i18n.F("协办：%s", "With: %s", strings.Join(ns, "、")).In(lang))
			}
			v.Details = append(v.Details, i18n.F("签收期限 %s，答复期限 %s", "Sign by %s, reply by %s", str("sign_due_on"), str("due_on")).In(lang))
		case "extend":
			v.Details = append(v.Details, i18n.F("延期至 %s：%s", "Extended to %s: %s", str("due_on"), str("reason")).In(lang))
		case "request_return":
			v.Details = append(v.Details, str("reason"))
		case "reply", "answer":
			v.Details = append(v.Details, str("reply"))
		case "revisit":
			res := i18n.Tr(lang, "apl.unresolved")
			if b, _ := d["resolved"].(bool); b {
				res = i18n.Tr(lang, "apl.resolved")
			}
			v.Details = append(v.Details, Rating(str("rating")).Label().In(lang)+" · "+res)
		}
		out = append(out, v)
	}
	return out, nil
}

// plain tells where the appeal stands in plain words, as the enterprise
// reads it.
func plain(a *Appeal) i18n.Text {
	switch a.State {
	case StateReceived:
		return i18n.F("您的诉求已登记（编号 %s），等待营商办受理。", "Your appeal is registered as %s and waits for the service office to accept it.", a.No)
	case StateAccepted:
		return i18n.T("营商办已受理，正在确定负责办理的部门。", "The service office accepted it and is choosing the department to handle it.")
	case StateAnswered:
		return i18n.T("营商办已直接答复，请阅读答复并评价。", "The service office answered it directly; please read the answer and rate it.")
	case StateDispatched, StateReturnRequested:
		return i18n.F("已交由%s办理：%s 前签收，%s 前答复。", "%s handles it: it signs by %s and replies by %s.", a.DepartmentName, a.SignDueOn, a.DueOn)
	case StateSigned:
		return i18n.F("%s已签收，正在办理，%s 前答复。", "%s has signed for it and will reply by %s.", a.DepartmentName, a.DueOn)
	case StateReplied:
		return i18n.F("%s已答复，请阅读答复并评价。", "%s has replied; please read the reply and rate it.", a.DepartmentName)
	case StateRevisited:
		if a.Rating == Unsatisfied {
			return i18n.T("您对办理结果不满意，营商办将安排重办。", "You were not satisfied; the service office will have it handled again.")
		}
		return i18n.F("您的评价是“%s”，营商办将办结此诉求。", "You rated it “%s”; the service office will close it.", a.Rating.Label())
	case StateReopened:
		return i18n.T("诉求已重办，营商办正在重新安排部门办理。", "The appeal is reopened; the service office is dispatching it again.")
	case StateClosed:
		return i18n.T("诉求已办结，感谢您的评价。", "The appeal is closed. Thank you for your rating.")
	}
	return i18n.T("", "")
}

func (h *Handler) detailPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderDetail(w, r, http.StatusOK, "")
}

func (h *Handler) renderDetail(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	evs, err := h.history(r, id)
	if err != nil {
		return err
	}
	forms, err := h.forms(r, &a)
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	return h.UI.RenderStatus(w, r, status, "appeal_detail", i18n.F("诉求 %s", "Appeal %s", a.No), map[string]any{
		"A": a, "Events": evs, "Forms": forms, "Plain": plain(&a).In(lang), "Error": msg,
		"Channel": a.Channel.Label().In(lang), "Category": a.Category.Label().In(lang), "Urgency": a.Urgency.Label().In(lang),
		"Rating": a.Rating.Label().In(lang), "Staff": !web.Principal(r).Has(access.Enterprise),
		"RateButtons": opts(Ratings, Rating.Label, lang, ""),
	})
}

// formBody turns an action's form into the JSON body the workflow decodes.
func formBody(r *http.Request, action string) ([]byte, error) {
	if err := r.ParseForm(); err != nil {
		return nil, errs.Invalidf("", "表单无效", "The form is invalid")
	}
	m := map[string]any{}
	if n := strings.TrimSpace(r.PostForm.Get("note")); n != "" {
		m["note"] = n
	}
	act, ok := Flow.Action(action)
	if !ok {
		return nil, errs.ErrNotFound
	}
	for _, f := range act.Fields {
		vals := r.PostForm[f.Name]
		switch f.Kind {
		case flow.IDs:
			var ids []string
			for _, v := range vals {
				if v = strings.TrimSpace(v); v != "" {
					ids = append(ids, v)
				}
			}
			if len(ids) > 0 {
				m[f.Name] = ids
			}
		case flow.Bool:
			switch r.PostForm.Get(f.Name) {
			case "true":
				m[f.Name] = true
			case "false":
				m[f.Name] = false
			}
		default:
			if v := strings.TrimSpace(r.PostForm.Get(f.Name)); v != "" {
				m[f.Name] = v
			}
		}
	}
	return json.Marshal(m)
}

func (h *Handler) actPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	action := r.PathValue("action")
	body, err := formBody(r, action)
	if err == nil {
		_, err = h.Svc.Act(r.Context(), web.Principal(r), id, action, body)
	}
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal || e.Code == errs.NotFound {
			return err
		}
		return h.renderDetail(w, r, web.StatusOf(e), e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "apl.done")
	web.Redirect(w, r, fmt.Sprintf("/appeals/%d", id))
	return nil
}

func (h *Handler) rankingPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("by") == "" {
		q.Set("by", "department")
		r.URL.RawQuery = q.Encode()
	}
	v, err := h.rates(r)
	if err != nil {
		return err
	}
	r2 := r.Clone(r.Context())
	q2 := r2.URL.Query()
	q2.Set("by", "category")
	r2.URL.RawQuery = q2.Encode()
	byCat, err := h.rates(r2)
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	sorts := []opt{}
	for _, s := range []string{"satisfaction", "response", "resolution", "on_time"} {
		sorts = append(sorts, opt{Value: s, Label: i18n.Tr(lang, "apl.rate."+s), Selected: q.Get("sort") == s || (s == "satisfaction" && q.Get("sort") == "")})
	}
	return h.UI.Render(w, r, "appeal_ranking", i18n.T("部门诉求办理排名", "Departments ranked on appeals"), map[string]any{
		"V": v, "ByCategory": byCat.Rows, "Sorts": sorts,
	})
}

func (h *Handler) limitsPage(w http.ResponseWriter, r *http.Request) error {
	l, err := LoadLimits(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return h.renderLimits(w, r, http.StatusOK, l, "")
}

// limitRow is one category's line on the limits page.
type limitRow struct {
	Category Category
	Label    string
	Values   []limitCell
}

type limitCell struct {
	Name  string
	Label string
	Value string
}

func (h *Handler) renderLimits(w http.ResponseWriter, r *http.Request, status int, l Limits, msg string) error {
	lang := i18n.From(r.Context())
	var rows []limitRow
	for _, c := range Categories {
		row := limitRow{Category: c, Label: c.Label().In(lang)}
		for _, u := range Urgencies {
			v := ""
			if n := l.Categories[c][u]; n > 0 {
				v = strconv.Itoa(n)
			}
			row.Values = append(row.Values, limitCell{Name: "cat_" + string(c) + "_" + string(u), Value: v})
		}
		rows = append(rows, row)
	}
	var reply []limitCell
	for _, u := range Urgencies {
		v := ""
		if n := l.Reply[u]; n > 0 {
			v = strconv.Itoa(n)
		}
		reply = append(reply, limitCell{Name: "reply_" + string(u), Label: u.Label().In(lang), Value: v})
	}
	return h.UI.RenderStatus(w, r, status, "appeal_limits", i18n.T("诉求办理时限", "Appeal time limits"), map[string]any{
		"L": l, "Rows": rows, "Reply": reply, "Error": msg, "CanEdit": web.Principal(r).Has(access.ServiceOffice),
		"Urgencies": opts(Urgencies, Urgency.Label, lang, ""),
	})
}

func (h *Handler) limitsPost(w http.ResponseWriter, r *http.Request) error {
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
		if err != nil {
			return -1
		}
		return n
	}
	l := Limits{SignWorkdays: num("sign_workdays"), MaxExtensions: num("max_extensions"), Reply: map[Urgency]int{},
		Categories: map[Category]map[Urgency]int{}}
	for _, u := range Urgencies {
		l.Reply[u] = num("reply_" + string(u))
	}
	for _, c := range Categories {
		for _, u := range Urgencies {
			s := strings.TrimSpace(r.PostFormValue("cat_" + string(c) + "_" + string(u)))
			if s == "" {
				continue
			}
			if l.Categories[c] == nil {
				l.Categories[c] = map[Urgency]int{}
			}
			l.Categories[c][u] = num("cat_" + string(c) + "_" + string(u))
		}
	}
	if err := SaveLimits(r.Context(), h.Svc.DB, l); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderLimits(w, r, web.StatusOf(e), l, e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "apl.limits.saved")
	web.Redirect(w, r, "/appeals/limits")
	return nil
}
