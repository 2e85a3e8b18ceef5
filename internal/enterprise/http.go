package enterprise

import (
	"net/http"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the registry.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	readers = web.BusinessRoles
	writers = web.Roles(access.ServiceOffice, access.Cadre)
)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/enterprises", readers, h.apiList).Doc("企业列表（按名称、代码、联系电话搜索；按街道、行业、规模、资质筛选）", nil, web.List[Enterprise]{}),
		web.Handle("POST /api/v1/enterprises", web.Roles(access.ServiceOffice), h.apiCreate).Doc("登记企业", Input{}, Enterprise{}),
		web.Handle("GET /api/v1/enterprises/{id}", readers, h.apiGet).Doc("企业详情", nil, Enterprise{}),
		web.Handle("PUT /api/v1/enterprises/{id}", writers, h.apiUpdate).Doc("修改企业信息", Input{}, Enterprise{}),
		web.Handle("GET /api/v1/industries", web.SignedIn, h.apiIndustries).Doc("国民经济行业分类（GB/T 4754-2017）大类", nil, []Industry{}),
	}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.enterprises":      i18n.T("企业服务", "Enterprises"),
		"nav.enterprises.list": i18n.T("一企一档", "Enterprise registry"),
	})
}

var columns = []web.Column[Enterprise]{
	web.Col("统一社会信用代码", "Unified social credit code", func(e Enterprise) any { return e.USCC }),
	web.Col("企业名称", "Name", func(e Enterprise) any { return e.Name }),
	web.Col("简称", "Short name", func(e Enterprise) any { return e.ShortName }),
	web.Col("所属组织", "Org", func(e Enterprise) any { return e.OrgName }),
	web.Col("行业代码", "Industry code", func(e Enterprise) any { return e.IndustryCode }),
	web.Col("行业名称", "Industry", func(e Enterprise) any { return e.IndustryName }),
	web.Col("规模", "Scale", func(e Enterprise) any { return e.Scale.Label().Zh }),
	web.Col("规上企业", "Above scale", func(e Enterprise) any { return e.AboveScale }),
	web.Col("地址", "Address", func(e Enterprise) any { return e.Address }),
	web.Col("法定代表人", "Legal representative", func(e Enterprise) any { return e.LegalRep }),
	web.Col("联系人", "Contact", func(e Enterprise) any { return e.ContactName }),
	web.Col("联系电话", "Contact phone", func(e Enterprise) any { return e.ContactPhone }),
	web.Col("包保干部", "Responsible cadre", func(e Enterprise) any { return e.CadreName }),
	web.Col("从业人数", "Employees", func(e Enterprise) any { return e.Employees }),
	web.Col("成立日期", "Registered on", func(e Enterprise) any { return e.RegisteredOn }),
}

func filterOf(p web.ListParams) (Filter, error) {
	f := Filter{Q: p.Q, Industry: p.Query.Get("industry"), Scale: Scale(p.Query.Get("scale")),
		Qualification: p.Query.Get("qualification"), Limit: p.Limit}
	var err error
	if f.OrgID, err = p.ID("org_id"); err != nil {
		return f, err
	}
	if f.CadreUserID, err = p.ID("cadre_user_id"); err != nil {
		return f, err
	}
	if v, ok, err := p.Bool("above_scale"); err != nil {
		return f, err
	} else if ok {
		f.AboveScale = &v
	}
	if f.QualifiedOn, err = p.Date("qualified_on"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.BeforeID)
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
	return web.ServeList(w, r, p, i18n.T("企业名录", "Enterprises"), columns,
		func() (web.List[Enterprise], error) {
			items, total, err := h.Svc.List(r.Context(), pr, f)
			l := web.List[Enterprise]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Enterprise) error) error { return h.Svc.Each(r.Context(), pr, f, yield) })
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, e)
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.Svc.Create(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, e)
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
	e, err := h.Svc.Update(r.Context(), web.Principal(r), id, in)
	if errs.Is(err, errs.NotFound) {
		return errs.ErrNotFound
	}
	if err != nil {
		return err
	}
	return web.OK(w, e)
}

func (h *Handler) apiIndustries(w http.ResponseWriter, r *http.Request) error {
	return web.OK(w, Industries())
}
