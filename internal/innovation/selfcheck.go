package innovation

import (
	"fmt"
	"slices"

	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
)

// This file holds the qualification self-checks as pure functions: the
// figures an enterprise enters go in, the verdict and what is missing come
// out. The rules are those of domain.md §7.1 (高新技术企业认定管理办法,
// 国科发火〔2016〕32号) and §7.2 (科技型中小企业评价办法, 国科发政〔2017〕115号).
// Shares are compared in whole numbers (a*100 >= t*b), never in floating
// point, so that a figure exactly on a threshold meets it.

// Advisory is the banner every self-check result carries.
var Advisory = i18n.T("自测结果仅供参考，不构成认定或入库结论；以科技主管部门的评审和公示为准。",
	"This self-check is advisory only: it is not a recognition. The science and technology authorities' review and publication decide.")

// TechField is one of the eight fields of 《国家重点支持的高新技术领域》.
type TechField string

// The eight fields.
const (
	FieldElectronics   TechField = "electronic_information"
	FieldBiomedicine   TechField = "biomedicine"
	FieldAerospace     TechField = "aerospace"
	FieldMaterials     TechField = "new_materials"
	FieldServices      TechField = "high_tech_services"
	FieldEnergy        TechField = "new_energy"
	FieldEnvironment   TechField = "resources_environment"
	FieldManufacturing TechField = "advanced_manufacturing"
)

// TechFields lists the eight fields in the order of the catalogue.
var TechFields = []TechField{FieldElectronics, FieldBiomedicine, FieldAerospace, FieldMaterials,
	FieldServices, FieldEnergy, FieldEnvironment, FieldManufacturing}

// Label is the field's name.
func (f TechField) Label() i18n.Text {
	switch f {
	case FieldElectronics:
		return i18n.T("电子信息", "Electronic information")
	case FieldBiomedicine:
		return i18n.T("生物与新医药", "Biology and new medicine")
	case FieldAerospace:
		return i18n.T("航空航天", "Aerospace")
	case FieldMaterials:
		return i18n.T("新材料", "New materials")
	case FieldServices:
		return i18n.T("高技术服务", "High-tech services")
	case FieldEnergy:
		return i18n.T("新能源与节能", "New energy and energy saving")
	case FieldEnvironment:
		return i18n.T("资源与环境", "Resources and environment")
	case FieldManufacturing:
		return i18n.T("先进制造与自动化", "Advanced manufacturing and automation")
	case "":
		return i18n.T("不属于上述领域", "None of these fields")
	}
	return i18n.T(string(f), string(f))
}

// Valid reports whether f is one of the fields, or "" (none).
func (f TechField) Valid() bool { return f == "" || slices.Contains(TechFields, f) }

// Money thresholds of the two checks.
const (
	salesBand1 = 5_000 * money.Wan // 高企: last-year sales up to 5000万 need 5 % R&D
	salesBand2 = 2 * money.Yi      // up to 2亿 need 4 %, above that 3 %
	smeCap     = 2 * money.Yi      // 科技型中小企业: sales and assets at most 2亿
	smeStaff   = 500               // and at most 500 staff
	maxCount   = 1_000_000
)

// HighTechFigures are what an enterprise enters for the 高新技术企业 check.
type HighTechFigures struct {
	EnterpriseID      int64      `json:"enterprise_id,string,omitempty" doc:"the enterprise checked; an enterprise user's own by default"`
	AsOf              civil.Date `json:"as_of,omitempty" doc:"the day of the check; today by default"`
	RegisteredOn      civil.Date `json:"registered_on,omitempty" doc:"成立日期; from the registry when omitted"`
	IPClass1          int        `json:"ip_class1" doc:"Ⅰ类知识产权 (invention patents, plant varieties, IC layouts …)"`
	IPClass2          int        `json:"ip_class2" doc:"Ⅱ类知识产权 (utility models, designs, software copyrights …)"`
	Field             TechField  `json:"field" doc:"技术领域; empty when none of the eight"`
	Staff             int        `json:"staff" doc:"职工总数 of the year"`
	TechStaff         int        `json:"tech_staff" doc:"科技人员数"`
	Sales3yFen        int64      `json:"sales_3y_fen" doc:"销售收入, last three fiscal years together"`
	SalesLastYearFen  int64      `json:"sales_last_year_fen" doc:"销售收入 of the last fiscal year (sets the R&D band)"`
	RD3yFen           int64      `json:"rd_3y_fen" doc:"研发费用, last three fiscal years together"`
	RDDomesticPct     float64    `json:"rd_domestic_pct" doc:"share of R&D spent in China, 0–100"`
	HighTechIncomeFen int64      `json:"high_tech_income_fen" doc:"高新技术产品（服务）收入 of the last year"`
	TotalIncomeFen    int64      `json:"total_income_fen" doc:"总收入 of the last year"`
	InnovationScore   int        `json:"innovation_score" doc:"创新能力评价 score, 0–100"`
	MajorViolation    bool       `json:"major_violation" doc:"a major safety or quality accident or serious environmental violation in the year before"`
	Save              bool       `json:"save,omitempty" doc:"keep the result on the enterprise's record"`
}

