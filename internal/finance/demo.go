package finance

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// ScienceCredit is the demo's science-credit product, modelled on Hubei's
// 鄂科贷 for 科技型中小企业. Its terms are illustrative: the real product's
// terms were not verified.
const ScienceCredit = "科技型企业信用贷（鄂科贷）"

type demoLoader struct {
	d   *platform.Deps
	svc *Service
}

// demoProducts are two products per bank of the seed's zone.
var demoProducts = []struct {
	bank, name       string
	minWan, maxWan   int64
	rateMin, rateMax float64
	term             int
	guarantee        []Guarantee
	requires         []enterprise.QualificationKind
	description      string
}{
	{"湖北银行大冶支行", ScienceCredit, 100, 1000, 3.45, 4.35, 36, []Guarantee{Credit}, []enterprise.QualificationKind{enterprise.TechSME},
		"面向入库科技型中小企业的纯信用贷款，省市风险补偿，随借随还。"},
	{"湖北银行大冶支行", "小微企业流动资金贷款", 50, 2000, 3.65, 5.20, 36, []Guarantee{Mortgage, Guaranty}, nil, "用于日常生产经营周转。"},
	{"中国农业银行大冶支行", "小微企业信用贷", 10, 300, 3.50, 4.20, 12, []Guarantee{Credit}, nil, "线上申请，额度循环使用。"},
	{"中国农业银行大冶支行", "知识产权质押贷", 100, 3000, 3.60, 4.50, 36, []Guarantee{Pledge}, []enterprise.QualificationKind{enterprise.HighTech}, "以专利权、商标权质押。"},
	{"中国建设银行大冶支行", "科创企业信用贷", 100, 2000, 3.40, 4.10, 24, []Guarantee{Credit}, []enterprise.QualificationKind{enterprise.HighTech}, "面向高新技术企业。"},
	{"中国建设银行大冶支行", "抵押经营贷", 50, 5000, 3.55, 4.60, 60, []Guarantee{Mortgage}, nil, "以厂房、土地使用权抵押。"},
	{"湖北大冶农村商业银行", "园区企业担保贷", 50, 1000, 4.35, 6.50, 36, []Guarantee{Guaranty}, nil, "政府性融资担保机构担保。"},
	{"湖北大冶农村商业银行", "专精特新贷", 100, 1500, 3.80, 5.00, 36, []Guarantee{Credit, Guaranty}, []enterprise.QualificationKind{enterprise.SpecializedSME}, "面向专精特新中小企业。"},
	{"中国工商银行大冶支行", "经营快贷", 10, 500, 3.45, 4.30, 12, []Guarantee{Credit}, nil, "依据纳税、结算数据在线审批。"},
	{"中国工商银行大冶支行", "固定资产贷款", 500, 10000, 3.80, 4.90, 120, []Guarantee{Mortgage}, nil, "用于厂房建设、设备购置。"},
}

// demoBankUsers are the bank managers besides the platform's "bank"
// account (湖北银行大冶支行): one more bank, to show that banks do not see
// each other's needs. The other banks' answers in the demo are recorded as
// the demo loader acting for the bank (an account costs a password hash at
// every start).
var demoBankUsers = []struct{ username, name, bank string }{
	{"bank_abc", "钱经理", "中国农业银行大冶支行"},
}

// demoNeed is one need of the demo and how far it got.
type demoNeed struct {
	ent        string // short name
	wan        int64
	term       int
	guarantee  Guarantee
	purpose    string
	routed     string // preferred bank, "" for open
	green      bool
	posted     string
	taker      string // the bank that takes it
	product    string
	recommend  string // the office recommends this product first
	outcome    string // how far it goes: taken, approved, denied, disbursed, declined, cancelled, posted
	creditWan  int64
	loanWan    int64
	declinedBy []string // banks declining an open need first
}

