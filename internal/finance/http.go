package finance

import (
	"net/http"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/web"
)

// Handler serves the financing desk.
type Handler struct {
	Svc *Service
	UI  *web.UI
}

var (
	productReaders = web.BusinessRoles
	banks          = web.Roles(access.Bank)
	needReaders    = web.Roles(access.Leader, access.ServiceOffice, access.Cadre, access.Enterprise, access.Bank)
	posters        = web.Roles(access.Enterprise, access.ServiceOffice)
	office         = web.Roles(access.ServiceOffice)
	rankReaders    = web.Roles(access.Leader, access.ServiceOffice, access.Bank)
)

// Recommendation is the body of recommending a product for a need.
type Recommendation struct {
	ProductID int64      `json:"product_id,string"`
	Note      string     `json:"note,omitempty"`
	Date      civil.Date `json:"date,omitempty" doc:"default today"`
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("GET /api/v1/finance/products", productReaders, h.apiProducts).Doc("金融产品列表（按银行、担保方式、资质要求筛选）", nil, web.List[Product]{}),
		web.Handle("POST /api/v1/finance/products", banks, h.apiCreateProduct).Doc("发布本行金融产品", ProductInput{}, Product{}).Created(),
		web.Handle("GET /api/v1/finance/products/{id}", productReaders, h.apiProduct).Doc("金融产品详情", nil, Product{}),
		web.Handle("PUT /api/v1/finance/products/{id}", banks, h.apiUpdateProduct).Doc("修改本行金融产品（含上下架）", ProductInput{}, Product{}),
		web.Handle("GET /api/v1/finance/needs", needReaders, h.apiNeeds).Doc("融资需求列表（银行：推送给本行或公开的需求；waiting=true 为待响应，绿色通道优先、先到先办）", nil, web.List[Need]{}),
		web.Handle("POST /api/v1/finance/needs", posters, h.apiPost).Doc("发布融资需求（企业自行发布或营商办代为发布）", NeedInput{}, Need{}).Created(),
		web.Handle("GET /api/v1/finance/needs/{id}", needReaders, h.apiNeed).Doc("融资需求详情", nil, Need{}),
		web.Handle("POST /api/v1/finance/needs/{id}/actions/{action}", needReaders, web.ActionAPI(h.Svc.Act)).Doc("融资需求办理：take 接单、decline 拒绝、approve_credit 授信、deny_credit 授信否决、disburse 放款、cancel 取消", nil, Need{}),
		web.Handle("GET /api/v1/finance/needs/{id}/events", needReaders, web.HistoryAPI(h.Svc.Events)).Doc("融资需求的办理过程", nil, []flow.Event{}),
		web.Handle("GET /api/v1/finance/needs/{id}/matches", needReaders, h.apiMatches).Doc("为融资需求匹配的金融产品（按适配程度排序，附理由）", nil, []Match{}),
		web.Handle("POST /api/v1/finance/needs/{id}/recommendation", office, h.apiRecommend).Doc("营商办为融资需求推荐产品", Recommendation{}, Need{}),
		web.Handle("POST /api/v1/finance/needs/{id}/contact", needReaders, h.apiContact).Doc("查看联系人完整信息（接单银行；留痕）", nil, ContactView{}),
		web.Handle("GET /api/v1/finance/banks", rankReaders, h.apiBanks).Doc("银行对接情况排行（响应时长、接单率、授信率、放款额；format=xlsx 导出）", nil, []BankFigures{}),
		web.Handle("GET /api/v1/finance/settings", needReaders, h.apiLimits).Doc("融资需求响应时限（工作日）", nil, Limits{}),
		web.Handle("PUT /api/v1/finance/settings", office, h.apiSaveLimits).Doc("设置融资需求响应时限", Limits{}, Limits{}),

		web.Handle("GET /finance/needs", needReaders, h.needsPage),
		web.Handle("GET /finance/needs/new", posters, h.newNeedPage),
		web.Handle("POST /finance/needs", posters, h.postNeedForm),
		web.Handle("GET /finance/needs/{id}", needReaders, h.needPage),
		web.Handle("POST /finance/needs/{id}/actions/{action}", needReaders, h.actForm),
		web.Handle("POST /finance/needs/{id}/recommendation", office, h.recommendForm),
		web.Handle("POST /finance/needs/{id}/contact", needReaders, h.contactForm),
		web.Handle("GET /finance/products", productReaders, h.productsPage),
		web.Handle("GET /finance/products/new", banks, h.newProductPage),
		web.Handle("POST /finance/products", banks, h.createProductForm),
		web.Handle("GET /finance/products/{id}", productReaders, h.productPage),
		web.Handle("POST /finance/products/{id}", banks, h.updateProductForm),
		web.Handle("GET /finance/banks", rankReaders, h.banksPage),
		web.Handle("POST /finance/settings", office, h.limitsForm),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "nav.finance", Key: "nav.finance.needs", Path: "/finance/needs", Allow: needReaders, Order: 600},
		{Group: "nav.finance", Key: "nav.finance.products", Path: "/finance/products", Allow: productReaders, Order: 610},
		{Group: "nav.finance", Key: "nav.finance.banks", Path: "/finance/banks", Allow: rankReaders, Order: 620},
	}
}

