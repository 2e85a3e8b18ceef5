package labor

import (
	"net/http"

	"xiaoer/internal/access"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the labour pages and API.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers       = web.Roles(access.Leader, access.ServiceOffice, access.Cadre, access.Enterprise)
	demandWriters = web.Roles(access.ServiceOffice, access.Enterprise)
	office        = web.Roles(access.ServiceOffice)
	shortageUsers = web.Roles(access.Leader, access.ServiceOffice, access.Cadre)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/labor/demands", readers, h.apiDemands).Doc("缺工申报列表（按岗位搜索；可按企业、是否未满足筛选）", nil, web.List[Demand]{}),
		web.Handle("POST /api/v1/labor/demands", demandWriters, h.apiCreateDemand).Doc("申报缺工（企业本企业；营商办代企业申报）", DemandInput{}, Demand{}).Created(),
		web.Handle("GET /api/v1/labor/demands/{id}", readers, h.apiDemand).Doc("缺工申报详情", nil, Demand{}),
		web.Handle("PUT /api/v1/labor/demands/{id}", demandWriters, h.apiUpdateDemand).Doc("修改缺工申报（岗位、人数、到岗日期、关闭）", DemandInput{}, Demand{}),
		web.Handle("GET /api/v1/labor/shortage", shortageUsers, h.apiShortage).Doc("缺工清单列表：未满足的申报按紧迫程度排序（到岗日期，再按缺口比例）", nil, web.List[Demand]{}),
		web.Handle("GET /api/v1/labor/events", readers, h.apiEvents).Doc("招聘活动列表（按名称搜索；按形式、日期、参会企业筛选）", nil, web.List[Event]{}),
		web.Handle("POST /api/v1/labor/events", office, h.apiCreateEvent).Doc("登记招聘活动", EventInput{}, Event{}).Created(),
		web.Handle("GET /api/v1/labor/events/{id}", readers, h.apiEvent).Doc("招聘活动详情（含参会企业）", nil, Event{}),
		web.Handle("PUT /api/v1/labor/events/{id}", office, h.apiUpdateEvent).Doc("修改招聘活动", EventInput{}, Event{}),
		web.Handle("GET /api/v1/labor/placements", readers, h.apiPlacements).Doc("送工到岗记录列表（按企业、活动、申报、日期筛选）", nil, PlacementList{}),
		web.Handle("POST /api/v1/labor/placements", office, h.apiCreatePlacement).Doc("登记送工到岗（关联缺工申报时同步累计已到岗人数）", PlacementInput{}, Placement{}).Created(),
		web.Handle("GET /api/v1/labor/placements/{id}", readers, h.apiPlacement).Doc("送工到岗记录详情", nil, Placement{}),
		web.Handle("DELETE /api/v1/labor/placements/{id}", office, h.apiDeletePlacement).Doc("删除误登的到岗记录（退回缺工申报的已到岗人数）", nil, nil),

		web.Handle("GET /labor/demands", readers, h.demandsPage),
		web.Handle("POST /labor/demands", demandWriters, h.demandCreatePost),
		web.Handle("GET /labor/demands/{id}", readers, h.demandPage),
		web.Handle("POST /labor/demands/{id}", demandWriters, h.demandUpdatePost),
		web.Handle("GET /labor/shortage", shortageUsers, h.shortagePage),
		web.Handle("GET /labor/events", readers, h.eventsPage),
		web.Handle("POST /labor/events", office, h.eventCreatePost),
		web.Handle("GET /labor/events/{id}", readers, h.eventPage),
		web.Handle("GET /labor/placements", readers, h.placementsPage),
		web.Handle("POST /labor/placements", office, h.placementCreatePost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "lab.nav", Key: "lab.nav.shortage", Path: "/labor/shortage", Allow: shortageUsers, Order: 400},
		{Group: "lab.nav", Key: "lab.nav.demands", Path: "/labor/demands", Allow: readers, Order: 401},
		{Group: "lab.nav", Key: "lab.nav.events", Path: "/labor/events", Allow: readers, Order: 402},
		{Group: "lab.nav", Key: "lab.nav.placements", Path: "/labor/placements", Allow: readers, Order: 403},
	}
}

