package finance

import (
	"context"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
)

// Service keeps products and needs.
type Service struct {
	DB       *store.DB
	Cipher   *pii.Cipher
	Calendar *calendar.Calendar
}

func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

// sinceFirst is the day the first need was posted (the first of this year
// when there is none): the default start of the desk's running totals.
func (s *Service) sinceFirst(ctx context.Context) civil.Date {
	var d civil.Date
	if err := s.DB.Read().QueryRow(ctx, "SELECT MIN(posted_on) FROM finance_needs").Scan(&d); err != nil || d.IsZero() {
		return civil.New(s.today().Year, 1, 1)
	}
	return d
}

// EnterpriseBrief is what a need shows of its enterprise: what a bank needs
// for a credit decision, no personal data.
type EnterpriseBrief struct {
	Name           string                         `json:"name"`
	USCC           string                         `json:"uscc"`
	IndustryCode   string                         `json:"industry_code"`
	IndustryName   string                         `json:"industry_name"`
	Scale          enterprise.Scale               `json:"scale"`
	Qualifications []enterprise.QualificationKind `json:"qualifications" doc:"held and valid today"`
}

// Decline is one bank's "no" to a need open to every bank.
type Decline struct {
	BankOrgID int64      `json:"bank_org_id,string"`
	BankName  string     `json:"bank_name"`
	On        civil.Date `json:"on"`
	Note      string     `json:"note,omitempty"`
}

// Need is one financing need and where it stands in the bank pipeline.
type Need struct {
	ID                     int64           `json:"id,string"`
	EnterpriseID           int64           `json:"enterprise_id,string"`
	Enterprise             EnterpriseBrief `json:"enterprise"`
	OrgID                  int64           `json:"org_id,string"`
	OrgName                string          `json:"org_name"`
	AmountFen              int64           `json:"amount_fen"`
	TermMonths             int             `json:"term_months"`
	Purpose                string          `json:"purpose"`
	Guarantee              Guarantee       `json:"guarantee"`
	BankOrgID              int64           `json:"bank_org_id,string,omitempty" doc:"the preferred bank it is routed to; absent when open to all banks"`
	BankName               string          `json:"bank_name,omitempty"`
	GreenChannel           bool            `json:"green_channel"`
	Status                 string          `json:"status"`
	PostedOn               civil.Date      `json:"posted_on"`
	LimitWorkdays          int             `json:"limit_workdays" doc:"response limit in working days"`
	DueOn                  civil.Date      `json:"due_on" doc:"the day a bank must have taken or declined it by"`
	RespondedOn            civil.Date      `json:"responded_on"`
	ResponseWorkdays       *int            `json:"response_workdays" doc:"working days from posting to the bank's answer"`
	Overdue                bool            `json:"overdue"`
	Light                  string          `json:"light" doc:"green, yellow (80 % of the limit used) or red (overdue)"`
	ClosedOn               civil.Date      `json:"closed_on"`
	TakenByOrgID           int64           `json:"taken_by_org_id,string,omitempty"`
	TakenByName            string          `json:"taken_by_name,omitempty"`
	ProductID              int64           `json:"product_id,string,omitempty" doc:"the product the bank lends under"`
	ProductName            string          `json:"product_name,omitempty"`
	RecommendedProductID   int64           `json:"recommended_product_id,string,omitempty" doc:"the product the service office recommended"`
	RecommendedProductName string          `json:"recommended_product_name,omitempty"`
	CreditFen              int64           `json:"credit_fen"`
	CreditOn               civil.Date      `json:"credit_on"`
	LoanFen                int64           `json:"loan_fen"`
	LoanOn                 civil.Date      `json:"loan_on"`
	Declines               []Decline       `json:"declines,omitempty" doc:"banks that declined it while it was open (a bank sees only its own)"`
	ContactName            string          `json:"contact_name,omitempty" doc:"for a bank: only once it has taken the need"`
	ContactPhone           string          `json:"contact_phone,omitempty" doc:"masked unless the role may see it in full"`
	CreatedAt              time.Time       `json:"created_at"`
	UpdatedAt              time.Time       `json:"updated_at"`

	phone string
}

