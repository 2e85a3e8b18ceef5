package innovation

import (
	"net/http"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the innovation registry's API and pages.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	// readers see the registry within their scope (zone roles their
	// subtree, a cadre its enterprises', an enterprise its own).
	readers = web.Roles(access.Leader, access.ServiceOffice, access.ProjectOffice, access.Cadre, access.Enterprise)
	// writers record it.
	writers = web.Roles(access.ServiceOffice)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return append([]web.Route{
		web.Handle("GET /api/v1/innovation/platforms", readers, h.apiPlatforms).Doc("研发平台列表（按级别、类型、状态、依托企业筛选）", nil, web.List[Platform]{}),
		web.Handle("POST /api/v1/innovation/platforms", writers, h.apiCreatePlatform).Doc("登记研发平台", PlatformInput{}, Platform{}).Created(),
		web.Handle("GET /api/v1/innovation/platforms/{id}", readers, h.apiPlatform).Doc("研发平台详情", nil, Platform{}),
		web.Handle("PUT /api/v1/innovation/platforms/{id}", writers, h.apiUpdatePlatform).Doc("修改研发平台（含撤销认定）", PlatformInput{}, Platform{}),
		web.Handle("DELETE /api/v1/innovation/platforms/{id}", writers, h.apiDeletePlatform).Doc("删除误录的研发平台", nil, nil),

		web.Handle("GET /api/v1/innovation/events", web.BusinessRoles, h.apiEvents).Doc("创新活动列表（赛事、会议、路演、培训）", nil, web.List[Event]{}),
		web.Handle("POST /api/v1/innovation/events", writers, h.apiCreateEvent).Doc("登记创新活动", EventInput{}, Event{}).Created(),
		web.Handle("GET /api/v1/innovation/events/{id}", web.BusinessRoles, h.apiEvent).Doc("创新活动详情", nil, Event{}),
		web.Handle("PUT /api/v1/innovation/events/{id}", writers, h.apiUpdateEvent).Doc("修改创新活动", EventInput{}, Event{}),
		web.Handle("DELETE /api/v1/innovation/events/{id}", writers, h.apiDeleteEvent).Doc("删除误录的创新活动", nil, nil),

		web.Handle("GET /api/v1/innovation/partnerships", readers, h.apiPartnerships).Doc("产学研合作列表（按高校、企业、方式、执行期筛选）", nil, web.List[Partnership]{}),
		web.Handle("POST /api/v1/innovation/partnerships", writers, h.apiCreatePartnership).Doc("登记产学研合作", PartnershipInput{}, Partnership{}).Created(),
		web.Handle("GET /api/v1/innovation/partnerships/{id}", readers, h.apiPartnership).Doc("产学研合作详情", nil, Partnership{}),
		web.Handle("PUT /api/v1/innovation/partnerships/{id}", writers, h.apiUpdatePartnership).Doc("修改产学研合作", PartnershipInput{}, Partnership{}),
		web.Handle("DELETE /api/v1/innovation/partnerships/{id}", writers, h.apiDeletePartnership).Doc("删除误录的产学研合作", nil, nil),

		web.Handle("GET /api/v1/innovation/grants", readers, h.apiGrants).Doc("科技项目与专项支持列表（省级以上研发项目、光谷科创大走廊专项等）", nil, web.List[Grant]{}),
		web.Handle("POST /api/v1/innovation/grants", writers, h.apiCreateGrant).Doc("登记科技项目或专项支持", GrantInput{}, Grant{}).Created(),
		web.Handle("GET /api/v1/innovation/grants/{id}", readers, h.apiGrant).Doc("科技项目详情", nil, Grant{}),
		web.Handle("PUT /api/v1/innovation/grants/{id}", writers, h.apiUpdateGrant).Doc("修改科技项目", GrantInput{}, Grant{}),
		web.Handle("DELETE /api/v1/innovation/grants/{id}", writers, h.apiDeleteGrant).Doc("删除误录的科技项目", nil, nil),

		web.Handle("GET /api/v1/innovation/transfers", readers, h.apiTransfers).Doc("成果转化列表（研发→孵化→中试→市场）", nil, web.List[Transfer]{}),
		web.Handle("POST /api/v1/innovation/transfers", writers, h.apiCreateTransfer).Doc("登记成果转化项目（从研发环节开始）", TransferInput{}, Transfer{}).Created(),
		web.Handle("GET /api/v1/innovation/transfers/{id}", readers, h.apiTransfer).Doc("成果转化详情", nil, Transfer{}),
		web.Handle("PUT /api/v1/innovation/transfers/{id}", writers, h.apiUpdateTransfer).Doc("修改成果转化项目", TransferInput{}, Transfer{}),
		web.Handle("POST /api/v1/innovation/transfers/{id}/actions/{action}", readers, web.ActionAPI(h.Svc.Act)).Doc("成果转化流程操作：advance 推进到下一环节（date）", AdvanceBody{}, Transfer{}),
		web.Handle("GET /api/v1/innovation/transfers/{id}/events", readers, h.apiTransferEvents).Doc("成果转化的环节记录（由早到晚）", nil, []flow.Event{}),

		web.Handle("POST /api/v1/innovation/self-check/high-tech", readers, h.apiCheckHighTech).Doc("高新技术企业认定条件自测（结果仅供参考）", HighTechFigures{}, CheckResult{}),
		web.Handle("POST /api/v1/innovation/self-check/tech-sme", readers, h.apiCheckTechSME).Doc("科技型中小企业评价自测（100分制，结果仅供参考）", TechSMEFigures{}, CheckResult{}),
		web.Handle("GET /api/v1/innovation/self-checks", readers, h.apiSavedChecks).Doc("已保存的资质自测结果列表", nil, web.List[SavedCheck]{}),
		web.Handle("GET /api/v1/innovation/self-checks/{id}", readers, h.apiSavedCheck).Doc("已保存的资质自测结果", nil, SavedCheck{}),
	}, h.pageRoutes()...)
}