// maxFen bounds every amount (10万亿元), so that shares computed in whole
// numbers cannot overflow.
const maxFen = 1_000_000_000_000_000

func moneyField(field string, v int64, zh, en string) error {
	if v < 0 {
		return errs.Invalidf(field, "%s不能为负数", "%s must not be negative", i18n.T(zh, en))
	}
	if v > maxFen {
		return errs.Invalidf(field, "%s超出合理范围", "%s is beyond any plausible amount", i18n.T(zh, en))
	}
	return nil
}

func countField(field string, v int, zh, en string) error {
	if v < 0 || v > maxCount {
		return errs.Invalidf(field, "%s应在0到%d之间", "%s must be between 0 and %d", i18n.T(zh, en), maxCount)
	}
	return nil
}

// validStaff checks the head counts: at least one employee, tech staff
// among them.
func validStaff(staff, tech int) error {
	if staff < 1 || staff > maxCount {
		return errs.Invalidf("staff", "职工总数应在1到%d之间", "staff must be between 1 and %d", maxCount)
	}
	if err := countField("tech_staff", tech, "科技人员数", "tech_staff"); err != nil {
		return err
	}
	if tech > staff {
		return errs.Invalidf("tech_staff", "科技人员数（%d）不能超过职工总数（%d）", "tech_staff (%d) cannot exceed staff (%d)", tech, staff)
	}
	return nil
}

// Validate rejects figures that cannot be true. The day of the check and the
// registration date must have been filled in before.
func (f *HighTechFigures) Validate() error {
	if f.RegisteredOn.IsZero() {
		return errs.Invalidf("registered_on", "请填写企业成立日期", "registered_on is required")
	}
	if f.RegisteredOn.After(f.AsOf) {
		return errs.Invalidf("registered_on", "成立日期 %s 晚于自测日期 %s", "registered_on %s is after the day of the check %s", f.RegisteredOn, f.AsOf)
	}
	if err := countField("ip_class1", f.IPClass1, "Ⅰ类知识产权数", "ip_class1"); err != nil {
		return err
	}
	if err := countField("ip_class2", f.IPClass2, "Ⅱ类知识产权数", "ip_class2"); err != nil {
		return err
	}
	if !f.Field.Valid() {
		return errs.Invalidf("field", "技术领域无效：%s", "Unknown field: %s", f.Field)
	}
	if err := validStaff(f.Staff, f.TechStaff); err != nil {
		return err
	}
	for _, c := range []struct {
		field  string
		v      int64
		zh, en string
	}{
		{"sales_3y_fen", f.Sales3yFen, "近三年销售收入", "sales_3y_fen"},
		{"sales_last_year_fen", f.SalesLastYearFen, "最近一年销售收入", "sales_last_year_fen"},
		{"rd_3y_fen", f.RD3yFen, "近三年研发费用", "rd_3y_fen"},
		{"high_tech_income_fen", f.HighTechIncomeFen, "高新技术产品（服务）收入", "high_tech_income_fen"},
		{"total_income_fen", f.TotalIncomeFen, "总收入", "total_income_fen"},
	} {
		if err := moneyField(c.field, c.v, c.zh, c.en); err != nil {
			return err
		}
	}
	if f.SalesLastYearFen > f.Sales3yFen {
		return errs.Invalidf("sales_last_year_fen", "最近一年销售收入不能超过近三年销售收入合计", "sales_last_year_fen cannot exceed the three years' sales_3y_fen")
	}
	if f.SalesLastYearFen > f.TotalIncomeFen {
		return errs.Invalidf("sales_last_year_fen", "最近一年销售收入是总收入的一部分，不能超过总收入", "sales_last_year_fen is part of total_income_fen and cannot exceed it")
	}
	if f.HighTechIncomeFen > f.TotalIncomeFen {
		return errs.Invalidf("high_tech_income_fen", "高新技术产品（服务）收入不能超过总收入", "high_tech_income_fen cannot exceed total_income_fen")
	}
	if !(f.RDDomesticPct >= 0 && f.RDDomesticPct <= 100) {
		return errs.Invalidf("rd_domestic_pct", "境内研发费用占比应在0到100之间", "rd_domestic_pct must be between 0 and 100")
	}
	if f.InnovationScore < 0 || f.InnovationScore > 100 {
		return errs.Invalidf("innovation_score", "创新能力评价得分应在0到100之间", "innovation_score must be between 0 and 100")
	}
	return nil
}

