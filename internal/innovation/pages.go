package innovation

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/web"
)

func (h *Handler) pageRoutes() []web.Route {
	return []web.Route{
		web.Handle("GET /innovation/platforms", readers, h.platformsPage),
		web.Handle("GET /innovation/platforms/new", writers, h.platformNewPage),
		web.Handle("POST /innovation/platforms", writers, h.platformSavePost),
		web.Handle("GET /innovation/platforms/{id}", readers, h.platformPage),
		web.Handle("POST /innovation/platforms/{id}", writers, h.platformSavePost),
		web.Handle("POST /innovation/platforms/{id}/delete", writers, h.platformDeletePost),

		web.Handle("GET /innovation/events", web.BusinessRoles, h.eventsPage),
		web.Handle("GET /innovation/events/new", writers, h.eventNewPage),
		web.Handle("POST /innovation/events", writers, h.eventSavePost),
		web.Handle("GET /innovation/events/{id}", web.BusinessRoles, h.eventPage),
		web.Handle("POST /innovation/events/{id}", writers, h.eventSavePost),
		web.Handle("POST /innovation/events/{id}/delete", writers, h.eventDeletePost),

		web.Handle("GET /innovation/partnerships", readers, h.partnershipsPage),
		web.Handle("GET /innovation/partnerships/new", writers, h.partnershipNewPage),
		web.Handle("POST /innovation/partnerships", writers, h.partnershipSavePost),
		web.Handle("GET /innovation/partnerships/{id}", readers, h.partnershipPage),
		web.Handle("POST /innovation/partnerships/{id}", writers, h.partnershipSavePost),
		web.Handle("POST /innovation/partnerships/{id}/delete", writers, h.partnershipDeletePost),

		web.Handle("GET /innovation/grants", readers, h.grantsPage),
		web.Handle("GET /innovation/grants/new", writers, h.grantNewPage),
		web.Handle("POST /innovation/grants", writers, h.grantSavePost),
		web.Handle("GET /innovation/grants/{id}", readers, h.grantPage),
		web.Handle("POST /innovation/grants/{id}", writers, h.grantSavePost),
		web.Handle("POST /innovation/grants/{id}/delete", writers, h.grantDeletePost),

		web.Handle("GET /innovation/transfers", readers, h.transfersPage),
		web.Handle("GET /innovation/transfers/new", writers, h.transferNewPage),
		web.Handle("POST /innovation/transfers", writers, h.transferSavePost),
		web.Handle("GET /innovation/transfers/{id}", readers, h.transferPage),
		web.Handle("POST /innovation/transfers/{id}", writers, h.transferSavePost),
		web.Handle("POST /innovation/transfers/{id}/advance", writers, h.transferAdvancePost),

		web.Handle("GET /innovation/self-check", readers, h.selfCheckPage),
		web.Handle("POST /innovation/self-check/high-tech", readers, h.selfCheckPost),
		web.Handle("POST /innovation/self-check/tech-sme", readers, h.selfCheckPost),
		web.Handle("GET /innovation/self-checks", readers, h.savedChecksPage),
		web.Handle("GET /innovation/self-checks/{id}", readers, h.savedCheckPage),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "inn.nav", Key: "inn.nav.platforms", Path: "/innovation/platforms", Allow: readers, Order: 600},
		{Group: "inn.nav", Key: "inn.nav.events", Path: "/innovation/events", Allow: web.BusinessRoles, Order: 610},
		{Group: "inn.nav", Key: "inn.nav.partnerships", Path: "/innovation/partnerships", Allow: readers, Order: 620},
		{Group: "inn.nav", Key: "inn.nav.grants", Path: "/innovation/grants", Allow: readers, Order: 630},
		{Group: "inn.nav", Key: "inn.nav.transfers", Path: "/innovation/transfers", Allow: readers, Order: 640},
		{Group: "inn.nav", Key: "inn.nav.selfcheck", Path: "/innovation/self-check", Allow: readers, Order: 650},
	}
}

// listData is what every list page receives.
type listData struct {
	Items    any
	Total    int
	Next     string
	Query    template.URL // the filters as "k=v&", for the pager and the export link
	Params   url.Values
	CanWrite bool
	Opts     map[string]any
}

