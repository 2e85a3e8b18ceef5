// Package finance is the zone's bank–enterprise financing desk (政银企对接):
// banks publish loan products, enterprises post financing needs, the
// platform ranks the products that fit a need with its reasons, and each
// need runs the bank pipeline — taken or declined, credit approved or
// denied, disbursed — against a response time limit in working days, with a
// green channel (绿色通道) for urgent needs.
//
// Routing. A need names a preferred bank, and is then routed to that bank
// alone, or none, and is then open to every bank of its zone (the banks
// under the node its enterprise's street hangs from). A bank's decline ends
// a routed need; on an open need it records that bank's "no" and leaves the
// need waiting for the others, until one takes it or every bank of the
// zone has declined (then it ends declined). Whoever takes an open need
// makes it that bank's own: the others lose sight of it and can no longer
// act on it.
//
// Sight. A bank sees the needs routed to it, the open needs still waiting,
// the needs it took, and the open needs it declined that no other bank has
// taken; never another bank's declines. Of the enterprise it sees what a
// credit decision needs (name, credit code, industry, scale, qualifications)
// and the contact person only once it has taken the need — masked, with an
// audited reveal.
package finance

import (
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/pii"
)

// Guarantee is a way a loan is secured (担保方式).
type Guarantee string

// Guarantee types.
const (
	Credit    Guarantee = "credit"    // 信用
	Mortgage  Guarantee = "mortgage"  // 抵押
	Guaranty  Guarantee = "guarantee" // 保证（担保公司或第三方）
	Pledge    Guarantee = "pledge"    // 质押
	maxAmount           = 100 * money.Yi
)

// Guarantees lists every guarantee type.
var Guarantees = []Guarantee{Credit, Mortgage, Guaranty, Pledge}

// Valid reports whether g is a known guarantee type.
func (g Guarantee) Valid() bool { return slices.Contains(Guarantees, g) }

// Label is the guarantee type's name.
func (g Guarantee) Label() i18n.Text {
	switch g {
	case Credit:
		return i18n.T("信用", "Unsecured (credit)")
	case Mortgage:
		return i18n.T("抵押", "Mortgage")
	case Guaranty:
		return i18n.T("保证担保", "Guarantee")
	case Pledge:
		return i18n.T("质押", "Pledge")
	}
	return i18n.T(string(g), string(g))
}

// Product is one loan product of a bank.
type Product struct {
	ID            int64                          `json:"id,string"`
	BankOrgID     int64                          `json:"bank_org_id,string"`
	BankName      string                         `json:"bank_name"`
	Name          string                         `json:"name"`
	MinFen        int64                          `json:"min_fen"`
	MaxFen        int64                          `json:"max_fen"`
	RateMin       float64                        `json:"rate_min" doc:"lowest annual rate, in percent (3.45 = 3.45 %)"`
	RateMax       float64                        `json:"rate_max" doc:"highest annual rate, in percent"`
	TermMonthsMax int                            `json:"term_months_max"`
	Guarantee     []Guarantee                    `json:"guarantee" doc:"guarantee types accepted: credit, mortgage, guarantee, pledge"`
	Requires      []enterprise.QualificationKind `json:"requires" doc:"qualifications the enterprise must hold, valid today"`
	Description   string                         `json:"description"`
	Active        bool                           `json:"active"`
	CreatedAt     time.Time                      `json:"created_at"`
	UpdatedAt     time.Time                      `json:"updated_at"`
}

// Accepts reports whether the product takes guarantee type g.
func (p *Product) Accepts(g Guarantee) bool { return slices.Contains(p.Guarantee, g) }

// ProductInput is the body of creating or changing a product.
type ProductInput struct {
	BankOrgID     int64                          `json:"bank_org_id,string,omitempty" doc:"the bank; defaults to the caller's bank"`
	Name          string                         `json:"name"`
	MinFen        int64                          `json:"min_fen"`
	MaxFen        int64                          `json:"max_fen"`
	RateMin       float64                        `json:"rate_min"`
	RateMax       float64                        `json:"rate_max"`
	TermMonthsMax int                            `json:"term_months_max"`
	Guarantee     []Guarantee                    `json:"guarantee"`
	Requires      []enterprise.QualificationKind `json:"requires"`
	Description   string                         `json:"description"`
	Active        *bool                          `json:"active,omitempty" doc:"default true"`
}

// rateBP turns a rate in percent into basis points; more than two decimals
// is refused rather than rounded, since a bank's rate is quoted exactly.
func rateBP(field string, pct float64) (int, error) {
	bp := math.Round(pct * 100)
	if math.IsNaN(pct) || pct <= 0 || pct > 36 {
		return 0, errs.Invalidf(field, "%s 应为大于0且不超过36的年利率（百分数）", "%s must be an annual rate in percent, above 0 and at most 36", field)
	}
	if math.Abs(pct*100-bp) > 1e-6 {
		return 0, errs.Invalidf(field, "%s 最多保留两位小数", "%s takes at most two decimals", field)
	}
	return int(bp), nil
}

func tooLong(field, s string, n int) error {
	if utf8.RuneCountInString(s) > n {
		return errs.Invalidf(field, "%s 不能超过%d字", "%s must be at most %d characters", field, n)
	}
	return nil
}

