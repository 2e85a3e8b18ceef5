package policy

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/labor"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// The module's rollup metrics, each on the business date of its step and
// the org node of the enterprise when the application was made.
const (
	// MetricApplications counts applications as they enter the pipeline: a
	// 依申请 one on its (first) submission date, a 免申即享 one on the day
	// the enterprise confirms it (an unconfirmed candidate is the
	// platform's list, not an application). Dim = mode.
	MetricApplications = "policy.applications"
	MetricApprovedFen  = "policy.approved_fen" // approved amounts; dim = category
	MetricPaidFen      = "policy.paid_fen"     // paid amounts; dim = category
	MetricPaid         = "policy.paid"         // payments; dim = category
)

// Summary fills the "policy" keys of the period summary and the labour
// section's subsidy figure. paid_enterprises counts distinct enterprises
// paid in the period: distinct counts do not add up across days, so it is
// an index-only range scan over the applications' payment dates
// (policy_applications_paid) rather than a rollup.
func Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	sc := rollup.ScopeOf(p)
	sums, err := rollup.Sum(ctx, q, sc, from, to, MetricApplications, MetricApprovedFen, MetricPaidFen, MetricPaid)
	if err != nil {
		return err
	}
	paidBy, err := rollup.SumByDim(ctx, q, sc, from, to, MetricPaidFen)
	if err != nil {
		return err
	}
	byMode, err := rollup.SumByDim(ctx, q, sc, from, to, MetricApplications)
	if err != nil {
		return err
	}
	var w store.Where
	w.Add("paid_on >= ? AND paid_on <= ?", from, to)
	if sc.Path != "" && sc.Path != "/" {
		w.Add("org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", sc.Path+"%")
	}
	where, args := w.SQL()
	var firms int64
	if err := q.QueryRow(ctx, "SELECT COUNT(DISTINCT enterprise_id) FROM policy_applications"+where, args...).Scan(&firms); err != nil {
		return err
	}
	m := labor.Section(into, "policy")
	m["applications"] = sums[MetricApplications]
	m["applications_by_mode"] = map[string]int64{string(Apply): byMode[string(Apply)], string(Auto): byMode[string(Auto)]}
	m["paid_enterprises"] = firms
	m["paid_fen"] = sums[MetricPaidFen]
	m["payments"] = sums[MetricPaid]
	m["approved_fen"] = sums[MetricApprovedFen]
	labor.Section(into, "labor")["subsidy_paid_fen"] = paidBy[string(LaborSubsidy)]
	return nil
}

// Rebuild recomputes the module's rollups from the applications, inside tx.
func Rebuild(ctx context.Context, tx *store.Tx) error {
	type row struct {
		day   civil.Date
		org   int64
		dim   string
		count int64
		fen   int64
	}
	collect := func(query string) ([]row, error) {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.day, &r.org, &r.dim, &r.count, &r.fen); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	steps := []struct {
		query      string
		count, fen string
	}{
		{query: `SELECT submitted_on, org_id, mode, COUNT(*), 0 FROM policy_applications WHERE mode = 'apply' AND submitted_on IS NOT NULL
			GROUP BY submitted_on, org_id, mode`, count: MetricApplications},
		{query: `SELECT confirmed_on, org_id, mode, COUNT(*), 0 FROM policy_applications WHERE mode = 'auto' AND confirmed_on IS NOT NULL
			GROUP BY confirmed_on, org_id, mode`, count: MetricApplications},
		{query: `SELECT a.approved_on, a.org_id, p.category, COUNT(*), SUM(a.approved_fen) FROM policy_applications a JOIN policies p ON p.id = a.policy_id
			WHERE a.approved_on IS NOT NULL GROUP BY a.approved_on, a.org_id, p.category`, fen: MetricApprovedFen},
		{query: `SELECT a.paid_on, a.org_id, p.category, COUNT(*), SUM(a.approved_fen) FROM policy_applications a JOIN policies p ON p.id = a.policy_id
			WHERE a.paid_on IS NOT NULL GROUP BY a.paid_on, a.org_id, p.category`, count: MetricPaid, fen: MetricPaidFen},
	}
	for _, st := range steps {
		rows, err := collect(st.query)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if st.count != "" {
				if err := rollup.Add(ctx, tx, st.count, r.day, r.org, r.dim, r.count); err != nil {
					return err
				}
			}
			if st.fen != "" {
				if err := rollup.Add(ctx, tx, st.fen, r.day, r.org, r.dim, r.fen); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// pendingStates are the states in which an application waits for the office.
var pendingStates = []string{Submitted, Confirmed, Accepted, Reviewed, Publicized, Approved}

// home returns the policy figures a principal sees first: for an
// enterprise the policies it may be eligible for (政策找企业) and the
// candidates waiting for its confirmation; for the office its queue.
func (s *Service) home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	var cards []platform.Card
	q := s.DB.Read()
	if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
		if list, err := s.Eligible(ctx, p, p.EnterpriseID); err == nil {
			var fen int64
			for _, e := range list {
				fen += e.Evaluation.AmountFen
			}
			unit := ""
			if fen > 0 {
				unit = i18n.F("项 · 约%s", "· about %s", fmtMoney(fen)).In(lang)
			}
			cards = append(cards, platform.Card{Label: i18n.T("您可能符合条件的政策", "Policies you may be eligible for").In(lang),
				Value: fmt.Sprint(len(list)), Unit: unit, Href: "/policies/eligible", Tone: "green"})
		}
		var n int
		if q.QueryRow(ctx, "SELECT COUNT(*) FROM policy_applications WHERE enterprise_id = ? AND state = ?", p.EnterpriseID, Candidate).Scan(&n) == nil && n > 0 {
			cards = append(cards, platform.Card{Label: i18n.T("免申即享待确认", "Subsidies waiting for your confirmation").In(lang),
				Value: fmt.Sprint(n), Href: "/policy-applications?state=candidate", Tone: "yellow"})
		}
	}
	if p.Has(access.ServiceOffice, access.Leader) {
		var w store.Where
		w.Scope(enterpriseScope(p, "e"))
		in, args := store.In(pendingStates)
		w.Add("a.state IN ("+in+")", args...)
		where, wargs := w.SQL()
		var n int
		var fen int64
		if q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(a.amount_fen), 0) FROM policy_applications a JOIN enterprises e ON e.id = a.enterprise_id"+where,
			wargs...).Scan(&n, &fen) == nil {
			cards = append(cards, platform.Card{Label: i18n.T("政策兑现在办", "Policy claims in progress").In(lang), Value: fmt.Sprint(n),
				Unit: fmtMoney(fen).In(lang), Href: "/policy-applications?pending=true"})
		}
	}
	return cards
}