// filterQuery keeps a list's filters, without its paging and format. It is
// typed as a URL (it is one, encoded) so that the page keeps its = and &
// where it follows a "?".
func filterQuery(p web.ListParams) template.URL {
	q := url.Values{}
	for k, vs := range p.Query {
		if k == "cursor" || k == "limit" || k == "format" || len(vs) == 0 || vs[0] == "" {
			continue
		}
		q.Set(k, vs[0])
	}
	if s := q.Encode(); s != "" {
		return template.URL(s + "&")
	}
	return ""
}

func listPage[T any](r *http.Request, p web.ListParams, pg *Page, run func(yield func(T) error) error, total func() (int, error), id func(T) int64) (listData, error) {
	items, err := collect(run)
	if err != nil {
		return listData{}, err
	}
	n, err := total()
	if err != nil {
		return listData{}, err
	}
	d := listData{Items: items, Total: n, Query: filterQuery(p), Params: p.Query, CanWrite: web.Principal(r).Has(access.ServiceOffice)}
	if len(items) > 0 && len(items) == pg.Limit {
		d.Next = web.EncodeCursor(id(items[len(items)-1]))
	}
	return d, nil
}

// formFailed shows a form again with the message of a 4xx; anything else
// goes to the error page.
func formFailed(err error, again func(status int, msg string) error, lang i18n.Lang) error {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.NotFound || e.Code == errs.Forbidden {
		return err
	}
	return again(web.StatusOf(e), e.Msg.In(lang))
}

// formData is what every form page receives.
type formData struct {
	ID       int64
	Form     any
	Typed    map[string]string // text as typed (enterprise names, amounts)
	Error    string
	CanWrite bool
	Opts     map[string]any
	Record   any // the record shown read-only, for readers
}

func pathID(r *http.Request) int64 {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id
}

func (h *Handler) saved(w http.ResponseWriter, r *http.Request, to string) error {
	web.Flash(w, "inn.saved")
	web.Redirect(w, r, to)
	return nil
}

func yuanText(fen int64) string {
	if fen == 0 {
		return ""
	}
	return money.Yuan2(fen)
}

// --- platforms

func (h *Handler) platformsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := platformFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(Platform) error) error { return h.Svc.Platforms(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountPlatforms(r.Context(), pr, f) },
		func(x Platform) int64 { return x.ID })
	if err != nil {
		return err
	}
	d.Opts = map[string]any{"Kinds": PlatformKinds, "Levels": Levels}
	return h.UI.Render(w, r, "inn_platforms", i18n.T("研发平台", "R&D platforms"), d)
}

func (h *Handler) platformForm(w http.ResponseWriter, r *http.Request, status int, d formData) error {
	orgs, err := h.Svc.orgOptions(r.Context(), "university", "park", "zone")
	if err != nil {
		return err
	}
	names, err := h.Svc.enterpriseNames(r.Context(), web.Principal(r))
	if err != nil {
		return err
	}
	d.CanWrite = web.Principal(r).Has(access.ServiceOffice)
	d.Opts = map[string]any{"Kinds": PlatformKinds, "Levels": Levels, "HostOrgs": orgs, "Enterprises": names}
	title := i18n.T("登记研发平台", "New R&D platform")
	if d.ID != 0 {
		title = i18n.T("研发平台", "R&D platform")
	}
	return h.UI.RenderStatus(w, r, status, "inn_platform", title, d)
}

func (h *Handler) platformNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.platformForm(w, r, http.StatusOK, formData{Form: PlatformInput{Status: Active, RecognizedOn: civil.Of(h.Svc.DB.Now())}})
}

func (h *Handler) platformPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Platform(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	in := PlatformInput{Name: x.Name, Kind: x.Kind, Level: x.Level, HostEnterpriseID: x.HostEnterpriseID, HostOrgID: x.HostOrgID,
		RecognizedOn: x.RecognizedOn, RecognizedBy: x.RecognizedBy, Status: x.Status, RevokedOn: x.RevokedOn, Notes: x.Notes}
	typed := map[string]string{}
	if x.HostEnterpriseID != 0 {
		typed["host_enterprise"] = x.HostName
	}
	return h.platformForm(w, r, http.StatusOK, formData{ID: id, Form: in, Typed: typed, Record: x})
}

