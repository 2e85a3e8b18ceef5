// Package enterprise is the zone's enterprise registry (一企一档): identity
// checked against GB 32100, industry by GB/T 4754, scale, the org node it
// belongs to, its responsible cadre, qualifications and cadre visits. Every
// other module links its records to an enterprise here.
package enterprise

import (
	"context"
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

	orgPath string
	phone   string // decrypted, never serialised
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
	if in.ContactPhone != "" && pii.ValidPhone(in.ContactPhone) != nil {
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
			sc.InOrgTree(alias+".org_id", p.OrgPath)
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
			sc.InOrgTree(alias+".org_id", p.OrgPath)
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

const cols = `e.id, e.uscc, e.name, e.short_name, e.org_id, o.name, o.path, e.industry_code, e.scale, e.above_scale, e.address,
	e.legal_rep, e.contact_name, e.contact_phone_enc, e.cadre_user_id, COALESCE(u.name, ''), e.employees, e.registered_on, e.created_at, e.updated_at`

const from = ` FROM enterprises e JOIN orgs o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.cadre_user_id`

func (s *Service) scan(sc interface{ Scan(...any) error }) (Enterprise, error) {
	var e Enterprise
	var phone []byte
	err := sc.Scan(&e.ID, &e.USCC, &e.Name, &e.ShortName, &e.OrgID, &e.OrgName, &e.orgPath, &e.IndustryCode, &e.Scale, &e.AboveScale,
		&e.Address, &e.LegalRep, &e.ContactName, &phone, store.Z(&e.CadreUserID), &e.CadreName, &e.Employees, &e.RegisteredOn, &e.CreatedAt, &e.UpdatedAt)
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
	Q             string
	OrgID         int64  // the org node and everything beneath it
	Industry      string // division or finer code prefix
	Scale         Scale
	AboveScale    *bool
	Qualification string     // a kind held and valid on QualifiedOn
	QualifiedOn   civil.Date // default today
	CadreUserID   int64
	BeforeID      int64 // cursor: ids below
	Limit         int
}

func (s *Service) where(ctx context.Context, q store.Querier, p *access.Principal, f Filter) (store.Where, error) {
	var w store.Where
	w.Scope(s.ReadScope(p, "e"))
	if f.Q != "" {
		term := strings.TrimSpace(f.Q)
		usccLike := NormalizeUSCC(term)
		conds := []string{"e.name LIKE ? ESCAPE '\\'", "e.short_name LIKE ? ESCAPE '\\'"}
		args := []any{store.Like("", term, "%"), store.Like("", term, "%")}
		if len(usccLike) >= 6 && len(usccLike) <= 18 {
			conds = append(conds, "e.uscc LIKE ?")
			args = append(args, store.Like("", usccLike, "%"))
		}
		if pii.ValidPhone(term) == nil {
			conds = append(conds, "e.contact_phone_idx = ?")
			args = append(args, s.Cipher.Index(pii.Phone, term))
		}
		// Names in the zone mostly start with a place ("湖北", "黄石市"), so a
		// word from the middle of the name is searched too.
		if utf8.RuneCountInString(term) >= 2 {
			conds = append(conds, "e.name LIKE ? ESCAPE '\\'")
			args = append(args, store.Like("%", term, "%"))
		}
		w.Add("("+strings.Join(conds, " OR ")+")", args...)
	}
	if f.OrgID != 0 {
		o, err := org.GetTx(ctx, q, f.OrgID)
		if err != nil {
			return w, errs.Invalidf("org_id", "组织不存在", "No such org")
		}
		w.Add("e.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", o.Path+"%")
	}
	if f.Industry != "" {
		code, err := NormalizeIndustry(f.Industry)
		if err != nil {
			return w, err
		}
		w.Add("e.industry_code LIKE ?", code+"%")
	}
	if f.Scale != "" {
		if !f.Scale.Valid() {
			return w, errs.Invalidf("scale", "规模无效", "Invalid scale")
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
			return w, errs.Invalidf("qualification", "资质类型无效", "Invalid qualification kind")
		}
		on := f.QualifiedOn
		if on.IsZero() {
			on = civil.Of(s.DB.Now())
		}
		w.Add("e.id IN (SELECT enterprise_id FROM qualifications WHERE kind = ? AND valid_from <= ? AND valid_to >= ?)", f.Qualification, on, on)
	}
	return w, nil
}

// List returns one page of enterprises, newest first, and the total.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) ([]Enterprise, int, error) {
	q := s.DB.Read()
	w, err := s.where(ctx, q, p, f)
	if err != nil {
		return nil, 0, err
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM enterprises e"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Enterprise
	err = s.each(ctx, q, p, w, f.BeforeID, f.Limit, func(e Enterprise) error { out = append(out, e); return nil })
	return out, total, err
}

// Each streams every enterprise matching f (exports).
func (s *Service) Each(ctx context.Context, p *access.Principal, f Filter, yield func(Enterprise) error) error {
	q := s.DB.Read()
	w, err := s.where(ctx, q, p, f)
	if err != nil {
		return err
	}
	return s.each(ctx, q, p, w, 0, 0, yield)
}

func (s *Service) each(ctx context.Context, q store.Querier, p *access.Principal, w store.Where, before int64, limit int, yield func(Enterprise) error) error {
	if before > 0 {
		w.Add("e.id < ?", before)
	}
	where, args := w.SQL()
	query := "SELECT " + cols + from + where + " ORDER BY e.id DESC"
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := q.Query(ctx, query, args...)
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
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM user_roles WHERE user_id = ? AND role = ?", in.CadreUserID, access.Cadre).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Invalidf("cadre_user_id", "包保干部须是具有包保干部角色的用户", "The responsible cadre must be a user with the cadre role")
		}
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

// CreateTx registers an enterprise inside tx (imports, the demo).
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, p *access.Principal, in Input) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	if !p.System && !p.Has(access.ServiceOffice) {
		return 0, errs.Forbiddenf("只有营商办可以登记企业", "Only the service office registers enterprises")
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return 0, err
	}
	if !p.System {
		o, _ := org.GetTx(ctx, tx, in.OrgID)
		if !strings.HasPrefix(o.Path, p.OrgPath) {
			return 0, errs.Invalidf("org_id", "所属组织不在您的管辖范围内", "The org is outside your scope")
		}
	}
	id, err := tx.Insert(ctx, `INSERT INTO enterprises (uscc, name, short_name, org_id, industry_code, scale, above_scale, address, legal_rep,
		contact_name, contact_phone_enc, contact_phone_idx, cadre_user_id, employees, registered_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.USCC, in.Name, in.ShortName, in.OrgID, in.IndustryCode, in.Scale, in.AboveScale, in.Address, in.LegalRep,
		in.ContactName, s.Cipher.Seal(in.ContactPhone), s.Cipher.Index(pii.Phone, in.ContactPhone), store.Null(in.CadreUserID),
		in.Employees, in.RegisteredOn, tx.Now, tx.Now)
	if errs.Is(err, errs.Conflict) {
		return 0, errs.New(errs.Conflict, "uscc", i18n.F("统一社会信用代码 %s 已登记", "The code %s is already registered", in.USCC))
	}
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "enterprise.create", Object: "enterprise", ObjectID: id, Summary: summaryOf(in)})
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

// Update changes an enterprise p may change (404 outside the write scope).
func (s *Service) Update(ctx context.Context, p *access.Principal, id int64, in Input) (Enterprise, error) {
	if err := in.Validate(); err != nil {
		return Enterprise{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.UpdateTx(ctx, tx, p, id, in) })
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, p, id)
}

// UpdateTx changes an enterprise inside tx.
func (s *Service) UpdateTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, in Input) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var w store.Where
	w.Add("e.id = ?", id)
	w.Scope(s.WriteScope(p, "e"))
	where, args := w.SQL()
	old, err := s.scan(tx.QueryRow(ctx, "SELECT "+cols+from+where, args...))
	if err != nil {
		return err
	}
	if err := checkRefs(ctx, tx, &in); err != nil {
		return err
	}
	// A cadre keeps the enterprise's assignment and place as they are.
	if !p.System && !p.Has(access.ServiceOffice) {
		in.CadreUserID, in.OrgID = old.CadreUserID, old.OrgID
	}
	if _, err := tx.Exec(ctx, `UPDATE enterprises SET uscc = ?, name = ?, short_name = ?, org_id = ?, industry_code = ?, scale = ?,
		above_scale = ?, address = ?, legal_rep = ?, contact_name = ?, contact_phone_enc = ?, contact_phone_idx = ?, cadre_user_id = ?,
		employees = ?, registered_on = ?, updated_at = ? WHERE id = ?`,
		in.USCC, in.Name, in.ShortName, in.OrgID, in.IndustryCode, in.Scale, in.AboveScale, in.Address, in.LegalRep, in.ContactName,
		s.Cipher.Seal(in.ContactPhone), s.Cipher.Index(pii.Phone, in.ContactPhone), store.Null(in.CadreUserID), in.Employees,
		in.RegisteredOn, tx.Now, id); err != nil {
		if errs.Is(err, errs.Conflict) {
			return errs.New(errs.Conflict, "uscc", i18n.F("统一社会信用代码 %s 已登记", "The code %s is already registered", in.USCC))
		}
		return err
	}
	before := summaryOf(Input{USCC: old.USCC, Name: old.Name, OrgID: old.OrgID, IndustryCode: old.IndustryCode, Scale: old.Scale,
		AboveScale: old.AboveScale, CadreUserID: old.CadreUserID, Employees: old.Employees, ContactPhone: old.phone})
	return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.update", Object: "enterprise", ObjectID: id, Summary: audit.Change(before, summaryOf(in))})
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