// PlacementList is a page of placements with the workers of all matching rows.
type PlacementList struct {
	web.List[Placement]
	Workers int64 `json:"workers" doc:"workers placed by every matching row"`
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"lab.nav":              i18n.T("招工稳岗", "Recruitment"),
		"lab.nav.shortage":     i18n.T("缺工清单", "Labour shortage"),
		"lab.nav.demands":      i18n.T("缺工申报", "Labour demands"),
		"lab.nav.events":       i18n.T("招聘活动", "Recruitment events"),
		"lab.nav.placements":   i18n.T("送工到岗", "Placements"),
		"lab.enterprise":       i18n.T("企业", "Enterprise"),
		"lab.job":              i18n.T("岗位（工种）", "Job"),
		"lab.headcount":        i18n.T("需求人数", "Headcount"),
		"lab.filled":           i18n.T("已到岗", "Filled"),
		"lab.unfilled":         i18n.T("缺口", "Short"),
		"lab.share":            i18n.T("缺口比例", "Unfilled share"),
		"lab.need_by":          i18n.T("需到岗日期", "Needed by"),
		"lab.posted_on":        i18n.T("申报日期", "Posted on"),
		"lab.closed":           i18n.T("已关闭", "Closed"),
		"lab.open":             i18n.T("进行中", "Open"),
		"lab.open_only":        i18n.T("只看未满足的", "Open only"),
		"lab.urgency":          i18n.T("紧迫程度", "Urgency"),
		"lab.demand.new":       i18n.T("申报缺工", "Report a labour demand"),
		"lab.demand.edit":      i18n.T("修改申报", "Change the demand"),
		"lab.demand.created":   i18n.T("缺工申报已提交", "The labour demand was posted"),
		"lab.demand.saved":     i18n.T("缺工申报已修改", "The labour demand was changed"),
		"lab.shortage.hint":    i18n.T("未满足的缺工申报，按需到岗日期排序（逾期在前），同一天缺口比例大的在前。", "Open demands by need-by date (overdue first), then by the share still unfilled."),
		"lab.event":            i18n.T("招聘活动", "Recruitment event"),
		"lab.event.name":       i18n.T("活动名称", "Name"),
		"lab.event.kind":       i18n.T("形式", "Kind"),
		"lab.event.date":       i18n.T("日期", "Date"),
		"lab.event.org":        i18n.T("主办", "Organiser"),
		"lab.event.venue":      i18n.T("地点", "Venue"),
		"lab.event.firms":      i18n.T("参会企业", "Enterprises"),
		"lab.event.positions":  i18n.T("提供岗位", "Positions"),
		"lab.event.attendees":  i18n.T("求职人数", "Attendees"),
		"lab.event.hires":      i18n.T("达成意向", "Agreements"),
		"lab.event.placed":     i18n.T("送工到岗", "Placed"),
		"lab.event.new":        i18n.T("登记招聘活动", "Record a recruitment event"),
		"lab.event.created":    i18n.T("招聘活动已登记", "The event was recorded"),
		"lab.event.firms.hint": i18n.T("按住 Ctrl 可多选", "Hold Ctrl to choose several"),
		"lab.placement.new":    i18n.T("登记送工到岗", "Record a placement"),
		"lab.placement.date":   i18n.T("到岗日期", "Date"),
		"lab.placement.count":  i18n.T("到岗人数", "Workers"),
		"lab.placement.demand": i18n.T("缺工申报", "Demand"),
		"lab.placement.done":   i18n.T("到岗记录已登记", "The placement was recorded"),
		"lab.placement.total":  i18n.T("合计到岗", "Workers placed"),
		"lab.placement.rule":   i18n.T("关联缺工申报时，到岗人数不能超过该申报的缺口；多出的人数只关联招聘活动登记。", "A placement linked to a demand may not exceed what it lacks; record the surplus against the event alone."),
		"lab.from":             i18n.T("从", "From"),
		"lab.to":               i18n.T("到", "To"),
		"lab.none":             i18n.T("（无）", "(none)"),
	})
}

