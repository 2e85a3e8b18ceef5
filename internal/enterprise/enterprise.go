// Package enterprise is the zone's enterprise registry (一企一档): identity
// checked against GB 32100, industry by GB/T 4754, scale, the org node it
// belongs to, its responsible cadre, qualifications and cadre visits. Every
// other module links its records to an enterprise here.
package enterprise

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// Scale is an enterprise's size class (大/中/小/微型).
type Scale string

// Scales.
const (
	Large  Scale = "large"
	Medium Scale = "medium"
	Small  Scale = "small"
	Micro  Scale = "micro"
)

// Scales lists every scale.
var Scales = []Scale{Large, Medium, Small, Micro}

// Label is the scale's name.
func (s Scale) Label() i18n.Text {
	switch s {
	case Large:
		return i18n.T("大型", "Large")
	case Medium:
		return i18n.T("中型", "Medium")
	case Small:
		return i18n.T("小型", "Small")
	case Micro:
		return i18n.T("微型", "Micro")
	}
	return i18n.T(string(s), string(s))
}

// Valid reports whether s is a known scale.
func (s Scale) Valid() bool { return s == Large || s == Medium || s == Small || s == Micro }

// Enterprise is one registered enterprise.
type Enterprise struct {
	ID           int64      `json:"id,string"`
	USCC         string     `json:"uscc"`
	Name         string     `json:"name"`
	ShortName    string     `json:"short_name,omitempty"`
	OrgID        int64      `json:"org_id,string"`
	OrgName      string     `json:"org_name"`
	IndustryCode string     `json:"industry_code"`
	IndustryName string     `json:"industry_name"`
	Scale        Scale      `json:"scale"`
	AboveScale   bool       `json:"above_scale"`
	Address      string     `json:"address"`
	LegalRep     string     `json:"legal_rep"`
	ContactName  string     `json:"contact_name,omitempty"`
	ContactPhone string     `json:"contact_phone,omitempty" doc:"masked unless the role may see it in full"`
	CadreUserID  int64      `json:"cadre_user_id,string,omitempty"`
	CadreName    string     `json:"cadre_name,omitempty"`
	Employees    int        `json:"employees"`
	RegisteredOn civil.Date `json:"registered_on"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`

	orgPath       string
	nameKey       string
	cadreUsername string
	phone         string // decrypted, never serialised
}

// Phone returns the contact phone in full (callers audit showing it).
func (e *Enterprise) Phone() string { return e.phone }

// OrgPath returns the org path of the enterprise (for scope checks).
func (e *Enterprise) OrgPath() string { return e.orgPath }

// Input is the body of create and update.
type Input struct {
	USCC         string     `json:"uscc"`
	Name         string     `json:"name"`
	ShortName    string     `json:"short_name,omitempty"`
	OrgID        int64      `json:"org_id,string"`
	IndustryCode string     `json:"industry_code"`
	Scale        Scale      `json:"scale"`
	AboveScale   bool       `json:"above_scale"`
	Address      string     `json:"address"`
	LegalRep     string     `json:"legal_rep"`
	ContactName  string     `json:"contact_name,omitempty"`
	ContactPhone string     `json:"contact_phone,omitempty"`
	CadreUserID  int64      `json:"cadre_user_id,string,omitempty"`
	Employees    int        `json:"employees"`
	RegisteredOn civil.Date `json:"registered_on"`
}

func tooLong(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
	}
	return nil
}