var productColumns = []web.Column[Product]{
	web.Col("银行", "Bank", func(p Product) any { return p.BankName }),
	web.Col("产品名称", "Product", func(p Product) any { return p.Name }),
	web.Col("最低额度（元）", "Minimum (yuan)", func(p Product) any { return float64(p.MinFen) / 100 }),
	web.Col("最高额度（元）", "Maximum (yuan)", func(p Product) any { return float64(p.MaxFen) / 100 }),
	web.Col("最低年利率（%）", "Lowest rate (%)", func(p Product) any { return p.RateMin }),
	web.Col("最高年利率（%）", "Highest rate (%)", func(p Product) any { return p.RateMax }),
	web.Col("最长期限（月）", "Longest term (months)", func(p Product) any { return p.TermMonthsMax }),
	web.Col("担保方式", "Guarantee", func(p Product) any { return guaranteeNames(p.Guarantee, i18n.ZH) }),
	web.Col("资质要求", "Requires", func(p Product) any { return qualificationNames(p.Requires, i18n.ZH) }),
	web.Col("在售", "Active", func(p Product) any { return p.Active }),
}

var needColumns = []web.Column[Need]{
	web.Col("编号", "ID", func(n Need) any { return n.ID }),
	web.Col("企业", "Enterprise", func(n Need) any { return n.Enterprise.Name }),
	web.Col("统一社会信用代码", "Credit code", func(n Need) any { return n.Enterprise.USCC }),
	web.Col("所属组织", "Org", func(n Need) any { return n.OrgName }),
	web.Col("需求金额（元）", "Amount (yuan)", func(n Need) any { return float64(n.AmountFen) / 100 }),
	web.Col("期限（月）", "Term (months)", func(n Need) any { return n.TermMonths }),
	web.Col("担保方式", "Guarantee", func(n Need) any { return n.Guarantee.Label().Zh }),
	web.Col("用途", "Purpose", func(n Need) any { return n.Purpose }),
	web.Col("首选银行", "Preferred bank", func(n Need) any { return n.BankName }),
	web.Col("绿色通道", "Green channel", func(n Need) any { return n.GreenChannel }),
	web.Col("状态", "Status", func(n Need) any { return Flow.StateLabel(n.Status, i18n.ZH) }),
	web.Col("发布日期", "Posted", func(n Need) any { return n.PostedOn }),
	web.Col("响应期限", "Answer due", func(n Need) any { return n.DueOn }),
	web.Col("超时", "Overdue", func(n Need) any { return n.Overdue }),
	web.Col("接单银行", "Taken by", func(n Need) any { return n.TakenByName }),
	web.Col("贷款产品", "Product", func(n Need) any { return n.ProductName }),
	web.Col("授信金额（元）", "Credit (yuan)", func(n Need) any { return float64(n.CreditFen) / 100 }),
	web.Col("放款金额（元）", "Loan (yuan)", func(n Need) any { return float64(n.LoanFen) / 100 }),
	web.Col("放款日期", "Disbursed on", func(n Need) any { return n.LoanOn }),
}

func guaranteeNames(gs []Guarantee, l i18n.Lang) string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Label().In(l))
	}
	return strings.Join(out, "、")
}

