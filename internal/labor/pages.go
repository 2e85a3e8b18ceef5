package labor

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// maxOptions is how many enterprises a form offers in a list; a larger
// registry is searched by id.
const maxOptions = 500

// EnterpriseOptions returns up to maxOptions enterprises in sc, by name:
// the choices of a form.
func EnterpriseOptions(ctx context.Context, q store.Querier, sc *access.Scope) ([]Reference, error) {
	var w store.Where
	w.Scope(sc)
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT e.id, e.name FROM enterprises e"+where+" ORDER BY e.name, e.id LIMIT "+strconv.Itoa(maxOptions), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Reference
	for rows.Next() {
		var r Reference
		if err := rows.Scan(&r.ID, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func formInt(r *http.Request, name string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue(name)))
	return n
}

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

func formDate(r *http.Request, name string) (civil.Date, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return civil.Date{}, nil
	}
	d, err := civil.Parse(s)
	if err != nil {
		return d, errs.Invalidf(name, "日期应为YYYY-MM-DD格式", "The date must be YYYY-MM-DD")
	}
	return d, nil
}

// pageError turns a service error into a message for the form, or returns
// it for the error page when it is not the user's to fix.
func pageError(r *http.Request, err error) (int, string, error) {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.NotFound || e.Code == errs.Forbidden {
		return 0, "", err
	}
	return web.StatusOf(e), e.Msg.In(i18n.From(r.Context())), nil
}

// query keeps a page's filters for its pager and export links.
func query(r *http.Request, keys ...string) string {
	v := url.Values{}
	for _, k := range keys {
		if s := r.URL.Query().Get(k); s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return v.Encode() + "&"
}

func (h *Handler) demandsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderDemands(w, r, http.StatusOK, "", DemandInput{})
}

func (h *Handler) renderDemands(w http.ResponseWriter, r *http.Request, status int, msg string, form DemandInput) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := demandFilterOf(p, false)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	items, total, err := h.Svc.ListDemands(r.Context(), pr, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = f.cursor(items[len(items)-1])
	}
	var options []Reference
	if pr.Has(access.ServiceOffice) {
		if options, err = EnterpriseOptions(r.Context(), h.Svc.DB.Read(), demandWriteScope(pr, "e")); err != nil {
			return err
		}
	}
	if form.NeedBy.IsZero() {
		form.NeedBy = h.Svc.today().AddDays(30)
	}
	return h.UI.RenderStatus(w, r, status, "lab_demands", i18n.T("缺工申报", "Labour demands"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Filter": f, "Query": query(r, "q", "enterprise_id", "open"),
		"Options": options, "Form": form, "Error": msg, "CanPost": pr.Has(access.ServiceOffice, access.Enterprise),
	})
}

func demandForm(r *http.Request) (DemandInput, error) {
	in := DemandInput{EnterpriseID: formID(r, "enterprise_id"), Job: r.PostFormValue("job"), Headcount: formInt(r, "headcount"),
		Note: r.PostFormValue("note"), Closed: r.PostFormValue("closed") != ""}
	var err error
	if in.NeedBy, err = formDate(r, "need_by"); err != nil {
		return in, err
	}
	in.PostedOn, err = formDate(r, "posted_on")
	return in, err
}

func (h *Handler) demandCreatePost(w http.ResponseWriter, r *http.Request) error {
	in, err := demandForm(r)
	if err == nil {
		_, err = h.Svc.CreateDemand(r.Context(), web.Principal(r), in)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderDemands(w, r, status, msg, in)
	}
	web.Flash(w, "lab.demand.created")
	web.Redirect(w, r, "/labor/demands")
	return nil
}

func (h *Handler) demandPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderDemand(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderDemand(w http.ResponseWriter, r *http.Request, status int, msg string, form *DemandInput) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	d, err := h.Svc.GetDemand(r.Context(), pr, id)
	if err != nil {
		return err
	}
	placements, _, _, err := h.Svc.ListPlacements(r.Context(), pr, PlacementFilter{DemandID: id, Limit: 200})
	if err != nil {
		return err
	}
	if form == nil {
		form = &DemandInput{Job: d.Job, Headcount: d.Headcount, NeedBy: d.NeedBy, Closed: d.Closed, Note: d.Note}
	}
	return h.UI.RenderStatus(w, r, status, "lab_demand", i18n.F("缺工申报：%s", "Labour demand: %s", d.Job), map[string]any{
		"Demand": d, "Placements": placements, "Form": form, "Error": msg, "Today": h.Svc.today(),
		"CanEdit": pr.Has(access.ServiceOffice) || (pr.Has(access.Enterprise) && pr.EnterpriseID == d.EnterpriseID),
	})
}

func (h *Handler) demandUpdatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := demandForm(r)
	if err == nil {
		_, err = h.Svc.UpdateDemand(r.Context(), web.Principal(r), id, in)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderDemand(w, r, status, msg, &in)
	}
	web.Flash(w, "lab.demand.saved")
	web.Redirect(w, r, "/labor/demands/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) shortagePage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := demandFilterOf(p, true)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.ListDemands(r.Context(), web.Principal(r), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = f.cursor(items[len(items)-1])
	}
	var short int
	for _, d := range items {
		short += d.Unfilled
	}
	return h.UI.Render(w, r, "lab_shortage", i18n.T("缺工清单", "Labour shortage"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Filter": f, "Query": query(r, "q", "enterprise_id"), "Short": short,
	})
}