// Validate normalises and checks the fields that need no database.
func (in *Input) Validate() error {
	in.USCC = NormalizeUSCC(in.USCC)
	in.Name = strings.TrimSpace(in.Name)
	in.ShortName = strings.TrimSpace(in.ShortName)
	in.Address = strings.TrimSpace(in.Address)
	in.LegalRep = strings.TrimSpace(in.LegalRep)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = pii.Normalize(pii.Phone, in.ContactPhone)
	if err := ValidateUSCC(in.USCC); err != nil {
		return err
	}
	if in.Name == "" {
		return errs.Invalidf("name", "请填写企业名称", "name is required")
	}
	for _, c := range []error{tooLong("name", in.Name, 100), tooLong("short_name", in.ShortName, 30), tooLong("address", in.Address, 200),
		tooLong("legal_rep", in.LegalRep, 50), tooLong("contact_name", in.ContactName, 50)} {
		if c != nil {
			return c
		}
	}
	code, err := NormalizeIndustry(in.IndustryCode)
	if err != nil {
		return err
	}
	in.IndustryCode = code
	if in.Scale == "" {
		in.Scale = Small
	}
	if !in.Scale.Valid() {
		return errs.Invalidf("scale", "规模应为 large、medium、small 或 micro", "scale must be large, medium, small or micro")
	}
	// A masked number ("138****5678", as a GET shows it) means "keep the
	// number on record"; UpdateTx checks it against that number.
	if in.ContactPhone != "" && !isMasked(in.ContactPhone) && pii.ValidPhone(in.ContactPhone) != nil {
		return errs.Invalidf("contact_phone", "联系电话格式不正确", "The contact phone is not valid")
	}
	if in.Employees < 0 || in.Employees > 1_000_000 {
		return errs.Invalidf("employees", "从业人数应在0到1000000之间", "employees must be between 0 and 1000000")
	}
	if in.OrgID == 0 {
		return errs.Invalidf("org_id", "请选择所属街道、社区或园区", "org_id is required")
	}
	return nil
}

func isMasked(phone string) bool { return strings.Contains(phone, "*") }

// keepPhone resolves a masked phone against the number on record.
func keepPhone(in *Input, current string) error {
	if !isMasked(in.ContactPhone) {
		return nil
	}
	if current == "" || pii.Mask(pii.Phone, current) != in.ContactPhone {
		return errs.Invalidf("contact_phone", "联系电话格式不正确（带*的号码只能原样保留已登记的号码）",
			"The contact phone is not valid (a masked number can only keep the number on record)")
	}
	in.ContactPhone = current
	return nil
}

// ScopeTerm lets another module widen who sees an enterprise: the finance
// module lets a bank see the enterprises whose needs it was sent, the
// appeals module a department those whose appeals it handles.
type ScopeTerm func(p *access.Principal, s *access.Scope, alias string)

// Service reads and writes the registry.
type Service struct {
	DB     *store.DB
	Cipher *pii.Cipher
	// Terms are the scope terms of other modules.
	Terms []ScopeTerm
	// Facts are the other modules' sections of an enterprise's page.
	Facts []FactsFunc
}

// FactsFunc returns one module's section of an enterprise's page.
type FactsFunc func(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error)

// ReadScope returns the predicate of the enterprises p may see, over the
// table alias (e.g. "e").
func (s *Service) ReadScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
		// Administrators see no business records.
	default:
		if p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice) {
			inOrgTree(sc, alias, p)
		}
		if p.Has(access.Clerk) {
			// A window takes cases for any enterprise: the registry's
			// identity data is public (国家企业信用信息公示系统).
			sc.All()
		}
		if p.Has(access.Cadre) {
			sc.Or(alias+".cadre_user_id = ?", p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(alias+".id = ?", p.EnterpriseID)
		}
		for _, t := range s.Terms {
			t(p, sc, alias)
		}
	}
	return sc
}

// orgTreeSQL is "the enterprise's org node lies under a path", tested row
// by row. Written as "org_id IN (the subtree's ids)" it invites the
// planner to drive the query from the org index, which for a zone-wide
// office means every row and then a sort of them all; as a correlated
// EXISTS it filters the rows that the search or list index hands over in
// page order.
func orgTreeSQL(alias string) string {
	return "EXISTS (SELECT 1 FROM orgs so WHERE so.id = " + alias + ".org_id AND so.path LIKE ?)"
}

// inOrgTree adds "in p's org subtree" to a scope. A subtree that holds
// every org needs no test at all (every enterprise has an org): a
// zone-wide office's lists and counts then read the index alone.
func inOrgTree(sc *access.Scope, alias string, p *access.Principal) {
	if p.WholeTree || p.OrgPath == "/" || p.OrgPath == "" {
		sc.All()
		return
	}
	sc.Or(orgTreeSQL(alias), p.OrgPath+"%")
}