// AdvanceBody documents the body of the advance action (the workflow
// engine decodes it).
type AdvanceBody struct {
	Date string `json:"date" doc:"YYYY-MM-DD, the day the next stage was reached: not in the future, not before the current stage's"`
	Note string `json:"note,omitempty"`
}

// pageOf reads the cursor and limit of a list request.
func pageOf(p web.ListParams) (Page, error) {
	pg := Page{Limit: p.Limit}
	_, err := web.DecodeCursor(p.Cursor, &pg.BeforeID)
	return pg, err
}

// serveList answers a list request from a streaming query: one page as
// JSON, or every row as a spreadsheet.
func serveList[T any](w http.ResponseWriter, r *http.Request, p web.ListParams, name i18n.Text, cols []web.Column[T], pg *Page,
	run func(yield func(T) error) error, total func() (int, error), id func(T) int64) error {
	return web.ServeList(w, r, p, name, cols,
		func() (web.List[T], error) {
			var l web.List[T]
			items, err := collect(run)
			if err != nil {
				return l, err
			}
			n, err := total()
			l.Items, l.Total = items, n
			if len(items) > 0 && len(items) == pg.Limit {
				l.NextCursor = web.EncodeCursor(id(items[len(items)-1]))
			}
			return l, err
		},
		func(yield func(T) error) error {
			pg.BeforeID, pg.Limit = 0, 0
			return run(yield)
		})
}

func decodeAnd[In any, Out any](w http.ResponseWriter, r *http.Request, status int, do func(In) (Out, error)) error {
	var in In
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	out, err := do(in)
	if err != nil {
		return err
	}
	return web.JSON(w, status, out)
}

func withID[Out any](w http.ResponseWriter, r *http.Request, do func(id int64) (Out, error)) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	out, err := do(id)
	if err != nil {
		return err
	}
	return web.OK(w, out)
}

func deleted(w http.ResponseWriter, r *http.Request, do func(id int64) error) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := do(id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- platforms

var platformColumns = []web.Column[Platform]{
	web.Col("平台名称", "Name", func(x Platform) any { return x.Name }),
	web.Col("类型", "Kind", func(x Platform) any { return x.Kind.Label().Zh }),
	web.Col("级别", "Level", func(x Platform) any { return x.Level.Label().Zh }),
	web.Col("依托单位", "Host", func(x Platform) any { return x.HostName }),
	web.Col("认定日期", "Recognised on", func(x Platform) any { return x.RecognizedOn }),
	web.Col("认定部门", "Recognised by", func(x Platform) any { return x.RecognizedBy }),
	web.Col("状态", "Status", func(x Platform) any { return x.Status.Label().Zh }),
	web.Col("撤销日期", "Revoked on", func(x Platform) any { return x.RevokedOn }),
}

func platformFilter(p web.ListParams) (PlatformFilter, error) {
	f := PlatformFilter{Q: p.Q, Kind: PlatformKind(p.Query.Get("kind"))}
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	lv, err := p.Enum("level", levelStrings()...)
	if err != nil {
		return f, err
	}
	st, err := p.Enum("status", string(Active), string(Revoked))
	if err != nil {
		return f, err
	}
	f.Level, f.Status = Level(lv), PlatformStatus(st)
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if f.HostOrgID, err = p.ID("host_org_id"); err != nil {
		return f, err
	}
	f.ActiveOn, err = p.Date("active_on")
	return f, err
}

func (h *Handler) apiPlatforms(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := platformFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("研发平台", "R&D platforms"), platformColumns, &f.Page,
		func(y func(Platform) error) error { return h.Svc.Platforms(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountPlatforms(r.Context(), pr, f) },
		func(x Platform) int64 { return x.ID })
}

func (h *Handler) apiPlatform(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Platform, error) { return h.Svc.Platform(r.Context(), web.Principal(r), id) })
}