func (h *Handler) platformSavePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	fr := readForm(r)
	in := PlatformInput{Name: fr.str("name"), Kind: PlatformKind(fr.str("kind")), Level: Level(fr.str("level")), HostOrgID: fr.id("host_org_id"),
		RecognizedOn: fr.date("recognized_on"), RecognizedBy: fr.str("recognized_by"), Status: PlatformStatus(fr.str("status")),
		RevokedOn: fr.date("revoked_on"), Notes: fr.str("notes")}
	typed := map[string]string{"host_enterprise": fr.str("host_enterprise")}
	err := fr.err
	if err == nil {
		in.HostEnterpriseID, err = h.Svc.EnterpriseRef(ctx, pr, typed["host_enterprise"], "host_enterprise_id")
	}
	if err == nil {
		var x Platform
		if id == 0 {
			x, err = h.Svc.CreatePlatform(ctx, pr, in)
		} else {
			x, err = h.Svc.UpdatePlatform(ctx, pr, id, in)
		}
		if err == nil {
			return h.saved(w, r, "/innovation/platforms/"+strconv.FormatInt(x.ID, 10))
		}
	}
	return formFailed(err, func(status int, msg string) error {
		return h.platformForm(w, r, status, formData{ID: id, Form: in, Typed: typed, Error: msg})
	}, i18n.From(ctx))
}

func (h *Handler) platformDeletePost(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeletePlatform(r.Context(), web.Principal(r), pathID(r)); err != nil {
		return err
	}
	web.Flash(w, "inn.deleted")
	web.Redirect(w, r, "/innovation/platforms")
	return nil
}

// --- events

func (h *Handler) eventsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := eventFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(Event) error) error { return h.Svc.Events(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountEvents(r.Context(), pr, f) },
		func(x Event) int64 { return x.ID })
	if err != nil {
		return err
	}
	d.Opts = map[string]any{"Kinds": EventKinds}
	return h.UI.Render(w, r, "inn_events", i18n.T("创新活动", "Innovation events"), d)
}

func (h *Handler) eventForm(w http.ResponseWriter, r *http.Request, status int, d formData) error {
	orgs, err := h.Svc.orgOptions(r.Context(), "zone", "street", "park")
	if err != nil {
		return err
	}
	d.CanWrite = web.Principal(r).Has(access.ServiceOffice)
	d.Opts = map[string]any{"Kinds": EventKinds, "Orgs": orgs}
	title := i18n.T("登记创新活动", "New innovation event")
	if d.ID != 0 {
		title = i18n.T("创新活动", "Innovation event")
	}
	return h.UI.RenderStatus(w, r, status, "inn_event", title, d)
}

func (h *Handler) eventNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.eventForm(w, r, http.StatusOK, formData{Form: EventInput{Kind: Contest, OrgID: web.Principal(r).OrgID}})
}

func (h *Handler) eventPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Event(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	in := EventInput{Name: x.Name, Kind: x.Kind, Date: x.Date, OrgID: x.OrgID, Organizer: x.Organizer, Venue: x.Venue,
		Participants: x.Participants, Enterprises: x.Enterprises, Results: x.Results}
	return h.eventForm(w, r, http.StatusOK, formData{ID: id, Form: in, Record: x})
}

func (h *Handler) eventSavePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	fr := readForm(r)
	in := EventInput{Name: fr.str("name"), Kind: EventKind(fr.str("kind")), Date: fr.date("date"), OrgID: fr.id("org_id"),
		Organizer: fr.str("organizer"), Venue: fr.str("venue"), Participants: fr.int("participants"), Enterprises: fr.int("enterprises"),
		Results: fr.str("results")}
	err := fr.err
	if err == nil {
		var x Event
		if id == 0 {
			x, err = h.Svc.CreateEvent(ctx, pr, in)
		} else {
			x, err = h.Svc.UpdateEvent(ctx, pr, id, in)
		}
		if err == nil {
			return h.saved(w, r, "/innovation/events/"+strconv.FormatInt(x.ID, 10))
		}
	}
	return formFailed(err, func(status int, msg string) error {
		return h.eventForm(w, r, status, formData{ID: id, Form: in, Error: msg})
	}, i18n.From(ctx))
}