// Check is one condition of a qualification and how the figures fare.
type Check struct {
	Code     string
	Label    i18n.Text
	Met      bool
	Value    i18n.Text // what the figures give
	Required i18n.Text // what the rule asks
	Gap      i18n.Text // what is missing, when not met
}

// HighTechResult is the verdict of the 高新技术企业 check.
type HighTechResult struct {
	Eligible bool
	Checks   []Check
}

// Missing returns the checks not met.
func (r HighTechResult) Missing() []Check { return missing(r.Checks) }

func missing(cs []Check) []Check {
	var out []Check
	for _, c := range cs {
		if !c.Met {
			out = append(out, c)
		}
	}
	return out
}

// share writes a/b as a percentage with one decimal, rounded down so that a
// share just under a threshold never shows as the threshold.
func share(a, b int64) i18n.Text {
	if b <= 0 {
		return i18n.T("—（分母为零）", "— (nothing to divide by)")
	}
	pm := a * 1000 / b
	s := fmt.Sprintf("%d.%d%%", pm/10, pm%10)
	return i18n.T(s, s)
}

// atLeast reports whether a/b >= pct/100, in whole numbers.
func atLeast(a, b, pct int64) bool { return a*100 >= pct*b }

// need is the smallest a with a/b >= pct/100: ceil(pct*b/100).
func need(b, pct int64) int64 { return (pct*b + 99) / 100 }

func amount(fen int64) i18n.Text { return i18n.T(money.Format(fen), money.FormatEn(fen)) }

// rdThreshold is the 高企 R&D share, in percent, for last year's sales.
func rdThreshold(salesLastYear int64) int64 {
	switch {
	case salesLastYear <= salesBand1:
		return 5
	case salesLastYear <= salesBand2:
		return 4
	}
	return 3
}