func (h *Handler) apiCreatePlatform(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusCreated, func(in PlatformInput) (Platform, error) {
		return h.Svc.CreatePlatform(r.Context(), web.Principal(r), in)
	})
}

func (h *Handler) apiUpdatePlatform(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Platform, error) {
		var in PlatformInput
		if err := web.Decode(r, &in); err != nil {
			return Platform{}, err
		}
		return h.Svc.UpdatePlatform(r.Context(), web.Principal(r), id, in)
	})
}

func (h *Handler) apiDeletePlatform(w http.ResponseWriter, r *http.Request) error {
	return deleted(w, r, func(id int64) error { return h.Svc.DeletePlatform(r.Context(), web.Principal(r), id) })
}

// --- events

var eventColumns = []web.Column[Event]{
	web.Col("活动名称", "Name", func(x Event) any { return x.Name }),
	web.Col("类型", "Kind", func(x Event) any { return x.Kind.Label().Zh }),
	web.Col("日期", "Date", func(x Event) any { return x.Date }),
	web.Col("主办", "Organiser", func(x Event) any { return x.Organizer }),
	web.Col("所属组织", "Org", func(x Event) any { return x.OrgName }),
	web.Col("地点", "Venue", func(x Event) any { return x.Venue }),
	web.Col("参加人数", "Participants", func(x Event) any { return x.Participants }),
	web.Col("参加企业数", "Enterprises", func(x Event) any { return x.Enterprises }),
	web.Col("活动成果", "Results", func(x Event) any { return x.Results }),
}

func eventFilter(p web.ListParams) (EventFilter, error) {
	f := EventFilter{Q: p.Q, Kind: EventKind(p.Query.Get("kind"))}
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	f.To, err = p.Date("to")
	return f, err
}

func (h *Handler) apiEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := eventFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("创新活动", "Innovation events"), eventColumns, &f.Page,
		func(y func(Event) error) error { return h.Svc.Events(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountEvents(r.Context(), pr, f) },
		func(x Event) int64 { return x.ID })
}

func (h *Handler) apiEvent(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Event, error) { return h.Svc.Event(r.Context(), web.Principal(r), id) })
}

func (h *Handler) apiCreateEvent(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusCreated, func(in EventInput) (Event, error) {
		return h.Svc.CreateEvent(r.Context(), web.Principal(r), in)
	})
}

func (h *Handler) apiUpdateEvent(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Event, error) {
		var in EventInput
		if err := web.Decode(r, &in); err != nil {
			return Event{}, err
		}
		return h.Svc.UpdateEvent(r.Context(), web.Principal(r), id, in)
	})
}

func (h *Handler) apiDeleteEvent(w http.ResponseWriter, r *http.Request) error {
	return deleted(w, r, func(id int64) error { return h.Svc.DeleteEvent(r.Context(), web.Principal(r), id) })
}

// --- partnerships

var partnershipColumns = []web.Column[Partnership]{
	web.Col("高校院所", "University", func(x Partnership) any { return x.UniversityName }),
	web.Col("企业", "Enterprise", func(x Partnership) any { return x.EnterpriseName }),
	web.Col("合作方式", "Kind", func(x Partnership) any { return x.Kind.Label().Zh }),
	web.Col("合作内容", "Title", func(x Partnership) any { return x.Title }),
	web.Col("合同金额（元）", "Amount (yuan)", func(x Partnership) any { return float64(x.AmountFen) / 100 }),
	web.Col("签约日期", "Signed on", func(x Partnership) any { return x.SignedOn }),
	web.Col("结束日期", "Ends on", func(x Partnership) any { return x.EndsOn }),
}