func (h *Handler) eventDeletePost(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeleteEvent(r.Context(), web.Principal(r), pathID(r)); err != nil {
		return err
	}
	web.Flash(w, "inn.deleted")
	web.Redirect(w, r, "/innovation/events")
	return nil
}

// --- partnerships

func (h *Handler) partnershipsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := partnershipFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(Partnership) error) error { return h.Svc.Partnerships(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountPartnerships(r.Context(), pr, f) },
		func(x Partnership) int64 { return x.ID })
	if err != nil {
		return err
	}
	unis, err := h.Svc.orgOptions(r.Context(), "university")
	if err != nil {
		return err
	}
	d.Opts = map[string]any{"Kinds": PartnershipKinds, "Universities": unis}
	return h.UI.Render(w, r, "inn_partnerships", i18n.T("产学研合作", "University–enterprise partnerships"), d)
}

func (h *Handler) partnershipForm(w http.ResponseWriter, r *http.Request, status int, d formData) error {
	unis, err := h.Svc.orgOptions(r.Context(), "university")
	if err != nil {
		return err
	}
	names, err := h.Svc.enterpriseNames(r.Context(), web.Principal(r))
	if err != nil {
		return err
	}
	d.CanWrite = web.Principal(r).Has(access.ServiceOffice)
	d.Opts = map[string]any{"Kinds": PartnershipKinds, "Universities": unis, "Enterprises": names}
	title := i18n.T("登记产学研合作", "New partnership")
	if d.ID != 0 {
		title = i18n.T("产学研合作", "Partnership")
	}
	return h.UI.RenderStatus(w, r, status, "inn_partnership", title, d)
}

func (h *Handler) partnershipNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.partnershipForm(w, r, http.StatusOK, formData{Form: PartnershipInput{Kind: JointDevelopment}, Typed: map[string]string{}})
}

func (h *Handler) partnershipPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Partnership(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	in := PartnershipInput{UniversityOrgID: x.UniversityOrgID, EnterpriseID: x.EnterpriseID, Kind: x.Kind, Title: x.Title,
		AmountFen: x.AmountFen, SignedOn: x.SignedOn, EndsOn: x.EndsOn}
	typed := map[string]string{"enterprise": x.EnterpriseName, "amount": yuanText(x.AmountFen)}
	return h.partnershipForm(w, r, http.StatusOK, formData{ID: id, Form: in, Typed: typed, Record: x})
}

func (h *Handler) partnershipSavePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	fr := readForm(r)
	in := PartnershipInput{UniversityOrgID: fr.id("university_org_id"), Kind: PartnershipKind(fr.str("kind")), Title: fr.str("title"),
		AmountFen: fr.money("amount"), SignedOn: fr.date("signed_on"), EndsOn: fr.date("ends_on")}
	typed := map[string]string{"enterprise": fr.str("enterprise"), "amount": fr.str("amount")}
	err := fr.err
	if err == nil {
		in.EnterpriseID, err = h.Svc.EnterpriseRef(ctx, pr, typed["enterprise"], "enterprise_id")
	}
	if err == nil {
		var x Partnership
		if id == 0 {
			x, err = h.Svc.CreatePartnership(ctx, pr, in)
		} else {
			x, err = h.Svc.UpdatePartnership(ctx, pr, id, in)
		}
		if err == nil {
			return h.saved(w, r, "/innovation/partnerships/"+strconv.FormatInt(x.ID, 10))
		}
	}
	return formFailed(err, func(status int, msg string) error {
		return h.partnershipForm(w, r, status, formData{ID: id, Form: in, Typed: typed, Error: msg})
	}, i18n.From(ctx))
}

func (h *Handler) partnershipDeletePost(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeletePartnership(r.Context(), web.Principal(r), pathID(r)); err != nil {
		return err
	}
	web.Flash(w, "inn.deleted")
	web.Redirect(w, r, "/innovation/partnerships")
	return nil
}

