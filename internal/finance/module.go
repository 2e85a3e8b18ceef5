package finance

import (
	"context"
	"fmt"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// NewModule builds the financing desk's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:      "finance",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: Templates(),
		Demo:      (&demoLoader{d: d, svc: svc}).load,
		Home:      svc.Home,
		Facts:     svc.Facts,
		Summary:   svc.Summary,
		Rebuild:   svc.Rebuild,
		Metrics:   Metrics,

		SummaryKeys: []string{"finance"},
		Rankings:    svc.rankings,
		Warnings:    svc.warnings,
		Drill:       Drill,
	}
}

func fmtMoney(l i18n.Lang, fen int64) string {
	if l == i18n.EN {
		return money.FormatEn(fen)
	}
	return money.Format(fen)
}

func (s *Service) countNeeds(ctx context.Context, q store.Querier, p *access.Principal, f NeedFilter, extra string, args ...any) (int, int64) {
	w, err := s.needWhere(p, f)
	if err != nil {
		return 0, 0
	}
	if extra != "" {
		w.Add(extra, args...)
	}
	where, wargs := w.SQL()
	var n int
	var fen int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(n.loan_fen), 0) FROM finance_needs n JOIN enterprises e ON e.id = n.enterprise_id"+where, wargs...).Scan(&n, &fen); err != nil {
		return 0, 0
	}
	return n, fen
}

// Home returns the financing figures a principal sees first: a bank the
// needs waiting for its answer and those it is working on; an enterprise
// its needs in progress and what it has borrowed; the office and leaders
// the needs waiting for a bank and those past the response limit.
func (s *Service) Home(ctx context.Context, p *access.Principal, lang i18n.Lang) []platform.Card {
	q := s.DB.Read()
	today := s.today()
	var cards []platform.Card
	switch {
	case p.Has(access.Bank):
		n, _ := s.countNeeds(ctx, q, p, NeedFilter{Waiting: true}, "")
		late, _ := s.countNeeds(ctx, q, p, NeedFilter{Waiting: true}, "n.due_on < ?", today)
		tone := ""
		if late > 0 {
			tone = "red"
		}
		working, _ := s.countNeeds(ctx, q, p, NeedFilter{}, "n.taken_by_org_id = ? AND n.status IN ('taken', 'credit_approved')", p.OrgID)
		cards = append(cards,
			platform.Card{Label: i18n.T("待本行响应的融资需求", "Needs waiting for your answer").In(lang), Value: strconv.Itoa(n), Href: "/finance/needs?waiting=true", Tone: tone},
			platform.Card{Label: i18n.T("已接单在办", "Taken, in progress").In(lang), Value: strconv.Itoa(working), Href: "/finance/needs?bank_org_id=" + strconv.FormatInt(p.OrgID, 10)})
	case p.Has(access.Enterprise):
		open, _ := s.countNeeds(ctx, q, p, NeedFilter{}, "n.status IN ('posted', 'taken', 'credit_approved')")
		_, lent := s.countNeeds(ctx, q, p, NeedFilter{Status: Disbursed}, "")
		cards = append(cards,
			platform.Card{Label: i18n.T("对接中的融资需求", "Financing needs in progress").In(lang), Value: strconv.Itoa(open), Href: "/finance/needs"},
			platform.Card{Label: i18n.T("已获贷款", "Loans received").In(lang), Value: fmtMoney(lang, lent), Href: "/finance/needs?status=disbursed", Tone: "green"})
	case p.Has(access.Leader, access.ServiceOffice):
		n, _ := s.countNeeds(ctx, q, p, NeedFilter{Waiting: true}, "")
		late, _ := s.countNeeds(ctx, q, p, NeedFilter{Waiting: true}, "n.due_on < ?", today)
		cards = append(cards,
			platform.Card{Label: i18n.T("待银行响应的融资需求", "Needs waiting for a bank").In(lang), Value: strconv.Itoa(n), Href: "/finance/needs?waiting=true"},
			platform.Card{Label: i18n.T("超时未响应", "Past the response limit").In(lang), Value: strconv.Itoa(late), Href: "/finance/needs?waiting=true", Tone: "red"})
	}
	return cards
}