// HighTech checks the eight conditions of 高新技术企业 recognition (§7.1).
func HighTech(f HighTechFigures) HighTechResult {
	var cs []Check

	eligibleOn := f.RegisteredOn.AddMonths(12)
	months := (f.AsOf.Year-f.RegisteredOn.Year)*12 + int(f.AsOf.Month-f.RegisteredOn.Month)
	if f.AsOf.Day < f.RegisteredOn.Day {
		months--
	}
	c := Check{Code: "registered", Label: i18n.T("注册成立满一年", "Registered for at least a year"),
		Met:      !f.AsOf.Before(eligibleOn),
		Value:    i18n.F("成立于 %s（满 %d 个月）", "registered on %s (%d full months)", f.RegisteredOn, months),
		Required: i18n.T("≥ 12 个月", "≥ 12 months")}
	if !c.Met {
		c.Gap = i18n.F("%s 起方可申请", "may apply from %s", eligibleOn)
	}
	cs = append(cs, c)

	c = Check{Code: "core_ip", Label: i18n.T("拥有核心自主知识产权", "Owns core intellectual property"),
		Met:      f.IPClass1+f.IPClass2 >= 1,
		Value:    i18n.F("Ⅰ类 %d 件，Ⅱ类 %d 件", "class I: %d, class II: %d", f.IPClass1, f.IPClass2),
		Required: i18n.T("至少1件对主要产品（服务）起核心支持作用", "at least one that supports the main products")}
	if !c.Met {
		c.Gap = i18n.T("需取得至少1件知识产权（如发明专利、实用新型、软件著作权）", "needs at least one piece of IP (an invention patent, utility model or software copyright)")
	}
	cs = append(cs, c)

	c = Check{Code: "field", Label: i18n.T("属于国家重点支持的高新技术领域", "In a field the state supports"),
		Met: f.Field != "", Value: f.Field.Label(), Required: i18n.T("八大领域之一", "one of the eight fields")}
	if !c.Met {
		c.Gap = i18n.T("主要产品（服务）的核心技术须属于《国家重点支持的高新技术领域》", "the core technology of the main products must be in the catalogue of supported fields")
	}
	cs = append(cs, c)

	staff, tech := int64(f.Staff), int64(f.TechStaff)
	c = Check{Code: "tech_staff", Label: i18n.T("科技人员占职工总数比例", "Tech staff share of all staff"),
		Met:      atLeast(tech, staff, 10),
		Value:    i18n.F("%d / %d = %s", "%d / %d = %s", tech, staff, share(tech, staff)),
		Required: i18n.T("≥ 10%", "≥ 10%")}
	if !c.Met {
		c.Gap = i18n.F("按现有职工 %d 人，科技人员至少需 %d 人（还差 %d 人）", "with %d staff, at least %d must be tech staff (%d more)",
			staff, need(staff, 10), need(staff, 10)-tech)
	}
	cs = append(cs, c)

	t := rdThreshold(f.SalesLastYearFen)
	c = Check{Code: "rd_share", Label: i18n.T("近三年研发费用占销售收入比例", "R&D share of sales, last three years"),
		Met:      f.RD3yFen > 0 && atLeast(f.RD3yFen, f.Sales3yFen, t),
		Value:    share(f.RD3yFen, f.Sales3yFen),
		Required: i18n.F("≥ %d%%（最近一年销售收入 %s）", "≥ %d%% (last year's sales %s)", t, amount(f.SalesLastYearFen))}
	if !c.Met {
		n := max(need(f.Sales3yFen, t), 1)
		c.Gap = i18n.F("近三年研发费用至少需 %s（还差 %s）", "R&D over the three years must reach %s (%s more)", amount(n), amount(n-f.RD3yFen))
	}
	cs = append(cs, c)

	c = Check{Code: "rd_domestic", Label: i18n.T("境内研发费用占全部研发费用比例", "Share of R&D spent in China"),
		Met:      f.RDDomesticPct >= 60,
		Value:    i18n.F("%.1f%%", "%.1f%%", f.RDDomesticPct),
		Required: i18n.T("≥ 60%", "≥ 60%")}
	if !c.Met {
		c.Gap = i18n.T("在中国境内发生的研发费用须不低于全部研发费用的60%", "at least 60% of R&D must be spent in China")
	}
	cs = append(cs, c)

	c = Check{Code: "high_tech_income", Label: i18n.T("高新技术产品（服务）收入占总收入比例", "High-tech income share of total income"),
		Met:      f.HighTechIncomeFen > 0 && atLeast(f.HighTechIncomeFen, f.TotalIncomeFen, 60),
		Value:    share(f.HighTechIncomeFen, f.TotalIncomeFen),
		Required: i18n.T("≥ 60%", "≥ 60%")}
	if !c.Met {
		n := max(need(f.TotalIncomeFen, 60), 1)
		c.Gap = i18n.F("高新技术产品（服务）收入至少需 %s（还差 %s）", "high-tech income must reach %s (%s more)", amount(n), amount(n-f.HighTechIncomeFen))
	}
	cs = append(cs, c)

	c = Check{Code: "innovation_score", Label: i18n.T("企业创新能力评价", "Innovation capability score"),
		Met:      f.InnovationScore >= 70,
		Value:    i18n.F("%d 分", "%d points", f.InnovationScore),
		Required: i18n.T("≥ 70 分", "≥ 70 points")}
	if !c.Met {
		c.Gap = i18n.F("还差 %d 分", "%d points short", 70-f.InnovationScore)
	}
	cs = append(cs, c)

	c = Check{Code: "no_violation", Label: i18n.T("申请前一年内无重大安全、质量事故或严重环境违法行为", "No major accident or serious environmental violation in the year before"),
		Met: !f.MajorViolation, Value: yesNo(!f.MajorViolation, "无", "none", "有", "yes"), Required: i18n.T("无", "none")}
	if !c.Met {
		c.Gap = i18n.T("申请前一年内发生此类事件的，不能申请认定", "an enterprise with such an event in the year before may not apply")
	}
	cs = append(cs, c)

	return HighTechResult{Eligible: len(missing(cs)) == 0, Checks: cs}
}

