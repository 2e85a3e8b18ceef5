package policy

import (
	"context"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/labor"
	"xiaoer/internal/store"
)

// EnterpriseFacts are the figures about an enterprise that the registry
// does not hold and policy rules need: social insurance and finance data
// the office enters from the departments (人社、税务). An enterprise with no
// row reads as zeros.
type EnterpriseFacts struct {
	EnterpriseID     int64       `json:"enterprise_id,string"`
	EnterpriseName   string      `json:"enterprise_name"`
	InsuredStaff     int         `json:"insured_staff"`
	InsuredMonths    int         `json:"insured_months"`
	InsurancePaidFen int64       `json:"insurance_paid_fen" doc:"unemployment insurance paid last year"`
	LayoffRate       float64     `json:"layoff_rate" doc:"last year's layoff rate, 0..1 (kept to 0.0001)"`
	RevenueFen       int64       `json:"revenue_fen"`
	RDExpenseFen     int64       `json:"rd_expense_fen"`
	AsOf             civil.Date  `json:"as_of,omitempty" doc:"the date the figures describe"`
	Source           string      `json:"source,omitempty"`
	UpdatedAt        *time.Time  `json:"updated_at,omitempty"`
	RuleFacts        []FactValue `json:"rule_facts,omitempty" doc:"every fact as a rule reads it today"`
}

// FactsInput is the body of setting an enterprise's facts.
type FactsInput struct {
	InsuredStaff     int        `json:"insured_staff"`
	InsuredMonths    int        `json:"insured_months"`
	InsurancePaidFen int64      `json:"insurance_paid_fen"`
	LayoffRate       float64    `json:"layoff_rate"`
	RevenueFen       int64      `json:"revenue_fen"`
	RDExpenseFen     int64      `json:"rd_expense_fen"`
	AsOf             civil.Date `json:"as_of,omitempty"`
	Source           string     `json:"source,omitempty"`
}

// Validate checks the figures.
func (in *FactsInput) Validate() error {
	in.Source = strings.TrimSpace(in.Source)
	switch {
	case in.InsuredStaff < 0 || in.InsuredStaff > 1_000_000:
		return errs.Invalidf("insured_staff", "参保人数应在0到1000000之间", "insured_staff must be from 0 to 1000000")
	case in.InsuredMonths < 0 || in.InsuredMonths > 1200:
		return errs.Invalidf("insured_months", "参保月数应在0到1200之间", "insured_months must be from 0 to 1200")
	case in.InsurancePaidFen < 0:
		return errs.Invalidf("insurance_paid_fen", "失业保险费不能为负", "insurance_paid_fen must not be negative")
	case in.LayoffRate < 0 || in.LayoffRate > 1:
		return errs.Invalidf("layoff_rate", "裁员率应在0到1之间（如 0.03 表示3%%）", "layoff_rate must be from 0 to 1 (0.03 is 3%%)")
	case in.RevenueFen < 0:
		return errs.Invalidf("revenue_fen", "营业收入不能为负", "revenue_fen must not be negative")
	case in.RDExpenseFen < 0:
		return errs.Invalidf("rd_expense_fen", "研发费用不能为负", "rd_expense_fen must not be negative")
	case len([]rune(in.Source)) > 200:
		return errs.Invalidf("source", "数据来源不能超过200字", "source must be at most 200 characters")
	}
	return nil
}

func toBP(rate float64) int64 { return int64(rate*10000 + 0.5) }