// Open reports whether the need is open to every bank (no preferred bank).
func (n *Need) Open() bool { return n.BankOrgID == 0 }

// StatusLabel is the name of the need's state.
func (n Need) StatusLabel() i18n.Text {
	st, _ := Flow.State(n.Status)
	return st.Label
}

// clock is the need's response clock: it stops at the bank's answer, or
// when the enterprise cancels the need before any.
func (n *Need) clock() calendar.Clock {
	stopped := n.RespondedOn
	if stopped.IsZero() {
		stopped = n.ClosedOn
	}
	return calendar.Clock{StartOn: n.PostedOn, Limit: n.LimitWorkdays, DueOn: n.DueOn, StoppedOn: stopped}
}

const needCols = `n.id, n.enterprise_id, e.name, e.uscc, e.industry_code, e.scale, n.org_id, o.name, n.amount_fen, n.term_months,
	n.purpose, n.guarantee, n.bank_org_id, COALESCE(b.name, ''), n.green_channel, n.status, n.posted_on, n.limit_workdays, n.due_on,
	n.responded_on, n.closed_on, n.taken_by_org_id, COALESCE(t.name, ''), n.product_id, COALESCE(pr.name, ''),
	n.recommended_product_id, COALESCE(rp.name, ''), n.credit_fen, n.credit_on, n.loan_fen, n.loan_on, n.contact_name,
	n.contact_phone_enc, n.created_at, n.updated_at`

const needFrom = ` FROM finance_needs n JOIN enterprises e ON e.id = n.enterprise_id JOIN orgs o ON o.id = n.org_id
	LEFT JOIN orgs b ON b.id = n.bank_org_id LEFT JOIN orgs t ON t.id = n.taken_by_org_id
	LEFT JOIN finance_products pr ON pr.id = n.product_id LEFT JOIN finance_products rp ON rp.id = n.recommended_product_id`

func (s *Service) scanNeed(sc interface{ Scan(...any) error }) (Need, error) {
	var n Need
	var phone []byte
	err := sc.Scan(&n.ID, &n.EnterpriseID, &n.Enterprise.Name, &n.Enterprise.USCC, &n.Enterprise.IndustryCode, &n.Enterprise.Scale,
		&n.OrgID, &n.OrgName, &n.AmountFen, &n.TermMonths, &n.Purpose, &n.Guarantee, store.Z(&n.BankOrgID), &n.BankName,
		&n.GreenChannel, &n.Status, &n.PostedOn, &n.LimitWorkdays, &n.DueOn, &n.RespondedOn, &n.ClosedOn,
		store.Z(&n.TakenByOrgID), &n.TakenByName, store.Z(&n.ProductID), &n.ProductName, store.Z(&n.RecommendedProductID),
		&n.RecommendedProductName, &n.CreditFen, &n.CreditOn, &n.LoanFen, &n.LoanOn, &n.ContactName, &phone, &n.CreatedAt, &n.UpdatedAt)
	if err != nil {
		return n, err
	}
	n.Enterprise.IndustryName = enterprise.IndustryName(n.Enterprise.IndustryCode)
	n.Enterprise.Qualifications = []enterprise.QualificationKind{}
	if len(phone) > 0 {
		if n.phone, err = s.Cipher.Open(phone); err != nil {
			return n, errs.Wrap(err, "finance contact phone")
		}
	}
	return n, nil
}