var demandColumns = []web.Column[Demand]{
	web.Col("编号", "ID", func(d Demand) any { return d.ID }),
	web.Col("企业", "Enterprise", func(d Demand) any { return d.EnterpriseName }),
	web.Col("岗位（工种）", "Job", func(d Demand) any { return d.Job }),
	web.Col("需求人数", "Headcount", func(d Demand) any { return d.Headcount }),
	web.Col("已到岗", "Filled", func(d Demand) any { return d.Filled }),
	web.Col("缺口", "Unfilled", func(d Demand) any { return d.Unfilled }),
	web.Col("需到岗日期", "Needed by", func(d Demand) any { return d.NeedBy }),
	web.Col("申报日期", "Posted on", func(d Demand) any { return d.PostedOn }),
	web.Col("紧迫程度", "Urgency", func(d Demand) any { return d.Urgency.Label().Zh }),
	web.Col("已关闭", "Closed", func(d Demand) any { return d.Closed }),
	web.Col("备注", "Note", func(d Demand) any { return d.Note }),
}

var eventColumns = []web.Column[Event]{
	web.Col("编号", "ID", func(v Event) any { return v.ID }),
	web.Col("活动名称", "Name", func(v Event) any { return v.Name }),
	web.Col("形式", "Kind", func(v Event) any { return v.Kind.Label().Zh }),
	web.Col("日期", "Date", func(v Event) any { return v.Date }),
	web.Col("主办", "Organiser", func(v Event) any { return v.OrgName }),
	web.Col("地点", "Venue", func(v Event) any { return v.Venue }),
	web.Col("参会企业数", "Enterprises", func(v Event) any { return len(v.Participants) }),
	web.Col("参会企业", "Participants", func(v Event) any { return joinNames(v.Participants) }),
	web.Col("提供岗位", "Positions", func(v Event) any { return v.Positions }),
	web.Col("求职人数", "Attendees", func(v Event) any { return v.Attendees }),
	web.Col("达成意向", "Agreements", func(v Event) any { return v.Hires }),
	web.Col("送工到岗", "Placed", func(v Event) any { return v.Placed }),
}

var placementColumns = []web.Column[Placement]{
	web.Col("编号", "ID", func(x Placement) any { return x.ID }),
	web.Col("企业", "Enterprise", func(x Placement) any { return x.EnterpriseName }),
	web.Col("到岗日期", "Date", func(x Placement) any { return x.Date }),
	web.Col("到岗人数", "Workers", func(x Placement) any { return x.Workers }),
	web.Col("招聘活动", "Event", func(x Placement) any { return x.EventName }),
	web.Col("缺工申报岗位", "Demand", func(x Placement) any { return x.DemandJob }),
	web.Col("备注", "Note", func(x Placement) any { return x.Note }),
}

func joinNames(rs []Reference) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += "、"
		}
		s += r.Name
	}
	return s
}

func demandFilterOf(p web.ListParams, shortage bool) (DemandFilter, error) {
	f := DemandFilter{Q: p.Q, Limit: p.Limit, Shortage: shortage}
	var err error
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if v, ok, err := p.Bool("open"); err != nil {
		return f, err
	} else if ok {
		f.Open = v
	}
	if shortage {
		_, err = web.DecodeCursor(p.Cursor, &f.After.NeedBy, &f.After.BP, &f.After.ID)
	} else {
		_, err = web.DecodeCursor(p.Cursor, &f.After.ID)
	}
	return f, err
}

func (f DemandFilter) cursor(d Demand) string {
	k := f.keyOf(d)
	if f.Shortage {
		return web.EncodeCursor(k.NeedBy, k.BP, k.ID)
	}
	return web.EncodeCursor(k.ID)
}

