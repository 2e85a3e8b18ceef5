// Package policy is policy-fund fulfilment (惠企政策兑现): policies with a
// budget, an open period and two machine-checkable rules — who is eligible
// and how much they get — written in a small safe expression language over
// enterprise facts; 免申即享 candidates found by running the rules; the
// applications of both modes on the workflow engine; and the ledger that
// never lets approved plus paid money exceed a policy's budget.
package policy

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
)

// Mode is how a policy is fulfilled.
type Mode string

// Modes.
const (
	Auto  Mode = "auto"  // 免申即享: the rules find the enterprises, which confirm
	Apply Mode = "apply" // 依申请: the enterprise applies with materials
)

// Label is the mode's name.
func (m Mode) Label() i18n.Text {
	if m == Auto {
		return i18n.T("免申即享", "No application needed")
	}
	return i18n.T("依申请", "On application")
}

// Category says what a policy is for. The summary's labor.subsidy_paid_fen
// is the money paid under labor_subsidy policies.
type Category string

// Categories.
const (
	LaborSubsidy     Category = "labor_subsidy"     // 招工稳岗补贴
	InnovationReward Category = "innovation_reward" // 科技创新奖励
	Other            Category = "other"
)

// Categories lists every category.
var Categories = []Category{LaborSubsidy, InnovationReward, Other}

// Label is the category's name.
func (c Category) Label() i18n.Text {
	switch c {
	case LaborSubsidy:
		return i18n.T("招工稳岗补贴", "Hiring and job-retention subsidy")
	case InnovationReward:
		return i18n.T("科技创新奖励", "Innovation reward")
	}
	return i18n.T("其他", "Other")
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return c == LaborSubsidy || c == InnovationReward || c == Other }

// DefaultPublicityDays is the publicity (公示) period, in working days, of
// a policy that names none.
const DefaultPublicityDays = 5