func partnershipFilter(p web.ListParams) (PartnershipFilter, error) {
	f := PartnershipFilter{Q: p.Q, Kind: PartnershipKind(p.Query.Get("kind"))}
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	if f.UniversityOrgID, err = p.ID("university_org_id"); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if f.ActiveFrom, err = p.Date("active_from"); err != nil {
		return f, err
	}
	f.ActiveTo, err = p.Date("active_to")
	return f, err
}

func (h *Handler) apiPartnerships(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := partnershipFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("产学研合作", "Partnerships"), partnershipColumns, &f.Page,
		func(y func(Partnership) error) error { return h.Svc.Partnerships(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountPartnerships(r.Context(), pr, f) },
		func(x Partnership) int64 { return x.ID })
}

func (h *Handler) apiPartnership(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Partnership, error) { return h.Svc.Partnership(r.Context(), web.Principal(r), id) })
}

func (h *Handler) apiCreatePartnership(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusCreated, func(in PartnershipInput) (Partnership, error) {
		return h.Svc.CreatePartnership(r.Context(), web.Principal(r), in)
	})
}

func (h *Handler) apiUpdatePartnership(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Partnership, error) {
		var in PartnershipInput
		if err := web.Decode(r, &in); err != nil {
			return Partnership{}, err
		}
		return h.Svc.UpdatePartnership(r.Context(), web.Principal(r), id, in)
	})
}

func (h *Handler) apiDeletePartnership(w http.ResponseWriter, r *http.Request) error {
	return deleted(w, r, func(id int64) error { return h.Svc.DeletePartnership(r.Context(), web.Principal(r), id) })
}

// --- grants

var grantColumns = []web.Column[Grant]{
	web.Col("项目名称", "Name", func(x Grant) any { return x.Name }),
	web.Col("类型", "Kind", func(x Grant) any { return x.Kind.Label().Zh }),
	web.Col("计划/专项", "Programme", func(x Grant) any { return x.Program }),
	web.Col("级别", "Level", func(x Grant) any { return x.Level.Label().Zh }),
	web.Col("承担企业", "Enterprise", func(x Grant) any { return x.EnterpriseName }),
	web.Col("支持金额（元）", "Amount (yuan)", func(x Grant) any { return float64(x.AmountFen) / 100 }),
	web.Col("立项年度", "Year", func(x Grant) any { return x.Year }),
}

func grantFilter(p web.ListParams) (GrantFilter, error) {
	f := GrantFilter{Q: p.Q, Kind: GrantKind(p.Query.Get("kind"))}
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	lv, err := p.Enum("level", levelStrings()...)
	if err != nil {
		return f, err
	}
	f.Level = Level(lv)
	if y := p.Query.Get("year"); y != "" {
		if f.Year, err = strconv.Atoi(y); err != nil {
			return f, errs.Invalidf("year", "year 应为年份，如2023", "year must be a year such as 2023")
		}
	}
	f.EnterpriseID, err = p.ID("enterprise_id")
	return f, err
}

func (h *Handler) apiGrants(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := grantFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("科技项目与专项支持", "Grants and R&D projects"), grantColumns, &f.Page,
		func(y func(Grant) error) error { return h.Svc.Grants(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountGrants(r.Context(), pr, f) },
		func(x Grant) int64 { return x.ID })
}

func (h *Handler) apiGrant(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Grant, error) { return h.Svc.Grant(r.Context(), web.Principal(r), id) })
}

func (h *Handler) apiCreateGrant(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusCreated, func(in GrantInput) (Grant, error) {
		return h.Svc.CreateGrant(r.Context(), web.Principal(r), in)
	})
}

func (h *Handler) apiUpdateGrant(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Grant, error) {
		var in GrantInput
		if err := web.Decode(r, &in); err != nil {
			return Grant{}, err
		}
		return h.Svc.UpdateGrant(r.Context(), web.Principal(r), id, in)
	})
}

func (h *Handler) apiDeleteGrant(w http.ResponseWriter, r *http.Request) error {
	return deleted(w, r, func(id int64) error { return h.Svc.DeleteGrant(r.Context(), web.Principal(r), id) })
}

// --- transfers

