package enterprise

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// pageRoutes are the server-rendered pages.
func (h *Handler) pageRoutes() []web.Route {
	return []web.Route{
		web.Handle("GET /enterprises", readers, h.listPage),
		web.Handle("GET /enterprises/new", office, h.newPage),
		web.Handle("POST /enterprises", office, h.createPost),
		web.Handle("GET /enterprises/import", writers, h.importPage),
		web.Handle("POST /enterprises/import", writers, h.importPost).Limit(MaxImport),
		web.Handle("GET /enterprises/{id}", readers, h.detailPage),
		web.Handle("GET /enterprises/{id}/edit", writers, h.editPage),
		web.Handle("POST /enterprises/{id}", writers, h.updatePost),
		web.Handle("POST /enterprises/{id}/cadre", office, h.assignPost),
		web.Handle("POST /enterprises/{id}/reveal", revealRoles, h.revealPost),
		web.Handle("POST /enterprises/{id}/qualifications", writers, h.qualificationPost),
		web.Handle("POST /enterprises/{id}/qualifications/{qid}/delete", writers, h.qualificationDeletePost),
		web.Handle("POST /enterprises/{id}/visits", writers, h.visitPost),
	}
}

// OrgOption is an org node in a select, indented by its depth.
type OrgOption struct {
	org.Org
	Depth int
}

// Indent is the option's indentation.
func (o OrgOption) Indent() string { return strings.Repeat("　", o.Depth) }

// orgOptions are the nodes enterprises belong to under path, in tree order.
func (h *Handler) orgOptions(ctx context.Context, path string) ([]OrgOption, error) {
	all, _, err := (&org.Service{DB: h.Svc.DB}).List(ctx, org.Filter{Under: path})
	if err != nil {
		return nil, err
	}
	var out []OrgOption
	for _, o := range all {
		switch o.Kind {
		case org.Zone, org.Street, org.Community, org.Park:
			out = append(out, OrgOption{o, strings.Count(o.Path, "/") - 2})
		}
	}
	// Tree order: by path, whose ids grow with creation.
	sortByPath(out)
	return out, nil
}

func sortByPath(os []OrgOption) {
	key := func(o OrgOption) []int64 {
		var ids []int64
		for _, s := range strings.Split(strings.Trim(o.Path, "/"), "/") {
			n, _ := strconv.ParseInt(s, 10, 64)
			ids = append(ids, n)
		}
		return ids
	}
	less := func(a, b []int64) bool {
		for i := 0; i < len(a) && i < len(b); i++ {
			if a[i] != b[i] {
				return a[i] < b[i]
			}
		}
		return len(a) < len(b)
	}
	for i := 1; i < len(os); i++ {
		for j := i; j > 0 && less(key(os[j]), key(os[j-1])); j-- {
			os[j], os[j-1] = os[j-1], os[j]
		}
	}
}

// scopePath is the org subtree a principal's forms offer.
func scopePath(p *access.Principal) string {
	if p.System || p.OrgPath == "" {
		return "/"
	}
	return p.OrgPath
}

// Choice is an option of a select.
type Choice struct {
	Value string
	Label string
}

func (h *Handler) listPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := filterOf(p)
	if err != nil {
		return err
	}
	pr := web.Principal(r)
	pg, err := h.Svc.List(r.Context(), pr, f)
	if err != nil {
		return err
	}
	orgs, err := h.orgOptions(r.Context(), "/")
	if err != nil {
		return err
	}
	lang := i18n.From(r.Context())
	q := url.Values{}
	for _, k := range []string{"q", "org_id", "industry", "scale", "above_scale", "qualification", "qualified_on", "cadre_user_id"} {
		if v := p.Query.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	// The filters go after "?" in the export and paging links as they are:
	// typed as a URL so that html/template does not escape "=" and "&".
	query := template.URL(q.Encode())
	if query != "" {
		query += "&"
	}
	var industries, scales, quals []Choice
	for _, in := range Industries() {
		industries = append(industries, Choice{in.Code, in.Code + " " + in.Name})
	}
	for _, s := range Scales {
		scales = append(scales, Choice{string(s), s.Label().In(lang)})
	}
	for _, k := range QualificationKinds {
		quals = append(quals, Choice{string(k), k.Label().In(lang)})
	}
	return h.UI.Render(w, r, "enterprise_list", i18n.T("一企一档", "Enterprise registry"), map[string]any{
		"Page": pg, "Next": nextCursor(pg), "Query": query, "Q": p.Query, "Orgs": orgs,
		"Industries": industries, "Scales": scales, "Qualifications": quals,
		"CanCreate": pr.Has(access.ServiceOffice), "CanImport": pr.Has(access.ServiceOffice, access.Cadre),
	})
}

