package org

import (
	"embed"
	"io/fs"
	"net/http"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler serves the org tree.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var editors = web.Roles(access.Sysadmin, access.ServiceOffice)

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/orgs", web.SignedIn, h.list).Doc("组织机构列表", nil, web.List[Org]{}),
		web.Handle("POST /api/v1/orgs", editors, h.create).Doc("新建组织机构", Input{}, Org{}).Created(),
		web.Handle("GET /api/v1/orgs/{id}", web.SignedIn, h.get).Doc("组织机构详情", nil, Org{}),
		web.Handle("PATCH /api/v1/orgs/{id}", editors, h.update).Doc("修改组织机构（改上级即移动整棵子树）", Input{}, Org{}),
		web.Handle("GET /orgs", editors, h.page),
		web.Handle("POST /orgs", editors, h.pageCreate),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{{Group: "nav.admin", Key: "nav.orgs", Path: "/orgs", Allow: editors, Order: 910}}
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.admin":     i18n.T("系统管理", "Administration"),
		"nav.orgs":      i18n.T("组织机构", "Organisations"),
		"org.title":     i18n.T("组织机构", "Organisations"),
		"org.add":       i18n.T("新增下级", "Add a child"),
		"org.name":      i18n.T("名称", "Name"),
		"org.kind":      i18n.T("类型", "Kind"),
		"org.code":      i18n.T("代码", "Code"),
		"org.parent":    i18n.T("上级", "Parent"),
		"org.created":   i18n.T("已新增组织机构", "The org was added"),
		"org.tree.hint": i18n.T("数据范围按组织树划分：上级能看到下级的全部数据。", "Data scope follows the tree: a node sees everything beneath it."),
	})
}

var columns = []web.Column[Org]{
	web.Col("编号", "ID", func(o Org) any { return o.ID }),
	web.Col("名称", "Name", func(o Org) any { return o.Name }),
	web.Col("类型", "Kind", func(o Org) any { return o.Kind.Label().Zh }),
	web.Col("上级编号", "Parent ID", func(o Org) any { return o.ParentID }),
	web.Col("代码", "Code", func(o Org) any { return o.Code }),
	web.Col("路径", "Path", func(o Org) any { return o.Path }),
}

func (h *Handler) filter(p web.ListParams) (Filter, error) {
	f := Filter{Q: p.Q, Kind: Kind(p.Query.Get("kind")), Limit: p.Limit}
	if f.Kind != "" && !f.Kind.Valid() {
		return f, errs.Invalidf("kind", "类型无效", "Invalid kind")
	}
	var err error
	if f.ParentID, err = p.ID("parent_id"); err != nil {
		return f, err
	}
	if _, err := web.DecodeCursor(p.Cursor, &f.AfterID); err != nil {
		return f, err
	}
	return f, nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := h.filter(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("组织机构", "Organisations"), columns,
		func() (web.List[Org], error) {
			items, total, err := h.Svc.List(r.Context(), f)
			l := web.List[Org]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Org) error) error {
			f.Limit, f.AfterID = 0, 0
			items, _, err := h.Svc.List(r.Context(), f)
			for _, o := range items {
				if err := yield(o); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	o, err := h.Svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return web.OK(w, o)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.Svc.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.Created(w, o)
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Input
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	o, err := h.Svc.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, o)
}

// treeRow is one line of the tree page.
type treeRow struct {
	Org
	Depth int
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) error {
	return h.renderTree(w, r, http.StatusOK, "", nil)
}

func (h *Handler) renderTree(w http.ResponseWriter, r *http.Request, status int, msg string, form *Input) error {
	items, _, err := h.Svc.List(r.Context(), Filter{})
	if err != nil {
		return err
	}
	byParent := map[int64][]Org{}
	for _, o := range items {
		byParent[o.ParentID] = append(byParent[o.ParentID], o)
	}
	var rows []treeRow
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, o := range byParent[parent] {
			rows = append(rows, treeRow{o, depth})
			walk(o.ID, depth+1)
		}
	}
	walk(0, 0)
	if form == nil {
		form = &Input{}
	}
	return h.UI.RenderStatus(w, r, status, "orgs", i18n.T("组织机构", "Organisations"), map[string]any{
		"Rows": rows, "Kinds": Kinds, "Error": msg, "Form": form,
	})
}

func (h *Handler) pageCreate(w http.ResponseWriter, r *http.Request) error {
	parent, _ := strconv.ParseInt(r.PostFormValue("parent_id"), 10, 64)
	in := Input{Name: r.PostFormValue("name"), Kind: Kind(r.PostFormValue("kind")), ParentID: parent, Code: r.PostFormValue("code")}
	if _, err := h.Svc.Create(r.Context(), in); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderTree(w, r, web.StatusOf(e), e.Msg.In(i18n.From(r.Context())), &in)
	}
	web.Flash(w, "org.created")
	web.Redirect(w, r, "/orgs")
	return nil
}