func (h *Handler) eventsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderEvents(w, r, http.StatusOK, "", EventInput{Kind: Onsite})
}

func (h *Handler) renderEvents(w http.ResponseWriter, r *http.Request, status int, msg string, form EventInput) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := eventFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	items, total, err := h.Svc.ListEvents(r.Context(), pr, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		last := items[len(items)-1]
		next = web.EncodeCursor(last.Date, last.ID)
	}
	var options []Reference
	if pr.Has(access.ServiceOffice) {
		if options, err = EnterpriseOptions(r.Context(), h.Svc.DB.Read(), readScope(pr, "e")); err != nil {
			return err
		}
	}
	if form.Date.IsZero() {
		form.Date = h.Svc.today()
	}
	chosen := map[int64]bool{}
	for _, id := range form.Enterprises {
		chosen[id] = true
	}
	return h.UI.RenderStatus(w, r, status, "lab_events", i18n.T("招聘活动", "Recruitment events"), map[string]any{
		"Items": items, "Total": total, "Next": next, "Filter": f, "Query": query(r, "q", "kind", "from", "to", "enterprise_id"),
		"Kinds": EventKinds, "Options": options, "Form": form, "Chosen": chosen, "Error": msg,
	})
}

func (h *Handler) eventCreatePost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errs.Invalidf("", "表单无效", "Invalid form")
	}
	in := EventInput{Name: r.PostFormValue("name"), Kind: EventKind(r.PostFormValue("kind")), Venue: r.PostFormValue("venue"),
		Positions: formInt(r, "positions"), Attendees: formInt(r, "attendees"), Hires: formInt(r, "hires"), Note: r.PostFormValue("note")}
	for _, s := range r.PostForm["enterprises"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.Enterprises = append(in.Enterprises, id)
		}
	}
	var id int64
	d, err := formDate(r, "date")
	if err == nil {
		in.Date = d
		var v Event
		v, err = h.Svc.CreateEvent(r.Context(), web.Principal(r), in)
		id = v.ID
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		return h.renderEvents(w, r, status, msg, in)
	}
	web.Flash(w, "lab.event.created")
	web.Redirect(w, r, "/labor/events/"+strconv.FormatInt(id, 10))
	return nil
}

func (h *Handler) eventPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderEvent(w, r, http.StatusOK, "", PlacementInput{})
}

func (h *Handler) renderEvent(w http.ResponseWriter, r *http.Request, status int, msg string, form PlacementInput) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	v, err := h.Svc.GetEvent(r.Context(), pr, id)
	if err != nil {
		return err
	}
	placements, _, workers, err := h.Svc.ListPlacements(r.Context(), pr, PlacementFilter{EventID: id, Limit: 500})
	if err != nil {
		return err
	}
	if form.Date.IsZero() {
		form.Date = h.Svc.today()
	}
	return h.UI.RenderStatus(w, r, status, "lab_event", i18n.T(v.Name, v.Name), map[string]any{
		"Event": v, "Placements": placements, "Workers": workers, "Form": form, "Error": msg,
	})
}

func (h *Handler) placementsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderPlacements(w, r, http.StatusOK, "", PlacementInput{})
}

func (h *Handler) renderPlacements(w http.ResponseWriter, r *http.Request, status int, msg string, form PlacementInput) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := placementFilterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	items, total, workers, err := h.Svc.ListPlacements(r.Context(), pr, f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		last := items[len(items)-1]
		next = web.EncodeCursor(last.Date, last.ID)
	}
	var demands []Demand
	if pr.Has(access.ServiceOffice) {
		demands, _, err = h.Svc.ListDemands(r.Context(), pr, DemandFilter{Shortage: true, Limit: maxOptions})
		if err != nil {
			return err
		}
	}
	if form.Date.IsZero() {
		form.Date = h.Svc.today()
	}
	return h.UI.RenderStatus(w, r, status, "lab_placements", i18n.T("送工到岗", "Placements"), map[string]any{
		"Items": items, "Total": total, "Workers": workers, "Next": next, "Filter": f,
		"Query": query(r, "enterprise_id", "event_id", "demand_id", "from", "to"), "Demands": demands, "Form": form, "Error": msg,
	})
}

// placementCreatePost records a placement from the event page or the
// placements page and goes back to the page it came from.
func (h *Handler) placementCreatePost(w http.ResponseWriter, r *http.Request) error {
	in := PlacementInput{EnterpriseID: formID(r, "enterprise_id"), EventID: formID(r, "event_id"), DemandID: formID(r, "demand_id"),
		Workers: formInt(r, "workers"), Note: r.PostFormValue("note")}
	d, err := formDate(r, "date")
	if err == nil {
		in.Date = d
		_, err = h.Svc.CreatePlacement(r.Context(), web.Principal(r), in)
	}
	back := "/labor/placements"
	if in.EventID != 0 && r.PostFormValue("from") == "event" {
		back = "/labor/events/" + strconv.FormatInt(in.EventID, 10)
	}
	if err != nil {
		status, msg, err := pageError(r, err)
		if err != nil {
			return err
		}
		if back != "/labor/placements" {
			r.SetPathValue("id", strconv.FormatInt(in.EventID, 10))
			return h.renderEvent(w, r, status, msg, in)
		}
		return h.renderPlacements(w, r, status, msg, in)
	}
	web.Flash(w, "lab.placement.done")
	web.Redirect(w, r, back)
	return nil
}