// detail is what the enterprise page shows.
type detail struct {
	E              Enterprise
	Qualifications []Qualification
	Visits         []Visit
	Facts          []platform.Facts
	Flags          []Flag
	Kinds          []QualificationKind
	Cadres         []Cadre
	Today          civil.Date
	Revealed       string
	Masked         bool
	CanWrite       bool
	CanAssign      bool
	CanReveal      bool
	CanSeeVisits   bool
	IsCadre        bool
	Error          string
	ErrorAt        string // the form the error belongs to: qualification, visit, cadre
	Visit          VisitInput
	Qualification  QualificationInput
}

// FlagOn reports whether the visit form had flag f ticked.
func (d *detail) FlagOn(f Flag) bool {
	for _, x := range d.Visit.Flags {
		if x == f {
			return true
		}
	}
	return false
}

func (h *Handler) loadDetail(r *http.Request, id int64) (*detail, error) {
	ctx := r.Context()
	p := web.Principal(r)
	e, err := h.Svc.Get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	d := &detail{E: e, Flags: Flags, Kinds: QualificationKinds, Today: h.today(),
		Masked: e.ContactPhone != "" && e.ContactPhone != e.Phone(), CanReveal: MayReveal(p),
		CanAssign: p.Has(access.ServiceOffice), CanSeeVisits: visitReaders.Permits(p), IsCadre: p.Has(access.Cadre) && !p.Has(access.ServiceOffice)}
	d.Visit.Date = d.Today
	if d.Qualifications, err = h.Svc.Qualifications(ctx, p, id); err != nil {
		return nil, err
	}
	if d.CanSeeVisits {
		if d.Visits, err = h.Svc.Visits(ctx, p, id); err != nil {
			return nil, err
		}
	}
	if writers.Permits(p) {
		if d.CanWrite, err = h.Svc.Writable(ctx, p, id); err != nil {
			return nil, err
		}
	}
	if d.CanAssign || (d.CanWrite && !d.IsCadre) {
		if d.Cadres, err = h.Svc.Cadres(ctx); err != nil {
			return nil, err
		}
	}
	lang := i18n.From(ctx)
	for _, facts := range h.Svc.Facts {
		fs, err := facts(ctx, p, id, lang)
		if err != nil {
			// One module's trouble must not take the whole page down.
			slog.ErrorContext(ctx, "enterprise facts", "enterprise", id, "err", err)
			continue
		}
		if fs != nil {
			d.Facts = append(d.Facts, *fs)
		}
	}
	return d, nil
}

func (h *Handler) renderDetail(w http.ResponseWriter, r *http.Request, status int, d *detail) error {
	title := i18n.T(d.E.Name, d.E.Name)
	return h.UI.RenderStatus(w, r, status, "enterprise_detail", title, d)
}

func (h *Handler) detailPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.loadDetail(r, id)
	if err != nil {
		return err
	}
	return h.renderDetail(w, r, http.StatusOK, d)
}

// formError re-renders the enterprise page with a form's error, or returns
// the error when it is not the user's to fix.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, id int64, at string, err error, keep func(*detail)) error {
	e := errs.As(err)
	if e.Code == errs.Internal || e.Code == errs.NotFound {
		return err
	}
	d, derr := h.loadDetail(r, id)
	if derr != nil {
		return derr
	}
	d.Error, d.ErrorAt = e.Msg.In(i18n.From(r.Context())), at
	if keep != nil {
		keep(d)
	}
	return h.renderDetail(w, r, web.StatusOf(e), d)
}

func enterpriseURL(id int64) string { return "/enterprises/" + strconv.FormatInt(id, 10) }

func (h *Handler) revealPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	phone, err := h.Svc.RevealPhone(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	d, err := h.loadDetail(r, id)
	if err != nil {
		return err
	}
	// Shown once, on this answer only: never in a URL or a flash cookie.
	d.Revealed = phone
	return h.renderDetail(w, r, http.StatusOK, d)
}

