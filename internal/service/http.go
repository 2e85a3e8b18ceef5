package service

import (
	"net/http"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the service network's API and pages.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers     = web.BusinessRoles
	office      = web.Roles(access.ServiceOffice)
	caseReaders = web.Roles(access.Leader, access.ServiceOffice, access.Clerk, access.Enterprise)
	receivers   = web.Roles(access.ServiceOffice, access.Clerk, access.Enterprise)
	windowStaff = web.Roles(access.ServiceOffice, access.Clerk)
	raters      = web.Roles(access.Clerk, access.Enterprise)
	badReaders  = web.Roles(access.Leader, access.ServiceOffice, access.Clerk, access.Enterprise)
	netReaders  = web.Roles(access.Leader, access.ServiceOffice, access.Clerk)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return append([]web.Route{
		web.Handle("GET /api/v1/sites", readers, h.apiSites).Doc("站点列表（按名称、代码搜索；按层级、类型、组织筛选）", nil, web.List[Site]{}),
		web.Handle("POST /api/v1/sites", office, h.apiCreateSite).Doc("设立站点", SiteInput{}, Site{}).Created(),
		web.Handle("GET /api/v1/sites/{id}", readers, h.apiSite).Doc("站点详情", nil, Site{}),
		web.Handle("PUT /api/v1/sites/{id}", office, h.apiUpdateSite).Doc("修改站点", SiteInput{}, Site{}),
		web.Handle("GET /api/v1/sites/{id}/matters", readers, h.apiSiteMatters).Doc("站点可办事项列表（现场或远程）", nil, web.List[SiteMatter]{}),
		web.Handle("POST /api/v1/sites/{id}/matters", office, h.apiOffer).Doc("设置站点可办事项及办理方式", SiteMatterInput{}, SiteMatter{}),
		web.Handle("DELETE /api/v1/sites/{id}/matters/{matter_id}", office, h.apiWithdrawMatter).Doc("取消站点可办事项", nil, nil),

		web.Handle("GET /api/v1/matters", readers, h.apiMatters).Doc("事项目录列表（按名称、编码、部门搜索；可导出为导入模板格式）", nil, web.List[Matter]{}),
		web.Handle("POST /api/v1/matters", office, h.apiCreateMatter).Doc("新增事项", MatterInput{}, Matter{}).Created(),
		web.Handle("GET /api/v1/matters/template", office, h.apiMatterTemplate).Doc("事项目录导入模板（xlsx）", nil, nil),
		web.Handle("POST /api/v1/matters/import", office, h.apiImportMatters).Doc("从Excel或CSV导入事项目录（按编码新增或更新，逐行报告错误）", nil, ImportResult{}).Limit(20 << 20),
		web.Handle("GET /api/v1/matters/{id}", readers, h.apiMatter).Doc("事项详情", nil, Matter{}),
		web.Handle("PUT /api/v1/matters/{id}", office, h.apiUpdateMatter).Doc("修改事项", MatterInput{}, Matter{}),

		web.Handle("GET /api/v1/cases", caseReaders, h.apiCases).Doc("办件列表（红灯、黄灯在前；按状态、事项、渠道、超期、预警、收件日期筛选）", nil, web.List[Case]{}),
		web.Handle("POST /api/v1/cases", receivers, h.apiReceive).Doc("收件（窗口、网上申请或远程）；可当场受理、一次性告知补正、不予受理，即办件当场办结", CaseInput{}, Case{}).Created(),
		web.Handle("GET /api/v1/cases/{id}", caseReaders, h.apiCase).Doc("办件详情", nil, Case{}),
		web.Handle("POST /api/v1/cases/{id}/actions/{action}", receivers, web.ActionAPI(h.Svc.Act)).Doc("办件操作：accept、request_supplement、supplement、reject、start_processing、start_special、end_special、conclude、deliver、return、withdraw", nil, Case{}),
		web.Handle("GET /api/v1/cases/{id}/events", caseReaders, web.HistoryAPI(h.Svc.CaseEvents)).Doc("办件办理过程", nil, []flow.Event{}),
		web.Handle("GET /api/v1/cases/{id}/applicant", windowStaff, h.apiReveal).Doc("查看申请人完整个人信息（留痕审计）", nil, Applicant{}),
		web.Handle("POST /api/v1/cases/{id}/evaluation", raters, h.apiEvaluate).Doc("评价办件（好差评，每件一次）", EvaluationInput{}, Evaluation{}).Created(),
		web.Handle("GET /api/v1/cases/{id}/evaluation", caseReaders, h.apiEvaluation).Doc("办件的评价", nil, Evaluation{}),

		web.Handle("GET /api/v1/bad-reviews", badReaders, h.apiBadReviews).Doc("差评整改列表", nil, web.List[BadReview]{}),
		web.Handle("GET /api/v1/bad-reviews/{id}", badReaders, h.apiBadReview).Doc("差评整改详情", nil, BadReview{}),
		web.Handle("POST /api/v1/bad-reviews/{id}/actions/{action}", office, h.apiBadAct).Doc("差评整改操作：rectify、explain、revisit、close", nil, BadReview{}),
		web.Handle("GET /api/v1/bad-reviews/{id}/events", badReaders, h.apiBadEvents).Doc("差评整改过程", nil, []flow.Event{}),

		web.Handle("GET /api/v1/remote-sessions", netReaders, h.apiRemoteSessions).Doc("远程会话列表（云端政务超市）", nil, web.List[RemoteSession]{}),
		web.Handle("POST /api/v1/remote-sessions", windowStaff, h.apiRecordRemote).Doc("登记远程会话；结果为 accepted 时关联或生成远程受理的办件", RemoteSessionInput{}, RemoteSession{}).Created(),
		web.Handle("GET /api/v1/remote-sessions/{id}", netReaders, h.apiRemoteSession).Doc("远程会话详情", nil, RemoteSession{}),

		web.Handle("GET /api/v1/service/settings", office, h.apiSettings).Doc("政务服务设置（差评整改时限等）", nil, Settings{}),
		web.Handle("PUT /api/v1/service/settings", office, h.apiSaveSettings).Doc("修改政务服务设置", Settings{}, Settings{}),
	}, h.pageRoutes()...)
}

