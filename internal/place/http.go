package place

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler serves the register's API and pages.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var writers = web.Roles(access.ServiceOffice)

// NewModule builds the places register's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:        "place",
		Routes:      h.Routes(),
		Nav:         []web.NavItem{{Group: "plc.nav", Key: "plc.nav.places", Path: "/places", Allow: web.BusinessRoles, Order: 700}},
		Templates:   Templates(),
		Demo:        (&demoLoader{svc: svc}).load,
		Home:        svc.Home,
		Summary:     svc.Summary,
		SummaryKeys: []string{"places"},
		Drill:       Drill,
	}
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/places", web.BusinessRoles, h.apiList).Doc("产城融合设施列表（居住组团、产业服务中心、邻里中心、公共服务设施）", nil, web.List[Place]{}),
		web.Handle("POST /api/v1/places", writers, h.apiCreate).Doc("登记产城融合设施", Input{}, Place{}).Created(),
		web.Handle("GET /api/v1/places/{id}", web.BusinessRoles, h.apiGet).Doc("产城融合设施详情", nil, Place{}),
		web.Handle("PUT /api/v1/places/{id}", writers, h.apiUpdate).Doc("修改产城融合设施（含规划→在建→建成）", Input{}, Place{}),
		web.Handle("DELETE /api/v1/places/{id}", writers, h.apiDelete).Doc("删除误录的设施", nil, nil),

		web.Handle("GET /places", web.BusinessRoles, h.page),
		web.Handle("GET /places/new", writers, h.newPage),
		web.Handle("POST /places", writers, h.savePost),
		web.Handle("GET /places/{id}", web.BusinessRoles, h.placePage),
		web.Handle("POST /places/{id}", writers, h.savePost),
		web.Handle("POST /places/{id}/delete", writers, h.deletePost),
	}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"plc.nav":         i18n.T("产城融合", "Industry–city"),
		"plc.nav.places":  i18n.T("设施地图", "Places map"),
		"plc.new":         i18n.T("登记设施", "New place"),
		"plc.name":        i18n.T("名称", "Name"),
		"plc.kind":        i18n.T("类型", "Kind"),
		"plc.status":      i18n.T("状态", "Status"),
		"plc.org":         i18n.T("所在街道/园区", "Street or park"),
		"plc.address":     i18n.T("地址", "Address"),
		"plc.lat":         i18n.T("纬度（北纬，度）", "Latitude (° N)"),
		"plc.lng":         i18n.T("经度（东经，度）", "Longitude (° E)"),
		"plc.opened_on":   i18n.T("启用日期", "Opened on"),
		"plc.description": i18n.T("说明", "Description"),
		"plc.map":         i18n.T("分布图", "Map"),
		"plc.map.hint":    i18n.T("按坐标绘制的示意图（不含底图），圆点颜色表示类型，实心为已建成、虚线为在建、空心为规划中；点击圆点查看设施。", "Drawn from the coordinates (no base map): colour shows the kind; solid is open, dashed is being built, hollow is planned. Click a dot for the place."),
		"plc.legend":      i18n.T("图例", "Legend"),
		"plc.table":       i18n.T("设施一览", "All places"),
		"plc.saved":       i18n.T("已保存", "Saved"),
		"plc.deleted":     i18n.T("已删除", "Deleted"),
		"plc.delete":      i18n.T("删除（仅限误录）", "Delete (entered by mistake)"),
		"plc.projects":    i18n.T("产城融合项目（攀宇产城融合一期等）在重点项目中登记和跟踪。", "Integration projects (攀宇产城融合一期 …) are registered and followed as key projects."),
		"plc.none_on_map": i18n.T("没有符合条件的设施", "No places match"),
		"plc.coordinates": i18n.T("坐标", "Coordinates"),
		"plc.north":       i18n.T("北", "N"),
	})
}