// Policy is one fund with its ledger.
type Policy struct {
	ID            int64      `json:"id,string"`
	Name          string     `json:"name"`
	DocNo         string     `json:"doc_no"`
	Issuer        string     `json:"issuer"`
	Category      Category   `json:"category"`
	OrgID         int64      `json:"org_id,string"`
	Mode          Mode       `json:"mode"`
	Rule          string     `json:"rule"`
	AmountRule    string     `json:"amount_rule"`
	OpenFrom      civil.Date `json:"open_from"`
	OpenTo        civil.Date `json:"open_to" doc:"null while open-ended"`
	PublicityDays int        `json:"publicity_days" doc:"working days of 公示 before approval"`
	Materials     string     `json:"materials,omitempty" doc:"what an application must include (依申请)"`
	Description   string     `json:"description,omitempty"`
	BudgetFen     int64      `json:"budget_fen"`
	CommittedFen  int64      `json:"committed_fen" doc:"approved plus paid"`
	ApprovedFen   int64      `json:"approved_fen" doc:"approved, not yet paid"`
	PaidFen       int64      `json:"paid_fen"`
	RemainingFen  int64      `json:"remaining_fen" doc:"budget less approved and paid"`
	Open          bool       `json:"open" doc:"open today"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// OpenOn reports whether the policy is open on day d.
func (p *Policy) OpenOn(d civil.Date) bool {
	return !d.Before(p.OpenFrom) && (p.OpenTo.IsZero() || !d.After(p.OpenTo))
}

// PolicyInput is the body of creating or changing a policy.
type PolicyInput struct {
	Name          string     `json:"name"`
	DocNo         string     `json:"doc_no,omitempty"`
	Issuer        string     `json:"issuer,omitempty"`
	Category      Category   `json:"category,omitempty" doc:"labor_subsidy, innovation_reward or other (default)"`
	Mode          Mode       `json:"mode"`
	Rule          string     `json:"rule"`
	AmountRule    string     `json:"amount_rule"`
	OpenFrom      civil.Date `json:"open_from"`
	OpenTo        civil.Date `json:"open_to,omitempty"`
	PublicityDays *int       `json:"publicity_days,omitempty" doc:"default 5 working days"`
	Materials     string     `json:"materials,omitempty"`
	Description   string     `json:"description,omitempty"`
	BudgetFen     int64      `json:"budget_fen"`
}

// Validate normalises and checks the input, compiling both rules.
func (in *PolicyInput) Validate() error {
	for _, s := range []*string{&in.Name, &in.DocNo, &in.Issuer, &in.Materials, &in.Description} {
		*s = strings.TrimSpace(*s)
	}
	if in.Category == "" {
		in.Category = Other
	}
	if in.PublicityDays == nil {
		d := DefaultPublicityDays
		in.PublicityDays = &d
	}
	long := func(field, s string, n int) error {
		if utf8.RuneCountInString(s) > n {
			return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
		}
		return nil
	}
	switch {
	case in.Name == "":
		return errs.Invalidf("name", "请填写政策名称", "name is required")
	case !in.Category.Valid():
		return errs.Invalidf("category", "类别应为 labor_subsidy、innovation_reward 或 other", "category must be labor_subsidy, innovation_reward or other")
	case in.Mode != Auto && in.Mode != Apply:
		return errs.Invalidf("mode", "兑现方式应为 auto（免申即享）或 apply（依申请）", "mode must be auto or apply")
	case in.OpenFrom.IsZero():
		return errs.Invalidf("open_from", "请填写政策开始日期", "open_from is required")
	case !in.OpenTo.IsZero() && in.OpenTo.Before(in.OpenFrom):
		return errs.Invalidf("open_to", "截止日期不能早于开始日期", "open_to must not be before open_from")
	case *in.PublicityDays < 0 || *in.PublicityDays > 60:
		return errs.Invalidf("publicity_days", "公示期应为0到60个工作日", "publicity_days must be from 0 to 60")
	case in.BudgetFen <= 0:
		return errs.Invalidf("budget_fen", "预算应大于零（单位：分）", "budget_fen must be a positive number of fen")
	}
	for _, c := range []error{long("name", in.Name, 200), long("doc_no", in.DocNo, 100), long("issuer", in.Issuer, 100),
		long("materials", in.Materials, 4000), long("description", in.Description, 10000)} {
		if c != nil {
			return c
		}
	}
	if _, err := CompileCondition(in.Rule); err != nil {
		return err
	}
	if _, err := CompileAmount(in.AmountRule); err != nil {
		return err
	}
	in.Rule, in.AmountRule = strings.TrimSpace(in.Rule), strings.TrimSpace(in.AmountRule)
	return nil
}

// Service reads and writes policies, their candidates and applications.
type Service struct {
	DB       *store.DB
	Cipher   *pii.Cipher
	Calendar *calendar.Service
}

func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

// policyScope is which policies p sees: those issued at its org node's
// ancestors (a zone's policy reaches every street and enterprise in it)
// and within its subtree. The admin roles see none.
func policyScope(p *access.Principal, o string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		sc.Or("? LIKE ("+o+".path || '%') OR "+o+".path LIKE ?", p.OrgPath, p.OrgPath+"%")
	}
	return sc
}

// policyWriteScope is which policies p may change: the office's, within its
// subtree.
func policyWriteScope(p *access.Principal, o string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree(o+".id", p.OrgPath)
	}
	return sc
}

const policyCols = `p.id, p.name, p.doc_no, p.issuer, p.category, p.org_id, p.mode, p.rule, p.amount_rule, p.open_from, p.open_to,
	p.publicity_days, p.materials, p.description, p.budget_fen, p.committed_fen, p.paid_fen, p.created_at, p.updated_at`

const policyFrom = ` FROM policies p JOIN orgs o ON o.id = p.org_id`

func (s *Service) scanPolicy(sc interface{ Scan(...any) error }) (Policy, error) {
	var x Policy
	err := sc.Scan(&x.ID, &x.Name, &x.DocNo, &x.Issuer, &x.Category, &x.OrgID, &x.Mode, &x.Rule, &x.AmountRule, &x.OpenFrom, &x.OpenTo,
		&x.PublicityDays, &x.Materials, &x.Description, &x.BudgetFen, &x.CommittedFen, &x.PaidFen, &x.CreatedAt, &x.UpdatedAt)
	x.ApprovedFen = x.CommittedFen - x.PaidFen
	x.RemainingFen = x.BudgetFen - x.CommittedFen
	x.Open = x.OpenOn(s.today())
	return x, err
}

// GetPolicy returns one policy p may see.
func (s *Service) GetPolicy(ctx context.Context, p *access.Principal, id int64) (Policy, error) {
	return s.getPolicy(ctx, s.DB.Read(), policyScope(p, "o"), id)
}

func (s *Service) getPolicy(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Policy, error) {
	var w store.Where
	w.Add("p.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return s.scanPolicy(q.QueryRow(ctx, "SELECT "+policyCols+policyFrom+where, args...))
}

// PolicyFilter selects policies.
type PolicyFilter struct {
	Q        string
	Mode     Mode
	Category Category
	OpenOn   civil.Date // open on this day
	AfterID  int64      // cursor: ids below
	Limit    int
}

func (f PolicyFilter) where(p *access.Principal) store.Where {
	var w store.Where
	w.Scope(policyScope(p, "o"))
	if f.Q != "" {
		w.Add("(p.name LIKE ? ESCAPE '\\' OR p.doc_no LIKE ? ESCAPE '\\')", store.Like("%", f.Q, "%"), store.Like("%", f.Q, "%"))
	}
	if f.Mode != "" {
		w.Add("p.mode = ?", f.Mode)
	}
	if f.Category != "" {
		w.Add("p.category = ?", f.Category)
	}
	if !f.OpenOn.IsZero() {
		w.Add("p.open_from <= ? AND (p.open_to IS NULL OR p.open_to >= ?)", f.OpenOn, f.OpenOn)
	}
	return w
}

// ListPolicies returns one page of policies, newest first, and the total.
func (s *Service) ListPolicies(ctx context.Context, p *access.Principal, f PolicyFilter) ([]Policy, int, error) {
	w := f.where(p)
	where, args := w.SQL()
	var total int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*)"+policyFrom+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []Policy
	err := s.EachPolicy(ctx, p, f, func(x Policy) error { out = append(out, x); return nil })
	return out, total, err
}

// EachPolicy streams the policies matching f, newest first.
func (s *Service) EachPolicy(ctx context.Context, p *access.Principal, f PolicyFilter, yield func(Policy) error) error {
	w := f.where(p)
	if f.AfterID != 0 {
		w.Add("p.id < ?", f.AfterID)
	}
	where, args := w.SQL()
	query := "SELECT " + policyCols + policyFrom + where + " ORDER BY p.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := s.scanPolicy(rows)
		if err != nil {
			return err
		}
		if err := yield(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CreatePolicy adds a policy, issued at the office's org node.
func (s *Service) CreatePolicy(ctx context.Context, p *access.Principal, in PolicyInput) (Policy, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreatePolicyTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Policy{}, err
	}
	return s.GetPolicy(ctx, p, id)
}

// CreatePolicyTx adds a policy inside tx.
func (s *Service) CreatePolicyTx(ctx context.Context, tx *store.Tx, p *access.Principal, in PolicyInput) (int64, error) {
	if !p.System && !p.Has(access.ServiceOffice) {
		return 0, errs.Forbiddenf("只有营商办可以发布政策", "Only the service office publishes policies")
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	orgID := p.OrgID
	if p.System {
		if err := tx.QueryRow(ctx, "SELECT id FROM orgs WHERE kind = 'zone' ORDER BY id LIMIT 1").Scan(&orgID); err != nil {
			return 0, err
		}
	}
	if _, err := org.GetTx(ctx, tx, orgID); err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO policies (name, doc_no, issuer, category, org_id, mode, rule, amount_rule, open_from, open_to,
		publicity_days, materials, description, budget_fen, committed_fen, paid_fen, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) RETURNING id`,
		in.Name, in.DocNo, in.Issuer, in.Category, orgID, in.Mode, in.Rule, in.AmountRule, in.OpenFrom, in.OpenTo, *in.PublicityDays,
		in.Materials, in.Description, in.BudgetFen, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "policy.create", Object: "policy", ObjectID: id, Summary: policySummary(in)})
}