// --- grants

func (h *Handler) grantsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := grantFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(Grant) error) error { return h.Svc.Grants(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountGrants(r.Context(), pr, f) },
		func(x Grant) int64 { return x.ID })
	if err != nil {
		return err
	}
	d.Opts = map[string]any{"Kinds": GrantKinds, "Levels": Levels}
	return h.UI.Render(w, r, "inn_grants", i18n.T("科技项目与专项支持", "Grants and R&D projects"), d)
}

func (h *Handler) grantForm(w http.ResponseWriter, r *http.Request, status int, d formData) error {
	names, err := h.Svc.enterpriseNames(r.Context(), web.Principal(r))
	if err != nil {
		return err
	}
	d.CanWrite = web.Principal(r).Has(access.ServiceOffice)
	d.Opts = map[string]any{"Kinds": GrantKinds, "Levels": Levels, "Enterprises": names}
	title := i18n.T("登记科技项目或专项支持", "New grant")
	if d.ID != 0 {
		title = i18n.T("科技项目", "Grant")
	}
	return h.UI.RenderStatus(w, r, status, "inn_grant", title, d)
}

func (h *Handler) grantNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.grantForm(w, r, http.StatusOK, formData{Form: GrantInput{Kind: RDProject, Level: Provincial, Year: h.Svc.today().Year}, Typed: map[string]string{}})
}

func (h *Handler) grantPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Grant(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	in := GrantInput{Name: x.Name, Kind: x.Kind, Program: x.Program, Level: x.Level, EnterpriseID: x.EnterpriseID, AmountFen: x.AmountFen, Year: x.Year}
	typed := map[string]string{"enterprise": x.EnterpriseName, "amount": yuanText(x.AmountFen)}
	return h.grantForm(w, r, http.StatusOK, formData{ID: id, Form: in, Typed: typed, Record: x})
}

func (h *Handler) grantSavePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	fr := readForm(r)
	in := GrantInput{Name: fr.str("name"), Kind: GrantKind(fr.str("kind")), Program: fr.str("program"), Level: Level(fr.str("level")),
		AmountFen: fr.money("amount"), Year: fr.int("year")}
	typed := map[string]string{"enterprise": fr.str("enterprise"), "amount": fr.str("amount")}
	err := fr.err
	if err == nil {
		in.EnterpriseID, err = h.Svc.EnterpriseRef(ctx, pr, typed["enterprise"], "enterprise_id")
	}
	if err == nil {
		var x Grant
		if id == 0 {
			x, err = h.Svc.CreateGrant(ctx, pr, in)
		} else {
			x, err = h.Svc.UpdateGrant(ctx, pr, id, in)
		}
		if err == nil {
			return h.saved(w, r, "/innovation/grants/"+strconv.FormatInt(x.ID, 10))
		}
	}
	return formFailed(err, func(status int, msg string) error {
		return h.grantForm(w, r, status, formData{ID: id, Form: in, Typed: typed, Error: msg})
	}, i18n.From(ctx))
}

func (h *Handler) grantDeletePost(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.DeleteGrant(r.Context(), web.Principal(r), pathID(r)); err != nil {
		return err
	}
	web.Flash(w, "inn.deleted")
	web.Redirect(w, r, "/innovation/grants")
	return nil
}

// --- transfers

func (h *Handler) transfersPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := transferFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(Transfer) error) error { return h.Svc.Transfers(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountTransfers(r.Context(), pr, f) },
		func(x Transfer) int64 { return x.ID })
	if err != nil {
		return err
	}
	d.Opts = map[string]any{"Stages": Stages}
	return h.UI.Render(w, r, "inn_transfers", i18n.T("成果转化", "Technology transfers"), d)
}

// transferView is the data of a transfer's page.
type transferView struct {
	formData
	Transfer Transfer
	Events   []flow.Event
	Actions  []flow.Action
	Today    civil.Date
}

