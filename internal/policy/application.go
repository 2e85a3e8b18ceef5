package policy

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/pii"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// The application states of API.md. 依申请 runs submitted → accepted (or
// returned → submitted) → reviewed → publicized → approved → paid, with
// rejected possible until approval; 免申即享 runs candidate → confirmed →
// publicized → approved → paid. Approval is the step that books the money
// against the budget, so both modes pass through it.
const (
	Candidate  = "candidate"
	Submitted  = "submitted"
	Confirmed  = "confirmed"
	Accepted   = "accepted"
	Returned   = "returned"
	Reviewed   = "reviewed"
	Publicized = "publicized"
	Approved   = "approved"
	Paid       = "paid"
	Rejected   = "rejected"
)

// Entity is the flow entity of applications.
const Entity = "policy_application"

var (
	enterpriseOnly = []access.Role{access.Enterprise}
	officeOnly     = []access.Role{access.ServiceOffice}
	dateField      = flow.Field{Name: "date", Kind: flow.Date, Label: i18n.T("日期", "Date")}
	reasonField    = flow.Field{Name: "reason", Kind: flow.Text, Required: true, Label: i18n.T("理由", "Reason")}
	bankFields     = []flow.Field{
		{Name: "bank_name", Kind: flow.Text, Required: true, Label: i18n.T("开户银行", "Bank")},
		{Name: "bank_account", Kind: flow.Text, Required: true, Label: i18n.T("对公账户", "Bank account")},
	}
)