// warnings are the applications whose publicity has ended and that wait
// for approval, for the leader.
func (s *Service) warnings(ctx context.Context, p *access.Principal, lang i18n.Lang) ([]platform.Card, error) {
	var w store.Where
	w.Scope(enterpriseScope(p, "e"))
	w.Add("a.state = ? AND a.publicity_ends_on < ?", Publicized, s.today())
	where, args := w.SQL()
	var n int
	var fen int64
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(a.amount_fen), 0) FROM policy_applications a JOIN enterprises e ON e.id = a.enterprise_id"+where,
		args...).Scan(&n, &fen); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	return []platform.Card{{Label: i18n.T("公示期满待核准", "Publicity over, awaiting approval").In(lang), Value: fmt.Sprint(n),
		Unit: fmtMoney(fen).In(lang), Href: "/policy-applications?state=publicized", Tone: "yellow"}}, nil
}

// facts is the policy section of an enterprise's page.
func (s *Service) facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	var w store.Where
	w.Add("e.id = ?", enterpriseID)
	w.Scope(enterpriseScope(p, "e"))
	where, args := w.SQL()
	in, sargs := store.In(pendingStates)
	var paid, paidN, pending int64
	err := s.DB.Read().QueryRow(ctx, `SELECT
		(SELECT COALESCE(SUM(a.approved_fen), 0) FROM policy_applications a WHERE a.enterprise_id = e.id AND a.state = ?),
		(SELECT COUNT(*) FROM policy_applications a WHERE a.enterprise_id = e.id AND a.state = ?),
		(SELECT COUNT(*) FROM policy_applications a WHERE a.enterprise_id = e.id AND a.state IN (`+in+`))
		FROM enterprises e`+where, append(append([]any{Paid, Paid}, sargs...), args...)...).Scan(&paid, &paidN, &pending)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprint(enterpriseID)
	return &platform.Facts{Title: i18n.T("惠企政策兑现", "Policy funds").In(lang), Href: "/policy-applications?enterprise_id=" + id,
		Rows: []platform.Fact{
			{Label: i18n.T("已兑付", "Paid").In(lang), Value: i18n.F("%d笔，%s", "%d, %s", paidN, i18n.T(money.Format(paid), money.FormatEn(paid))).In(lang)},
			{Label: i18n.T("在办申请", "In progress").In(lang), Value: fmt.Sprint(pending), Href: "/policy-applications?pending=true&enterprise_id=" + id},
			{Label: i18n.T("企业数据（政策规则用）", "Facts for policy rules").In(lang), Value: i18n.T("查看", "View").In(lang), Href: "/policy-facts/" + id},
		}}, nil
}