func (h *Handler) apiSites(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := SiteFilter{Q: p.Q, Level: Level(p.Query.Get("level")), Kind: p.Query.Get("kind"), Limit: p.Limit}
	if f.OrgID, err = p.ID("org_id"); err != nil {
		return err
	}
	if _, err := web.DecodeCursor(p.Cursor, &f.AfterID); err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("站点", "Sites"), siteColumns,
		func() (web.List[Site], error) {
			items, total, err := h.Svc.ListSites(r.Context(), pr, f)
			l := web.List[Site]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Site) error) error {
			f.Limit, f.AfterID = 0, 0
			items, _, err := h.Svc.ListSites(r.Context(), pr, f)
			for _, s := range items {
				if err := yield(s); err != nil {
					return err
				}
			}
			return err
		})
}

var siteColumns = []web.Column[Site]{
	web.Col("站点代码", "Code", func(s Site) any { return s.Code }),
	web.Col("站点名称", "Name", func(s Site) any { return s.Name }),
	web.Col("层级", "Level", func(s Site) any { return s.Level.Label().Zh }),
	web.Col("类型", "Kind", func(s Site) any { return s.Kind }),
	web.Col("所属组织", "Org", func(s Site) any { return s.OrgName }),
	web.Col("上级站点", "Parent site", func(s Site) any { return s.ParentName }),
	web.Col("地址", "Address", func(s Site) any { return s.Address }),
	web.Col("开放时间", "Opening hours", func(s Site) any { return s.OpeningHours }),
	web.Col("启用日期", "Opened on", func(s Site) any { return s.OpenedOn }),
	web.Col("窗口数", "Windows", func(s Site) any { return s.Windows }),
	web.Col("工作人员", "Staff", func(s Site) any { return s.Staff }),
	web.Col("可办事项", "Matters", func(s Site) any { return s.Matters }),
}

