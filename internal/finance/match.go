package finance

import (
	"context"
	"slices"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/store"
)

// Reason is one criterion of a match, met or not.
type Reason struct {
	Code string `json:"code" doc:"amount, term, guarantee, qualification, bank"`
	OK   bool   `json:"ok"`
	Text string `json:"text"`
}

// Match is a product ranked for a need.
type Match struct {
	Product     Product  `json:"product"`
	Eligible    bool     `json:"eligible" doc:"every criterion met"`
	Score       int      `json:"score" doc:"0–100: amount 30, term 20, guarantee 20, qualifications 15 (+5 for a product aimed at a qualification the enterprise holds), bank 10 (5 for a need open to all), lower rate up to 5 (eligible products only)"`
	Recommended bool     `json:"recommended" doc:"the service office recommended it"`
	Reasons     []Reason `json:"reasons"`
}

// firstFailure returns the index of the first criterion not met.
func (m *Match) firstFailure() int {
	for i, r := range m.Reasons {
		if !r.OK {
			return i
		}
	}
	return -1
}

// Matches ranks the active products of the need's zone for a need in p's
// scope: eligible first, then by score, then by lower rate.
func (s *Service) Matches(ctx context.Context, p *access.Principal, id int64, lang i18n.Lang) ([]Match, error) {
	q := s.DB.Read()
	n, err := s.get(ctx, q, p, id)
	if err != nil {
		return nil, err
	}
	return s.matches(ctx, q, &n, lang)
}

func (s *Service) matches(ctx context.Context, q store.Querier, n *Need, lang i18n.Lang) ([]Match, error) {
	held, err := qualificationsOn(ctx, q, n.EnterpriseID, s.today())
	if err != nil {
		return nil, err
	}
	var needPath string
	if err := q.QueryRow(ctx, "SELECT path FROM orgs WHERE id = ?", n.OrgID).Scan(&needPath); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, "SELECT "+productCols+", b.path"+productFrom+" WHERE p.active = TRUE ORDER BY p.id")
	if err != nil {
		return nil, err
	}
	var out []Match
	for rows.Next() {
		var pr Product
		var bankPath string
		var minBP, maxBP int
		var g, req string
		if err := rows.Scan(&pr.ID, &pr.BankOrgID, &pr.BankName, &pr.Name, &pr.MinFen, &pr.MaxFen, &minBP, &maxBP, &pr.TermMonthsMax,
			&g, &req, &pr.Description, &pr.Active, &pr.CreatedAt, &pr.UpdatedAt, &bankPath); err != nil {
			rows.Close()
			return nil, err
		}
		// Only the banks serving the need's zone.
		if !strings.HasPrefix(needPath, parentPath(bankPath)) {
			continue
		}
		pr.RateMin, pr.RateMax = float64(minBP)/100, float64(maxBP)/100
		pr.Guarantee, pr.Requires = splitCodes[Guarantee](g), splitCodes[enterprise.QualificationKind](req)
		out = append(out, match(n, pr, minBP, held, lang))
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Match) int {
		switch {
		case a.Eligible != b.Eligible:
			if a.Eligible {
				return -1
			}
			return 1
		case a.Score != b.Score:
			return b.Score - a.Score
		case a.Product.RateMin != b.Product.RateMin:
			if a.Product.RateMin < b.Product.RateMin {
				return -1
			}
			return 1
		}
		return int(a.Product.ID - b.Product.ID)
	})
	return out, nil
}

// match weighs one product against a need.
func match(n *Need, pr Product, rateMinBP int, held []enterprise.QualificationKind, l i18n.Lang) Match {
	m := Match{Product: pr, Eligible: true, Recommended: pr.ID == n.RecommendedProductID}
	fm := money.Format
	if l == i18n.EN {
		fm = money.FormatEn
	}
	add := func(code string, ok bool, points int, t i18n.Text) {
		m.Reasons = append(m.Reasons, Reason{Code: code, OK: ok, Text: t.In(l)})
		if ok {
			m.Score += points
		} else {
			m.Eligible = false
		}
	}
	switch {
	case n.AmountFen < pr.MinFen:
		add("amount", false, 0, i18n.F("需求金额%s低于产品最低额度%s", "The amount asked, %s, is below the product's minimum of %s", fm(n.AmountFen), fm(pr.MinFen)))
	case n.AmountFen > pr.MaxFen:
		add("amount", false, 0, i18n.F("需求金额%s超过产品最高额度%s", "The amount asked, %s, is above the product's maximum of %s", fm(n.AmountFen), fm(pr.MaxFen)))
	default:
		add("amount", true, 30, i18n.F("需求金额%s在额度%s–%s之内", "The amount asked, %s, is within %s–%s", fm(n.AmountFen), fm(pr.MinFen), fm(pr.MaxFen)))
	}
	if n.TermMonths <= pr.TermMonthsMax {
		add("term", true, 20, i18n.F("期限%d个月不超过产品最长%d个月", "A term of %d months is within the product's %d", n.TermMonths, pr.TermMonthsMax))
	} else {
		add("term", false, 0, i18n.F("期限%d个月超过产品最长%d个月", "A term of %d months exceeds the product's %d", n.TermMonths, pr.TermMonthsMax))
	}
	if pr.Accepts(n.Guarantee) {
		add("guarantee", true, 20, i18n.F("接受%s方式", "Takes %s", n.Guarantee.Label()))
	} else {
		add("guarantee", false, 0, i18n.F("不接受%s方式", "Does not take %s", n.Guarantee.Label()))
	}
	if len(pr.Requires) == 0 {
		add("qualification", true, 15, i18n.T("无资质要求", "No qualification required"))
	}
	for i, k := range pr.Requires {
		points := 0
		if i == 0 {
			// A product aimed at a qualification the firm holds (科技贷,
			// 专精特新贷) usually comes with risk compensation and a lower
			// rate: it ranks above a general product.
			points = 20
		}
		if slices.Contains(held, k) {
			add("qualification", true, points, i18n.F("企业持有有效的%s资质", "The enterprise holds a valid %s qualification", k.Label()))
		} else {
			add("qualification", false, 0, i18n.F("需要%s资质，企业当前未持有", "Requires the %s qualification, which the enterprise does not hold now", k.Label()))
		}
	}
	switch {
	case n.Open():
		add("bank", true, 5, i18n.T("需求面向所有银行", "The need is open to every bank"))
	case n.BankOrgID == pr.BankOrgID:
		add("bank", true, 10, i18n.F("企业首选%s", "The enterprise prefers %s", pr.BankName))
	default:
		add("bank", false, 0, i18n.F("需求已指定推送给%s", "The need is routed to %s only", n.BankName))
	}
	if m.Eligible {
		// Up to five points for a low rate: 3.00 % or less scores 5, one
		// point less for each 0.40 % above.
		m.Score += max(0, min(5, 5-(rateMinBP-300+39)/40))
	}
	return m
}