func (h *Handler) assignPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Svc.Assign(r.Context(), web.Principal(r), id, formID(r, "cadre_user_id")); err != nil {
		return h.formError(w, r, id, "cadre", err, nil)
	}
	web.Flash(w, "ent.saved")
	web.Redirect(w, r, enterpriseURL(id))
	return nil
}

func formDate(r *http.Request, name string) (civil.Date, error) {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return civil.Date{}, nil
	}
	d, err := civil.Parse(s)
	if err != nil {
		return d, errs.Invalidf(name, "「%s」不是有效日期，格式应为YYYY-MM-DD", "%q is not a valid date YYYY-MM-DD", s)
	}
	return d, nil
}

func (h *Handler) qualificationPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := QualificationInput{Kind: QualificationKind(r.PostFormValue("kind")), CertNo: r.PostFormValue("cert_no")}
	keep := func(d *detail) { d.Qualification = in }
	if in.ValidFrom, err = formDate(r, "valid_from"); err != nil {
		return h.formError(w, r, id, "qualification", err, keep)
	}
	if in.ValidTo, err = formDate(r, "valid_to"); err != nil {
		return h.formError(w, r, id, "qualification", err, keep)
	}
	if _, err := h.Svc.AddQualification(r.Context(), web.Principal(r), id, in); err != nil {
		return h.formError(w, r, id, "qualification", err, keep)
	}
	web.Flash(w, "ent.qualification.added")
	web.Redirect(w, r, enterpriseURL(id)+"#qualifications")
	return nil
}

func (h *Handler) qualificationDeletePost(w http.ResponseWriter, r *http.Request) error {
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
	web.Flash(w, "ent.qualification.deleted")
	web.Redirect(w, r, enterpriseURL(id)+"#qualifications")
	return nil
}

func (h *Handler) visitPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	r.ParseForm()
	in := VisitInput{CadreUserID: formID(r, "cadre_user_id"), Notes: r.PostFormValue("notes")}
	for _, f := range r.PostForm["flags"] {
		in.Flags = append(in.Flags, Flag(f))
	}
	keep := func(d *detail) { d.Visit = in }
	if in.Date, err = formDate(r, "date"); err != nil {
		return h.formError(w, r, id, "visit", err, keep)
	}
	if _, err := h.Svc.AddVisit(r.Context(), web.Principal(r), id, in); err != nil {
		return h.formError(w, r, id, "visit", err, keep)
	}
	web.Flash(w, "ent.visit.added")
	web.Redirect(w, r, enterpriseURL(id)+"#visits")
	return nil
}

// formInput reads the enterprise form.
func formInput(r *http.Request) (Input, error) {
	in := Input{USCC: r.PostFormValue("uscc"), Name: r.PostFormValue("name"), ShortName: r.PostFormValue("short_name"),
		OrgID: formID(r, "org_id"), IndustryCode: r.PostFormValue("industry_code"), Scale: Scale(r.PostFormValue("scale")),
		AboveScale: r.PostFormValue("above_scale") == "on", Address: r.PostFormValue("address"), LegalRep: r.PostFormValue("legal_rep"),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"), CadreUserID: formID(r, "cadre_user_id")}
	if s := strings.TrimSpace(r.PostFormValue("employees")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return in, errs.Invalidf("employees", "从业人数应为整数", "employees must be a whole number")
		}
		in.Employees = n
	}
	var err error
	in.RegisteredOn, err = formDate(r, "registered_on")
	return in, err
}

// formData is what the enterprise form shows.
type formData struct {
	ID         int64
	In         Input
	Orgs       []OrgOption
	Cadres     []Cadre
	Scales     []Scale
	Industries []Industry
	Error      string
	Field      string
	CanAssign  bool
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, id int64, in Input, err error) error {
	p := web.Principal(r)
	d := formData{ID: id, In: in, Scales: Scales, Industries: Industries(), CanAssign: p.Has(access.ServiceOffice)}
	var lerr error
	if d.Orgs, lerr = h.orgOptions(r.Context(), scopePath(p)); lerr != nil {
		return lerr
	}
	if d.CanAssign {
		if d.Cadres, lerr = h.Svc.Cadres(r.Context()); lerr != nil {
			return lerr
		}
	}
	if err != nil {
		e := errs.As(err)
		d.Error, d.Field = e.Msg.In(i18n.From(r.Context())), e.Field
	}
	title := i18n.T("登记企业", "Register an enterprise")
	if id != 0 {
		title = i18n.F("修改：%s", "Edit: %s", in.Name)
	}
	return h.UI.RenderStatus(w, r, status, "enterprise_form", title, d)
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderForm(w, r, http.StatusOK, 0, Input{Scale: Small}, nil)
}