// present fills the figures that depend on today and hides what p may not
// see: a bank sees the contact person only of a need it took, masked; the
// service office and the enterprise itself see it in full.
func (s *Service) present(p *access.Principal, n *Need, today civil.Date) {
	k := n.clock()
	n.Overdue = k.Overdue(today)
	n.Light = string(s.Calendar.Light(&k, today))
	if !n.RespondedOn.IsZero() {
		d := s.Calendar.WorkdaysBetween(n.PostedOn, n.RespondedOn)
		n.ResponseWorkdays = &d
	}
	switch {
	case seesContactInFull(p, n):
		n.ContactPhone = n.phone
	case p.Has(access.Bank) && !p.Has(access.Leader, access.Cadre) && n.TakenByOrgID != p.OrgID:
		n.ContactName, n.ContactPhone = "", ""
	case n.phone != "":
		n.ContactPhone = pii.Mask(pii.Phone, n.phone)
	}
	if p.Has(access.Bank) && !p.System {
		var own []Decline
		for _, d := range n.Declines {
			if d.BankOrgID == p.OrgID {
				own = append(own, d)
			}
		}
		n.Declines = own
	}
}

func seesContactInFull(p *access.Principal, n *Need) bool {
	return p != nil && (p.System || p.Has(access.ServiceOffice) || (p.Has(access.Enterprise) && p.EnterpriseID == n.EnterpriseID))
}

// parentPath is the path of the node above the one at path: "/1/35/" →
// "/1/". A bank serves the subtree of the node it hangs under (its zone).
func parentPath(path string) string {
	t := strings.TrimSuffix(path, "/")
	if i := strings.LastIndex(t, "/"); i >= 0 {
		return t[:i+1]
	}
	return "/"
}

// ReadScope returns the predicate of the needs p may see, over alias n: the
// office and leaders their org subtree, a cadre the assigned enterprises'
// needs, an enterprise its own, and a bank the needs routed to it, the open
// needs of its zone still waiting for a bank, the needs it took, and the
// open needs it declined that no other bank has taken.
func ReadScope(p *access.Principal, n string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree(n+".org_id", p.OrgPath)
		}
		if p.Has(access.Cadre) {
			sc.Or(n+".enterprise_id IN (SELECT id FROM enterprises WHERE cadre_user_id = ?)", p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(n+".enterprise_id = ?", p.EnterpriseID)
		}
		if p.Has(access.Bank) && p.OrgID != 0 {
			sc.Or(n+".bank_org_id = ? OR "+n+".taken_by_org_id = ? OR ("+n+".bank_org_id IS NULL AND "+n+".taken_by_org_id IS NULL AND (("+
				n+".status = 'posted' AND "+n+".org_id IN (SELECT id FROM orgs WHERE path LIKE ?) AND EXISTS (SELECT 1 FROM orgs WHERE id = ? AND kind = 'bank')) OR "+
				n+".id IN (SELECT need_id FROM finance_declines WHERE bank_org_id = ?)))",
				p.OrgID, p.OrgID, store.Like("", parentPath(p.OrgPath), "%"), p.OrgID, p.OrgID)
		}
	}
	return sc
}

// EnterpriseScope is the enterprise registry's scope term for banks: a bank
// sees the enterprises whose needs were routed to it or that it took, and
// no others.
func EnterpriseScope(p *access.Principal, s *access.Scope, alias string) {
	if p.Has(access.Bank) && p.OrgID != 0 {
		s.Or(alias+".id IN (SELECT enterprise_id FROM finance_needs WHERE bank_org_id = ? OR taken_by_org_id = ?)", p.OrgID, p.OrgID)
	}
}

// Get returns one need within p's scope (404 otherwise), with its
// enterprise's qualifications and the declines p may see.
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Need, error) {
	q := s.DB.Read()
	n, err := s.get(ctx, q, p, id)
	if err != nil {
		return n, err
	}
	today := s.today()
	if n.Enterprise.Qualifications, err = qualificationsOn(ctx, q, n.EnterpriseID, today); err != nil {
		return n, err
	}
	if n.Declines, err = declines(ctx, q, id); err != nil {
		return n, err
	}
	s.present(p, &n, today)
	return n, nil
}

func (s *Service) get(ctx context.Context, q store.Querier, p *access.Principal, id int64) (Need, error) {
	var w store.Where
	w.Add("n.id = ?", id)
	w.Scope(ReadScope(p, "n"))
	where, args := w.SQL()
	return s.scanNeed(q.QueryRow(ctx, "SELECT "+needCols+needFrom+where, args...))
}