func policySummary(in PolicyInput) map[string]any {
	return map[string]any{"name": in.Name, "doc_no": in.DocNo, "category": in.Category, "mode": in.Mode, "rule": in.Rule,
		"amount_rule": in.AmountRule, "open_from": in.OpenFrom.String(), "open_to": in.OpenTo.String(), "budget_fen": in.BudgetFen}
}

// UpdatePolicy changes a policy. The budget may not drop below what is
// approved and paid, the mode may not change once there are applications,
// and the category (which decides where its payments are counted) may not
// change once money is committed.
func (s *Service) UpdatePolicy(ctx context.Context, p *access.Principal, id int64, in PolicyInput) (Policy, error) {
	if err := in.Validate(); err != nil {
		return Policy{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := s.getPolicy(ctx, tx, policyWriteScope(p, "o"), id)
		if err != nil {
			return err
		}
		if in.Mode != old.Mode {
			var n int
			if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM policy_applications WHERE policy_id = ?", id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errs.Conflictf("已有%d件申请，不能更改兑现方式", "The policy has %d applications; its mode cannot change", n)
			}
		}
		if in.Category != old.Category && old.CommittedFen > 0 {
			return errs.Conflictf("已有核准或兑付的资金，不能更改政策类别", "Money is already approved or paid; the category cannot change")
		}
		// The guard is in the statement itself, like the approvals'.
		res, err := tx.Exec(ctx, `UPDATE policies SET name = ?, doc_no = ?, issuer = ?, category = ?, mode = ?, rule = ?, amount_rule = ?,
			open_from = ?, open_to = ?, publicity_days = ?, materials = ?, description = ?, budget_fen = ?, updated_at = ?
			WHERE id = ? AND committed_fen <= ?`,
			in.Name, in.DocNo, in.Issuer, in.Category, in.Mode, in.Rule, in.AmountRule, in.OpenFrom, in.OpenTo, *in.PublicityDays,
			in.Materials, in.Description, in.BudgetFen, tx.Now, id, in.BudgetFen)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var committed int64
			if err := tx.QueryRow(ctx, "SELECT committed_fen FROM policies WHERE id = ?", id).Scan(&committed); err != nil {
				return err
			}
			return errs.Conflictf("已核准和已兑付的资金共 %s，预算不能低于此数", "%s is already approved or paid; the budget cannot be lower",
				fmtMoney(committed))
		}
		before := policySummary(PolicyInput{Name: old.Name, DocNo: old.DocNo, Category: old.Category, Mode: old.Mode, Rule: old.Rule,
			AmountRule: old.AmountRule, OpenFrom: old.OpenFrom, OpenTo: old.OpenTo, BudgetFen: old.BudgetFen})
		return audit.Append(ctx, tx, audit.Entry{Action: "policy.update", Object: "policy", ObjectID: id, Summary: audit.Change(before, policySummary(in))})
	})
	if err != nil {
		return Policy{}, err
	}
	return s.GetPolicy(ctx, p, id)
}