var transferColumns = []web.Column[Transfer]{
	web.Col("成果名称", "Name", func(x Transfer) any { return x.Name }),
	web.Col("当前环节", "Stage", func(x Transfer) any { return x.Stage.Label().Zh }),
	web.Col("承接企业", "Enterprise", func(x Transfer) any { return x.EnterpriseName }),
	web.Col("来源高校", "University", func(x Transfer) any { return x.UniversityName }),
	web.Col("承载平台", "Host platform", func(x Transfer) any { return x.HostPlatformName }),
	web.Col("研发", "Research", func(x Transfer) any { return x.ResearchOn }),
	web.Col("孵化", "Incubation", func(x Transfer) any { return x.IncubationOn }),
	web.Col("中试", "Pilot", func(x Transfer) any { return x.PilotOn }),
	web.Col("市场", "Market", func(x Transfer) any { return x.MarketOn }),
	web.Col("技术合同成交额（元）", "Contract amount (yuan)", func(x Transfer) any { return float64(x.AmountFen) / 100 }),
}

func transferFilter(p web.ListParams) (TransferFilter, error) {
	f := TransferFilter{Q: p.Q, Stage: Stage(p.Query.Get("stage"))}
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	f.HostPlatformID, err = p.ID("host_platform_id")
	return f, err
}

func (h *Handler) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := transferFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("成果转化", "Technology transfers"), transferColumns, &f.Page,
		func(y func(Transfer) error) error { return h.Svc.Transfers(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountTransfers(r.Context(), pr, f) },
		func(x Transfer) int64 { return x.ID })
}

func (h *Handler) apiTransfer(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Transfer, error) { return h.Svc.Transfer(r.Context(), web.Principal(r), id) })
}

func (h *Handler) apiCreateTransfer(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusCreated, func(in TransferInput) (Transfer, error) {
		return h.Svc.CreateTransfer(r.Context(), web.Principal(r), in)
	})
}

func (h *Handler) apiUpdateTransfer(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (Transfer, error) {
		var in TransferInput
		if err := web.Decode(r, &in); err != nil {
			return Transfer{}, err
		}
		return h.Svc.UpdateTransfer(r.Context(), web.Principal(r), id, in)
	})
}

func (h *Handler) apiTransferEvents(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) ([]flow.Event, error) {
		evs, err := h.Svc.TransferEvents(r.Context(), web.Principal(r), id)
		if evs == nil {
			evs = []flow.Event{}
		}
		return evs, err
	})
}

// --- self-checks

func (h *Handler) apiCheckHighTech(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusOK, func(f HighTechFigures) (CheckResult, error) {
		return h.Svc.CheckHighTech(r.Context(), web.Principal(r), f, i18n.From(r.Context()))
	})
}

func (h *Handler) apiCheckTechSME(w http.ResponseWriter, r *http.Request) error {
	return decodeAnd(w, r, http.StatusOK, func(f TechSMEFigures) (CheckResult, error) {
		return h.Svc.CheckTechSME(r.Context(), web.Principal(r), f, i18n.From(r.Context()))
	})
}

var savedColumns = []web.Column[SavedCheck]{
	web.Col("企业", "Enterprise", func(x SavedCheck) any { return x.EnterpriseName }),
	web.Col("自测类型", "Check", func(x SavedCheck) any { return x.Kind.Label().Zh }),
	web.Col("自测日期", "As of", func(x SavedCheck) any { return x.AsOf }),
	web.Col("结论", "Verdict", func(x SavedCheck) any { return x.Eligible }),
	web.Col("得分", "Score", func(x SavedCheck) any {
		if x.Score == nil {
			return ""
		}
		return *x.Score
	}),
	web.Col("填报人", "By", func(x SavedCheck) any { return x.CreatedBy }),
	web.Col("保存时间", "Saved at", func(x SavedCheck) any { return x.CreatedAt }),
}

func savedFilter(p web.ListParams) (SavedFilter, error) {
	var f SavedFilter
	var err error
	if f.Page, err = pageOf(p); err != nil {
		return f, err
	}
	k, err := p.Enum("kind", string(CheckHighTech), string(CheckTechSME))
	if err != nil {
		return f, err
	}
	f.Kind = CheckKind(k)
	f.EnterpriseID, err = p.ID("enterprise_id")
	return f, err
}

func (h *Handler) apiSavedChecks(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := savedFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return serveList(w, r, p, i18n.T("资质自测结果", "Self-check results"), savedColumns, &f.Page,
		func(y func(SavedCheck) error) error { return h.Svc.SavedChecks(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountSavedChecks(r.Context(), pr, f) },
		func(x SavedCheck) int64 { return x.ID })
}

func (h *Handler) apiSavedCheck(w http.ResponseWriter, r *http.Request) error {
	return withID(w, r, func(id int64) (SavedCheck, error) { return h.Svc.SavedCheck(r.Context(), web.Principal(r), id) })
}