// Validate normalises and checks what needs no database; it returns the
// rates in basis points.
func (in *ProductInput) Validate() (minBP, maxBP int, err error) {
	in.Name = strings.TrimSpace(in.Name)
	in.Description = strings.TrimSpace(in.Description)
	switch {
	case in.Name == "":
		return 0, 0, errs.Invalidf("name", "请填写产品名称", "name is required")
	case tooLong("name", in.Name, 60) != nil:
		return 0, 0, tooLong("name", in.Name, 60)
	case tooLong("description", in.Description, 2000) != nil:
		return 0, 0, tooLong("description", in.Description, 2000)
	case in.MinFen <= 0 || in.MinFen > maxAmount:
		return 0, 0, errs.Invalidf("min_fen", "最低额度应大于0且不超过100亿元", "min_fen must be above 0 and at most 10 billion yuan")
	case in.MaxFen < in.MinFen || in.MaxFen > maxAmount:
		return 0, 0, errs.Invalidf("max_fen", "最高额度不能低于最低额度，且不超过100亿元", "max_fen must be at least min_fen and at most 10 billion yuan")
	case in.TermMonthsMax < 1 || in.TermMonthsMax > 360:
		return 0, 0, errs.Invalidf("term_months_max", "最长期限应在1到360个月之间", "term_months_max must be from 1 to 360 months")
	}
	if minBP, err = rateBP("rate_min", in.RateMin); err != nil {
		return
	}
	if maxBP, err = rateBP("rate_max", in.RateMax); err != nil {
		return
	}
	if maxBP < minBP {
		return 0, 0, errs.Invalidf("rate_max", "最高利率不能低于最低利率", "rate_max must be at least rate_min")
	}
	if len(in.Guarantee) == 0 {
		return 0, 0, errs.Invalidf("guarantee", "请至少选择一种担保方式", "Choose at least one guarantee type")
	}
	in.Guarantee = dedupe(in.Guarantee)
	for _, g := range in.Guarantee {
		if !g.Valid() {
			return 0, 0, errs.Invalidf("guarantee", "担保方式应为 credit、mortgage、guarantee 或 pledge", "guarantee must be credit, mortgage, guarantee or pledge")
		}
	}
	in.Requires = dedupe(in.Requires)
	for _, k := range in.Requires {
		if !k.Valid() {
			return 0, 0, errs.Invalidf("requires", "资质要求应为 high_tech、tech_sme、specialized_sme 或 innovative_sme", "requires must list high_tech, tech_sme, specialized_sme or innovative_sme")
		}
	}
	return minBP, maxBP, nil
}

func dedupe[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func joinCodes[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

func splitCodes[T ~string](s string) []T {
	out := []T{}
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, T(x))
		}
	}
	return out
}

// NeedInput is the body of posting a financing need.
type NeedInput struct {
	EnterpriseID int64      `json:"enterprise_id,string,omitempty" doc:"required for the service office; an enterprise user posts for its own"`
	AmountFen    int64      `json:"amount_fen"`
	TermMonths   int        `json:"term_months"`
	Purpose      string     `json:"purpose"`
	Guarantee    Guarantee  `json:"guarantee"`
	BankOrgID    int64      `json:"bank_org_id,string,omitempty" doc:"preferred bank: the need goes to it alone; none: open to every bank"`
	GreenChannel bool       `json:"green_channel" doc:"urgent (绿色通道): the shorter response limit applies"`
	PostedOn     civil.Date `json:"posted_on,omitempty" doc:"back-entry of a paper record; default today, never in the future"`
	ContactName  string     `json:"contact_name,omitempty" doc:"default: the enterprise's contact"`
	ContactPhone string     `json:"contact_phone,omitempty"`
}

// Validate normalises and checks what needs no database.
func (in *NeedInput) Validate() error {
	in.Purpose = strings.TrimSpace(in.Purpose)
	in.ContactName = strings.TrimSpace(in.ContactName)
	in.ContactPhone = pii.Normalize(pii.Phone, in.ContactPhone)
	switch {
	case in.AmountFen <= 0 || in.AmountFen > maxAmount:
		return errs.Invalidf("amount_fen", "融资金额应大于0且不超过100亿元（单位：分）", "amount_fen must be above 0 and at most 10 billion yuan (in fen)")
	case in.TermMonths < 1 || in.TermMonths > 360:
		return errs.Invalidf("term_months", "期限应在1到360个月之间", "term_months must be from 1 to 360")
	case in.Purpose == "":
		return errs.Invalidf("purpose", "请填写资金用途", "purpose is required")
	case tooLong("purpose", in.Purpose, 500) != nil:
		return tooLong("purpose", in.Purpose, 500)
	case !in.Guarantee.Valid():
		return errs.Invalidf("guarantee", "担保方式应为 credit、mortgage、guarantee 或 pledge", "guarantee must be credit, mortgage, guarantee or pledge")
	case tooLong("contact_name", in.ContactName, 50) != nil:
		return tooLong("contact_name", in.ContactName, 50)
	case in.ContactPhone != "" && pii.ValidPhone(in.ContactPhone) != nil:
		return errs.Invalidf("contact_phone", "联系电话格式不正确", "The contact phone is not valid")
	}
	return nil
}