var columns = []web.Column[Place]{
	web.Col("名称", "Name", func(x Place) any { return x.Name }),
	web.Col("类型", "Kind", func(x Place) any { return x.Kind.Label().Zh }),
	web.Col("状态", "Status", func(x Place) any { return x.Status.Label().Zh }),
	web.Col("所在街道/园区", "Street or park", func(x Place) any { return x.OrgName }),
	web.Col("地址", "Address", func(x Place) any { return x.Address }),
	web.Col("纬度", "Latitude", func(x Place) any { return x.Lat }),
	web.Col("经度", "Longitude", func(x Place) any { return x.Lng }),
	web.Col("启用日期", "Opened on", func(x Place) any { return x.OpenedOn }),
	web.Col("说明", "Description", func(x Place) any { return x.Description }),
}

func filterOf(p web.ListParams) (Filter, error) {
	f := Filter{Q: p.Q, Limit: p.Limit}
	k, err := p.Enum("kind", kindStrings()...)
	if err != nil {
		return f, err
	}
	st, err := p.Enum("status", string(Planned), string(Building), string(Open))
	if err != nil {
		return f, err
	}
	f.Kind, f.Status = Kind(k), Status(st)
	if f.OrgID, err = p.ID("org_id"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.BeforeID)
	return f, err
}

func kindStrings() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
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
	return web.ServeList(w, r, p, i18n.T("产城融合设施", "Places"), columns,
		func() (web.List[Place], error) {
			var l web.List[Place]
			err := h.Svc.Each(r.Context(), pr, f, func(x Place) error { l.Items = append(l.Items, x); return nil })
			if err != nil {
				return l, err
			}
			if l.Total, err = h.Svc.Count(r.Context(), pr, f); err != nil {
				return l, err
			}
			if len(l.Items) > 0 && len(l.Items) == f.Limit {
				l.NextCursor = web.EncodeCursor(l.Items[len(l.Items)-1].ID)
			}
			return l, nil
		},
		func(yield func(Place) error) error {
			f.Limit, f.BeforeID = 0, 0
			return h.Svc.Each(r.Context(), pr, f, yield)
		})
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.Create(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, x)
}

func (h *Handler) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	x, err := h.Svc.Update(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, x)
}