// WriteScope returns the predicate of the enterprises p may change: the
// service office within its subtree, a cadre its assigned enterprises.
func (s *Service) WriteScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	default:
		if p.Has(access.ServiceOffice) {
			inOrgTree(sc, alias, p)
		}
		if p.Has(access.Cadre) {
			sc.Or(alias+".cadre_user_id = ?", p.UserID)
		}
	}
	return sc
}

// CanSeeFullPhone reports whether p may see contact phones unmasked: the
// service office and the enterprise's own users (others see them masked).
func CanSeeFullPhone(p *access.Principal, e *Enterprise) bool {
	return p != nil && (p.System || p.Has(access.ServiceOffice) || (p.Has(access.Enterprise) && p.EnterpriseID == e.ID))
}

const cols = `e.id, e.uscc, e.name, e.name_key, e.short_name, e.org_id, o.name, o.path, e.industry_code, e.scale, e.above_scale, e.address,
	e.legal_rep, e.contact_name, e.contact_phone_enc, e.cadre_user_id, COALESCE(u.name, ''), COALESCE(u.username, ''), e.employees, e.registered_on, e.created_at, e.updated_at`

const from = ` FROM enterprises e JOIN orgs o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.cadre_user_id`

func (s *Service) scan(sc interface{ Scan(...any) error }) (Enterprise, error) {
	var e Enterprise
	var phone []byte
	err := sc.Scan(&e.ID, &e.USCC, &e.Name, &e.nameKey, &e.ShortName, &e.OrgID, &e.OrgName, &e.orgPath, &e.IndustryCode, &e.Scale, &e.AboveScale,
		&e.Address, &e.LegalRep, &e.ContactName, &phone, store.Z(&e.CadreUserID), &e.CadreName, &e.cadreUsername, &e.Employees, &e.RegisteredOn, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return e, err
	}
	e.IndustryName = IndustryName(e.IndustryCode)
	if len(phone) > 0 {
		if e.phone, err = s.Cipher.Open(phone); err != nil {
			return e, errs.Wrap(err, "enterprise phone")
		}
	}
	return e, nil
}

// present masks personal data for p.
func present(p *access.Principal, e *Enterprise) {
	if e.phone == "" {
		e.ContactPhone = ""
	} else if CanSeeFullPhone(p, e) {
		e.ContactPhone = e.phone
	} else {
		e.ContactPhone = pii.Mask(pii.Phone, e.phone)
	}
}

// Get returns one enterprise within p's scope (404 otherwise).
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Enterprise, error) {
	return s.getQ(ctx, s.DB.Read(), p, id)
}

func (s *Service) getQ(ctx context.Context, q store.Querier, p *access.Principal, id int64) (Enterprise, error) {
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(s.ReadScope(p, "e"))
	where, args := w.SQL()
	e, err := s.scan(q.QueryRow(ctx, "SELECT "+cols+from+where, args...))
	if err == nil {
		present(p, &e)
	}
	return e, err
}

// Exists reports (as an error) whether enterprise id exists, whatever the
// scope: other modules use it to check references.
func Exists(ctx context.Context, q store.Querier, id int64) error {
	var one int
	return q.QueryRow(ctx, "SELECT 1 FROM enterprises WHERE id = ?", id).Scan(&one)
}

// Filter selects enterprises.
type Filter struct {
	// Q is a name (its start, place words ignored), the start of a credit
	// code, or a contact phone number.
	Q             string
	OrgID         int64  // the org node and everything beneath it
	Industry      string // division or finer code prefix
	Scale         Scale
	AboveScale    *bool
	Qualification string     // a kind held and valid on QualifiedOn
	QualifiedOn   civil.Date // default today
	CadreUserID   int64
	After         Cursor // the last row of the previous page
	Limit         int
}

// Cursor is where a page ends: the sort key and id of its last row.
type Cursor struct {
	Key string
	ID  int64
}

// Page is one page of enterprises.
type Page struct {
	Items []Enterprise
	// Total counts the matches up to CountCap; TotalCapped says there are
	// more than that.
	Total       int
	TotalCapped bool
	// Next is the cursor of the next page; zero on the last page.
	Next Cursor
}

// CountCap is where a list stops counting. Counting every match of a broad
// search in a province-sized registry costs more than the page itself, and
// nobody pages through ten thousand enterprises: they narrow the search.
const CountCap = 10000