// qualificationsOn lists the qualification kinds an enterprise holds on day.
func qualificationsOn(ctx context.Context, q store.Querier, enterpriseID int64, day civil.Date) ([]enterprise.QualificationKind, error) {
	rows, err := q.Query(ctx, "SELECT DISTINCT kind FROM qualifications WHERE enterprise_id = ? AND valid_from <= ? AND valid_to >= ? ORDER BY kind",
		enterpriseID, day, day)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []enterprise.QualificationKind{}
	for rows.Next() {
		var k enterprise.QualificationKind
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func declines(ctx context.Context, q store.Querier, needID int64) ([]Decline, error) {
	rows, err := q.Query(ctx, `SELECT d.bank_org_id, o.name, d.on_date, d.note FROM finance_declines d JOIN orgs o ON o.id = d.bank_org_id
		WHERE d.need_id = ? ORDER BY d.on_date, d.bank_org_id`, needID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decline
	for rows.Next() {
		var d Decline
		if err := rows.Scan(&d.BankOrgID, &d.BankName, &d.On, &d.Note); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// NeedFilter selects needs.
type NeedFilter struct {
	Q            string
	Status       string
	EnterpriseID int64
	BankOrgID    int64 // routed to or taken by this bank
	Green        *bool
	// Waiting keeps the needs that wait for an answer from the caller: for
	// a bank, posted needs it may take and has not declined, green channel
	// first, oldest first (its inbox); for others, every posted need.
	Waiting  bool
	From, To civil.Date // posted between
	// Cursor: the sort keys of the last row of the previous page.
	AfterGreen  bool
	AfterPosted civil.Date
	BeforeID    int64
	Limit       int
}

func (s *Service) needWhere(p *access.Principal, f NeedFilter) (store.Where, error) {
	var w store.Where
	w.Scope(ReadScope(p, "n"))
	if f.Q != "" {
		w.Add("(e.name LIKE ? ESCAPE '\\' OR e.uscc LIKE ? OR n.purpose LIKE ? ESCAPE '\\')",
			store.Like("%", f.Q, "%"), store.Like("", enterprise.NormalizeUSCC(f.Q), "%"), store.Like("%", f.Q, "%"))
	}
	if f.Status != "" {
		if _, ok := Flow.State(f.Status); !ok {
			return w, errs.Invalidf("status", "状态无效：%s", "Unknown status: %s", f.Status)
		}
		w.Add("n.status = ?", f.Status)
	}
	if f.EnterpriseID != 0 {
		w.Add("n.enterprise_id = ?", f.EnterpriseID)
	}
	if f.BankOrgID != 0 {
		w.Add("(n.bank_org_id = ? OR n.taken_by_org_id = ?)", f.BankOrgID, f.BankOrgID)
	}
	if f.Green != nil {
		w.Add("n.green_channel = ?", *f.Green)
	}
	if !f.From.IsZero() {
		w.Add("n.posted_on >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("n.posted_on <= ?", f.To)
	}
	if f.Waiting {
		w.Add("n.status = 'posted'")
		if p.Has(access.Bank) {
			w.Add("n.id NOT IN (SELECT need_id FROM finance_declines WHERE bank_org_id = ?)", p.OrgID)
		}
	}
	return w, nil
}

// List returns one page of needs and the total: newest first, or for a
// waiting list green channel first and oldest first.
func (s *Service) List(ctx context.Context, p *access.Principal, f NeedFilter) ([]Need, int, error) {
	w, err := s.needWhere(p, f)
	if err != nil {
		return nil, 0, err
	}
	q := s.DB.Read()
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+needFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Need
	err = s.each(ctx, q, p, f, w, func(n Need) error { out = append(out, n); return nil })
	return out, total, err
}

// Each streams every need matching f (exports).
func (s *Service) Each(ctx context.Context, p *access.Principal, f NeedFilter, yield func(Need) error) error {
	w, err := s.needWhere(p, f)
	if err != nil {
		return err
	}
	f.Limit, f.BeforeID = 0, 0
	return s.each(ctx, s.DB.Read(), p, f, w, yield)
}

func (s *Service) each(ctx context.Context, q store.Querier, p *access.Principal, f NeedFilter, w store.Where, yield func(Need) error) error {
	order := " ORDER BY n.id DESC"
	if f.Waiting {
		order = " ORDER BY n.green_channel DESC, n.posted_on, n.id DESC"
		if f.BeforeID > 0 {
			// Rows after (green, posted, id) in that order.
			w.Add("(n.green_channel < ? OR (n.green_channel = ? AND (n.posted_on > ? OR (n.posted_on = ? AND n.id < ?))))",
				f.AfterGreen, f.AfterGreen, f.AfterPosted, f.AfterPosted, f.BeforeID)
		}
	} else if f.BeforeID > 0 {
		w.Add("n.id < ?", f.BeforeID)
	}
	where, args := w.SQL()
	query := "SELECT " + needCols + needFrom + where + order
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	var page []Need
	for rows.Next() {
		n, err := s.scanNeed(rows)
		if err != nil {
			rows.Close()
			return err
		}
		page = append(page, n)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	today := s.today()
	for i := range page {
		s.present(p, &page[i], today)
		if err := yield(page[i]); err != nil {
			return err
		}
	}
	return nil
}

// Cursor returns the cursor that continues a list after n.
func Cursor(f NeedFilter, n Need) []any {
	if f.Waiting {
		return []any{n.GreenChannel, n.PostedOn, n.ID}
	}
	return []any{n.ID}
}

// Limits are the response limits in working days.
type Limits struct {
	ResponseWorkdays int `json:"response_workdays" doc:"working days a bank has to take or decline a need"`
	GreenWorkdays    int `json:"green_workdays" doc:"the same for a green-channel (urgent) need"`
}

// Post records a financing need.
func (s *Service) Post(ctx context.Context, p *access.Principal, in NeedInput) (Need, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.PostTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Need{}, err
	}
	return s.Get(ctx, p, id)
}

// PostTx records a financing need inside tx: an enterprise posts its own,
// the service office posts for an enterprise of its subtree.
func (s *Service) PostTx(ctx context.Context, tx *store.Tx, p *access.Principal, in NeedInput) (int64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	switch {
	case p.System:
	case p.Has(access.ServiceOffice):
	case p.Has(access.Enterprise) && p.EnterpriseID != 0:
		if in.EnterpriseID != 0 && in.EnterpriseID != p.EnterpriseID {
			return 0, errs.Forbiddenf("只能为本企业发布融资需求", "You may only post needs for your own enterprise")
		}
		in.EnterpriseID = p.EnterpriseID
	default:
		return 0, errs.Forbiddenf("只有企业或营商办可以发布融资需求", "Only an enterprise or the service office posts financing needs")
	}
	if in.EnterpriseID == 0 {
		return 0, errs.Invalidf("enterprise_id", "请选择企业", "enterprise_id is required")
	}
	var orgID int64
	var orgPath, contactName string
	var phoneEnc []byte
	err := tx.QueryRow(ctx, `SELECT e.org_id, o.path, e.contact_name, e.contact_phone_enc FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE e.id = ?`,
		in.EnterpriseID).Scan(&orgID, &orgPath, &contactName, &phoneEnc)
	if errs.Is(err, errs.NotFound) || (err == nil && !p.System && !p.Has(access.Enterprise) && !strings.HasPrefix(orgPath, p.OrgPath)) {
		return 0, errs.Invalidf("enterprise_id", "企业不存在或不在您的管辖范围内", "No such enterprise in your scope")
	}
	if err != nil {
		return 0, err
	}
	if in.BankOrgID != 0 {
		b, err := org.GetTx(ctx, tx, in.BankOrgID)
		if err != nil || b.Kind != org.Bank || !strings.HasPrefix(orgPath, parentPath(b.Path)) {
			return 0, errs.Invalidf("bank_org_id", "首选银行应为本区的银行机构", "bank_org_id must name a bank of the zone")
		}
	}
	today := s.today()
	if in.PostedOn.IsZero() {
		in.PostedOn = today
	}
	if err := flow.CheckDate("posted_on", in.PostedOn, civil.Date{}, today); err != nil {
		return 0, err
	}
	if in.ContactName == "" && in.ContactPhone == "" {
		in.ContactName = contactName
		if len(phoneEnc) > 0 {
			if in.ContactPhone, err = s.Cipher.Open(phoneEnc); err != nil {
				return 0, errs.Wrap(err, "enterprise phone")
			}
		}
	}
	lim, err := LoadLimits(ctx, tx)
	if err != nil {
		return 0, err
	}
	limit := lim.ResponseWorkdays
	if in.GreenChannel {
		limit = lim.GreenWorkdays
	}
	var k calendar.Clock
	s.Calendar.Start(&k, in.PostedOn, limit)
	var by int64
	if !p.System {
		by = p.UserID
	}
	id, err := tx.Insert(ctx, `INSERT INTO finance_needs (enterprise_id, org_id, amount_fen, term_months, purpose, guarantee, bank_org_id,
		green_channel, status, posted_on, limit_workdays, due_on, contact_name, contact_phone_enc, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.EnterpriseID, orgID, in.AmountFen, in.TermMonths, in.Purpose, in.Guarantee, store.Null(in.BankOrgID), in.GreenChannel,
		Posted, in.PostedOn, limit, k.DueOn, in.ContactName, s.Cipher.Seal(in.ContactPhone), store.Null(by), tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	ev := &flow.Event{Entity: Entity, EntityID: id, Action: "post", To: Posted, On: in.PostedOn, ActorID: by, Actor: p.Actor(),
		Data: map[string]any{"amount_fen": in.AmountFen, "bank_org_id": in.BankOrgID, "green_channel": in.GreenChannel}}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	if err := count(ctx, rollupTx(ctx, tx), facts{OrgID: orgID, AmountFen: in.AmountFen, BankOrgID: in.BankOrgID, DueOn: k.DueOn}, ev); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "finance.need.post", Object: Entity, ObjectID: id, Summary: map[string]any{
		"enterprise_id": in.EnterpriseID, "amount_fen": in.AmountFen, "term_months": in.TermMonths, "guarantee": in.Guarantee,
		"bank_org_id": in.BankOrgID, "green_channel": in.GreenChannel, "posted_on": in.PostedOn.String()}})
}

// Events returns a need's history, oldest first. A bank does not see other
// banks' declines.
func (s *Service) Events(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.get(ctx, s.DB.Read(), p, id); err != nil {
		return nil, err
	}
	evs, err := flow.Events(ctx, s.DB.Read(), Entity, id)
	if err != nil || !p.Has(access.Bank) || p.System {
		return evs, err
	}
	out := []flow.Event{}
	for _, ev := range evs {
		if ev.Action == "decline" && dataInt(ev.Data, "bank_org_id") != p.OrgID {
			continue
		}
		out = append(out, ev)
	}
	return out, nil
}

// ContactView is a need's contact person in full.
type ContactView struct {
	ContactName  string `json:"contact_name"`
	ContactPhone string `json:"contact_phone"`
}

// RevealContact shows the contact person in full to the bank that took the
// need (or the office or the enterprise itself), and audits that it did.
func (s *Service) RevealContact(ctx context.Context, p *access.Principal, id int64) (ContactView, error) {
	var out ContactView
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		n, err := s.get(ctx, tx, p, id)
		if err != nil {
			return err
		}
		bankTook := p.Has(access.Bank) && n.TakenByOrgID == p.OrgID && n.TakenByOrgID != 0
		if !bankTook && !seesContactInFull(p, &n) {
			return errs.Forbiddenf("接单银行在接单后才能查看联系人", "Only the bank that took the need sees its contact")
		}
		out = ContactView{ContactName: n.ContactName, ContactPhone: n.phone}
		return audit.Append(ctx, tx, audit.Entry{Action: "finance.reveal", Object: Entity, ObjectID: id,
			Summary: map[string]any{"field": "contact_phone"}})
	})
	return out, err
}