func yesNo(ok bool, zhYes, enYes, zhNo, enNo string) i18n.Text {
	if ok {
		return i18n.T(zhYes, enYes)
	}
	return i18n.T(zhNo, enNo)
}

// TechSMEFigures are what an enterprise enters for the 科技型中小企业 check.
type TechSMEFigures struct {
	EnterpriseID       int64      `json:"enterprise_id,string,omitempty" doc:"the enterprise checked; an enterprise user's own by default"`
	AsOf               civil.Date `json:"as_of,omitempty" doc:"the day of the check; today by default"`
	Staff              int        `json:"staff" doc:"职工总数"`
	TechStaff          int        `json:"tech_staff" doc:"科技人员数"`
	SalesFen           int64      `json:"sales_fen" doc:"上年销售收入"`
	AssetsFen          int64      `json:"assets_fen" doc:"资产总额"`
	CostFen            int64      `json:"cost_fen" doc:"上年成本费用总额 (R&D expenses are part of it)"`
	RDFen              int64      `json:"rd_fen" doc:"上年研发费用总额"`
	IPClass1           int        `json:"ip_class1" doc:"Ⅰ类知识产权数"`
	IPClass2           int        `json:"ip_class2" doc:"Ⅱ类知识产权数"`
	RestrictedIndustry bool       `json:"restricted_industry" doc:"in a prohibited, restricted or phased-out industry"`
	BadRecord          bool       `json:"bad_record" doc:"a major accident, serious dishonesty in research, or listed as abnormal or seriously dishonest"`
	HighTechValid      bool       `json:"high_tech_valid" doc:"holds a valid 高企 certificate (also read from the registry)"`
	NationalAward      bool       `json:"national_award" doc:"a national S&T award in the last five years, among the first three units"`
	ProvincialPlatform bool       `json:"provincial_platform" doc:"hosts a provincial or higher R&D platform (also read from the registry)"`
	LedStandard        bool       `json:"led_standard" doc:"led an international, national or industry standard in the last five years"`
	Save               bool       `json:"save,omitempty" doc:"keep the result on the enterprise's record"`
}

// Validate rejects figures that cannot be true.
func (f *TechSMEFigures) Validate() error {
	if err := validStaff(f.Staff, f.TechStaff); err != nil {
		return err
	}
	for _, c := range []struct {
		field  string
		v      int64
		zh, en string
	}{
		{"sales_fen", f.SalesFen, "销售收入", "sales_fen"},
		{"assets_fen", f.AssetsFen, "资产总额", "assets_fen"},
		{"cost_fen", f.CostFen, "成本费用总额", "cost_fen"},
		{"rd_fen", f.RDFen, "研发费用", "rd_fen"},
	} {
		if err := moneyField(c.field, c.v, c.zh, c.en); err != nil {
			return err
		}
	}
	if f.RDFen > f.CostFen {
		return errs.Invalidf("rd_fen", "研发费用是成本费用的一部分，不能超过成本费用总额", "rd_fen is part of cost_fen and cannot exceed it")
	}
	if err := countField("ip_class1", f.IPClass1, "Ⅰ类知识产权数", "ip_class1"); err != nil {
		return err
	}
	return countField("ip_class2", f.IPClass2, "Ⅱ类知识产权数", "ip_class2")
}

// ScoreItem is one line of the 100-point table.
type ScoreItem struct {
	Code   string
	Label  i18n.Text
	Value  i18n.Text
	Points int
	Max    int
	Next   i18n.Text // how to reach the next band, when there is one
}

// TechSMEResult is the verdict of the 科技型中小企业 check.
type TechSMEResult struct {
	Eligible bool
	Score    int
	Items    []ScoreItem
	Checks   []Check // the basic conditions
	Route    string  // the direct-confirmation route that applies, if any
	Gaps     []i18n.Text
}

// band is one row of a scoring scale: a share of at least Pct gives Points.
type band struct{ Pct, Points int64 }