func (h *Handler) apiDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.Delete(r.Context(), web.Principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// page shows every place matching the filters on the map and in the table
// below it (the map needs them all, so this page does not paginate).
func (h *Handler) page(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(p)
	if err != nil {
		return err
	}
	f.Limit, f.BeforeID = 0, 0
	var places []Place
	if err := h.Svc.Each(r.Context(), web.Principal(r), f, func(x Place) error { places = append(places, x); return nil }); err != nil {
		return err
	}
	// Oldest first, so that numbers on the map stay put as places are added.
	for i, j := 0, len(places)-1; i < j; i, j = i+1, j-1 {
		places[i], places[j] = places[j], places[i]
	}
	q := url.Values{}
	for _, k := range []string{"q", "kind", "status", "org_id"} {
		if v := p.Query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	// A URL (it is one, encoded), so that the page keeps its = and &.
	query := template.URL(q.Encode())
	if query != "" {
		query += "&"
	}
	counts := map[Kind]int{}
	for _, x := range places {
		counts[x.Kind]++
	}
	return h.UI.Render(w, r, "plc_places", i18n.T("产城融合设施", "Industry–city places"), map[string]any{
		"Map": Draw(places), "Places": places, "Params": p.Query, "Query": query, "Kinds": Kinds, "Statuses": Statuses,
		"Counts": counts, "CanWrite": web.Principal(r).Has(access.ServiceOffice),
	})
}

type formData struct {
	ID       int64
	Form     Input
	Lat, Lng string // as typed
	Error    string
	CanWrite bool
	Kinds    []Kind
	Statuses []Status
	Orgs     []orgOption
	Record   *Place
}

type orgOption struct {
	ID   int64
	Name string
}

func (h *Handler) form(w http.ResponseWriter, r *http.Request, status int, d formData) error {
	rows, err := h.Svc.DB.Read().Query(r.Context(), "SELECT id, name FROM orgs WHERE kind IN ('zone', 'street', 'community', 'park') ORDER BY path")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var o orgOption
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return err
		}
		d.Orgs = append(d.Orgs, o)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.Kinds, d.Statuses, d.CanWrite = Kinds, Statuses, web.Principal(r).Has(access.ServiceOffice)
	title := i18n.T("登记产城融合设施", "New place")
	if d.ID != 0 {
		title = i18n.T("产城融合设施", "Place")
	}
	return h.UI.RenderStatus(w, r, status, "plc_place", title, d)
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) error {
	return h.form(w, r, http.StatusOK, formData{Form: Input{Kind: Neighbourhood, Status: Planned, OrgID: web.Principal(r).OrgID}})
}

func (h *Handler) placePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	x, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	in := Input{Name: x.Name, Kind: x.Kind, Status: x.Status, Lat: x.Lat, Lng: x.Lng, OrgID: x.OrgID, Address: x.Address,
		OpenedOn: x.OpenedOn, Description: x.Description}
	return h.form(w, r, http.StatusOK, formData{ID: id, Form: in, Lat: coord(x.Lat), Lng: coord(x.Lng), Record: &x})
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (h *Handler) savePost(w http.ResponseWriter, r *http.Request) error {
	ctx, pr := r.Context(), web.Principal(r)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	r.ParseForm()
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d := formData{ID: id, Lat: v("lat"), Lng: v("lng")}
	d.Form = Input{Name: v("name"), Kind: Kind(v("kind")), Status: Status(v("status")), Address: v("address"), Description: v("description")}
	err := func() error {
		var err error
		if d.Form.OrgID, err = strconv.ParseInt(v("org_id"), 10, 64); err != nil {
			return errs.Invalidf("org_id", "请选择所在的街道、社区或园区", "org_id must name a street, community or park")
		}
		for _, c := range []struct {
			name, typed string
			into        *float64
		}{{"lat", d.Lat, &d.Form.Lat}, {"lng", d.Lng, &d.Form.Lng}} {
			if *c.into, err = strconv.ParseFloat(c.typed, 64); err != nil {
				return errs.Invalidf(c.name, "%s 应为十进制度数，如 30.09", "%s must be decimal degrees such as 30.09", c.name)
			}
		}
		if s := v("opened_on"); s != "" {
			if d.Form.OpenedOn, err = civil.Parse(s); err != nil {
				return errs.Invalidf("opened_on", "启用日期应为YYYY-MM-DD格式", "opened_on must be a date YYYY-MM-DD")
			}
		}
		var x Place
		if id == 0 {
			x, err = h.Svc.Create(ctx, pr, d.Form)
		} else {
			x, err = h.Svc.Update(ctx, pr, id, d.Form)
		}
		if err == nil {
			id = x.ID
		}
		return err
	}()
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal || e.Code == errs.NotFound || e.Code == errs.Forbidden {
			return err
		}
		d.Error = e.Msg.In(i18n.From(ctx))
		return h.form(w, r, web.StatusOf(e), d)
	}
	web.Flash(w, "plc.saved")
	web.Redirect(w, r, fmt.Sprintf("/places/%d", id))
	return nil
}

func (h *Handler) deletePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.Delete(r.Context(), web.Principal(r), id); err != nil {
		return err
	}
	web.Flash(w, "plc.deleted")
	web.Redirect(w, r, "/places")
	return nil
}

// Drill returns the list behind a figure of the places section.
func Drill(key string, from, to civil.Date) string {
	k, ok := strings.CutPrefix(key, "places.")
	if !ok {
		return ""
	}
	switch {
	case Kind(k).Valid():
		return "/places?kind=" + k
	case k == "by_status.open":
		return "/places?status=open"
	}
	return "/places"
}

// Home shows the zone's roles how many places are open and how many are
// still to come.
func (s *Service) Home(ctx context.Context, p *access.Principal, l i18n.Lang) []platform.Card {
	if !p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice) {
		return nil
	}
	m := map[string]any{}
	today := civil.Of(s.DB.Now())
	if err := s.Summary(ctx, s.DB.Read(), p, today, today, m); err != nil {
		return nil
	}
	st := m["places"].(map[string]any)["by_status"].(map[string]int64)
	return []platform.Card{
		{Label: i18n.T("已建成产城融合设施", "Places open").In(l), Value: strconv.FormatInt(st[string(Open)], 10), Href: "/places?status=open", Tone: "green"},
		{Label: i18n.T("规划和在建设施", "Places planned or being built").In(l), Value: strconv.FormatInt(st[string(Planned)]+st[string(Building)], 10), Href: "/places"},
	}
}