func (h *Handler) serveDemands(w http.ResponseWriter, r *http.Request, shortage bool) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := demandFilterOf(p, shortage)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	name := i18n.T("缺工申报", "Labour demands")
	if shortage {
		name = i18n.T("缺工清单", "Labour shortage")
	}
	return web.ServeList(w, r, p, name, demandColumns,
		func() (web.List[Demand], error) {
			items, total, err := h.Svc.ListDemands(r.Context(), pr, f)
			l := web.List[Demand]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = f.cursor(items[len(items)-1])
			}
			return l, err
		},
		func(yield func(Demand) error) error { return h.Svc.EachDemand(r.Context(), pr, f, yield) })
}

func (h *Handler) apiDemands(w http.ResponseWriter, r *http.Request) error {
	return h.serveDemands(w, r, false)
}
func (h *Handler) apiShortage(w http.ResponseWriter, r *http.Request) error {
	return h.serveDemands(w, r, true)
}

func (h *Handler) apiDemand(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.Svc.GetDemand(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, d)
}

func (h *Handler) apiCreateDemand(w http.ResponseWriter, r *http.Request) error {
	var in DemandInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.Svc.CreateDemand(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, d)
}

func (h *Handler) apiUpdateDemand(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in DemandInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	d, err := h.Svc.UpdateDemand(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, d)
}

func eventFilterOf(p web.ListParams) (EventFilter, error) {
	f := EventFilter{Q: p.Q, Limit: p.Limit}
	kind, err := p.Enum("kind", "onsite", "online", "stationed", "campus")
	if err != nil {
		return f, err
	}
	f.Kind = EventKind(kind)
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	if f.To, err = p.Date("to"); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.After.Date, &f.After.ID)
	return f, err
}

func (h *Handler) apiEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := eventFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	return web.ServeList(w, r, p, i18n.T("招聘活动", "Recruitment events"), eventColumns,
		func() (web.List[Event], error) {
			items, total, err := h.Svc.ListEvents(r.Context(), pr, f)
			l := web.List[Event]{Items: items, Total: total}
			if len(items) == f.Limit {
				last := items[len(items)-1]
				l.NextCursor = web.EncodeCursor(last.Date, last.ID)
			}
			return l, err
		},
		func(yield func(Event) error) error { return h.Svc.EachEvent(r.Context(), pr, f, yield) })
}

func (h *Handler) apiEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.Svc.GetEvent(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, v)
}

func (h *Handler) apiCreateEvent(w http.ResponseWriter, r *http.Request) error {
	var in EventInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	v, err := h.Svc.CreateEvent(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, v)
}

func (h *Handler) apiUpdateEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in EventInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	v, err := h.Svc.UpdateEvent(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, v)
}

func placementFilterOf(p web.ListParams) (PlacementFilter, error) {
	f := PlacementFilter{Limit: p.Limit}
	var err error
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if f.EventID, err = p.ID("event_id"); err != nil {
		return f, err
	}
	if f.DemandID, err = p.ID("demand_id"); err != nil {
		return f, err
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	if f.To, err = p.Date("to"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.After.Date, &f.After.ID)
	return f, err
}

func (h *Handler) apiPlacements(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := placementFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	if p.Export() {
		return web.Export(w, r, p.Format, i18n.T("送工到岗", "Placements"), placementColumns,
			func(yield func(Placement) error) error { return h.Svc.EachPlacement(r.Context(), pr, f, yield) })
	}
	items, total, workers, err := h.Svc.ListPlacements(r.Context(), pr, f)
	if err != nil {
		return err
	}
	l := PlacementList{List: web.List[Placement]{Items: items, Total: total}, Workers: workers}
	if l.Items == nil {
		l.Items = []Placement{}
	}
	if len(items) == f.Limit {
		last := items[len(items)-1]
		l.NextCursor = web.EncodeCursor(last.Date, last.ID)
	}
	return web.OK(w, l)
}

func (h *Handler) apiPlacement(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.GetPlacement(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiCreatePlacement(w http.ResponseWriter, r *http.Request) error {
	var in PlacementInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.CreatePlacement(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, x)
}

func (h *Handler) apiDeletePlacement(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.DeletePlacement(r.Context(), web.Principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
