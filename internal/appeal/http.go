package appeal

import (
	"net/http"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/rollup"
	"xiaoer/internal/web"
)

// Handler serves appeals: the JSON API and the pages.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers = web.Roles(access.Leader, access.ServiceOffice, access.Clerk, access.ProjectOffice, access.Cadre, access.Department, access.Enterprise)
	filing  = web.Roles(filers...)
	officeR = web.Roles(access.ServiceOffice)
	chiefs  = web.Roles(access.Leader, access.ServiceOffice)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/appeals", readers, h.apiList).Doc("企业诉求列表（按状态、类别、渠道、企业、部门、项目、走访、督办、超期筛选；inbox=true 为部门待办，按期限排序）", nil, web.List[Appeal]{}),
		web.Handle("POST /api/v1/appeals", filing, h.apiCreate).Doc("登记企业诉求（企业网上提交，或工作人员代企业登记）", Input{}, Appeal{}).Created(),
		web.Handle("GET /api/v1/appeals/rates", chiefs, h.apiRates).Doc("诉求三率与按时办结率（总计、按部门或按类别）", nil, RatesView{}),
		web.Handle("GET /api/v1/appeals/limits", chiefs, h.apiLimits).Doc("诉求办理时限（工作日）", nil, Limits{}),
		web.Handle("PUT /api/v1/appeals/limits", officeR, h.apiSaveLimits).Doc("修改诉求办理时限（对此后的派单生效）", Limits{}, Limits{}),
		web.Handle("GET /api/v1/appeals/{id}", readers, h.apiGet).Doc("企业诉求详情", nil, Appeal{}),
		web.Handle("POST /api/v1/appeals/{id}/actions/{action}", readers, web.ActionAPI(h.Svc.Act)).Doc("诉求办理操作：accept answer dispatch refuse_return sign request_return extend reply revisit reopen close supervise", ActionBody{}, Appeal{}),
		web.Handle("GET /api/v1/appeals/{id}/events", readers, web.HistoryAPI(h.Svc.Events)).Doc("诉求办理过程（最早的在前）", nil, []flow.Event{}),

		web.Handle("GET /appeals", readers, h.listPage),
		web.Handle("GET /appeals/new", filing, h.newPage),
		web.Handle("POST /appeals", filing, h.createPost),
		web.Handle("GET /appeals/ranking", chiefs, h.rankingPage),
		web.Handle("GET /appeals/limits", chiefs, h.limitsPage),
		web.Handle("POST /appeals/limits", officeR, h.limitsPost),
		web.Handle("GET /appeals/{id}", readers, h.detailPage),
		web.Handle("POST /appeals/{id}/actions/{action}", readers, h.actPost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "apl.nav", Key: "apl.nav.inbox", Path: "/appeals?view=inbox", Allow: web.Roles(access.Department), Order: 400},
		{Group: "apl.nav", Key: "apl.nav.list", Path: "/appeals", Allow: readers, Order: 401},
		{Group: "apl.nav", Key: "apl.nav.new", Path: "/appeals/new", Allow: filing, Order: 402},
		{Group: "apl.nav", Key: "apl.nav.overdue", Path: "/appeals?overdue=true", Allow: chiefs, Order: 403},
		{Group: "apl.nav", Key: "apl.nav.ranking", Path: "/appeals/ranking", Allow: chiefs, Order: 404},
		{Group: "apl.nav", Key: "apl.nav.limits", Path: "/appeals/limits", Allow: officeR, Order: 405},
	}
}

// ActionBody documents the bodies of the actions; each action takes only
// its own fields (API.md), and every one an optional note.
type ActionBody struct {
	Note               string     `json:"note,omitempty"`
	Urgency            Urgency    `json:"urgency,omitempty" doc:"accept"`
	Reply              string     `json:"reply,omitempty" doc:"answer, reply"`
	DepartmentOrgID    string     `json:"department_org_id,omitempty" doc:"dispatch"`
	CoDepartmentOrgIDs []string   `json:"co_department_org_ids,omitempty" doc:"dispatch"`
	Reason             string     `json:"reason,omitempty" doc:"request_return, extend"`
	DueOn              civil.Date `json:"due_on,omitempty" doc:"extend: a later due day"`
	Rating             Rating     `json:"rating,omitempty" doc:"revisit"`
	Resolved           *bool      `json:"resolved,omitempty" doc:"revisit"`
	Date               civil.Date `json:"date,omitempty" doc:"service office only: the day of a back-entered paper record"`
}

var columns = []web.Column[Appeal]{
	web.Col("诉求编号", "Number", func(a Appeal) any { return a.No }),
	web.Col("企业", "Enterprise", func(a Appeal) any { return a.EnterpriseName }),
	web.Col("渠道", "Channel", func(a Appeal) any { return a.Channel.Label().Zh }),
	web.Col("类别", "Category", func(a Appeal) any { return a.Category.Label().Zh }),
	web.Col("紧急程度", "Urgency", func(a Appeal) any { return a.Urgency.Label().Zh }),
	web.Col("诉求内容", "Content", func(a Appeal) any { return a.Content }),
	web.Col("状态", "State", func(a Appeal) any { return Flow.StateLabel(a.State, i18n.ZH) }),
	web.Col("牵头部门", "Lead department", func(a Appeal) any { return a.DepartmentName }),
	web.Col("登记日期", "Received", func(a Appeal) any { return a.ReceivedOn }),
	web.Col("派单日期", "Dispatched", func(a Appeal) any { return a.DispatchedOn }),
	web.Col("签收日期", "Signed", func(a Appeal) any { return a.SignedOn }),
	web.Col("答复期限", "Due", func(a Appeal) any { return a.DueOn }),
	web.Col("答复日期", "Replied", func(a Appeal) any { return a.RepliedOn }),
	web.Col("评价", "Rating", func(a Appeal) any {
		if a.Rating == "" {
			return ""
		}
		return a.Rating.Label().Zh
	}),
	web.Col("是否解决", "Resolved", func(a Appeal) any {
		if a.Resolved == nil {
			return ""
		}
		return *a.Resolved
	}),
	web.Col("办结日期", "Closed", func(a Appeal) any { return a.ClosedOn }),
	web.Col("督办", "Supervised", func(a Appeal) any { return a.Supervised }),
	web.Col("超期", "Overdue", func(a Appeal) any { return a.Overdue }),
}

