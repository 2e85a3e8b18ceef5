package enterprise

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the registry.
type Handler struct {
	Svc   *Service
	Users *auth.Service
	UI    *web.UI
}

var (
	readers = web.BusinessRoles
	writers = web.Roles(access.ServiceOffice, access.Cadre)
	office  = web.Roles(access.ServiceOffice)
	// Visits are the zone's own working notes (a flag such as "relocating"
	// is not for the enterprise or a bank to read).
	visitReaders = web.Roles(access.Leader, access.ServiceOffice, access.ProjectOffice, access.Cadre)
	revealRoles  = web.Roles(revealers...)
)

// MaxImport is the largest import file accepted.
const MaxImport = 64 << 20

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/enterprises", readers, h.apiList).Doc("企业列表（按名称开头、信用代码开头或联系电话搜索；按街道、行业、规模、规上、资质筛选）", nil, ListOut{}),
		web.Handle("POST /api/v1/enterprises", office, h.apiCreate).Doc("登记企业", Input{}, Enterprise{}).Created(),
		web.Handle("GET /api/v1/enterprises/template", writers, h.apiTemplate).Doc("下载企业导入模板（.xlsx，中文表头与示例行）", nil, nil),
		web.Handle("POST /api/v1/enterprises/import", writers, h.apiImport).Limit(MaxImport).
			Doc("导入企业（multipart 字段 file：.xlsx 或 .csv，最大64 MiB；按信用代码新增或更新，逐行报告错误）", nil, ImportResult{}),
		web.Handle("GET /api/v1/enterprises/{id}", readers, h.apiGet).Doc("企业详情", nil, Enterprise{}),
		web.Handle("PUT /api/v1/enterprises/{id}", writers, h.apiUpdate).Doc("修改企业信息（无变化时不写入）", Input{}, Enterprise{}),
		web.Handle("PUT /api/v1/enterprises/{id}/cadre", office, h.apiAssign).Doc("指定包保干部（cadre_user_id 为空则取消）", Assignment{}, Enterprise{}),
		web.Handle("POST /api/v1/enterprises/{id}/reveal", revealRoles, h.apiReveal).Doc("查看完整联系电话（记入审计日志）", nil, Revealed{}),
		web.Handle("GET /api/v1/enterprises/{id}/qualifications", readers, h.apiQualifications).Doc("企业资质列表（valid 表示今天有效）", nil, web.List[Qualification]{}),
		web.Handle("POST /api/v1/enterprises/{id}/qualifications", writers, h.apiAddQualification).Doc("登记企业资质", QualificationInput{}, Qualification{}).Created(),
		web.Handle("DELETE /api/v1/enterprises/{id}/qualifications/{qid}", writers, h.apiDeleteQualification).Doc("删除误登记的企业资质", nil, nil),
		web.Handle("GET /api/v1/enterprises/{id}/visits", visitReaders, h.apiVisits).Doc("走访记录列表（含问题标记）", nil, web.List[Visit]{}),
		web.Handle("POST /api/v1/enterprises/{id}/visits", writers, h.apiAddVisit).Doc("登记走访（日期不能晚于今天）", VisitInput{}, Visit{}).Created(),
		web.Handle("GET /api/v1/industries", web.SignedIn, h.apiIndustries).Doc("国民经济行业分类（GB/T 4754-2017）大类", nil, []Industry{}),
		web.Handle("GET /api/v1/visit-flags", web.SignedIn, h.apiFlags).Doc("走访问题标记（红旗）代码与名称", nil, []FlagInfo{}),
	}
}

// ListOut is the answer of the enterprise list.
type ListOut struct {
	Items      []Enterprise `json:"items"`
	NextCursor string       `json:"next_cursor"`
	Total      int          `json:"total"`
	// TotalCapped says total stopped counting at 10000: narrow the search.
	TotalCapped bool `json:"total_capped,omitempty"`
}

// Assignment is the body of assigning a cadre.
type Assignment struct {
	CadreUserID int64 `json:"cadre_user_id,string,omitempty"`
}