func (h *Handler) apiSite(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	s, err := h.Svc.GetSite(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, s)
}

func (h *Handler) apiCreateSite(w http.ResponseWriter, r *http.Request) error {
	var in SiteInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	s, err := h.Svc.CreateSite(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, s)
}

func (h *Handler) apiUpdateSite(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in SiteInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	s, err := h.Svc.UpdateSite(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, s)
}

func matterFilter(p web.ListParams) (MatterFilter, error) {
	f := MatterFilter{Q: p.Q, Department: p.Query.Get("department"), Type: p.Query.Get("type"),
		HandlingLevel: HandlingLevel(p.Query.Get("handling_level")), Kind: MatterKind(p.Query.Get("kind")), Mode: Mode(p.Query.Get("mode")), Limit: p.Limit}
	if v, ok, err := p.Bool("online"); err != nil {
		return f, err
	} else if ok {
		f.Online = &v
	}
	var err error
	if f.SiteID, err = p.ID("site_id"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterID)
	return f, err
}

func (h *Handler) apiSiteMatters(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := matterFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	cols := []web.Column[SiteMatter]{
		web.Col("办理方式", "Mode", func(m SiteMatter) any { return m.Mode.Label().Zh }),
		web.Col("事项编码", "Code", func(m SiteMatter) any { return m.Matter.Code }),
		web.Col("事项名称", "Name", func(m SiteMatter) any { return m.Matter.Name }),
		web.Col("实施部门", "Department", func(m SiteMatter) any { return m.Matter.Department }),
	}
	return web.ServeList(w, r, p, i18n.T("站点可办事项", "Site matters"), cols,
		func() (web.List[SiteMatter], error) {
			items, total, err := h.Svc.SiteMatters(r.Context(), pr, id, f)
			l := web.List[SiteMatter]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].MatterID)
			}
			return l, err
		},
		func(yield func(SiteMatter) error) error {
			f.Limit, f.AfterID = 0, 0
			items, _, err := h.Svc.SiteMatters(r.Context(), pr, id, f)
			for _, m := range items {
				if err := yield(m); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) apiOffer(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in SiteMatterInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	pr := web.Principal(r)
	if err := h.Svc.OfferMatter(r.Context(), pr, id, in); err != nil {
		return err
	}
	m, err := h.Svc.GetMatter(r.Context(), pr, in.MatterID)
	if err != nil {
		return err
	}
	return web.OK(w, SiteMatter{SiteID: id, MatterID: in.MatterID, Mode: in.Mode, Matter: m})
}

func (h *Handler) apiWithdrawMatter(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	mid, err := web.PathID(r, "matter_id")
	if err != nil {
		return err
	}
	if err := h.Svc.WithdrawMatter(r.Context(), web.Principal(r), id, mid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiMatters(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := matterFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("事项目录", "Matter catalog"), matterColumns,
		func() (web.List[Matter], error) {
			items, total, err := h.Svc.ListMatters(r.Context(), pr, f)
			l := web.List[Matter]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Matter) error) error { return h.Svc.EachMatter(r.Context(), pr, f, yield) })
}

func (h *Handler) apiMatter(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	m, err := h.Svc.GetMatter(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, m)
}

func (h *Handler) apiCreateMatter(w http.ResponseWriter, r *http.Request) error {
	var in MatterInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.CreateMatter(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, m)
}

func (h *Handler) apiUpdateMatter(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in MatterInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	m, err := h.Svc.UpdateMatter(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, m)
}

func caseFilter(p web.ListParams) (CaseFilter, error) {
	f := CaseFilter{Q: p.Q, Channel: Channel(p.Query.Get("channel")), Warning: p.Query.Get("warning"), Limit: p.Limit,
		ByWarning: p.Query.Get("sort") != "new"}
	for _, st := range p.Query["status"] {
		for _, x := range strings.Split(st, ",") {
			if x = strings.TrimSpace(x); x != "" {
				f.Status = append(f.Status, x)
			}
		}
	}
	switch f.Channel {
	case "", Window, Online, RemoteChannel:
	default:
		return f, errs.Invalidf("channel", "渠道应为 window、online 或 remote", "channel must be window, online or remote")
	}
	var err error
	for name, dst := range map[string]*int64{"site_id": &f.SiteID, "matter_id": &f.MatterID, "enterprise_id": &f.EnterpriseID} {
		if *dst, err = p.ID(name); err != nil {
			return f, err
		}
	}
	if v, ok, err := p.Bool("overdue"); err != nil {
		return f, err
	} else if ok {
		f.Overdue = &v
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	if f.To, err = p.Date("to"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.Cursor.Warning, &f.Cursor.ID)
	return f, err
}

var caseColumns = []web.Column[Case]{
	web.Col("办件编号", "Number", func(c Case) any { return c.Number }),
	web.Col("事项", "Matter", func(c Case) any { return c.MatterName }),
	web.Col("站点", "Site", func(c Case) any { return c.SiteName }),
	web.Col("渠道", "Channel", func(c Case) any { return c.Channel.Label().Zh }),
	web.Col("申请人", "Applicant", func(c Case) any { return applicantName(c) }),
	web.Col("状态", "Status", func(c Case) any { return CaseFlow.StateLabel(c.Status, i18n.ZH) }),
	web.Col("办理结果", "Outcome", func(c Case) any { return outcomeLabel(c.Outcome).Zh }),
	web.Col("收件时间", "Received", func(c Case) any { return c.ReceivedAt }),
	web.Col("受理时间", "Accepted", func(c Case) any { return deref(c.AcceptedAt) }),
	web.Col("承诺时限(工作日)", "Limit (working days)", func(c Case) any { return c.LimitWorkdays }),
	web.Col("到期日", "Due", func(c Case) any { return c.DueOn }),
	web.Col("办结时间", "Concluded", func(c Case) any { return deref(c.ConcludedAt) }),
	web.Col("超期", "Overdue", func(c Case) any { return c.Overdue }),
	web.Col("评分", "Score", func(c Case) any { return c.Score }),
}

func (h *Handler) apiCases(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	f, err := caseFilter(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("办件", "Cases"), caseColumns,
		func() (web.List[Case], error) {
			items, total, err := h.Svc.ListCases(r.Context(), pr, f)
			l := web.List[Case]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(CursorOf(items[len(items)-1], f.ByWarning)...)
			}
			return l, err
		},
		func(yield func(Case) error) error { return h.Svc.EachCase(r.Context(), pr, f, yield) })
}

func (h *Handler) apiReceive(w http.ResponseWriter, r *http.Request) error {
	var in CaseInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	c, err := h.Svc.Receive(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, c)
}

func (h *Handler) apiCase(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Svc.GetCase(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, c)
}

func (h *Handler) apiReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Svc.RevealApplicant(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, a)
}