// Flow is the application workflow. Every action takes an optional date
// (default today; back-entry allowed, never in the future nor before the
// previous stage); pay requires it, as API.md says.
var Flow = flow.Def{
	Entity:  Entity,
	Initial: Submitted,
	States: []flow.State{
		{Name: Candidate, Label: i18n.T("待企业确认", "Candidate")},
		{Name: Submitted, Label: i18n.T("已申报", "Submitted")},
		{Name: Confirmed, Label: i18n.T("企业已确认", "Confirmed")},
		{Name: Accepted, Label: i18n.T("已受理", "Accepted")},
		{Name: Returned, Label: i18n.T("退回补正", "Returned")},
		{Name: Reviewed, Label: i18n.T("已审核", "Reviewed")},
		{Name: Publicized, Label: i18n.T("公示中", "In publicity")},
		{Name: Approved, Label: i18n.T("已核准", "Approved")},
		{Name: Paid, Label: i18n.T("已兑付", "Paid"), Terminal: true},
		{Name: Rejected, Label: i18n.T("不予兑现", "Rejected"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "confirm", Label: i18n.T("确认享受", "Confirm"), From: []string{Candidate}, To: Confirmed, Roles: enterpriseOnly,
			Fields: append([]flow.Field{dateField}, bankFields...)},
		{Name: "submit", Label: i18n.T("补正后重新提交", "Resubmit"), From: []string{Returned}, To: Submitted, Roles: enterpriseOnly,
			Fields: []flow.Field{dateField, {Name: "materials", Kind: flow.Text, Label: i18n.T("申报材料", "Materials")},
				{Name: "bank_name", Kind: flow.Text, Label: i18n.T("开户银行", "Bank")}, {Name: "bank_account", Kind: flow.Text, Label: i18n.T("对公账户", "Bank account")}}},
		{Name: "accept", Label: i18n.T("受理", "Accept"), From: []string{Submitted}, To: Accepted, Roles: officeOnly, Fields: []flow.Field{dateField}},
		{Name: "return", Label: i18n.T("退回补正", "Return for more"), From: []string{Submitted, Accepted}, To: Returned, Roles: officeOnly,
			Fields: []flow.Field{dateField, reasonField}},
		{Name: "review", Label: i18n.T("审核通过", "Review"), From: []string{Accepted}, To: Reviewed, Roles: officeOnly,
			Fields: []flow.Field{dateField, {Name: "amount_fen", Kind: flow.Money, Label: i18n.T("审核金额", "Amount")}}},
		{Name: "publicize", Label: i18n.T("公示", "Publicize"), From: []string{Reviewed, Confirmed}, To: Publicized, Roles: officeOnly,
			Fields: []flow.Field{dateField}},
		{Name: "approve", Label: i18n.T("核准", "Approve"), From: []string{Publicized}, To: Approved, Roles: officeOnly,
			Fields: []flow.Field{dateField, {Name: "amount_fen", Kind: flow.Money, Label: i18n.T("核准金额", "Amount")}}},
		{Name: "pay", Label: i18n.T("兑付", "Pay"), From: []string{Approved}, To: Paid, Roles: officeOnly,
			Fields: []flow.Field{{Name: "date", Kind: flow.Date, Required: true, Label: i18n.T("兑付日期", "Date paid")}}},
		{Name: "reject", Label: i18n.T("不予兑现", "Reject"), From: []string{Candidate, Submitted, Returned, Accepted, Reviewed, Confirmed, Publicized},
			To: Rejected, Roles: officeOnly, Fields: []flow.Field{dateField, reasonField}},
	},
}

// Application is one enterprise's claim under a policy.
type Application struct {
	ID              int64      `json:"id,string"`
	PolicyID        int64      `json:"policy_id,string"`
	PolicyName      string     `json:"policy_name"`
	Category        Category   `json:"category"`
	EnterpriseID    int64      `json:"enterprise_id,string"`
	EnterpriseName  string     `json:"enterprise_name"`
	Mode            Mode       `json:"mode"`
	State           string     `json:"state"`
	AmountFen       int64      `json:"amount_fen" doc:"computed by the amount rule or asked for; set at review"`
	ApprovedFen     int64      `json:"approved_fen"`
	Materials       string     `json:"materials,omitempty"`
	Reasons         []Reason   `json:"reasons,omitempty" doc:"why the rule selected the enterprise"`
	BankName        string     `json:"bank_name,omitempty"`
	BankAccount     string     `json:"bank_account,omitempty" doc:"always masked; POST …/reveal shows it in full, audited"`
	CreatedOn       civil.Date `json:"created_on"`
	SubmittedOn     civil.Date `json:"submitted_on"`
	ConfirmedOn     civil.Date `json:"confirmed_on"`
	AcceptedOn      civil.Date `json:"accepted_on"`
	ReviewedOn      civil.Date `json:"reviewed_on"`
	PublicizedOn    civil.Date `json:"publicized_on"`
	PublicityEndsOn civil.Date `json:"publicity_ends_on" doc:"the last day of 公示; approval from the next day"`
	ApprovedOn      civil.Date `json:"approved_on"`
	PaidOn          civil.Date `json:"paid_on"`
	RejectedOn      civil.Date `json:"rejected_on"`
	Actions         []string   `json:"actions" doc:"what the caller may do now"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`

	orgID   int64
	lastOn  civil.Date
	account string // decrypted, never serialised
}

// StateLabel is the state's name in l.
func (a Application) StateLabel(l i18n.Lang) string { return Flow.StateLabel(a.State, l) }

const appCols = `a.id, a.policy_id, p.name, p.category, a.enterprise_id, e.name, a.org_id, a.mode, a.state, a.amount_fen, a.approved_fen,
	a.materials, a.reasons, a.bank_name, a.bank_account_enc, a.created_on, a.submitted_on, a.confirmed_on, a.accepted_on, a.reviewed_on,
	a.publicized_on, a.publicity_ends_on, a.approved_on, a.paid_on, a.rejected_on, a.last_on, a.created_at, a.updated_at`

const appFrom = ` FROM policy_applications a JOIN policies p ON p.id = a.policy_id JOIN enterprises e ON e.id = a.enterprise_id`

func (s *Service) scanApp(sc interface{ Scan(...any) error }) (Application, error) {
	var a Application
	var reasons string
	var enc []byte
	err := sc.Scan(&a.ID, &a.PolicyID, &a.PolicyName, &a.Category, &a.EnterpriseID, &a.EnterpriseName, &a.orgID, &a.Mode, &a.State,
		&a.AmountFen, &a.ApprovedFen, &a.Materials, &reasons, &a.BankName, &enc, &a.CreatedOn, &a.SubmittedOn, &a.ConfirmedOn,
		&a.AcceptedOn, &a.ReviewedOn, &a.PublicizedOn, &a.PublicityEndsOn, &a.ApprovedOn, &a.PaidOn, &a.RejectedOn, &a.lastOn,
		&a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	if reasons != "" && reasons != "[]" {
		json.Unmarshal([]byte(reasons), &a.Reasons)
	}
	if len(enc) > 0 {
		if a.account, err = s.Cipher.Open(enc); err != nil {
			return a, errs.Wrap(err, "bank account")
		}
		a.BankAccount = pii.Mask(pii.BankAccount, a.account)
	}
	return a, nil
}

// present fills what depends on the viewer.
func present(p *access.Principal, a *Application) {
	a.Actions = []string{}
	for _, act := range Flow.Allowed(a.State, p) {
		a.Actions = append(a.Actions, act.Name)
	}
}

// GetApplication returns one application within p's scope.
func (s *Service) GetApplication(ctx context.Context, p *access.Principal, id int64) (Application, error) {
	a, err := s.getApp(ctx, s.DB.Read(), enterpriseScope(p, "e"), id)
	if err == nil {
		present(p, &a)
	}
	return a, err
}

func (s *Service) getApp(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Application, error) {
	var w store.Where
	w.Add("a.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return s.scanApp(q.QueryRow(ctx, "SELECT "+appCols+appFrom+where, args...))
}

// ApplicationFilter selects applications.
type ApplicationFilter struct {
	PolicyID     int64
	EnterpriseID int64
	States       []string
	Q            string // enterprise name
	AfterID      int64
	Limit        int
}

func (f ApplicationFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(enterpriseScope(p, "e"))
	if f.PolicyID != 0 {
		w.Add("a.policy_id = ?", f.PolicyID)
	}
	if f.EnterpriseID != 0 {
		w.Add("a.enterprise_id = ?", f.EnterpriseID)
	}
	if len(f.States) > 0 {
		in, args := store.In(f.States)
		w.Add("a.state IN ("+in+")", args...)
	}
	if f.Q != "" {
		w.Add("e.name LIKE ? ESCAPE '\\'", store.Like("%", f.Q, "%"))
	}
	return w
}

// ListApplications returns one page of applications, newest first, with
// the total count and amount of all matching ones.
func (s *Service) ListApplications(ctx context.Context, p *access.Principal, f ApplicationFilter) ([]Application, int, int64, error) {
	w := f.where(p)
	where, args := w.SQL()
	var total int
	var amount int64
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(a.amount_fen), 0)"+appFrom+where, args...).Scan(&total, &amount); err != nil {
		return nil, 0, 0, err
	}
	var out []Application
	err := s.EachApplication(ctx, p, f, func(a Application) error { out = append(out, a); return nil })
	return out, total, amount, err
}

// EachApplication streams the applications matching f, newest first.
func (s *Service) EachApplication(ctx context.Context, p *access.Principal, f ApplicationFilter, yield func(Application) error) error {
	w := f.where(p)
	if f.AfterID != 0 {
		w.Add("a.id < ?", f.AfterID)
	}
	where, args := w.SQL()
	query := "SELECT " + appCols + appFrom + where + " ORDER BY a.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := s.scanApp(rows)
		if err != nil {
			return err
		}
		present(p, &a)
		if err := yield(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ApplicationInput is the body of an application (依申请).
type ApplicationInput struct {
	PolicyID     int64      `json:"policy_id,string"`
	EnterpriseID int64      `json:"enterprise_id,string,omitempty" doc:"an enterprise user's own when omitted"`
	AmountFen    int64      `json:"amount_fen,omitempty" doc:"asked for; default what the amount rule gives"`
	Materials    string     `json:"materials"`
	BankName     string     `json:"bank_name"`
	BankAccount  string     `json:"bank_account"`
	Date         civil.Date `json:"date,omitempty" doc:"the submission date, default today"`
}

func checkBank(name, account string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errs.Invalidf("bank_name", "请填写开户银行", "bank_name is required")
	case utf8.RuneCountInString(name) > 100:
		return errs.Invalidf("bank_name", "开户银行不能超过100字", "bank_name must be at most 100 characters")
	case pii.ValidBankAccount(account) != nil:
		return errs.Invalidf("bank_account", "对公账户应为10到30位数字", "bank_account must be 10 to 30 digits")
	}
	return nil
}

// CreateApplication files an application under a 依申请 policy for an
// enterprise p may apply for.
func (s *Service) CreateApplication(ctx context.Context, p *access.Principal, in ApplicationInput) (Application, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateApplicationTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, p, id)
}

// CreateApplicationTx files an application inside tx.
func (s *Service) CreateApplicationTx(ctx context.Context, tx *store.Tx, p *access.Principal, in ApplicationInput) (int64, error) {
	if in.EnterpriseID == 0 && p.Has(access.Enterprise) {
		in.EnterpriseID = p.EnterpriseID
	}
	in.Materials, in.BankName = strings.TrimSpace(in.Materials), strings.TrimSpace(in.BankName)
	in.BankAccount = pii.Normalize(pii.BankAccount, in.BankAccount)
	switch {
	case in.PolicyID == 0:
		return 0, errs.Invalidf("policy_id", "请选择政策", "policy_id is required")
	case in.EnterpriseID == 0:
		return 0, errs.Invalidf("enterprise_id", "请选择企业", "enterprise_id is required")
	case in.AmountFen < 0:
		return 0, errs.Invalidf("amount_fen", "申请金额不能为负", "amount_fen must not be negative")
	case utf8.RuneCountInString(in.Materials) > 10000:
		return 0, errs.Invalidf("materials", "申报材料说明不能超过10000字", "materials must be at most 10000 characters")
	}
	if err := checkBank(in.BankName, in.BankAccount); err != nil {
		return 0, err
	}
	today := civil.Of(tx.Now)
	if in.Date.IsZero() {
		in.Date = today
	}
	if err := flow.CheckDate("date", in.Date, civil.Date{}, today); err != nil {
		return 0, err
	}
	pol, err := s.getPolicy(ctx, tx, policyScope(p, "o"), in.PolicyID)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.Invalidf("policy_id", "政策不存在", "No such policy")
	}
	if err != nil {
		return 0, err
	}
	if pol.Mode != Apply {
		return 0, errs.Conflictf("「%s」免申即享，无需申报：符合条件的企业由平台推送，确认即可", "“%s” needs no application: eligible enterprises are found by the platform and only confirm", pol.Name)
	}
	if !pol.OpenOn(in.Date) {
		return 0, errs.Conflictf("「%s」的申报期为 %s 至 %s，%s 不在其内", "“%s” takes applications from %s to %s, not on %s",
			pol.Name, pol.OpenFrom, openTo(pol.OpenTo), in.Date)
	}
	var w store.Where
	w.Add("e.id = ?", in.EnterpriseID)
	w.Scope(applyScope(p, "e"))
	where, args := w.SQL()
	var orgID int64
	if err := tx.QueryRow(ctx, "SELECT e.org_id FROM enterprises e"+where, args...).Scan(&orgID); err != nil {
		return 0, err
	}
	// The rules run for the record: the reviewer sees what the data say.
	ev, err := s.evaluate(ctx, tx, &pol, in.EnterpriseID, in.Date)
	if err != nil {
		return 0, err
	}
	if in.AmountFen == 0 {
		in.AmountFen = ev.AmountFen
	}
	reasons, _ := json.Marshal(ev.Reasons)
	id, err := tx.Insert(ctx, `INSERT INTO policy_applications (policy_id, enterprise_id, org_id, mode, state, amount_fen, approved_fen, materials,
		reasons, bank_name, bank_account_enc, bank_account_idx, created_on, submitted_on, last_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.PolicyID, in.EnterpriseID, orgID, Apply, Submitted, in.AmountFen, in.Materials, string(reasons), in.BankName,
		s.Cipher.Seal(in.BankAccount), s.Cipher.Index(pii.BankAccount, in.BankAccount), in.Date, in.Date, in.Date, tx.Now, tx.Now)
	if errs.Is(err, errs.Conflict) {
		return 0, errs.Conflictf("该企业已有「%s」的申请在办理中", "The enterprise already has an application under “%s” in progress", pol.Name)
	}
	if err != nil {
		return 0, err
	}
	if err := flow.Insert(ctx, tx, &flow.Event{Entity: Entity, EntityID: id, Action: "apply", To: Submitted, On: in.Date,
		ActorID: p.UserID, Actor: p.Actor(), Data: map[string]any{"amount_fen": in.AmountFen}}); err != nil {
		return 0, err
	}
	if err := rollup.Add(ctx, tx, MetricApplications, in.Date, orgID, string(Apply), 1); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "policy_application.create", Object: Entity, ObjectID: id,
		Summary: map[string]any{"policy_id": in.PolicyID, "enterprise_id": in.EnterpriseID, "amount_fen": in.AmountFen,
			"bank_account": pii.Mask(pii.BankAccount, in.BankAccount), "date": in.Date.String()}})
}

func openTo(d civil.Date) i18n.Text {
	if d.IsZero() {
		return i18n.T("长期", "open-ended")
	}
	return i18n.T(d.String(), d.String())
}

// Act takes a workflow action on an application. The state changes by a
// conditional UPDATE on the state it was read in, so two concurrent
// requests cannot both take one step; approval books the money in the same
// transaction.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Application, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.ActTx(ctx, tx, p, id, action, body) })
	if err != nil {
		return Application{}, err
	}
	return s.GetApplication(ctx, p, id)
}

// ActTx takes an action inside tx.
func (s *Service) ActTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte) error {
	a, err := s.getApp(ctx, tx, enterpriseScope(p, "e"), id)
	if err != nil {
		return err
	}
	step, err := Flow.Begin(a.State, action, p, body)
	if err != nil {
		return err
	}
	today := civil.Of(tx.Now)
	on := step.Input.Date("date")
	if on.IsZero() {
		on = today
	}
	if err := flow.CheckDate("date", on, a.lastOn, today); err != nil {
		return err
	}
	set := []string{"state = ?", "last_on = ?", "updated_at = ?"}
	args := []any{step.To, on, tx.Now}
	add := func(col string, v any) {
		set = append(set, col+" = ?")
		args = append(args, v)
	}
	in := step.Input
	switch action {
	case "confirm", "submit":
		name, account := in.String("bank_name"), pii.Normalize(pii.BankAccount, in.String("bank_account"))
		if name != "" || account != "" {
			if err := checkBank(name, account); err != nil {
				return err
			}
			add("bank_name", name)
			add("bank_account_enc", s.Cipher.Seal(account))
			add("bank_account_idx", s.Cipher.Index(pii.BankAccount, account))
			// The event keeps the account masked: the history is no place
			// for personal data.
			in.Set("bank_account", pii.Mask(pii.BankAccount, account))
		}
		if m := in.String("materials"); m != "" {
			add("materials", m)
		}
		if action == "confirm" {
			add("confirmed_on", on)
			if err := rollup.Add(ctx, tx, MetricApplications, on, a.orgID, string(Auto), 1); err != nil {
				return err
			}
		}
	case "accept":
		add("accepted_on", on)
	case "review":
		add("reviewed_on", on)
		if in.Has("amount_fen") {
			add("amount_fen", in.Int("amount_fen"))
		}
	case "publicize":
		if a.account == "" {
			return errs.Conflictf("尚无企业的对公账户，不能公示", "The enterprise's bank account is missing; it cannot be publicized")
		}
		// The application was found in p's scope; its policy comes with it.
		pol, err := s.getPolicy(ctx, tx, policyScope(access.SystemPrincipal("policy"), "o"), a.PolicyID)
		if err != nil {
			return err
		}
		add("publicized_on", on)
		var ends civil.Date
		if pol.PublicityDays > 0 {
			ends = s.Calendar.Cal.AddWorkdays(on, pol.PublicityDays)
		}
		add("publicity_ends_on", ends)
		in.Set("publicity_ends_on", ends.String())
	case "approve":
		if !a.PublicityEndsOn.IsZero() && !on.After(a.PublicityEndsOn) {
			return errs.Conflictf("公示期到 %s 结束（含当日），%s 起方可核准", "Publicity runs until %s inclusive; approval is possible from %s",
				a.PublicityEndsOn, a.PublicityEndsOn.AddDays(1))
		}
		amount := a.AmountFen
		if in.Has("amount_fen") {
			amount = in.Int("amount_fen")
		}
		if amount <= 0 {
			return errs.Invalidf("amount_fen", "核准金额应大于零", "The approved amount must be positive")
		}
		in.Set("amount_fen", amount)
		if err := commit(ctx, tx, a.PolicyID, amount); err != nil {
			return err
		}
		add("approved_fen", amount)
		add("approved_on", on)
		if err := rollup.Add(ctx, tx, MetricApprovedFen, on, a.orgID, string(a.Category), amount); err != nil {
			return err
		}
	case "pay":
		if _, err := tx.Exec(ctx, "UPDATE policies SET paid_fen = paid_fen + ?, updated_at = ? WHERE id = ?", a.ApprovedFen, tx.Now, a.PolicyID); err != nil {
			return err
		}
		add("paid_on", on)
		in.Set("amount_fen", a.ApprovedFen)
		if err := rollup.Add(ctx, tx, MetricPaidFen, on, a.orgID, string(a.Category), a.ApprovedFen); err != nil {
			return err
		}
		if err := rollup.Add(ctx, tx, MetricPaid, on, a.orgID, string(a.Category), 1); err != nil {
			return err
		}
	case "reject":
		add("rejected_on", on)
	}
	args = append(args, id, a.State)
	res, err := tx.Exec(ctx, "UPDATE policy_applications SET "+strings.Join(set, ", ")+" WHERE id = ? AND state = ?", args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errs.Conflictf("申请的状态刚刚被他人改变，请刷新后重试", "The application changed meanwhile; reload and try again")
	}
	_, err = step.Record(ctx, tx, Entity, id, on)
	return err
}

// Reveal returns an application's bank account in full, for the office
// (to pay) and the enterprise itself, and audits that it was shown.
func (s *Service) Reveal(ctx context.Context, p *access.Principal, id int64) (string, error) {
	var account string
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		sc := officeScope(p, "e")
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or("e.id = ?", p.EnterpriseID)
		}
		a, err := s.getApp(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if a.account == "" {
			return errs.NotFoundf("该申请没有登记对公账户", "The application has no bank account")
		}
		account = a.account
		return audit.Append(ctx, tx, audit.Entry{Action: "policy.reveal", Object: Entity, ObjectID: id,
			Summary: map[string]any{"field": "bank_account", "masked": pii.Mask(pii.BankAccount, a.account)}})
	})
	return account, err
}

// Events returns the history of an application within p's scope.
func (s *Service) Events(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	q := s.DB.Read()
	if _, err := s.getApp(ctx, q, enterpriseScope(p, "e"), id); err != nil {
		return nil, err
	}
	evs, err := flow.Events(ctx, q, Entity, id)
	if evs == nil {
		evs = []flow.Event{}
	}
	return evs, err
}