// enterpriseScope is who sees an enterprise's policy records, over the
// enterprises alias e: the office and leaders their org subtree, a cadre
// the enterprises assigned to them, an enterprise itself.
func enterpriseScope(p *access.Principal, e string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree(e+".org_id", p.OrgPath)
		}
		if p.Has(access.Cadre) {
			sc.Or(e+".cadre_user_id = ?", p.UserID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(e+".id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// officeScope is what the office may change, over the enterprises alias e.
func officeScope(p *access.Principal, e string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree(e+".org_id", p.OrgPath)
	}
	return sc
}

// applyScope is who may apply for an enterprise: the enterprise itself and
// the office on its behalf.
func applyScope(p *access.Principal, e string) *access.Scope {
	sc := officeScope(p, e)
	if p != nil && p.Has(access.Enterprise) && p.EnterpriseID != 0 {
		sc.Or(e+".id = ?", p.EnterpriseID)
	}
	return sc
}

const factsCols = `e.id, e.name, COALESCE(f.insured_staff, 0), COALESCE(f.insured_months, 0), COALESCE(f.insurance_paid_fen, 0),
	COALESCE(f.layoff_rate_bp, 0), COALESCE(f.revenue_fen, 0), COALESCE(f.rd_expense_fen, 0), f.as_of, COALESCE(f.source, ''), f.updated_at`

const factsFrom = ` FROM enterprises e LEFT JOIN enterprise_facts f ON f.enterprise_id = e.id`

func scanFacts(sc interface{ Scan(...any) error }) (EnterpriseFacts, error) {
	var x EnterpriseFacts
	var bp int64
	var updated *time.Time
	err := sc.Scan(&x.EnterpriseID, &x.EnterpriseName, &x.InsuredStaff, &x.InsuredMonths, &x.InsurancePaidFen, &bp, &x.RevenueFen,
		&x.RDExpenseFen, &x.AsOf, &x.Source, &updated)
	x.LayoffRate = float64(bp) / 10000
	x.UpdatedAt = updated
	return x, err
}

// GetFacts returns an enterprise's facts, with every rule fact as of today.
func (s *Service) GetFacts(ctx context.Context, p *access.Principal, enterpriseID int64) (EnterpriseFacts, error) {
	q := s.DB.Read()
	var w store.Where
	w.Add("e.id = ?", enterpriseID)
	w.Scope(enterpriseScope(p, "e"))
	where, args := w.SQL()
	x, err := scanFacts(q.QueryRow(ctx, "SELECT "+factsCols+factsFrom+where, args...))
	if err != nil {
		return x, err
	}
	today := s.today()
	subs, err := loadSubjects(ctx, q, nil, []int64{enterpriseID}, today, civil.New(today.Year, 1, 1), today)
	if err != nil {
		return x, err
	}
	if len(subs) == 1 {
		f := subs[0].Facts
		for _, d := range FactDocs {
			if d.Name == "has" {
				for _, k := range []string{"high_tech", "tech_sme", "specialized_sme", "innovative_sme"} {
					x.RuleFacts = append(x.RuleFacts, FactValue{Name: `has("` + k + `")`, Value: strconv.FormatBool(f.quals[k])})
				}
				continue
			}
			x.RuleFacts = append(x.RuleFacts, FactValue{Name: d.Name, Value: formatValue(f.values()[d.Name])})
		}
	}
	return x, nil
}

// FactsFilter selects enterprises for the facts list.
type FactsFilter struct {
	Q       string
	AfterID int64
	Limit   int
}

// ListFacts returns one page of enterprises with their facts, and the total.
func (s *Service) ListFacts(ctx context.Context, p *access.Principal, f FactsFilter) ([]EnterpriseFacts, int, error) {
	var w store.Where
	w.Scope(enterpriseScope(p, "e"))
	if f.Q != "" {
		w.Add("e.name LIKE ? ESCAPE '\\'", store.Like("%", f.Q, "%"))
	}
	where, args := w.SQL()
	var total int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM enterprises e"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	var out []EnterpriseFacts
	err := s.EachFacts(ctx, p, f, func(x EnterpriseFacts) error { out = append(out, x); return nil })
	return out, total, err
}

// EachFacts streams the enterprises matching f with their facts, by id.
func (s *Service) EachFacts(ctx context.Context, p *access.Principal, f FactsFilter, yield func(EnterpriseFacts) error) error {
	var w store.Where
	w.Scope(enterpriseScope(p, "e"))
	if f.Q != "" {
		w.Add("e.name LIKE ? ESCAPE '\\'", store.Like("%", f.Q, "%"))
	}
	if f.AfterID != 0 {
		w.Add("e.id > ?", f.AfterID)
	}
	where, args := w.SQL()
	query := "SELECT " + factsCols + factsFrom + where + " ORDER BY e.id"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scanFacts(rows)
		if err != nil {
			return err
		}
		if err := yield(x); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetFacts stores an enterprise's facts (the office, within its subtree).
func (s *Service) SetFacts(ctx context.Context, p *access.Principal, enterpriseID int64, in FactsInput) (EnterpriseFacts, error) {
	if err := in.Validate(); err != nil {
		return EnterpriseFacts{}, err
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.SetFactsTx(ctx, tx, p, enterpriseID, in) })
	if err != nil {
		return EnterpriseFacts{}, err
	}
	return s.GetFacts(ctx, p, enterpriseID)
}

// SetFactsTx stores an enterprise's facts inside tx.
func (s *Service) SetFactsTx(ctx context.Context, tx *store.Tx, p *access.Principal, enterpriseID int64, in FactsInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var w store.Where
	w.Add("e.id = ?", enterpriseID)
	w.Scope(officeScope(p, "e"))
	where, args := w.SQL()
	before, err := scanFacts(tx.QueryRow(ctx, "SELECT "+factsCols+factsFrom+where, args...))
	if err != nil {
		return err
	}
	if in.AsOf.After(civil.Of(tx.Now)) {
		return errs.Invalidf("as_of", "数据日期不能晚于今天", "as_of must not be in the future")
	}
	if _, err := tx.Exec(ctx, `INSERT INTO enterprise_facts (enterprise_id, insured_staff, insured_months, insurance_paid_fen, layoff_rate_bp,
		revenue_fen, rd_expense_fen, as_of, source, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (enterprise_id) DO UPDATE SET insured_staff = excluded.insured_staff, insured_months = excluded.insured_months,
		insurance_paid_fen = excluded.insurance_paid_fen, layoff_rate_bp = excluded.layoff_rate_bp, revenue_fen = excluded.revenue_fen,
		rd_expense_fen = excluded.rd_expense_fen, as_of = excluded.as_of, source = excluded.source, updated_by = excluded.updated_by,
		updated_at = excluded.updated_at`,
		enterpriseID, in.InsuredStaff, in.InsuredMonths, in.InsurancePaidFen, toBP(in.LayoffRate), in.RevenueFen, in.RDExpenseFen,
		in.AsOf, in.Source, store.Null(p.UserID), tx.Now); err != nil {
		return err
	}
	summary := func(x FactsInput) map[string]any {
		return map[string]any{"insured_staff": x.InsuredStaff, "insured_months": x.InsuredMonths, "insurance_paid_fen": x.InsurancePaidFen,
			"layoff_rate_bp": toBP(x.LayoffRate), "revenue_fen": x.RevenueFen, "rd_expense_fen": x.RDExpenseFen, "as_of": x.AsOf.String()}
	}
	old := FactsInput{InsuredStaff: before.InsuredStaff, InsuredMonths: before.InsuredMonths, InsurancePaidFen: before.InsurancePaidFen,
		LayoffRate: before.LayoffRate, RevenueFen: before.RevenueFen, RDExpenseFen: before.RDExpenseFen, AsOf: before.AsOf}
	return audit.Append(ctx, tx, audit.Entry{Action: "policy.facts.set", Object: "enterprise", ObjectID: enterpriseID,
		Summary: audit.Change(summary(old), summary(in))})
}

// subject is an enterprise with the facts its rules read.
type subject struct {
	ID    int64
	Name  string
	OrgID int64
	Facts Facts
}

// loadSubjects reads the rule facts of the enterprises in sc (or those of
// ids), by id after afterID, at most limit: the registry's figures, the
// stored facts, the qualifications valid on day on and the workers placed
// between from and to.
func loadSubjects(ctx context.Context, q store.Querier, sc *access.Scope, ids []int64, on, from, to civil.Date, page ...int64) ([]subject, error) {
	var w store.Where
	if sc != nil {
		w.Scope(sc)
	}
	if len(ids) > 0 {
		in, args := store.In(ids)
		w.Add("e.id IN ("+in+")", args...)
	}
	limit := ""
	if len(page) == 2 {
		w.Add("e.id > ?", page[0])
		limit = " LIMIT " + strconv.FormatInt(page[1], 10)
	}
	where, args := w.SQL()
	// The street is the ancestor of the enterprise's org node of kind street
	// (or the node itself).
	rows, err := q.Query(ctx, `SELECT e.id, e.name, e.org_id, e.scale, e.above_scale, e.industry_code, o.name,
		COALESCE((SELECT st.name FROM orgs st WHERE st.kind = 'street' AND o.path LIKE (st.path || '%') ORDER BY LENGTH(st.path) DESC LIMIT 1), ''),
		e.employees, e.registered_on, COALESCE(f.insured_staff, 0), COALESCE(f.insured_months, 0), COALESCE(f.insurance_paid_fen, 0),
		COALESCE(f.layoff_rate_bp, 0), COALESCE(f.revenue_fen, 0), COALESCE(f.rd_expense_fen, 0)
		FROM enterprises e JOIN orgs o ON o.id = e.org_id LEFT JOIN enterprise_facts f ON f.enterprise_id = e.id`+where+" ORDER BY e.id"+limit, args...)
	if err != nil {
		return nil, err
	}
	var out []subject
	for rows.Next() {
		var s subject
		var reg civil.Date
		var paid, bp, rev, rd int64
		f := &s.Facts
		if err := rows.Scan(&s.ID, &s.Name, &s.OrgID, &f.Scale, &f.AboveScale, &f.Industry, &f.Org, &f.Street, &f.Employees, &reg,
			&f.InsuredStaff, &f.InsuredMonths, &paid, &bp, &rev, &rd); err != nil {
			rows.Close()
			return nil, err
		}
		if len(f.Industry) >= 2 {
			f.Division = f.Industry[:2]
		}
		f.InsurancePaid, f.LayoffRate, f.Revenue, f.RDExpense = float64(paid)/100, float64(bp)/10000, float64(rev)/100, float64(rd)/100
		if !reg.IsZero() && !reg.After(on) {
			f.Years = on.Year - reg.Year
			if on.Month < reg.Month || (on.Month == reg.Month && on.Day < reg.Day) {
				f.Years--
			}
		}
		out = append(out, s)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	pageIDs := make([]int64, len(out))
	index := map[int64]*subject{}
	for i := range out {
		pageIDs[i] = out[i].ID
		index[out[i].ID] = &out[i]
	}
	quals := map[int64][]string{}
	in, qargs := store.In(pageIDs)
	qrows, err := q.Query(ctx, "SELECT enterprise_id, kind FROM qualifications WHERE valid_from <= ? AND valid_to >= ? AND enterprise_id IN ("+in+")",
		append([]any{on, on}, qargs...)...)
	if err != nil {
		return nil, err
	}
	for qrows.Next() {
		var id int64
		var kind string
		if err := qrows.Scan(&id, &kind); err != nil {
			qrows.Close()
			return nil, err
		}
		quals[id] = append(quals[id], kind)
	}
	if err := qrows.Close(); err != nil {
		return nil, err
	}
	placed, err := labor.PlacedByEnterprise(ctx, q, from, to, pageIDs)
	if err != nil {
		return nil, err
	}
	for id, s := range index {
		s.Facts.withQualifications(quals[id])
		s.Facts.Placements = int(placed[id])
	}
	return out, nil
}