func (h *Handler) apiEvaluate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in EvaluationInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.Svc.Evaluate(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, e)
}

func (h *Handler) apiEvaluation(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.Svc.CaseEvaluation(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, e)
}

func (h *Handler) apiBadReviews(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := BadReviewFilter{Status: p.Query.Get("status"), Limit: p.Limit}
	if f.SiteID, err = p.ID("site_id"); err != nil {
		return err
	}
	if v, ok, err := p.Bool("overdue"); err != nil {
		return err
	} else if ok {
		f.Overdue = v
	}
	if _, err := web.DecodeCursor(p.Cursor, &f.BeforeID); err != nil {
		return err
	}
	pr := web.Principal(r)
	cols := []web.Column[BadReview]{
		web.Col("办件编号", "Case", func(b BadReview) any { return b.CaseNumber }),
		web.Col("事项", "Matter", func(b BadReview) any { return b.MatterName }),
		web.Col("站点", "Site", func(b BadReview) any { return b.SiteName }),
		web.Col("评分", "Score", func(b BadReview) any { return b.Score }),
		web.Col("评价内容", "Comment", func(b BadReview) any { return b.Comment }),
		web.Col("状态", "Status", func(b BadReview) any { return BadReviewFlow.StateLabel(b.Status, i18n.ZH) }),
		web.Col("差评日期", "Opened", func(b BadReview) any { return b.OpenedOn }),
		web.Col("整改期限", "Due", func(b BadReview) any { return b.DueOn }),
		web.Col("办结日期", "Closed", func(b BadReview) any { return b.ClosedOn }),
		web.Col("超期", "Overdue", func(b BadReview) any { return b.Overdue }),
	}
	return web.ServeList(w, r, p, i18n.T("差评整改", "Bad reviews"), cols,
		func() (web.List[BadReview], error) {
			items, total, err := h.Svc.ListBadReviews(r.Context(), pr, f)
			l := web.List[BadReview]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(BadReview) error) error {
			f.Limit, f.BeforeID = 0, 0
			items, _, err := h.Svc.ListBadReviews(r.Context(), pr, f)
			for _, b := range items {
				if err := yield(b); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) apiBadReview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := h.Svc.GetBadReview(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, b)
}

func (h *Handler) apiBadAct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	body, err := web.ReadBody(r)
	if err != nil {
		return err
	}
	b, err := h.Svc.ActOnBadReview(r.Context(), web.Principal(r), id, r.PathValue("action"), body)
	if err != nil {
		return err
	}
	return web.OK(w, b)
}

func (h *Handler) apiBadEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	evs, err := h.Svc.BadReviewEvents(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []flow.Event{}
	}
	return web.OK(w, evs)
}

