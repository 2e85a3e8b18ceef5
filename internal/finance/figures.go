package finance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/rollup"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// The rollup metrics. Flows are counted on the business date of the
// transition, per the enterprise's org node; the bank is the dimension of
// the bank figures (and of needs, the bank they were routed to).
const (
	mNeeds      = "finance.needs"       // needs posted
	mNeedsFen   = "finance.needs_fen"   // their amounts
	mInProgress = "finance.in_progress" // +1 posted, −1 at an end state: 对接中 on a day
	mOverdue    = "finance.overdue"     // +1 the day after the response limit, −1 when answered: waiting past the limit
	mTaken      = "finance.taken"       // needs a bank took
	mDeclined   = "finance.declined"    // declines by a bank (one per bank on an open need)
	mRespDays   = "finance.response_workdays"
	mLate       = "finance.late" // answers (take or decline) after the limit
	mCredits    = "finance.credits"
	mCreditsFen = "finance.credits_fen"
	mDenied     = "finance.credit_denied"
	mLoans      = "finance.loans"
	mLoansFen   = "finance.loans_fen"
)

// Metrics lists the module's rollup prefixes.
var Metrics = []string{"finance."}

// facts are the immutable figures of a need that its events are counted by.
type facts struct {
	OrgID     int64
	AmountFen int64
	BankOrgID int64
	DueOn     civil.Date
}

type adder func(metric string, day civil.Date, orgID int64, dim string, delta int64) error

func rollupTx(ctx context.Context, tx *store.Tx) adder {
	return func(metric string, day civil.Date, orgID int64, dim string, delta int64) error {
		return rollup.Add(ctx, tx, metric, day, orgID, dim, delta)
	}
}

func dimOf(bankID int64) string {
	if bankID == 0 {
		return ""
	}
	return strconv.FormatInt(bankID, 10)
}

func later(a, b civil.Date) civil.Date {
	if a.After(b) {
		return a
	}
	return b
}