// listQuery is a filter turned into SQL: the conditions without the
// cursor, and how the list is sorted.
type listQuery struct {
	where   store.Where
	sort    searchKind
	hasSort bool // a name or code search: pages in key order, not newest first
}

func (s *Service) listQuery(ctx context.Context, q store.Querier, p *access.Principal, f Filter) (listQuery, error) {
	var r listQuery
	w := &r.where
	w.Scope(s.ReadScope(p, "e"))
	if term := strings.TrimSpace(f.Q); term != "" {
		kind, key := classify(term)
		switch kind {
		case byPhone:
			w.Add("e.contact_phone_idx = ?", s.Cipher.Index(pii.Phone, key))
		case byUSCC:
			w.Add("e.uscc >= ? AND e.uscc < ?", key, prefixUpper(key))
		case byNameKey:
			w.Add("e.name_key >= ? AND e.name_key < ?", key, prefixUpper(key))
		case byName:
			w.Add("e.name >= ? AND e.name < ?", key, prefixUpper(key))
		}
		r.sort, r.hasSort = kind, kind != byPhone
	}
	if f.OrgID != 0 {
		o, err := org.GetTx(ctx, q, f.OrgID)
		if err != nil {
			return r, errs.Invalidf("org_id", "组织不存在", "No such org")
		}
		w.Add(orgTreeSQL("e"), o.Path+"%")
	}
	if f.Industry != "" {
		code, err := NormalizeIndustry(f.Industry)
		if err != nil {
			return r, err
		}
		w.Add("e.industry_code >= ? AND e.industry_code < ?", code, prefixUpper(code))
	}
	if f.Scale != "" {
		if !f.Scale.Valid() {
			return r, errs.Invalidf("scale", "规模无效", "Invalid scale")
		}
		w.Add("e.scale = ?", f.Scale)
	}
	if f.AboveScale != nil {
		w.Add("e.above_scale = ?", *f.AboveScale)
	}
	if f.CadreUserID != 0 {
		w.Add("e.cadre_user_id = ?", f.CadreUserID)
	}
	if f.Qualification != "" {
		if !QualificationKind(f.Qualification).Valid() {
			return r, errs.Invalidf("qualification", "资质类型无效", "Invalid qualification kind")
		}
		on := f.QualifiedOn
		if on.IsZero() {
			on = civil.Of(s.DB.Now())
		}
		w.Add("e.id IN (SELECT enterprise_id FROM qualifications WHERE kind = ? AND valid_to >= ? AND valid_from <= ?)", f.Qualification, on, on)
	}
	return r, nil
}

// sortColumn is the column a search pages by.
func (r listQuery) sortColumn() string {
	switch r.sort {
	case byUSCC:
		return "e.uscc"
	case byName:
		return "e.name"
	}
	return "e.name_key"
}

// order returns the ORDER BY clause and adds the cursor's condition: key
// order for a name or code search (one index gives the matches in page
// order, however many there are), newest first otherwise.
func (r listQuery) order(w *store.Where, after Cursor) string {
	if !r.hasSort {
		if after.ID > 0 {
			w.Add("e.id < ?", after.ID)
		}
		return " ORDER BY e.id DESC"
	}
	col := r.sortColumn()
	if after.ID > 0 {
		w.Add("("+col+", e.id) > (?, ?)", after.Key, after.ID)
	}
	return " ORDER BY " + col + ", e.id"
}

// keyOf returns the sort key of a row for the next page's cursor.
func (r listQuery) keyOf(e *Enterprise) string {
	if !r.hasSort {
		return ""
	}
	switch r.sort {
	case byUSCC:
		return e.USCC
	case byName:
		return e.Name
	}
	return e.nameKey
}

// List returns one page of enterprises and how many match (up to CountCap):
// newest first, or in key order for a name or code search.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) (Page, error) {
	db := s.DB.Read()
	r, err := s.listQuery(ctx, db, p, f)
	if err != nil {
		return Page{}, err
	}
	var pg Page
	where, args := r.where.SQL()
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM enterprises e"+where+" LIMIT "+strconv.Itoa(CountCap+1)+") m", args...).Scan(&pg.Total); err != nil {
		return Page{}, err
	}
	if pg.Total > CountCap {
		pg.Total, pg.TotalCapped = CountCap, true
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	err = s.each(ctx, db, p, r, f.After, f.Limit, func(e Enterprise) error { pg.Items = append(pg.Items, e); return nil })
	if n := len(pg.Items); n == f.Limit {
		last := &pg.Items[n-1]
		pg.Next = Cursor{Key: r.keyOf(last), ID: last.ID}
	}
	return pg, err
}