var (
	staffBands    = []band{{30, 20}, {25, 16}, {20, 12}, {15, 8}, {10, 4}}
	rdSalesBands  = []band{{6, 50}, {5, 40}, {4, 30}, {3, 20}, {2, 10}}
	rdCostBands   = []band{{30, 50}, {25, 40}, {20, 30}, {15, 20}, {10, 10}}
	ipClass2Bands = []band{{4, 24}, {3, 18}, {2, 12}, {1, 6}}
)

// score returns the points of a/b on the scale and the band above the one
// reached (Points 0 when the top is reached). b = 0 scores nothing.
func score(a, b int64, bands []band) (points int64, next band) {
	if b <= 0 {
		return 0, bands[len(bands)-1]
	}
	for i, x := range bands {
		if atLeast(a, b, x.Pct) {
			if i > 0 {
				next = bands[i-1]
			}
			return x.Points, next
		}
	}
	return 0, bands[len(bands)-1]
}

// Direct-confirmation routes (§7.2): with the basic conditions met, any one
// of them qualifies without the score.
var routes = []struct {
	code  string
	label i18n.Text
	has   func(TechSMEFigures) bool
}{
	{"high_tech", i18n.T("拥有有效期内的高新技术企业资格证书", "holds a valid high-tech enterprise certificate"), func(f TechSMEFigures) bool { return f.HighTechValid }},
	{"national_award", i18n.T("近五年内获得国家级科技奖励并排名前三", "a national S&T award in the last five years, among the first three"), func(f TechSMEFigures) bool { return f.NationalAward }},
	{"provincial_platform", i18n.T("拥有经认定的省部级以上研发机构", "hosts a recognised provincial or higher R&D institution"), func(f TechSMEFigures) bool { return f.ProvincialPlatform }},
	{"led_standard", i18n.T("近五年内主导制定过国际、国家或行业标准", "led an international, national or industry standard in the last five years"), func(f TechSMEFigures) bool { return f.LedStandard }},
}

// RouteLabel names a direct-confirmation route.
func RouteLabel(code string) i18n.Text {
	for _, r := range routes {
		if r.code == code {
			return r.label
		}
	}
	return i18n.T(code, code)
}