func (h *Handler) transferForm(w http.ResponseWriter, r *http.Request, status int, v transferView) error {
	ctx, pr := r.Context(), web.Principal(r)
	unis, err := h.Svc.orgOptions(ctx, "university")
	if err != nil {
		return err
	}
	names, err := h.Svc.enterpriseNames(ctx, pr)
	if err != nil {
		return err
	}
	platforms, err := collect(func(y func(Platform) error) error {
		return h.Svc.Platforms(ctx, pr, PlatformFilter{Status: Active}, y)
	})
	if err != nil {
		return err
	}
	v.CanWrite = pr.Has(access.ServiceOffice)
	v.Opts = map[string]any{"Universities": unis, "Enterprises": names, "Platforms": platforms, "Stages": Stages}
	v.Today = h.Svc.today()
	title := i18n.T("登记成果转化项目", "New technology transfer")
	if v.ID != 0 {
		title = i18n.T("成果转化", "Technology transfer")
	}
	return h.UI.RenderStatus(w, r, status, "inn_transfer", title, v)
}

func (h *Handler) transferNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.transferForm(w, r, http.StatusOK, transferView{formData: formData{Form: TransferInput{ResearchOn: h.Svc.today()}, Typed: map[string]string{}}})
}

func (h *Handler) transferView(r *http.Request, id int64) (transferView, error) {
	pr := web.Principal(r)
	t, err := h.Svc.Transfer(r.Context(), pr, id)
	if err != nil {
		return transferView{}, err
	}
	evs, err := h.Svc.TransferEvents(r.Context(), pr, id)
	if err != nil {
		return transferView{}, err
	}
	in := TransferInput{Name: t.Name, EnterpriseID: t.EnterpriseID, UniversityOrgID: t.UniversityOrgID, HostPlatformID: t.HostPlatformID,
		Description: t.Description, AmountFen: t.AmountFen, ResearchOn: t.ResearchOn}
	typed := map[string]string{"enterprise": t.EnterpriseName, "amount": yuanText(t.AmountFen)}
	return transferView{formData: formData{ID: id, Form: in, Typed: typed, Record: t}, Transfer: t, Events: evs,
		Actions: TransferFlow.Allowed(string(t.Stage), pr)}, nil
}

func (h *Handler) transferPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.transferView(r, id)
	if err != nil {
		return err
	}
	return h.transferForm(w, r, http.StatusOK, v)
}

func (h *Handler) transferSavePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	fr := readForm(r)
	in := TransferInput{Name: fr.str("name"), UniversityOrgID: fr.id("university_org_id"), HostPlatformID: fr.id("host_platform_id"),
		Description: fr.str("description"), AmountFen: fr.money("amount"), ResearchOn: fr.date("research_on")}
	typed := map[string]string{"enterprise": fr.str("enterprise"), "amount": fr.str("amount")}
	err := fr.err
	if err == nil {
		in.EnterpriseID, err = h.Svc.EnterpriseRef(ctx, pr, typed["enterprise"], "enterprise_id")
	}
	if err == nil {
		var x Transfer
		if id == 0 {
			x, err = h.Svc.CreateTransfer(ctx, pr, in)
		} else {
			x, err = h.Svc.UpdateTransfer(ctx, pr, id, in)
		}
		if err == nil {
			return h.saved(w, r, "/innovation/transfers/"+strconv.FormatInt(x.ID, 10))
		}
	}
	return formFailed(err, func(status int, msg string) error {
		v := transferView{formData: formData{ID: id, Form: in, Typed: typed, Error: msg}}
		if id != 0 {
			old, err := h.transferView(r, id)
			if err != nil {
				return err
			}
			v.Transfer, v.Events, v.Actions, v.Record = old.Transfer, old.Events, old.Actions, old.Record
		}
		return h.transferForm(w, r, status, v)
	}, i18n.From(ctx))
}

func (h *Handler) transferAdvancePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, id := r.Context(), web.Principal(r), pathID(r)
	r.ParseForm()
	body := map[string]string{"date": r.PostFormValue("date")}
	if n := r.PostFormValue("note"); n != "" {
		body["note"] = n
	}
	b, _ := json.Marshal(body)
	if _, err := h.Svc.Act(ctx, pr, id, "advance", b); err != nil {
		return formFailed(err, func(status int, msg string) error {
			v, err := h.transferView(r, id)
			if err != nil {
				return err
			}
			v.Error = msg
			return h.transferForm(w, r, status, v)
		}, i18n.From(ctx))
	}
	return h.saved(w, r, "/innovation/transfers/"+strconv.FormatInt(id, 10))
}