// Each streams every enterprise matching f (exports), in list order.
func (s *Service) Each(ctx context.Context, p *access.Principal, f Filter, yield func(Enterprise) error) error {
	db := s.DB.Read()
	r, err := s.listQuery(ctx, db, p, f)
	if err != nil {
		return err
	}
	return s.each(ctx, db, p, r, Cursor{}, 0, yield)
}

func (s *Service) each(ctx context.Context, q store.Querier, p *access.Principal, r listQuery, after Cursor, limit int, yield func(Enterprise) error) error {
	w := r.where
	order := r.order(&w, after)
	where, args := w.SQL()
	stmt := "SELECT " + cols + from + where + order
	if limit > 0 {
		// A page picks its ids first, from the search index alone where it
		// can, then reads those rows: should the planner misjudge how many
		// rows match and sort them all, it sorts index entries, not rows.
		stmt = "SELECT " + cols + from + " WHERE e.id IN (SELECT e.id FROM enterprises e" + where + order +
			" LIMIT " + strconv.Itoa(limit) + ")" + order
	}
	rows, err := q.Query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := s.scan(rows)
		if err != nil {
			return err
		}
		present(p, &e)
		if err := yield(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// checkRefs validates the org node and the cadre.
func checkRefs(ctx context.Context, q store.Querier, in *Input) error {
	o, err := org.GetTx(ctx, q, in.OrgID)
	if errs.Is(err, errs.NotFound) {
		return errs.Invalidf("org_id", "所属组织不存在", "No such org")
	}
	if err != nil {
		return err
	}
	switch o.Kind {
	case org.Zone, org.Street, org.Community, org.Park:
	default:
		return errs.Invalidf("org_id", "企业应属于园区、街道、社区或产业园区", "An enterprise belongs to a zone, street, community or park")
	}
	if in.CadreUserID != 0 {
		return checkCadre(ctx, q, in.CadreUserID)
	}
	return nil
}

// checkCadre checks that a user holds the cadre role.
func checkCadre(ctx context.Context, q store.Querier, userID int64) error {
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = ?", userID, access.Cadre).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Invalidf("cadre_user_id", "包保干部须是具有包保干部角色的用户", "The responsible cadre must be a user with the cadre role")
	}
	return nil
}

// Create registers an enterprise.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Enterprise, error) {
	if err := in.Validate(); err != nil {
		return Enterprise{}, err
	}
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, p, id)
}

// mayCreate checks that p may register an enterprise under org o.
func mayCreate(p *access.Principal, o org.Org) error {
	if !p.System && !p.Has(access.ServiceOffice) {
		return errs.Forbiddenf("只有营商办可以登记企业", "Only the service office registers enterprises")
	}
	if !p.System && !strings.HasPrefix(o.Path, p.OrgPath) {
		return errs.Invalidf("org_id", "所属组织不在您的管辖范围内", "The org is outside your scope")
	}
	return nil
}