// demoNeeds are the seed's financing of 2023: 6,650万元 disbursed to the
// zone's SMEs by 11 July, 黄石市佳兴生物科技 through the science-credit
// product the zone recommended, and needs in every other state.
var demoNeeds = []demoNeed{
	{ent: "佳兴生物", wan: 500, term: 24, guarantee: Credit, purpose: "批量生产阶段流动资金缺口（前期研发投入大）", green: true, posted: "2023-03-06",
		recommend: ScienceCredit, taker: "湖北银行大冶支行", product: ScienceCredit, outcome: "disbursed", creditWan: 500, loanWan: 500,
		declinedBy: []string{"中国建设银行大冶支行"}},
	{ent: "祥邦新能源", wan: 1000, term: 36, guarantee: Mortgage, purpose: "锂电池材料产线扩产", routed: "中国建设银行大冶支行", posted: "2023-01-09",
		taker: "中国建设银行大冶支行", product: "抵押经营贷", outcome: "disbursed", creditWan: 1000, loanWan: 1000},
	{ent: "融通高科", wan: 1600, term: 48, guarantee: Mortgage, purpose: "先进材料项目设备购置", posted: "2023-02-13",
		taker: "中国建设银行大冶支行", product: "抵押经营贷", outcome: "disbursed", creditWan: 1600, loanWan: 1500},
	{ent: "信永辉电子科技", wan: 800, term: 60, guarantee: Mortgage, purpose: "新建电子元器件厂房", routed: "中国工商银行大冶支行", posted: "2023-02-20",
		taker: "中国工商银行大冶支行", product: "固定资产贷款", outcome: "disbursed", creditWan: 800, loanWan: 800},
	{ent: "劲佳包装", wan: 300, term: 12, guarantee: Guaranty, purpose: "原纸采购", posted: "2023-03-13",
		taker: "湖北大冶农村商业银行", product: "园区企业担保贷", outcome: "disbursed", creditWan: 300, loanWan: 300},
	{ent: "展旺新材料", wan: 200, term: 12, guarantee: Credit, purpose: "原材料备货", green: true, posted: "2023-03-27",
		taker: "中国农业银行大冶支行", product: "小微企业信用贷", outcome: "disbursed", creditWan: 200, loanWan: 200},
	{ent: "普罗格智芯", wan: 300, term: 12, guarantee: Credit, purpose: "芯片封测订单备料", posted: "2023-04-10",
		taker: "中国农业银行大冶支行", product: "小微企业信用贷", outcome: "disbursed", creditWan: 300, loanWan: 300},
	{ent: "祥邦新能源", wan: 600, term: 24, guarantee: Mortgage, purpose: "日常经营周转", routed: "湖北银行大冶支行", posted: "2023-04-17",
		taker: "湖北银行大冶支行", product: "小微企业流动资金贷款", outcome: "disbursed", creditWan: 600, loanWan: 600},
	{ent: "信永辉电子科技", wan: 500, term: 24, guarantee: Guaranty, purpose: "扩大订单生产周转", posted: "2023-05-08",
		taker: "湖北大冶农村商业银行", product: "园区企业担保贷", outcome: "disbursed", creditWan: 500, loanWan: 500},
	{ent: "劲佳包装", wan: 400, term: 12, guarantee: Credit, purpose: "采购设备配件", green: true, posted: "2023-05-22",
		taker: "中国工商银行大冶支行", product: "经营快贷", outcome: "disbursed", creditWan: 400, loanWan: 400},
	{ent: "融通高科", wan: 300, term: 18, guarantee: Guaranty, purpose: "研发中试线周转", routed: "湖北银行大冶支行", posted: "2023-06-05",
		taker: "湖北银行大冶支行", product: "小微企业流动资金贷款", outcome: "disbursed", creditWan: 300, loanWan: 300},
	{ent: "展旺新材料", wan: 250, term: 36, guarantee: Mortgage, purpose: "车间改造", posted: "2023-06-12",
		taker: "中国建设银行大冶支行", product: "抵押经营贷", outcome: "disbursed", creditWan: 250, loanWan: 250},
	{ent: "普罗格智芯", wan: 200, term: 12, guarantee: Credit, purpose: "流动资金", posted: "2023-06-19",
		taker: "中国工商银行大冶支行", product: "经营快贷", outcome: "approved", creditWan: 180},
	{ent: "劲佳包装", wan: 150, term: 12, guarantee: Credit, purpose: "季节性备货", posted: "2023-06-28",
		taker: "中国农业银行大冶支行", product: "小微企业信用贷", outcome: "taken"},
	{ent: "展旺新材料", wan: 800, term: 36, guarantee: Guaranty, purpose: "新产线建设", routed: "湖北大冶农村商业银行", posted: "2023-04-24",
		taker: "湖北大冶农村商业银行", product: "园区企业担保贷", outcome: "denied"},
	{ent: "融通高科", wan: 2000, term: 60, guarantee: Credit, purpose: "并购资金", routed: "中国工商银行大冶支行", posted: "2023-05-15", outcome: "declined"},
	{ent: "普罗格智芯", wan: 3000, term: 60, guarantee: Credit, purpose: "新建研发中心", posted: "2023-03-20", outcome: "declined",
		declinedBy: []string{"中国农业银行大冶支行", "中国工商银行大冶支行", "湖北大冶农村商业银行", "中国建设银行大冶支行", "湖北银行大冶支行"}},
	{ent: "祥邦新能源", wan: 100, term: 6, guarantee: Credit, purpose: "短期周转", posted: "2023-05-29", outcome: "cancelled"},
	{ent: "佳兴生物", wan: 200, term: 12, guarantee: Credit, purpose: "新订单原料采购", posted: "2023-07-06", outcome: "posted",
		declinedBy: []string{"中国农业银行大冶支行"}},
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	db := l.d.DB
	products := map[string]int64{}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range demoBankUsers {
			created, err := l.d.Auth.CreateTx(ctx, tx, auth.NewUser{Username: u.username, Name: u.name, OrgID: z.Banks[u.bank],
				Roles: []access.Role{access.Bank}, Password: "demo", Demo: true})
			if err != nil {
				return fmt.Errorf("%s: %w", u.username, err)
			}
			z.Users[u.username] = created.ID
		}
		for _, p := range demoProducts {
			id, err := l.svc.CreateProductTx(ctx, tx, sys, ProductInput{BankOrgID: z.Banks[p.bank], Name: p.name,
				MinFen: p.minWan * money.Wan, MaxFen: p.maxWan * money.Wan, RateMin: p.rateMin, RateMax: p.rateMax,
				TermMonthsMax: p.term, Guarantee: p.guarantee, Requires: p.requires, Description: p.description})
			if err != nil {
				return fmt.Errorf("product %s: %w", p.name, err)
			}
			products[p.name] = id
		}
		return l.qualify(ctx, tx, z)
	})
	if err != nil {
		return err
	}
	z.Extra["finance.products"] = products
	// The actors: the office posts for enterprises without an account and
	// recommends; 祥邦's own user posts and cancels its needs; each bank's
	// manager answers.
	actors := map[string]*access.Principal{}
	for _, name := range []string{"office", "ent", "bank", "bank_abc"} {
		p, err := l.d.Auth.PrincipalOf(ctx, z.Users[name])
		if err != nil {
			return fmt.Errorf("principal %s: %w", name, err)
		}
		actors[name] = p
	}
	bankActor := map[string]*access.Principal{"湖北银行大冶支行": actors["bank"]}
	for _, u := range demoBankUsers {
		bankActor[u.bank] = actors[u.username]
	}
	for name, id := range z.Banks {
		if bankActor[name] == nil {
			o, err := l.d.Orgs.Get(ctx, id)
			if err != nil {
				return err
			}
			bankActor[name] = &access.Principal{Username: "demo", Name: name, Roles: []access.Role{access.Bank}, OrgID: id, OrgPath: o.Path}
		}
	}
	rnd := rand.New(rand.NewPCG(2023, 7))
	today := l.svc.today()
	needs := append([]demoNeed{}, demoNeeds...)
	// Two needs of this week, so that the banks' inboxes are not all history.
	needs = append(needs,
		demoNeed{ent: "祥邦新能源", wan: 300, term: 12, guarantee: Credit, purpose: "紧急支付原材料货款", routed: "湖北银行大冶支行", green: true,
			posted: today.String(), outcome: "posted"},
		demoNeed{ent: "劲佳包装", wan: 120, term: 12, guarantee: Credit, purpose: "订单备料", posted: today.AddDays(-2).String(), outcome: "posted"})
	return db.Write(ctx, func(tx *store.Tx) error {
		for i, dn := range needs {
			if err := l.need(ctx, tx, z, actors, bankActor, products, rnd, dn); err != nil {
				return fmt.Errorf("need %d (%s): %w", i, dn.ent, err)
			}
		}
		return nil
	})
}