func qualificationNames(ks []enterprise.QualificationKind, l i18n.Lang) string {
	var out []string
	for _, k := range ks {
		out = append(out, k.Label().In(l))
	}
	return strings.Join(out, "、")
}

func productFilterOf(p web.ListParams) (ProductFilter, error) {
	f := ProductFilter{Q: p.Q, Guarantee: Guarantee(p.Query.Get("guarantee")), Requires: enterprise.QualificationKind(p.Query.Get("requires")), Limit: p.Limit}
	var err error
	if f.BankOrgID, err = p.ID("bank_org_id"); err != nil {
		return f, err
	}
	if v, ok, err := p.Bool("active"); err != nil {
		return f, err
	} else if ok {
		f.Active = &v
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterID)
	return f, err
}

func (h *Handler) apiProducts(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := productFilterOf(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("金融产品", "Loan products"), productColumns,
		func() (web.List[Product], error) {
			items, total, err := h.Svc.ListProducts(r.Context(), f)
			l := web.List[Product]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(Product) error) error {
			f.Limit, f.AfterID = 0, 0
			items, _, err := h.Svc.ListProducts(r.Context(), f)
			for _, x := range items {
				if err := yield(x); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) apiCreateProduct(w http.ResponseWriter, r *http.Request) error {
	var in ProductInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.CreateProduct(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, pr)
}

func (h *Handler) apiProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	pr, err := h.Svc.GetProduct(r.Context(), id)
	if err != nil {
		return err
	}
	return web.OK(w, pr)
}

func (h *Handler) apiUpdateProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in ProductInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	pr, err := h.Svc.UpdateProduct(r.Context(), web.Principal(r), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, pr)
}

func needFilterOf(p web.ListParams) (NeedFilter, error) {
	f := NeedFilter{Q: p.Q, Limit: p.Limit}
	var err error
	if f.Status, err = p.Enum("status", Posted, Taken, Declined, CreditApproved, CreditDenied, Disbursed, Cancelled); err != nil {
		return f, err
	}
	if f.EnterpriseID, err = p.ID("enterprise_id"); err != nil {
		return f, err
	}
	if f.BankOrgID, err = p.ID("bank_org_id"); err != nil {
		return f, err
	}
	if v, ok, err := p.Bool("green_channel"); err != nil {
		return f, err
	} else if ok {
		f.Green = &v
	}
	if f.Waiting, _, err = p.Bool("waiting"); err != nil {
		return f, err
	}
	if f.From, err = p.Date("from"); err != nil {
		return f, err
	}
	if f.To, err = p.Date("to"); err != nil {
		return f, err
	}
	if f.Waiting {
		_, err = web.DecodeCursor(p.Cursor, &f.AfterGreen, &f.AfterPosted, &f.BeforeID)
	} else {
		_, err = web.DecodeCursor(p.Cursor, &f.BeforeID)
	}
	return f, err
}

func (h *Handler) needList(r *http.Request, f NeedFilter) (web.List[Need], error) {
	items, total, err := h.Svc.List(r.Context(), web.Principal(r), f)
	l := web.List[Need]{Items: items, Total: total}
	if len(items) == f.Limit && len(items) > 0 {
		l.NextCursor = web.EncodeCursor(Cursor(f, items[len(items)-1])...)
	}
	return l, err
}

func (h *Handler) apiNeeds(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := needFilterOf(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("融资需求", "Financing needs"), needColumns,
		func() (web.List[Need], error) { return h.needList(r, f) },
		func(yield func(Need) error) error { return h.Svc.Each(r.Context(), web.Principal(r), f, yield) })
}

func (h *Handler) apiPost(w http.ResponseWriter, r *http.Request) error {
	var in NeedInput
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	n, err := h.Svc.Post(r.Context(), web.Principal(r), in)
	if err != nil {
		return err
	}
	return web.Created(w, n)
}

func (h *Handler) apiNeed(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	n, err := h.Svc.Get(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, n)
}

func (h *Handler) apiMatches(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := h.Svc.Matches(r.Context(), web.Principal(r), id, i18n.From(r.Context()))
	if err != nil {
		return err
	}
	if ms == nil {
		ms = []Match{}
	}
	return web.OK(w, ms)
}

func (h *Handler) apiRecommend(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in Recommendation
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if in.ProductID == 0 {
		return errs.Invalidf("product_id", "请选择要推荐的产品", "product_id is required")
	}
	n, err := h.Svc.Recommend(r.Context(), web.Principal(r), id, in.ProductID, strings.TrimSpace(in.Note), in.Date)
	if err != nil {
		return err
	}
	return web.OK(w, n)
}

func (h *Handler) apiContact(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Svc.RevealContact(r.Context(), web.Principal(r), id)
	if err != nil {
		return err
	}
	return web.OK(w, c)
}

// period reads from and to (default: from the first need to today).
func (h *Handler) period(r *http.Request) (civil.Date, civil.Date, error) {
	from, to := h.Svc.sinceFirst(r.Context()), h.Svc.today()
	q := r.URL.Query()
	for _, x := range []struct {
		name string
		d    *civil.Date
	}{{"from", &from}, {"to", &to}} {
		if s := q.Get(x.name); s != "" {
			d, err := civil.Parse(s)
			if err != nil {
				return from, to, errs.Invalidf(x.name, "%s 应为YYYY-MM-DD格式的日期", "%s must be a date YYYY-MM-DD", x.name)
			}
			*x.d = d
		}
	}
	if to.Before(from) {
		return from, to, errs.Invalidf("to", "结束日期不能早于开始日期", "to must not be before from")
	}
	return from, to, nil
}

var bankColumns = []web.Column[BankFigures]{
	web.Col("银行", "Bank", func(b BankFigures) any { return b.BankName }),
	web.Col("在售产品", "Products", func(b BankFigures) any { return b.Products }),
	web.Col("当前待响应", "Waiting now", func(b BankFigures) any { return b.Waiting }),
	web.Col("响应笔数", "Answers", func(b BankFigures) any { return b.Answers }),
	web.Col("接单", "Taken", func(b BankFigures) any { return b.Taken }),
	web.Col("拒绝", "Declined", func(b BankFigures) any { return b.Declined }),
	web.Col("平均响应（工作日）", "Average response (working days)", func(b BankFigures) any { return ptr(b.AvgResponseWorkdays) }),
	web.Col("超时响应", "Late answers", func(b BankFigures) any { return b.Late }),
	web.Col("授信笔数", "Credits", func(b BankFigures) any { return b.Credits }),
	web.Col("授信金额（元）", "Credit (yuan)", func(b BankFigures) any { return float64(b.CreditsFen) / 100 }),
	web.Col("授信否决", "Credit denied", func(b BankFigures) any { return b.Denied }),
	web.Col("放款笔数", "Loans", func(b BankFigures) any { return b.Loans }),
	web.Col("放款金额（元）", "Lent (yuan)", func(b BankFigures) any { return float64(b.LoansFen) / 100 }),
}

func ptr(f *float64) any {
	if f == nil {
		return ""
	}
	return *f
}

func (h *Handler) apiBanks(w http.ResponseWriter, r *http.Request) error {
	from, to, err := h.period(r)
	if err != nil {
		return err
	}
	bs, err := h.Svc.Banks(r.Context(), web.Principal(r), from, to)
	if err != nil {
		return err
	}
	if bs == nil {
		bs = []BankFigures{}
	}
	if f := r.URL.Query().Get("format"); f == "xlsx" || f == "csv" {
		return web.Export(w, r, f, i18n.T("银行对接情况", "Banks"), bankColumns, func(yield func(BankFigures) error) error {
			for _, b := range bs {
				if err := yield(b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return web.OK(w, bs)
}

func (h *Handler) apiLimits(w http.ResponseWriter, r *http.Request) error {
	l, err := LoadLimits(r.Context(), h.Svc.DB.Read())
	if err != nil {
		return err
	}
	return web.OK(w, l)
}

func (h *Handler) apiSaveLimits(w http.ResponseWriter, r *http.Request) error {
	var l Limits
	if err := web.Decode(r, &l); err != nil {
		return err
	}
	if err := h.Svc.SaveLimits(r.Context(), web.Principal(r), l); err != nil {
		return err
	}
	return web.OK(w, l)
}