// Revealed is the contact phone in full.
type Revealed struct {
	ContactPhone string `json:"contact_phone"`
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
	_, err = web.DecodeCursor(p.Cursor, &f.After.Key, &f.After.ID)
	return f, err
}

func nextCursor(pg Page) string {
	if pg.Next.ID == 0 {
		return ""
	}
	return web.EncodeCursor(pg.Next.Key, pg.Next.ID)
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
	if p.Export() {
		return web.Export(w, r, p.Format, i18n.T("企业名录", "Enterprises"), columns,
			func(yield func(Enterprise) error) error { return h.Svc.Each(r.Context(), pr, f, yield) })
	}
	pg, err := h.Svc.List(r.Context(), pr, f)
	if err != nil {
		return err
	}
	out := ListOut{Items: pg.Items, NextCursor: nextCursor(pg), Total: pg.Total, TotalCapped: pg.TotalCapped}
	if out.Items == nil {
		out.Items = []Enterprise{}
	}
	return web.OK(w, out)
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
	if err != nil {
		return err
	}
	return web.OK(w, e)
}

func (h *Handler) apiAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Assignment
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.Svc.Assign(r.Context(), web.Principal(r), id, in.CadreUserID)
	if err != nil {
		return err
	}
	return web.OK(w, e)
}

func (h *Handler) apiReveal(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := h.Svc.RevealPhone(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, Revealed{ContactPhone: phone})
}

func (h *Handler) apiQualifications(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	qs, err := h.Svc.Qualifications(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, web.List[Qualification]{Items: qs, Total: len(qs)})
}

func (h *Handler) apiAddQualification(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in QualificationInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	q, err := h.Svc.AddQualification(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, q)
}

func (h *Handler) apiDeleteQualification(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	qid, err := web.PathID(r, "qid")
	if err != nil {
		return err
	}
	if err := h.Svc.DeleteQualification(r.Context(), web.Principal(r), id, qid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiVisits(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	vs, err := h.Svc.Visits(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, web.List[Visit]{Items: vs, Total: len(vs)})
}

func (h *Handler) apiAddVisit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in VisitInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	v, err := h.Svc.AddVisit(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, v)
}

func (h *Handler) apiTemplate(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.From(r.Context())
	name := i18n.T("企业导入模板", "enterprise-import-template").In(lang) + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="template.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	return WriteTemplate(w, lang)
}

// importFile reads the uploaded file of a multipart form (field "file").
// Parts beyond a few MiB spill to a temporary file, removed afterwards.
func importFile(r *http.Request) (ImportFile, func(), error) {
	none := func() {}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return ImportFile{}, none, errs.New(errs.TooLarge, "file", i18n.F("文件超过%d MiB的上限", "The file exceeds the limit of %d MiB", MaxImport>>20))
		}
		return ImportFile{}, none, errs.Invalidf("file", "请以 multipart/form-data 上传文件（字段名 file）", "Upload the file as multipart/form-data in the field \"file\"")
	}
	done := func() { r.MultipartForm.RemoveAll() }
	f, hdr, err := r.FormFile("file")
	if err != nil {
		done()
		return ImportFile{}, none, errs.Invalidf("file", "请选择要导入的文件", "Choose a file to import")
	}
	return ImportFile{Name: hdr.Filename, Body: f}, func() { f.Close(); done() }, nil
}

func (h *Handler) apiImport(w http.ResponseWriter, r *http.Request) error {
	file, done, err := importFile(r)
	if err != nil {
		return err
	}
	defer done()
	res, err := h.Svc.Import(r.Context(), web.Principal(r), file, nil)
	if err != nil {
		return err
	}
	return web.OK(w, res)
}

func (h *Handler) apiIndustries(w http.ResponseWriter, r *http.Request) error {
	return web.OK(w, Industries())
}

func (h *Handler) apiFlags(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.From(r.Context())
	out := make([]FlagInfo, len(Flags))
	for i, f := range Flags {
		out[i] = FlagInfo{Code: f, Name: f.Label().In(lang)}
	}
	return web.OK(w, out)
}

// today is the date by the database's clock.
func (h *Handler) today() civil.Date { return civil.Of(h.Svc.DB.Now()) }

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}
