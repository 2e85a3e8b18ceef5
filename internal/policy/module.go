package policy

import (
	"embed"
	"io/fs"

	"xiaoer/internal/civil"

	"xiaoer/internal/i18n"
	"xiaoer/internal/platform"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// NewModule builds the policy-funds module's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:      "policy",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: Templates(),
		Demo:      (&demoLoader{svc: svc}).load,
		Home:      svc.home,
		Facts:     svc.facts,
		Summary:   Summary,
		// The policy ledger also fills labor.subsidy_paid_fen.
		SummaryKeys: []string{"policy", "labor"},
		Warnings:    svc.warnings,
		Drill:       drill,
		Rebuild:     Rebuild,
		Metrics:     []string{"policy."},
	}
}

// drill links a summary figure to the records behind it.
func drill(key string, from, to civil.Date) string {
	switch key {
	case "policy.applications":
		return "/policy-applications"
	case "policy.paid_fen", "policy.paid_enterprises", "policy.payments":
		return "/policy-applications?state=paid"
	case "policy.approved_fen":
		return "/policy-applications?state=approved,paid"
	case "labor.subsidy_paid_fen":
		return "/policies?category=labor_subsidy"
	}
	return ""
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"pol.nav":              i18n.T("惠企政策", "Policy funds"),
		"pol.nav.eligible":     i18n.T("政策找企业", "Policies for you"),
		"pol.nav.policies":     i18n.T("政策与资金", "Policies"),
		"pol.nav.applications": i18n.T("兑现申请", "Applications"),
		"pol.nav.facts":        i18n.T("企业政策数据", "Enterprise facts"),
		"pol.saved":            i18n.T("政策已保存", "The policy was saved"),
		"pol.published":        i18n.T("免申即享名单已推送，等待企业确认", "The candidates were published for the enterprises to confirm"),
		"pol.applied":          i18n.T("申报已提交", "The application was submitted"),
		"pol.acted":            i18n.T("已办理", "Done"),
		"pol.facts.saved":      i18n.T("企业政策数据已保存", "The facts were saved"),
		"pol.new":              i18n.T("发布政策", "New policy"),
		"pol.name":             i18n.T("政策名称", "Name"),
		"pol.doc_no":           i18n.T("文号", "Document no."),
		"pol.issuer":           i18n.T("发文单位", "Issuer"),
		"pol.category":         i18n.T("类别", "Category"),
		"pol.mode":             i18n.T("兑现方式", "Mode"),
		"pol.period":           i18n.T("兑现期", "Open period"),
		"pol.open_from":        i18n.T("开始日期", "Open from"),
		"pol.open_to":          i18n.T("截止日期（可空）", "Open to (optional)"),
		"pol.open_ended":       i18n.T("长期", "open-ended"),
		"pol.publicity":        i18n.T("公示期（工作日）", "Publicity (working days)"),
		"pol.materials":        i18n.T("申报材料", "Materials"),
		"pol.description":      i18n.T("政策说明", "Description"),
		"pol.budget":           i18n.T("预算（元）", "Budget (yuan)"),
		"pol.budget.short":     i18n.T("预算", "Budget"),
		"pol.approved":         i18n.T("已核准未兑付", "Approved, unpaid"),
		"pol.paid":             i18n.T("已兑付", "Paid"),
		"pol.remaining":        i18n.T("余额", "Remaining"),
		"pol.ledger":           i18n.T("资金台账", "Ledger"),
		"pol.ledger.hint":      i18n.T("已核准与已兑付之和不会超过预算：超出预算的核准会被拒绝，并提示余额。", "Approved plus paid never exceeds the budget: an approval that would is refused with what is left."),
		"pol.rule":             i18n.T("资格条件", "Eligibility rule"),
		"pol.amount_rule":      i18n.T("金额公式（元）", "Amount rule (yuan)"),
		"pol.rule.hint":        i18n.T("条件与公式用简单表达式书写，可用 and、or、not、比较、in [..]、三目 ? :、min、max、round；金额以元计。", "Rules are simple expressions: and, or, not, comparisons, in [..], ? :, min, max, round; amounts in yuan."),
		"pol.facts":            i18n.T("可用的企业事实", "Facts a rule may use"),
		"pol.test":             i18n.T("试算", "Test"),
		"pol.test.hint":        i18n.T("保存前选一家企业试算，不会保存任何内容。", "Try the rules on one enterprise before saving; nothing is saved."),
		"pol.test.on":          i18n.T("评估日", "Evaluation date"),
		"pol.eligible":         i18n.T("符合条件", "Eligible"),
		"pol.not_eligible":     i18n.T("不符合条件", "Not eligible"),
		"pol.amount":           i18n.T("金额", "Amount"),
		"pol.reasons":          i18n.T("命中理由", "Reasons"),
		"pol.fact_values":      i18n.T("事实取值", "Fact values"),
		"pol.candidates":       i18n.T("规则测算名单", "Candidates"),
		"pol.candidates.total": i18n.T("符合条件的企业", "Enterprises selected"),
		"pol.publish":          i18n.T("推送免申即享名单", "Publish candidates"),
		"pol.publish.hint":     i18n.T("为规则选中、尚无在办申请的企业生成“待企业确认”的申请。", "Creates a candidate application for each selected enterprise without one in progress."),
		"pol.applications":     i18n.T("兑现申请", "Applications"),
		"pol.apply":            i18n.T("申报", "Apply"),
		"pol.apply.new":        i18n.T("申报政策", "Apply for a policy"),
		"pol.enterprise":       i18n.T("企业", "Enterprise"),
		"pol.policy":           i18n.T("政策", "Policy"),
		"pol.state":            i18n.T("状态", "State"),
		"pol.bank_name":        i18n.T("开户银行", "Bank"),
		"pol.bank_account":     i18n.T("对公账户", "Bank account"),
		"pol.reveal":           i18n.T("查看完整账户（记入审计）", "Show in full (audited)"),
		"pol.amount.asked":     i18n.T("申请金额（元，可空：按公式测算）", "Amount asked (yuan; empty: the rule's)"),
		"pol.dates":            i18n.T("办理日期", "Dates"),
		"pol.publicity_ends":   i18n.T("公示截止", "Publicity ends"),
		"pol.no_apply":         i18n.T("免申即享，无需申报：符合条件时平台会推送给您确认。", "No application needed: when you qualify the platform sends it to you to confirm."),
		"pol.eligible.hint":    i18n.T("以下在期政策按平台掌握的企业数据测算，您可能符合条件。", "By the data the platform holds, you may be eligible for these open policies."),
		"pol.eligible.none":    i18n.T("暂未找到您可能符合条件的在期政策。", "No open policy seems to fit you yet."),
		"pol.insured_staff":    i18n.T("参保人数", "Insured staff"),
		"pol.insured_months":   i18n.T("连续参保月数", "Insured months"),
		"pol.insurance_paid":   i18n.T("上年失业保险费（元）", "Unemployment insurance last year (yuan)"),
		"pol.layoff_pct":       i18n.T("上年裁员率（%）", "Layoff rate last year (%)"),
		"pol.revenue":          i18n.T("上年营业收入（元）", "Revenue last year (yuan)"),
		"pol.rd_expense":       i18n.T("上年研发费用（元）", "R&D expense last year (yuan)"),
		"pol.as_of":            i18n.T("数据日期", "As of"),
		"pol.source":           i18n.T("数据来源", "Source"),
		"pol.rule_facts":       i18n.T("规则所见的事实（今日）", "Facts as rules see them today"),
		"pol.edit":             i18n.T("修改政策", "Edit the policy"),
	})
}