func (h *Handler) apiRemoteSessions(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f := RemoteFilter{Outcome: RemoteOutcome(p.Query.Get("outcome")), Limit: p.Limit}
	if f.SiteID, err = p.ID("site_id"); err != nil {
		return err
	}
	if _, err := web.DecodeCursor(p.Cursor, &f.BeforeID); err != nil {
		return err
	}
	pr := web.Principal(r)
	cols := []web.Column[RemoteSession]{
		web.Col("站点", "Site", func(s RemoteSession) any { return s.SiteName }),
		web.Col("事项", "Matter", func(s RemoteSession) any { return s.MatterName }),
		web.Col("开始时间", "Started", func(s RemoteSession) any { return s.StartedAt }),
		web.Col("结束时间", "Ended", func(s RemoteSession) any { return deref(s.EndedAt) }),
		web.Col("结果", "Outcome", func(s RemoteSession) any { return s.Outcome.Label().Zh }),
		web.Col("办件编号", "Case", func(s RemoteSession) any { return s.CaseNumber }),
		web.Col("帮办员", "Clerk", func(s RemoteSession) any { return s.ClerkName }),
		web.Col("市民中心坐席", "City-hall agent", func(s RemoteSession) any { return s.AgentName }),
	}
	return web.ServeList(w, r, p, i18n.T("远程会话", "Remote sessions"), cols,
		func() (web.List[RemoteSession], error) {
			items, total, err := h.Svc.ListRemoteSessions(r.Context(), pr, f)
			l := web.List[RemoteSession]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(RemoteSession) error) error {
			f.Limit, f.BeforeID = 0, 0
			items, _, err := h.Svc.ListRemoteSessions(r.Context(), pr, f)
			for _, s := range items {
				if err := yield(s); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) apiRecordRemote(w http.ResponseWriter, r *http.Request) error {
	var in RemoteSessionInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	s, err := h.Svc.RecordRemoteSession(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, s)
}

func (h *Handler) apiRemoteSession(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	s, err := h.Svc.GetRemoteSession(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, s)
}

func (h *Handler) apiSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := LoadSettings(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return web.OK(w, st)
}

func (h *Handler) apiSaveSettings(w http.ResponseWriter, r *http.Request) error {
	var st Settings
	if err := web.Decode(r, &st); err != nil {
		return err
	}
	st, err := h.Svc.SaveSettings(r.Context(), web.Principal(r), st)
	if err != nil {
		return err
	}
	return web.OK(w, st)
}