// qualify records 佳兴生物's 科技型中小企业 status, renewed every year since
// 2023 (入库 is yearly), for the years the registry does not cover yet.
func (l *demoLoader) qualify(ctx context.Context, tx *store.Tx, z *platform.Zone) error {
	id := z.Enterprises["佳兴生物"]
	for y := 2023; y <= l.svc.today().Year; y++ {
		if _, err := enterprise.RecordQualification(ctx, tx, id, enterprise.QualificationInput{Kind: enterprise.TechSME,
			CertNo: fmt.Sprintf("%d4202810%04d", y, 37), ValidFrom: civil.New(y, 1, 1), ValidTo: civil.New(y, 12, 31)}); err != nil {
			return err
		}
	}
	return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.qualification.demo", Object: "enterprise", ObjectID: id,
		Summary: map[string]any{"kind": enterprise.TechSME}})
}

func body(v map[string]any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func (l *demoLoader) need(ctx context.Context, tx *store.Tx, z *platform.Zone, actors map[string]*access.Principal,
	bankActor map[string]*access.Principal, products map[string]int64, rnd *rand.Rand, dn demoNeed) error {
	posted := civil.MustParse(dn.posted)
	poster := actors["office"]
	if dn.ent == "祥邦新能源" {
		poster = actors["ent"]
	}
	in := NeedInput{EnterpriseID: z.Enterprises[dn.ent], AmountFen: dn.wan * money.Wan, TermMonths: dn.term, Purpose: dn.purpose,
		Guarantee: dn.guarantee, BankOrgID: z.Banks[dn.routed], GreenChannel: dn.green, PostedOn: posted}
	id, err := l.svc.PostTx(access.With(ctx, poster), tx, poster, in)
	if err != nil {
		return err
	}
	act := func(p *access.Principal, action string, b map[string]any) error {
		return l.svc.ActTx(access.With(ctx, p), tx, p, id, action, body(b))
	}
	// Banks answer within one to four working days, the green channel the
	// next working day.
	day := posted
	next := func(lo, hi int) string {
		day = l.svc.Calendar.AddWorkdays(day, lo+rnd.IntN(hi-lo+1))
		return day.String()
	}
	if dn.recommend != "" {
		on := next(1, 1)
		if err := l.svc.RecommendTx(access.With(ctx, actors["office"]), tx, actors["office"], id, products[dn.recommend], "反复比对各银行产品后推荐", civil.MustParse(on)); err != nil {
			return err
		}
	}
	for _, b := range dn.declinedBy {
		if err := act(bankActor[b], "decline", map[string]any{"date": next(0, 1), "note": "额度或担保条件不符"}); err != nil {
			return err
		}
	}
	if dn.outcome == "posted" {
		return nil
	}
	if dn.outcome == "cancelled" {
		return act(actors["ent"], "cancel", map[string]any{"date": next(1, 2), "note": "已通过其他渠道解决"})
	}
	if dn.outcome == "declined" && dn.taker == "" && dn.routed != "" {
		return act(bankActor[dn.routed], "decline", map[string]any{"date": next(1, 4), "note": "超出本行授信政策"})
	}
	if dn.outcome == "declined" {
		return nil
	}
	bank := bankActor[dn.taker]
	lo, hi := 1, 4
	if dn.green {
		lo, hi = 0, 1
	}
	if err := act(bank, "take", map[string]any{"date": next(lo, hi), "product_id": fmt.Sprint(products[dn.product])}); err != nil {
		return err
	}
	switch dn.outcome {
	case "denied":
		return act(bank, "deny_credit", map[string]any{"date": next(3, 8), "note": "抵押物评估价值不足"})
	case "approved", "disbursed":
		if err := act(bank, "approve_credit", map[string]any{"amount_fen": dn.creditWan * money.Wan, "date": next(3, 8)}); err != nil {
			return err
		}
	}
	if dn.outcome == "disbursed" {
		return act(bank, "disburse", map[string]any{"amount_fen": dn.loanWan * money.Wan, "date": next(2, 5)})
	}
	return nil
}