// fmtMoney is an amount in 元/万元 in both languages.
func fmtMoney(fen int64) i18n.Text { return i18n.T(money.Format(fen), money.FormatEn(fen)) }

// commit books amount against the policy's budget: one conditional UPDATE
// that adds it only if approved plus paid stays within the budget. The
// check and the increment are one statement, so two approvals can never
// both see the same remainder: SQLite has one writer, and PostgreSQL
// re-checks the condition on the row once the other writer commits.
func commit(ctx context.Context, tx *store.Tx, policyID, amount int64) error {
	res, err := tx.Exec(ctx, "UPDATE policies SET committed_fen = committed_fen + ?, updated_at = ? WHERE id = ? AND committed_fen + ? <= budget_fen",
		amount, tx.Now, policyID, amount)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var budget, committed int64
	if err := tx.QueryRow(ctx, "SELECT budget_fen, committed_fen FROM policies WHERE id = ?", policyID).Scan(&budget, &committed); err != nil {
		return err
	}
	return errs.Conflictf("预算不足：本次核准 %s，预算 %s 中已核准和已兑付 %s，仅剩 %s",
		"Over budget: this approval is %s, but of the budget of %s, %s is already approved or paid and only %s is left",
		fmtMoney(amount), fmtMoney(budget), fmtMoney(committed), fmtMoney(budget-committed))
}