func (h *Handler) createPost(w http.ResponseWriter, r *http.Request) error {
	in, err := formInput(r)
	if err == nil {
		var e Enterprise
		if e, err = h.Svc.Create(r.Context(), web.Principal(r), in); err == nil {
			web.Flash(w, "ent.created")
			web.Redirect(w, r, enterpriseURL(e.ID))
			return nil
		}
	}
	if errs.Is(err, errs.Internal) {
		return err
	}
	return h.renderForm(w, r, web.StatusOf(err), 0, in, err)
}

func (h *Handler) editPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	p := web.Principal(r)
	ok, err := h.Svc.Writable(r.Context(), p, id)
	if err != nil {
		return err
	}
	if !ok {
		return errs.ErrNotFound
	}
	e, err := h.Svc.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	in := inputOf(&e)
	in.ContactPhone = e.ContactPhone // as this user sees it: a masked number keeps the one on record
	return h.renderForm(w, r, http.StatusOK, id, in, nil)
}

func (h *Handler) updatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := formInput(r)
	p := web.Principal(r)
	if err == nil && !p.Has(access.ServiceOffice) {
		// The form shows a cadre neither the org nor the cadre: keep them.
		var e Enterprise
		if e, err = h.Svc.Get(r.Context(), p, id); err != nil {
			return err
		}
		in.OrgID, in.CadreUserID = e.OrgID, e.CadreUserID
	}
	if err == nil {
		if _, err = h.Svc.Update(r.Context(), p, id, in); err == nil {
			web.Flash(w, "ent.saved")
			web.Redirect(w, r, enterpriseURL(id))
			return nil
		}
	}
	if errs.Is(err, errs.Internal) || errs.Is(err, errs.NotFound) {
		return err
	}
	return h.renderForm(w, r, web.StatusOf(err), id, in, err)
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) error {
	return h.UI.Render(w, r, "enterprise_import", i18n.T("导入企业", "Import enterprises"), map[string]any{"MaxMiB": MaxImport >> 20})
}

func (h *Handler) importPost(w http.ResponseWriter, r *http.Request) error {
	data := map[string]any{"MaxMiB": MaxImport >> 20}
	title := i18n.T("导入企业", "Import enterprises")
	file, done, err := importFile(r)
	if err == nil {
		defer done()
		data["File"] = file.Name
		var res ImportResult
		if res, err = h.Svc.Import(r.Context(), web.Principal(r), file, nil); err == nil {
			data["Result"] = res
			return h.UI.Render(w, r, "enterprise_import", title, data)
		}
	}
	e := errs.As(err)
	if e.Code == errs.Internal {
		return err
	}
	data["Error"] = e.Msg.In(i18n.From(r.Context()))
	return h.UI.RenderStatus(w, r, web.StatusOf(e), "enterprise_import", title, data)
}

// Cadre is a user with the cadre role, for choosing one.
type Cadre struct {
	ID       int64
	Name     string
	Username string
}

// Cadres returns the enabled users with the cadre role, by name.
func (s *Service) Cadres(ctx context.Context) ([]Cadre, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT u.id, u.name, u.username FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = ?
		WHERE u.disabled = FALSE ORDER BY u.name, u.id`, access.Cadre)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Cadre
	for rows.Next() {
		var c Cadre
		if err := rows.Scan(&c.ID, &c.Name, &c.Username); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Writable reports whether p may change enterprise id.
func (s *Service) Writable(ctx context.Context, p *access.Principal, id int64) (bool, error) {
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(s.WriteScope(p, "e"))
	where, args := w.SQL()
	var one int
	err := s.DB.Read().QueryRow(ctx, "SELECT 1 FROM enterprises e"+where, args...).Scan(&one)
	if errs.Is(err, errs.NotFound) {
		return false, nil
	}
	return err == nil, err
}