// --- self-checks

// checkPage is the data of the self-check page.
type checkPage struct {
	Kind          CheckKind
	Values        url.Values // the figures as typed, to show the form again
	Result        *CheckResult
	Error         string
	ForEnterprise bool // an enterprise user checks its own enterprise
	CanSave       bool // the user may keep a result on an enterprise's record
	Enterprises   []string
	Fields        []TechField
	Saved         *SavedCheck
}

func (h *Handler) renderCheck(w http.ResponseWriter, r *http.Request, status int, d checkPage) error {
	pr := web.Principal(r)
	d.ForEnterprise = pr.Has(access.Enterprise) && pr.EnterpriseID != 0
	d.CanSave = pr.Has(access.Enterprise, access.Cadre, access.ServiceOffice)
	if !d.ForEnterprise {
		names, err := h.Svc.enterpriseNames(r.Context(), pr)
		if err != nil {
			return err
		}
		d.Enterprises = names
	}
	d.Fields = TechFields
	if d.Values == nil {
		d.Values = url.Values{}
	}
	return h.UI.RenderStatus(w, r, status, "inn_selfcheck", i18n.T("高企与科小资质自测", "Qualification self-check"), d)
}

func (h *Handler) selfCheckPage(w http.ResponseWriter, r *http.Request) error {
	kind := CheckHighTech
	if r.URL.Query().Get("kind") == string(CheckTechSME) {
		kind = CheckTechSME
	}
	return h.renderCheck(w, r, http.StatusOK, checkPage{Kind: kind})
}

func (h *Handler) selfCheckPost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr, lang := r.Context(), web.Principal(r), i18n.From(r.Context())
	fr := readForm(r)
	d := checkPage{Kind: CheckHighTech, Values: fr.v}
	if r.URL.Path == "/innovation/self-check/tech-sme" {
		d.Kind = CheckTechSME
	}
	var ent int64
	err := fr.err
	if err == nil {
		ent, err = h.Svc.EnterpriseRef(ctx, pr, fr.str("enterprise"), "enterprise_id")
	}
	var res CheckResult
	if err == nil {
		if d.Kind == CheckTechSME {
			f := TechSMEFigures{EnterpriseID: ent, AsOf: fr.date("as_of"), Staff: fr.int("staff"), TechStaff: fr.int("tech_staff"),
				SalesFen: fr.money("sales"), AssetsFen: fr.money("assets"), CostFen: fr.money("cost"), RDFen: fr.money("rd"),
				IPClass1: fr.int("ip_class1"), IPClass2: fr.int("ip_class2"), RestrictedIndustry: fr.bool("restricted_industry"),
				BadRecord: fr.bool("bad_record"), HighTechValid: fr.bool("high_tech_valid"), NationalAward: fr.bool("national_award"),
				ProvincialPlatform: fr.bool("provincial_platform"), LedStandard: fr.bool("led_standard"), Save: fr.bool("save")}
			if err = fr.err; err == nil {
				res, err = h.Svc.CheckTechSME(ctx, pr, f, lang)
			}
		} else {
			f := HighTechFigures{EnterpriseID: ent, AsOf: fr.date("as_of"), RegisteredOn: fr.date("registered_on"),
				IPClass1: fr.int("ip_class1"), IPClass2: fr.int("ip_class2"), Field: TechField(fr.str("field")),
				Staff: fr.int("staff"), TechStaff: fr.int("tech_staff"), Sales3yFen: fr.money("sales_3y"), SalesLastYearFen: fr.money("sales_last_year"),
				RD3yFen: fr.money("rd_3y"), RDDomesticPct: fr.float("rd_domestic_pct"), HighTechIncomeFen: fr.money("high_tech_income"),
				TotalIncomeFen: fr.money("total_income"), InnovationScore: fr.int("innovation_score"), MajorViolation: fr.bool("major_violation"),
				Save: fr.bool("save")}
			if err = fr.err; err == nil {
				res, err = h.Svc.CheckHighTech(ctx, pr, f, lang)
			}
		}
	}
	if err != nil {
		// Every refusal here, a 403 on keeping the result included, is
		// about the figures or the choice of enterprise: show it on the form.
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		d.Error = e.Msg.In(lang)
		return h.renderCheck(w, r, web.StatusOf(e), d)
	}
	d.Result = &res
	return h.renderCheck(w, r, http.StatusOK, d)
}