// Facts is the financing section of an enterprise's page: its needs, the
// credit granted and the loans received, within p's scope.
func (s *Service) Facts(ctx context.Context, p *access.Principal, enterpriseID int64, lang i18n.Lang) (*platform.Facts, error) {
	w, err := s.needWhere(p, NeedFilter{EnterpriseID: enterpriseID})
	if err != nil {
		return nil, err
	}
	where, args := w.SQL()
	var total, open, loans int
	var asked, credit, lent int64
	err = s.DB.Read().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN n.status IN ('posted', 'taken', 'credit_approved') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN n.status = 'disbursed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(n.amount_fen), 0), COALESCE(SUM(n.credit_fen), 0),
		COALESCE(SUM(n.loan_fen), 0) FROM finance_needs n JOIN enterprises e ON e.id = n.enterprise_id`+where, args...).
		Scan(&total, &open, &loans, &asked, &credit, &lent)
	if err != nil || total == 0 {
		return nil, err
	}
	href := "/finance/needs?enterprise_id=" + strconv.FormatInt(enterpriseID, 10)
	f := &platform.Facts{Title: i18n.T("融资对接", "Financing").In(lang), Href: href, Rows: []platform.Fact{
		{Label: i18n.T("融资需求", "Financing needs").In(lang), Value: i18n.F("%d笔，共%s", "%d, %s in all", total, fmtMoney(lang, asked)).In(lang), Href: href},
		{Label: i18n.T("对接中", "In progress").In(lang), Value: fmt.Sprint(open), Href: href + "&status=posted"},
		{Label: i18n.T("获得授信", "Credit approved").In(lang), Value: fmtMoney(lang, credit)},
		{Label: i18n.T("获得贷款", "Loans received").In(lang), Value: i18n.F("%d笔，共%s", "%d, %s in all", loans, fmtMoney(lang, lent)).In(lang),
			Href: href + "&status=disbursed", Tone: "green"},
	}}
	return f, nil
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.finance":             i18n.T("政银企对接", "Financing"),
		"nav.finance.needs":       i18n.T("融资需求", "Financing needs"),
		"nav.finance.products":    i18n.T("金融产品", "Loan products"),
		"nav.finance.banks":       i18n.T("银行对接情况", "Banks"),
		"fin.posted":              i18n.T("融资需求已发布，银行将在时限内响应", "The need is posted; the banks answer within the limit"),
		"fin.done":                i18n.T("已办理", "Done"),
		"fin.recommended":         i18n.T("已向企业推荐该产品", "The product is recommended to the enterprise"),
		"fin.product.saved":       i18n.T("产品已保存", "Product saved"),
		"fin.limits.saved":        i18n.T("响应时限已保存，新发布的需求按新时限计算", "Limits saved; needs posted from now on use them"),
		"fin.new":                 i18n.T("发布融资需求", "Post a need"),
		"fin.waiting":             i18n.T("待响应", "Waiting"),
		"fin.all":                 i18n.T("全部", "All"),
		"fin.enterprise":          i18n.T("企业", "Enterprise"),
		"fin.uscc":                i18n.T("统一社会信用代码", "Unified social credit code"),
		"fin.industry":            i18n.T("行业", "Industry"),
		"fin.scale":               i18n.T("规模", "Scale"),
		"fin.qualifications":      i18n.T("有效资质", "Valid qualifications"),
		"fin.amount":              i18n.T("融资金额", "Amount"),
		"fin.amount.hint":         i18n.T("可填 500万、5000000 或 5,000,000.00（元）", "e.g. 500万, 5000000 or 5,000,000.00 (yuan)"),
		"fin.term":                i18n.T("期限（月）", "Term (months)"),
		"fin.purpose":             i18n.T("资金用途", "Purpose"),
		"fin.guarantee":           i18n.T("担保方式", "Guarantee"),
		"fin.bank":                i18n.T("首选银行", "Preferred bank"),
		"fin.bank.open":           i18n.T("不指定（推送给所有银行）", "None (open to every bank)"),
		"fin.open":                i18n.T("面向所有银行", "Open to all banks"),
		"fin.green":               i18n.T("绿色通道", "Green channel"),
		"fin.green.hint":          i18n.T("急需资金时勾选：银行须在%d个工作日内响应（一般需求为%d个工作日）", "Tick when urgent: the banks must answer within %d working days (%d otherwise)"),
		"fin.bank_col":            i18n.T("银行", "Bank"),
		"fin.unfit":               i18n.T("不符合条件的产品（%d）", "Products that do not fit (%d)"),
		"fin.posted_on":           i18n.T("发布日期", "Posted on"),
		"fin.posted_on.hint":      i18n.T("补录纸质申请时填写实际日期，默认今天", "For a paper record, its real date; default today"),
		"fin.contact":             i18n.T("联系人", "Contact"),
		"fin.contact_phone":       i18n.T("联系电话", "Contact phone"),
		"fin.contact.hint":        i18n.T("不填则使用企业登记的联系人；银行接单后才能看到（脱敏）", "Default: the enterprise's registered contact; a bank sees it (masked) only after taking the need"),
		"fin.contact.hidden":      i18n.T("接单后可见", "Visible once taken"),
		"fin.reveal":              i18n.T("查看完整号码（留痕）", "Show in full (logged)"),
		"fin.status":              i18n.T("状态", "Status"),
		"fin.due":                 i18n.T("响应期限", "Answer due"),
		"fin.limit":               i18n.T("时限", "Limit"),
		"fin.workdays":            i18n.T("个工作日", "working days"),
		"fin.responded":           i18n.T("响应日期", "Answered on"),
		"fin.response_days":       i18n.T("响应用时（工作日）", "Response time (working days)"),
		"fin.overdue":             i18n.T("超时", "Overdue"),
		"fin.taken_by":            i18n.T("接单银行", "Taken by"),
		"fin.product":             i18n.T("贷款产品", "Loan product"),
		"fin.recommended_product": i18n.T("营商办推荐", "Recommended by the office"),
		"fin.credit":              i18n.T("授信金额", "Credit approved"),
		"fin.credit_on":           i18n.T("授信日期", "Credit approved on"),
		"fin.loan":                i18n.T("放款金额", "Amount disbursed"),
		"fin.loan_on":             i18n.T("放款日期", "Disbursed on"),
		"fin.declines":            i18n.T("已拒绝的银行", "Banks that declined"),
		"fin.matches":             i18n.T("产品匹配", "Matching products"),
		"fin.matches.hint":        i18n.T("按额度、期限、担保方式、资质和首选银行逐项比对，符合条件的排在前面", "Compared on amount, term, guarantee, qualifications and preferred bank; eligible products first"),
		"fin.matches.own":         i18n.T("本行产品与该需求的匹配情况", "How your bank's products fit this need"),
		"fin.score":               i18n.T("匹配度", "Score"),
		"fin.eligible":            i18n.T("符合", "Eligible"),
		"fin.not_eligible":        i18n.T("不符合", "Not eligible"),
		"fin.reasons":             i18n.T("理由", "Reasons"),
		"fin.recommend":           i18n.T("推荐给企业", "Recommend"),
		"fin.recommended.badge":   i18n.T("已推荐", "Recommended"),
		"fin.actions":             i18n.T("办理", "Act"),
		"fin.date":                i18n.T("日期", "Date"),
		"fin.date.hint":           i18n.T("默认今天", "default today"),
		"fin.take.product":        i18n.T("贷款产品（可选）", "Loan product (optional)"),
		"fin.none":                i18n.T("—", "—"),
		"fin.summary":             i18n.T("自%s以来累计", "Since %s"),
		"fin.sum.needs":           i18n.T("融资需求", "Needs posted"),
		"fin.sum.loans":           i18n.T("已放款", "Loans disbursed"),
		"fin.sum.in_progress":     i18n.T("对接中", "In progress"),
		"fin.sum.overdue":         i18n.T("超时未响应", "Past the limit"),
		"fin.sum.credits":         i18n.T("已授信", "Credit approved"),
		"fin.product.new":         i18n.T("发布新产品", "New product"),
		"fin.product.name":        i18n.T("产品名称", "Product"),
		"fin.product.range":       i18n.T("额度", "Amount range"),
		"fin.product.min":         i18n.T("最低额度", "Minimum"),
		"fin.product.max":         i18n.T("最高额度", "Maximum"),
		"fin.product.rate":        i18n.T("年利率（%）", "Annual rate (%)"),
		"fin.product.rate_min":    i18n.T("最低年利率（%）", "Lowest annual rate (%)"),
		"fin.product.rate_max":    i18n.T("最高年利率（%）", "Highest annual rate (%)"),
		"fin.product.term":        i18n.T("最长期限（月）", "Longest term (months)"),
		"fin.product.requires":    i18n.T("资质要求", "Qualifications required"),
		"fin.product.requires.no": i18n.T("无", "None"),
		"fin.product.description": i18n.T("产品说明", "Description"),
		"fin.product.active":      i18n.T("在售", "Active"),
		"fin.product.inactive":    i18n.T("已下架", "Withdrawn"),
		"fin.product.bank_only":   i18n.T("产品由所属银行维护", "Products are kept by their bank"),
		"fin.banks.period":        i18n.T("统计期间", "Period"),
		"fin.banks.products":      i18n.T("在售产品", "Products"),
		"fin.banks.waiting":       i18n.T("当前待响应", "Waiting now"),
		"fin.banks.answers":       i18n.T("响应笔数", "Answers"),
		"fin.banks.avg":           i18n.T("平均响应（工作日）", "Average response (working days)"),
		"fin.banks.take_rate":     i18n.T("接单率", "Take rate"),
		"fin.banks.on_time":       i18n.T("按时响应率", "On time"),
		"fin.banks.approval":      i18n.T("授信通过率", "Approval rate"),
		"fin.banks.credits":       i18n.T("授信金额", "Credit approved"),
		"fin.banks.loans":         i18n.T("放款笔数", "Loans"),
		"fin.banks.loans_fen":     i18n.T("放款金额", "Amount lent"),
		"fin.banks.hint":          i18n.T("响应用时从需求发布到银行接单或拒绝，按工作日计；排名按放款金额、接单率", "Response time runs from posting to the bank's take or decline, in working days; ranked by amount lent, then take rate"),
		"fin.limits":              i18n.T("响应时限", "Response limits"),
		"fin.limits.normal":       i18n.T("一般需求（工作日）", "Normal need (working days)"),
		"fin.limits.green":        i18n.T("绿色通道（工作日）", "Green channel (working days)"),
		"fin.waiting_only":        i18n.T("只看待响应", "Waiting only"),
		"fin.green_only":          i18n.T("只看绿色通道", "Green channel only"),
	})
}