// CreateTx registers an enterprise inside tx (imports, the demo).
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, p *access.Principal, in Input) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if isMasked(in.ContactPhone) {
		return 0, errs.Invalidf("contact_phone", "联系电话格式不正确", "The contact phone is not valid")
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return 0, err
	}
	o, err := org.GetTx(ctx, tx, in.OrgID)
	if err != nil {
		return 0, err
	}
	if err := mayCreate(p, o); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO enterprises (`+insertCols+`) VALUES (`+insertMarks+`) RETURNING id`, s.insertArgs(&in, tx.Now)...)
	if errs.Is(err, errs.Conflict) {
		return 0, duplicate(in.USCC)
	}
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "enterprise.create", Object: "enterprise", ObjectID: id, Summary: summaryOf(in)})
}

func duplicate(code string) error {
	return errs.New(errs.Conflict, "uscc", i18n.F("统一社会信用代码 %s 已登记", "The code %s is already registered", code))
}

// The columns an insert writes, shared by single and batch inserts.
const (
	insertCols = `uscc, name, name_key, short_name, org_id, industry_code, scale, above_scale, address, legal_rep,
		contact_name, contact_phone_enc, contact_phone_idx, cadre_user_id, employees, registered_on, created_at, updated_at`
	insertMarks = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
	insertWidth = 18
)

func (s *Service) insertArgs(in *Input, now time.Time) []any {
	return []any{in.USCC, in.Name, NameKey(in.Name), in.ShortName, in.OrgID, in.IndustryCode, in.Scale, in.AboveScale, in.Address, in.LegalRep,
		in.ContactName, s.Cipher.Seal(in.ContactPhone), s.Cipher.Index(pii.Phone, in.ContactPhone), store.Null(in.CadreUserID),
		in.Employees, in.RegisteredOn, now, now}
}

// summaryOf is the audit summary of an input, without personal data.
func summaryOf(in Input) map[string]any {
	m := map[string]any{"uscc": in.USCC, "name": in.Name, "org_id": in.OrgID, "industry_code": in.IndustryCode,
		"scale": in.Scale, "above_scale": in.AboveScale, "cadre_user_id": in.CadreUserID, "employees": in.Employees}
	if in.ContactPhone != "" {
		m["contact_phone"] = pii.Mask(pii.Phone, in.ContactPhone)
	}
	return m
}

// inputOf is the input that would leave e as it is.
func inputOf(e *Enterprise) Input {
	return Input{USCC: e.USCC, Name: e.Name, ShortName: e.ShortName, OrgID: e.OrgID, IndustryCode: e.IndustryCode, Scale: e.Scale,
		AboveScale: e.AboveScale, Address: e.Address, LegalRep: e.LegalRep, ContactName: e.ContactName, ContactPhone: e.phone,
		CadreUserID: e.CadreUserID, Employees: e.Employees, RegisteredOn: e.RegisteredOn}
}

// changedFields names the fields in which in differs from old (phone
// numbers compared in full, named without their value).
func changedFields(old, in Input) []string {
	var out []string
	add := func(differs bool, field string) {
		if differs {
			out = append(out, field)
		}
	}
	add(old.USCC != in.USCC, "uscc")
	add(old.Name != in.Name, "name")
	add(old.ShortName != in.ShortName, "short_name")
	add(old.OrgID != in.OrgID, "org_id")
	add(old.IndustryCode != in.IndustryCode, "industry_code")
	add(old.Scale != in.Scale, "scale")
	add(old.AboveScale != in.AboveScale, "above_scale")
	add(old.Address != in.Address, "address")
	add(old.LegalRep != in.LegalRep, "legal_rep")
	add(old.ContactName != in.ContactName, "contact_name")
	add(old.ContactPhone != in.ContactPhone, "contact_phone")
	add(old.CadreUserID != in.CadreUserID, "cadre_user_id")
	add(old.Employees != in.Employees, "employees")
	add(old.RegisteredOn != in.RegisteredOn, "registered_on")
	return out
}

// errUnchanged ends a write that would change nothing, so that nothing is
// written (and no audit record claims a change).
var errUnchanged = errors.New("enterprise: unchanged")

// Update changes an enterprise p may change (404 outside the write scope).
// An update that changes nothing writes nothing: updated_at stays.
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, in Input) (Enterprise, error) {
	if err := in.Validate(); err != nil {
		return Enterprise{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		changed, err := s.UpdateTx(ctx, tx, p, id, in)
		if err == nil && !changed {
			return errUnchanged
		}
		return err
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return Enterprise{}, err
	}
	return s.Get(ctx, p, id)
}

// UpdateTx changes an enterprise inside tx and reports whether anything
// changed; when nothing does, it writes nothing.
func (s *Service) UpdateTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, in Input) (bool, error) {
	if err := in.Validate(); err != nil {
		return false, err
	}
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(s.WriteScope(p, "e"))
	where, args := w.SQL()
	old, err := s.scan(tx.QueryRow(ctx, "SELECT "+cols+from+where, args...))
	if err != nil {
		return false, err
	}
	if err := keepPhone(&in, old.phone); err != nil {
		return false, err
	}
	before := inputOf(&old)
	if in == before {
		return false, nil
	}
	if err := mayReassign(p, before, in); err != nil {
		return false, err
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return false, err
	}
	if err := s.updateRow(ctx, tx, id, &in); err != nil {
		return false, err
	}
	return true, audit.Append(ctx, tx, audit.Entry{Action: "enterprise.update", Object: "enterprise", ObjectID: id,
		Summary: audit.Change(summaryOf(before), summaryOf(in))})
}

// mayReassign checks that only the service office moves an enterprise to
// another org node or cadre: a cadre edits the enterprise's details.
func mayReassign(p *access.Principal, before, in Input) error {
	if p.System || p.Has(access.ServiceOffice) {
		return nil
	}
	if in.OrgID != before.OrgID || in.CadreUserID != before.CadreUserID {
		return errs.Forbiddenf("只有营商办可以改变企业的所属组织和包保干部", "Only the service office changes an enterprise's org or responsible cadre")
	}
	return nil
}

// updateRow writes an enterprise's fields; when it moves to another org
// node, its qualifications move with it in the rollups.
func (s *Service) updateRow(ctx context.Context, tx *store.Tx, id int64, in *Input) error {
	var org int64
	if err := tx.QueryRow(ctx, "SELECT COALESCE(org_id, 0) FROM enterprises WHERE id = ?", id).Scan(&org); err != nil {
		return err
	}
	if org != in.OrgID {
		if err := moveHoldings(ctx, tx, id, org, in.OrgID); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE enterprises SET uscc = ?, name = ?, name_key = ?, short_name = ?, org_id = ?, industry_code = ?, scale = ?,
		above_scale = ?, address = ?, legal_rep = ?, contact_name = ?, contact_phone_enc = ?, contact_phone_idx = ?, cadre_user_id = ?,
		employees = ?, registered_on = ?, updated_at = ? WHERE id = ?`,
		in.USCC, in.Name, NameKey(in.Name), in.ShortName, in.OrgID, in.IndustryCode, in.Scale, in.AboveScale, in.Address, in.LegalRep, in.ContactName,
		s.Cipher.Seal(in.ContactPhone), s.Cipher.Index(pii.Phone, in.ContactPhone), store.Null(in.CadreUserID), in.Employees,
		in.RegisteredOn, tx.Now, id)
	if errs.Is(err, errs.Conflict) {
		return duplicate(in.USCC)
	}
	return err
}