// TechSME scores the figures on the 100-point table of §7.2 and checks the
// basic conditions and the direct-confirmation routes.
func TechSME(f TechSMEFigures) TechSMEResult {
	var r TechSMEResult
	staff, tech := int64(f.Staff), int64(f.TechStaff)

	// 科技人员 (20).
	sp, sn := score(tech, staff, staffBands)
	it := ScoreItem{Code: "tech_staff", Label: i18n.T("科技人员占职工总数比例", "Tech staff share of all staff"),
		Value: i18n.F("%d / %d = %s", "%d / %d = %s", tech, staff, share(tech, staff)), Points: int(sp), Max: 20}
	if sn.Points > 0 {
		n := need(staff, sn.Pct)
		it.Next = i18n.F("科技人员达到 %d 人（%d%%）可得 %d 分", "%d tech staff (%d%%) score %d", n, sn.Pct, sn.Points)
	}
	r.Items = append(r.Items, it)

	// 研发投入 (50): the better of the two bases, as the enterprise may choose.
	ps, nsales := score(f.RDFen, f.SalesFen, rdSalesBands)
	pc, ncost := score(f.RDFen, f.CostFen, rdCostBands)
	it = ScoreItem{Code: "rd", Label: i18n.T("研发投入（按销售收入或成本费用，取高者）", "R&D (share of sales or of costs, whichever scores more)"), Max: 50,
		Value: i18n.F("占销售收入 %s，占成本费用 %s", "%s of sales, %s of costs", share(f.RDFen, f.SalesFen), share(f.RDFen, f.CostFen))}
	if pc > ps {
		it.Points = int(pc)
		it.Label = i18n.T("研发投入（按成本费用总额）", "R&D (share of total costs)")
		if ncost.Points > 0 && f.CostFen > 0 {
			it.Next = i18n.F("研发费用达到 %s（成本费用的 %d%%）可得 %d 分", "R&D of %s (%d%% of costs) scores %d", amount(need(f.CostFen, ncost.Pct)), ncost.Pct, ncost.Points)
		}
	} else {
		it.Points = int(ps)
		it.Label = i18n.T("研发投入（按销售收入）", "R&D (share of sales)")
		switch {
		case nsales.Points > 0 && f.SalesFen > 0:
			it.Next = i18n.F("研发费用达到 %s（销售收入的 %d%%）可得 %d 分", "R&D of %s (%d%% of sales) scores %d", amount(need(f.SalesFen, nsales.Pct)), nsales.Pct, nsales.Points)
		case nsales.Points > 0 && f.CostFen > 0:
			it.Next = i18n.F("研发费用达到 %s（成本费用的 %d%%）可得 %d 分", "R&D of %s (%d%% of costs) scores %d", amount(need(f.CostFen, ncost.Pct)), ncost.Pct, ncost.Points)
		}
	}
	r.Items = append(r.Items, it)

	// 科技成果 (30).
	it = ScoreItem{Code: "ip", Label: i18n.T("科技成果（知识产权）", "Results (intellectual property)"), Max: 30,
		Value: i18n.F("Ⅰ类 %d 件，Ⅱ类 %d 件", "class I: %d, class II: %d", f.IPClass1, f.IPClass2)}
	switch {
	case f.IPClass1 >= 1:
		it.Points = 30
	default:
		for _, b := range ipClass2Bands {
			if int64(f.IPClass2) >= b.Pct {
				it.Points = int(b.Points)
				break
			}
		}
		it.Next = i18n.T("取得1件Ⅰ类知识产权（如发明专利）可得 30 分", "one class I IP (e.g. an invention patent) scores 30")
	}
	r.Items = append(r.Items, it)

	for _, x := range r.Items {
		r.Score += x.Points
	}

	r.Checks = []Check{
		{Code: "staff", Label: i18n.T("职工总数", "Staff"), Met: f.Staff <= smeStaff,
			Value: i18n.F("%d 人", "%d", f.Staff), Required: i18n.T("≤ 500 人", "≤ 500")},
		{Code: "sales", Label: i18n.T("年销售收入", "Annual sales"), Met: f.SalesFen <= smeCap,
			Value: amount(f.SalesFen), Required: i18n.T("≤ 2亿元", "≤ CNY 200 m")},
		{Code: "assets", Label: i18n.T("资产总额", "Total assets"), Met: f.AssetsFen <= smeCap,
			Value: amount(f.AssetsFen), Required: i18n.T("≤ 2亿元", "≤ CNY 200 m")},
		{Code: "industry", Label: i18n.T("不属于国家禁止、限制和淘汰类产业", "Not in a prohibited, restricted or phased-out industry"),
			Met: !f.RestrictedIndustry, Value: yesNo(!f.RestrictedIndustry, "不属于", "no", "属于", "yes"), Required: i18n.T("不属于", "no")},
		{Code: "record", Label: i18n.T("无重大事故、严重失信及经营异常记录", "No major accident, serious dishonesty or abnormal listing"),
			Met: !f.BadRecord, Value: yesNo(!f.BadRecord, "无", "none", "有", "yes"), Required: i18n.T("无", "none")},
	}
	for i := range r.Checks {
		if !r.Checks[i].Met {
			r.Checks[i].Gap = i18n.F("不满足「%s」，不能入库", "“%s” is not met: the enterprise cannot be registered", r.Checks[i].Label)
		}
	}
	basic := len(missing(r.Checks)) == 0

	for _, rt := range routes {
		if rt.has(f) {
			r.Route = rt.code
			break
		}
	}
	byScore := r.Score >= 60 && sp > 0
	r.Eligible = basic && (byScore || r.Route != "")

	for _, c := range missing(r.Checks) {
		r.Gaps = append(r.Gaps, c.Gap)
	}
	if r.Route == "" && !byScore {
		if sp == 0 {
			r.Gaps = append(r.Gaps, i18n.F("科技人员占比须达到10%%才得分，且该项为0分时不能入库：至少需 %d 名科技人员",
				"the tech staff share must reach 10%% to score, and a zero here rules the enterprise out: at least %d tech staff are needed", need(staff, 10)))
		}
		if r.Score < 60 {
			r.Gaps = append(r.Gaps, i18n.F("总分 %d 分，还差 %d 分（须 ≥ 60 分）", "the score is %d, %d short of 60", r.Score, 60-r.Score))
		}
	}
	return r
}