func filterOf(p web.ListParams) (Filter, error) {
	q := p.Query
	f := Filter{Q: p.Q, State: q.Get("state"), Category: Category(q.Get("category")), Channel: Channel(q.Get("channel")),
		Urgency: Urgency(q.Get("urgency")), Limit: p.Limit, After: p.Cursor, ByDue: q.Get("sort") == "due"}
	var err error
	for name, dst := range map[string]*int64{"enterprise_id": &f.EnterpriseID, "department_org_id": &f.DepartmentOrgID,
		"project_id": &f.ProjectID, "visit_id": &f.VisitID} {
		if *dst, err = p.ID(name); err != nil {
			return f, err
		}
	}
	if v, ok, err := p.Bool("supervised"); err != nil {
		return f, err
	} else if ok {
		f.Supervised = &v
	}
	if f.Overdue, _, err = p.Bool("overdue"); err != nil {
		return f, err
	}
	if f.Inbox, _, err = p.Bool("inbox"); err != nil {
		return f, err
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	f.To, err = p.Date("to")
	return f, err
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("企业诉求", "Appeals"), columns,
		func() (web.List[Appeal], error) {
			items, total, next, err := h.Svc.List(r.Context(), pr, f)
			if items == nil {
				items = []Appeal{}
			}
			return web.List[Appeal]{Items: items, Total: total, NextCursor: next}, err
		},
		func(yield func(Appeal) error) error { return h.Svc.Each(r.Context(), pr, f, yield) })
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	a, err := h.Svc.Create(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, a)
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, a)
}

// RatesView is the answer of GET /appeals/rates.
type RatesView struct {
	From  civil.Date `json:"from"`
	To    civil.Date `json:"to"`
	By    Grouping   `json:"by" doc:"department, category, or empty for the total only"`
	Total Figures    `json:"total"`
	Rows  []Figures  `json:"rows"`
}

// period reads from and to, by default the year so far.
func (h *Handler) period(r *http.Request) (civil.Date, civil.Date, error) {
	q := r.URL.Query()
	today := h.Svc.today()
	from, to := civil.New(today.Year, 1, 1), today
	var err error
	if s := q.Get("from"); s != "" {
		if from, err = civil.Parse(s); err != nil {
			return from, to, errs.Invalidf("from", "from 应为YYYY-MM-DD格式的日期", "from must be a date YYYY-MM-DD")
		}
	}
	if s := q.Get("to"); s != "" {
		if to, err = civil.Parse(s); err != nil {
			return from, to, errs.Invalidf("to", "to 应为YYYY-MM-DD格式的日期", "to must be a date YYYY-MM-DD")
		}
	}
	if to.Before(from) {
		return from, to, errs.Invalidf("to", "结束日期不能早于开始日期", "to must not be before from")
	}
	return from, to, nil
}

func (h *Handler) rates(r *http.Request) (RatesView, error) {
	from, to, err := h.period(r)
	if err != nil {
		return RatesView{}, err
	}
	v := RatesView{From: from, To: to, By: Grouping(r.URL.Query().Get("by")), Rows: []Figures{}}
	p := web.Principal(r)
	q := h.Svc.DB.Read()
	total, err := Compute(r.Context(), q, rollup.ScopeOf(p), from, to, Total)
	if err != nil {
		return v, err
	}
	v.Total = *total[""]
	lang := i18n.From(r.Context())
	switch v.By {
	case Total:
	case ByDepartment:
		if v.Rows, err = Ranking(r.Context(), q, p, from, to, r.URL.Query().Get("sort")); err != nil {
			return v, err
		}
	case ByCategory:
		m, err := Compute(r.Context(), q, rollup.ScopeOf(p), from, to, ByCategory)
		if err != nil {
			return v, err
		}
		for _, c := range Categories {
			f := m[string(c)]
			if f == nil {
				f = &Figures{Key: string(c)}
				f.rates()
			}
			f.Name = c.Label().In(lang)
			v.Rows = append(v.Rows, *f)
		}
	default:
		return v, errs.Invalidf("by", "by 只能是 department 或 category", "by must be department or category")
	}
	return v, nil
}

func (h *Handler) apiRates(w http.ResponseWriter, r *http.Request) error {
	v, err := h.rates(r)
	if err != nil {
		return err
	}
	return web.OK(w, v)
}

func (h *Handler) apiLimits(w http.ResponseWriter, r *http.Request) error {
	l, err := LoadLimits(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return web.OK(w, l)
}

func (h *Handler) apiSaveLimits(w http.ResponseWriter, r *http.Request) error {
	var l Limits
	if err := web.Decode(r, &l); err != nil {
		return err
	}
	if err := SaveLimits(r.Context(), h.Svc.DB, l); err != nil {
		return err
	}
	return h.apiLimits(w, r)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