// count adds what one event of a need changes to the rollups. The running
// totals and Rebuild both go through it, so they cannot disagree.
func count(ctx context.Context, add adder, f facts, ev *flow.Event) error {
	var adds []func() error
	a := func(metric string, day civil.Date, dim string, delta int64) {
		adds = append(adds, func() error { return add(metric, day, f.OrgID, dim, delta) })
	}
	endOverdue := func() { a(mOverdue, later(ev.On, f.DueOn.AddDays(1)), "", -1) }
	bankDim := dimOf(dataInt(ev.Data, "bank_org_id"))
	switch ev.Action {
	case "post":
		a(mNeeds, ev.On, dimOf(f.BankOrgID), 1)
		a(mNeedsFen, ev.On, dimOf(f.BankOrgID), f.AmountFen)
		a(mInProgress, ev.On, "", 1)
		a(mOverdue, f.DueOn.AddDays(1), "", 1)
	case "take", "decline":
		if ev.Action == "take" {
			a(mTaken, ev.On, bankDim, 1)
		} else {
			a(mDeclined, ev.On, bankDim, 1)
		}
		a(mRespDays, ev.On, bankDim, dataInt(ev.Data, "response_workdays"))
		if ev.On.After(f.DueOn) {
			a(mLate, ev.On, bankDim, 1)
		}
		if ev.To != Posted {
			endOverdue()
		}
		if ev.To == Declined {
			a(mInProgress, ev.On, "", -1)
		}
	case "approve_credit":
		a(mCredits, ev.On, bankDim, 1)
		a(mCreditsFen, ev.On, bankDim, dataInt(ev.Data, "amount_fen"))
	case "deny_credit":
		a(mDenied, ev.On, bankDim, 1)
		a(mInProgress, ev.On, "", -1)
	case "disburse":
		a(mLoans, ev.On, bankDim, 1)
		a(mLoansFen, ev.On, bankDim, dataInt(ev.Data, "amount_fen"))
		a(mInProgress, ev.On, "", -1)
	case "cancel":
		a(mInProgress, ev.On, "", -1)
		endOverdue()
	}
	for _, f := range adds {
		if err := f(); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Rebuild recomputes the module's rollups from the needs and their events
// (the rollups of its metrics have been cleared).
func (s *Service) Rebuild(ctx context.Context, tx *store.Tx) error {
	needs := map[int64]facts{}
	rows, err := tx.Query(ctx, "SELECT id, org_id, amount_fen, bank_org_id, due_on FROM finance_needs")
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var f facts
		if err := rows.Scan(&id, &f.OrgID, &f.AmountFen, store.Z(&f.BankOrgID), &f.DueOn); err != nil {
			rows.Close()
			return err
		}
		needs[id] = f
	}
	if err := rows.Close(); err != nil {
		return err
	}
	type key struct {
		metric, day string
		org         int64
		dim         string
	}
	sums := map[key]int64{}
	var order []key
	agg := func(metric string, day civil.Date, orgID int64, dim string, delta int64) error {
		k := key{metric, day.String(), orgID, dim}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += delta
		return nil
	}
	rows, err = tx.Query(ctx, "SELECT entity_id, action, to_state, on_date, data FROM flow_events WHERE entity = ? ORDER BY id", Entity)
	if err != nil {
		return err
	}
	for rows.Next() {
		ev := flow.Event{Entity: Entity}
		var data string
		if err := rows.Scan(&ev.EntityID, &ev.Action, &ev.To, &ev.On, &data); err != nil {
			rows.Close()
			return err
		}
		if data != "" && data != "{}" {
			if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
				rows.Close()
				return fmt.Errorf("finance: event data of need %d: %w", ev.EntityID, err)
			}
		}
		f, ok := needs[ev.EntityID]
		if !ok {
			continue
		}
		if err := count(ctx, agg, f, &ev); err != nil {
			rows.Close()
			return err
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, k := range order {
		day, _ := civil.Parse(k.day)
		if err := rollup.Add(ctx, tx, k.metric, day, k.org, k.dim, sums[k]); err != nil {
			return err
		}
	}
	return nil
}

func ratio(num, den int64) *float64 {
	if den == 0 {
		return nil
	}
	r := float64(num) / float64(den)
	return &r
}

// Summary fills the "finance" keys of the period summary: needs posted and
// their amounts, loans disbursed and their amounts (API.md), with the
// credit figures, the banks' responsiveness, and the needs in progress and
// waiting past their limit on the last day.
func (s *Service) Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	sc := rollup.ScopeOf(p)
	f, err := rollup.Sum(ctx, q, sc, from, to, mNeeds, mNeedsFen, mLoans, mLoansFen, mTaken, mDeclined, mRespDays, mLate, mCredits, mCreditsFen, mDenied)
	if err != nil {
		return err
	}
	st, err := rollup.Upto(ctx, q, sc, to, mInProgress, mOverdue)
	if err != nil {
		return err
	}
	answers := f[mTaken] + f[mDeclined]
	into["finance"] = map[string]any{
		"needs":                 f[mNeeds],
		"needs_fen":             f[mNeedsFen],
		"loans":                 f[mLoans],
		"loans_fen":             f[mLoansFen],
		"credits":               f[mCredits],
		"credits_fen":           f[mCreditsFen],
		"credit_denied":         f[mDenied],
		"taken":                 f[mTaken],
		"declined":              f[mDeclined],
		"take_rate":             rollup.Rate(f[mTaken], answers),
		"approval_rate":         rollup.Rate(f[mCredits], f[mCredits]+f[mDenied]),
		"avg_response_workdays": ratio(f[mRespDays], answers),
		"response_on_time_rate": rollup.Rate(answers-f[mLate], answers),
		"in_progress":           st[mInProgress],
		"overdue_open":          st[mOverdue],
	}
	return nil
}

// BankFigures are one bank's figures over a period: how fast and how often
// it answers the needs sent to it, and what it lent.
type BankFigures struct {
	BankOrgID           int64    `json:"bank_org_id,string"`
	BankName            string   `json:"bank_name"`
	Products            int      `json:"products" doc:"active products now"`
	Waiting             int      `json:"waiting" doc:"needs waiting for its answer now"`
	Answers             int64    `json:"answers" doc:"takes and declines in the period"`
	Taken               int64    `json:"taken"`
	Declined            int64    `json:"declined"`
	TakeRate            *float64 `json:"take_rate"`
	AvgResponseWorkdays *float64 `json:"avg_response_workdays"`
	Late                int64    `json:"late" doc:"answers after the response limit"`
	OnTimeRate          *float64 `json:"on_time_rate"`
	Credits             int64    `json:"credits"`
	CreditsFen          int64    `json:"credits_fen"`
	Denied              int64    `json:"credit_denied"`
	ApprovalRate        *float64 `json:"approval_rate"`
	Loans               int64    `json:"loans"`
	LoansFen            int64    `json:"loans_fen"`
}

// Banks returns the bank ranking for from..to: every bank to the office and
// leaders, a bank its own line only. Ranked by amount lent, then take rate.
func (s *Service) Banks(ctx context.Context, p *access.Principal, from, to civil.Date) ([]BankFigures, error) {
	q := s.DB.Read()
	sc := rollup.ScopeOf(p)
	var w store.Where
	w.Add("o.kind = 'bank'")
	switch {
	case p.System:
	case p.Has(access.Leader, access.ServiceOffice):
		w.Add("o.path LIKE ?", store.Like("", parentPath(p.OrgPath), "%"))
	case p.Has(access.Bank):
		w.Add("o.id = ?", p.OrgID)
		// A bank's needs come from the whole zone it serves.
		sc = rollup.Scope{Path: parentPath(p.OrgPath)}
	default:
		return nil, errs.Forbiddenf("您的角色不能查看银行对接情况", "Your role may not see the banks' figures")
	}
	where, args := w.SQL()
	rows, err := q.Query(ctx, `SELECT o.id, o.name, (SELECT COUNT(*) FROM finance_products p WHERE p.bank_org_id = o.id AND p.active = TRUE)
		FROM orgs o`+where+" ORDER BY o.id", args...)
	if err != nil {
		return nil, err
	}
	var out []BankFigures
	for rows.Next() {
		var b BankFigures
		if err := rows.Scan(&b.BankOrgID, &b.BankName, &b.Products); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	by := map[string]map[string]int64{}
	for _, m := range []string{mTaken, mDeclined, mRespDays, mLate, mCredits, mCreditsFen, mDenied, mLoans, mLoansFen} {
		if by[m], err = rollup.SumByDim(ctx, q, sc, from, to, m); err != nil {
			return nil, err
		}
	}
	for i := range out {
		b := &out[i]
		d := dimOf(b.BankOrgID)
		b.Taken, b.Declined, b.Late = by[mTaken][d], by[mDeclined][d], by[mLate][d]
		b.Answers = b.Taken + b.Declined
		b.TakeRate = rollup.Rate(b.Taken, b.Answers)
		b.AvgResponseWorkdays = ratio(by[mRespDays][d], b.Answers)
		b.OnTimeRate = rollup.Rate(b.Answers-b.Late, b.Answers)
		b.Credits, b.CreditsFen, b.Denied = by[mCredits][d], by[mCreditsFen][d], by[mDenied][d]
		b.ApprovalRate = rollup.Rate(b.Credits, b.Credits+b.Denied)
		b.Loans, b.LoansFen = by[mLoans][d], by[mLoansFen][d]
		bp := &access.Principal{Roles: []access.Role{access.Bank}, OrgID: b.BankOrgID, OrgPath: bankPath(ctx, q, b.BankOrgID)}
		if b.Waiting, err = s.waiting(ctx, q, bp); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b BankFigures) int {
		switch {
		case a.LoansFen != b.LoansFen:
			return cmpDesc(a.LoansFen, b.LoansFen)
		case rate(a.TakeRate) != rate(b.TakeRate):
			if rate(a.TakeRate) > rate(b.TakeRate) {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

func cmpDesc(a, b int64) int {
	if a > b {
		return -1
	}
	if a < b {
		return 1
	}
	return 0
}

func rate(r *float64) float64 {
	if r == nil {
		return -1
	}
	return *r
}

func bankPath(ctx context.Context, q store.Querier, id int64) string {
	var path string
	q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", id).Scan(&path)
	return path
}

// waiting counts the needs waiting for an answer from bank principal p.
func (s *Service) waiting(ctx context.Context, q store.Querier, p *access.Principal) (int, error) {
	w, err := s.needWhere(p, NeedFilter{Waiting: true})
	if err != nil {
		return 0, err
	}
	where, args := w.SQL()
	var n int
	err = q.QueryRow(ctx, "SELECT COUNT(*) FROM finance_needs n JOIN enterprises e ON e.id = n.enterprise_id"+where, args...).Scan(&n)
	return n, err
}

const limitsKey = "finance.limits"

// DefaultLimits are the response limits until the office sets others: three
// working days, one for the green channel.
var DefaultLimits = Limits{ResponseWorkdays: 3, GreenWorkdays: 1}

// Validate checks a pair of limits.
func (l Limits) Validate() error {
	switch {
	case l.ResponseWorkdays < 1 || l.ResponseWorkdays > 30:
		return errs.Invalidf("response_workdays", "响应时限应在1到30个工作日之间", "response_workdays must be from 1 to 30")
	case l.GreenWorkdays < 1 || l.GreenWorkdays > l.ResponseWorkdays:
		return errs.Invalidf("green_workdays", "绿色通道时限应至少1个工作日，且不长于一般时限", "green_workdays must be at least 1 and no longer than response_workdays")
	}
	return nil
}

// LoadLimits reads the response limits.
func LoadLimits(ctx context.Context, q store.Querier) (Limits, error) {
	l := DefaultLimits
	err := settings.Load(ctx, q, limitsKey, &l)
	return l, err
}

// SaveLimits stores new response limits; needs posted from now on use them.
func (s *Service) SaveLimits(ctx context.Context, p *access.Principal, l Limits) error {
	if !p.System && !p.Has(access.ServiceOffice) {
		return errs.Forbiddenf("只有营商办可以设置响应时限", "Only the service office sets the response limits")
	}
	if err := l.Validate(); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		before, err := LoadLimits(ctx, tx)
		if err != nil {
			return err
		}
		return settings.Save(ctx, tx, limitsKey, before, l)
	})
}