// ByUSCC returns the id of the enterprise with a code, or 0.
func ByUSCC(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM enterprises WHERE uscc = ?", NormalizeUSCC(code)).Scan(&id)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	return id, err
}

// revealers are the roles that contact enterprises and so may ask to see a
// masked phone number in full; each showing is audited.
var revealers = []access.Role{access.Leader, access.ServiceOffice, access.ProjectOffice, access.Clerk, access.Cadre, access.Department}

// MayReveal reports whether p may ask to see contact phones in full.
func MayReveal(p *access.Principal) bool { return p != nil && (p.System || p.Has(revealers...)) }

// RevealPhone returns the contact phone of an enterprise in p's scope in
// full, and records in the audit log that p saw it.
func (s *Service) RevealPhone(ctx context.Context, p *access.Principal, id int64) (string, error) {
	if !MayReveal(p) {
		return "", errs.Forbiddenf("您的角色不能查看完整号码", "Your role may not see full phone numbers")
	}
	var phone string
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e, err := s.getQ(ctx, tx, p, id)
		if err != nil {
			return err
		}
		phone = e.phone
		return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.reveal", Object: "enterprise", ObjectID: id,
			Summary: map[string]any{"field": "contact_phone"}})
	})
	return phone, err
}

// Assign makes a cadre (0: nobody) responsible for an enterprise. Only the
// service office assigns; the change is audited as an update.
func (s *Service) Assign(ctx context.Context, p *access.Principal, id, cadreUserID int64) (Enterprise, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		e, err := s.getQ(ctx, tx, p, id)
		if err != nil {
			return err
		}
		in := inputOf(&e)
		in.CadreUserID = cadreUserID
		changed, err := s.UpdateTx(ctx, tx, p, id, in)
		if err == nil && !changed {
			return errUnchanged
		}
		return err
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return Enterprise{}, err
	}
	return s.Get(ctx, p, id)
}