func (h *Handler) savedChecksPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := savedFilter(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := listPage(r, p, &f.Page,
		func(y func(SavedCheck) error) error { return h.Svc.SavedChecks(r.Context(), pr, f, y) },
		func() (int, error) { return h.Svc.CountSavedChecks(r.Context(), pr, f) },
		func(x SavedCheck) int64 { return x.ID })
	if err != nil {
		return err
	}
	return h.UI.Render(w, r, "inn_selfchecks", i18n.T("资质自测记录", "Saved self-checks"), d)
}

// savedCheckPage shows a kept self-check with its detail worked out again
// from the figures kept.
func (h *Handler) savedCheckPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Svc.SavedCheck(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	var res CheckResult
	v := url.Values{}
	set := func(k string, x any) { v.Set(k, fmt.Sprint(x)) }
	if c.Kind == CheckTechSME {
		var f TechSMEFigures
		if err := json.Unmarshal(c.Figures, &f); err != nil {
			return errs.Wrap(err, "saved check")
		}
		res = TechSME(f).View(lang)
		set("staff", f.Staff)
		set("tech_staff", f.TechStaff)
		v.Set("sales", money.Yuan2(f.SalesFen))
		v.Set("assets", money.Yuan2(f.AssetsFen))
		v.Set("cost", money.Yuan2(f.CostFen))
		v.Set("rd", money.Yuan2(f.RDFen))
		set("ip_class1", f.IPClass1)
		set("ip_class2", f.IPClass2)
		for k, b := range map[string]bool{"restricted_industry": f.RestrictedIndustry, "bad_record": f.BadRecord, "high_tech_valid": f.HighTechValid,
			"national_award": f.NationalAward, "provincial_platform": f.ProvincialPlatform, "led_standard": f.LedStandard} {
			if b {
				v.Set(k, "on")
			}
		}
	} else {
		var f HighTechFigures
		if err := json.Unmarshal(c.Figures, &f); err != nil {
			return errs.Wrap(err, "saved check")
		}
		res = HighTech(f).View(lang)
		v.Set("registered_on", f.RegisteredOn.String())
		set("ip_class1", f.IPClass1)
		set("ip_class2", f.IPClass2)
		v.Set("field", string(f.Field))
		set("staff", f.Staff)
		set("tech_staff", f.TechStaff)
		v.Set("sales_3y", money.Yuan2(f.Sales3yFen))
		v.Set("sales_last_year", money.Yuan2(f.SalesLastYearFen))
		v.Set("rd_3y", money.Yuan2(f.RD3yFen))
		set("rd_domestic_pct", f.RDDomesticPct)
		v.Set("high_tech_income", money.Yuan2(f.HighTechIncomeFen))
		v.Set("total_income", money.Yuan2(f.TotalIncomeFen))
		set("innovation_score", f.InnovationScore)
		if f.MajorViolation {
			v.Set("major_violation", "on")
		}
	}
	v.Set("enterprise", c.EnterpriseName)
	v.Set("as_of", c.AsOf.String())
	res.EnterpriseID, res.AsOf, res.SavedID = c.EnterpriseID, c.AsOf, c.ID
	return h.renderCheck(w, r, http.StatusOK, checkPage{Kind: c.Kind, Result: &res, Saved: &c, Values: v})
}

// StageLabel names a stage in the history.
func (v transferView) StageLabel(s string) i18n.Text { return Stage(s).Label() }

// ActionLabel names an action in the history; "create" is the registration.
func (v transferView) ActionLabel(a string) i18n.Text {
	if act, ok := TransferFlow.Action(a); ok {
		return act.Label
	}
	return i18n.T("登记", "Recorded")
}
