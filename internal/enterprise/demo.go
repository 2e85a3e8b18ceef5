package enterprise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// Named are the enterprises the seed article names, with their place in
// the demo zone.
var Named = []struct {
	Name, Short, Industry, Street string
	Scale                         Scale
	AboveScale                    bool
}{
	{"湖北祥邦新能源科技有限公司", "祥邦新能源", "3841", "罗家桥街道", Medium, true},
	{"大美科技（湖北）有限公司", "大美科技", "3979", "罗家桥街道", Large, true},
	{"东贝精密智造（黄石）有限公司", "东贝精密智造", "3484", "金湖街道", Large, true},
	{"湖北东贝电机有限公司", "东贝电机", "3811", "金湖街道", Large, true},
	{"大冶市劲佳包装有限公司", "劲佳包装", "2231", "东岳路街道", Medium, true},
	{"湖北信永辉电子科技有限公司", "信永辉电子科技", "3982", "罗家桥街道", Medium, true},
	{"湖北展旺新材料有限公司", "展旺新材料", "2929", "金湖街道", Small, true},
	{"湖北立中轮毂有限公司", "立中轮毂", "3670", "金湖街道", Large, true},
	{"长城汽车股份有限公司大冶分公司", "长城汽车", "3612", "罗家桥街道", Large, true},
	{"湖北融通高科先进材料集团股份有限公司", "融通高科", "3985", "东岳路街道", Medium, true},
	{"黄石市佳兴生物科技有限公司", "佳兴生物", "2761", "金湖街道", Small, false},
	{"湖北普罗格智芯科技有限公司", "普罗格智芯", "3973", "罗家桥街道", Small, false},
}

// DemoUSCC makes a valid credit code for the demo from a serial number:
// authority 9 (工商), type 1 (企业), region 420281 (大冶市).
func DemoUSCC(n int) string {
	body := fmt.Sprintf("91420281MA%07d", n)
	// Map digits above the alphabet's reach: the body is digits only, so it
	// is always within the alphabet.
	return body + string(USCCCheck(body))
}

type demoLoader struct {
	d   *platform.Deps
	svc *Service
}

// DemoDay is the day the seed article's figures hold: on 2023-06-30 the
// demo zone has more than 180 enterprises with a valid high-tech
// certificate and exactly 310 entered as tech-based SMEs.
var DemoDay = civil.New(2023, 6, 30)

// Demo figures on DemoDay.
const (
	DemoHighTech = 186
	DemoTechSME  = 310
	// demoGenerated is how many enterprises the demo adds to the named ones.
	demoGenerated = 800
)

// namedQualifications are the named enterprises' qualifications.
var namedQualifications = map[string][]QualificationInput{
	"祥邦新能源":   {{Kind: HighTech, CertNo: "GR202142001187", ValidFrom: civil.New(2021, 12, 3), ValidTo: civil.New(2024, 12, 2)}, {Kind: TechSME, CertNo: "20234202050100118", ValidFrom: civil.New(2023, 4, 12), ValidTo: civil.New(2023, 12, 31)}},
	"大美科技":    {{Kind: HighTech, CertNo: "GR202242004410", ValidFrom: civil.New(2022, 11, 29), ValidTo: civil.New(2025, 11, 28)}, {Kind: SpecializedSME, CertNo: "鄂专精特新202200317", ValidFrom: civil.New(2022, 8, 1), ValidTo: civil.New(2025, 7, 31)}},
	"东贝精密智造":  {{Kind: HighTech, CertNo: "GR202142003520", ValidFrom: civil.New(2021, 11, 15), ValidTo: civil.New(2024, 11, 14)}},
	"东贝电机":    {{Kind: HighTech, CertNo: "GR201942000871", ValidFrom: civil.New(2019, 11, 28), ValidTo: civil.New(2022, 11, 27)}, {Kind: HighTech, CertNo: "GR202242002269", ValidFrom: civil.New(2022, 12, 14), ValidTo: civil.New(2025, 12, 13)}},
	"劲佳包装":    {{Kind: TechSME, CertNo: "20234202050100452", ValidFrom: civil.New(2023, 5, 8), ValidTo: civil.New(2023, 12, 31)}},
	"信永辉电子科技": {{Kind: HighTech, CertNo: "GR202042001903", ValidFrom: civil.New(2020, 12, 1), ValidTo: civil.New(2023, 11, 30)}, {Kind: TechSME, CertNo: "20234202050100087", ValidFrom: civil.New(2023, 3, 27), ValidTo: civil.New(2023, 12, 31)}, {Kind: InnovativeSME, CertNo: "鄂创新202200764", ValidFrom: civil.New(2022, 10, 20), ValidTo: civil.New(2025, 10, 19)}},
	"展旺新材料":   {{Kind: TechSME, CertNo: "20234202050100296", ValidFrom: civil.New(2023, 4, 20), ValidTo: civil.New(2023, 12, 31)}, {Kind: InnovativeSME, CertNo: "鄂创新202300112", ValidFrom: civil.New(2023, 3, 1), ValidTo: civil.New(2026, 2, 28)}},
	"立中轮毂":    {{Kind: HighTech, CertNo: "GR202242000735", ValidFrom: civil.New(2022, 10, 12), ValidTo: civil.New(2025, 10, 11)}, {Kind: SpecializedSME, CertNo: "鄂专精特新202100208", ValidFrom: civil.New(2021, 9, 1), ValidTo: civil.New(2024, 8, 31)}},
	"融通高科":    {{Kind: HighTech, CertNo: "GR202142000519", ValidFrom: civil.New(2021, 11, 3), ValidTo: civil.New(2024, 11, 2)}, {Kind: SpecializedSME, CertNo: "鄂专精特新202200095", ValidFrom: civil.New(2022, 8, 1), ValidTo: civil.New(2025, 7, 31)}},
	"佳兴生物":    {{Kind: TechSME, CertNo: "20234202050100631", ValidFrom: civil.New(2023, 2, 20), ValidTo: civil.New(2023, 12, 31)}},
	"普罗格智芯":   {{Kind: TechSME, CertNo: "20234202050100019", ValidFrom: civil.New(2023, 3, 15), ValidTo: civil.New(2023, 12, 31)}, {Kind: InnovativeSME, CertNo: "鄂创新202300058", ValidFrom: civil.New(2023, 2, 1), ValidTo: civil.New(2026, 1, 31)}},
}

// demoVisits are the demo cadre's visits in 2023, with the flags raised.
var demoVisits = []struct {
	Short string
	Date  civil.Date
	Notes string
	Flags []Flag
}{
	{"祥邦新能源", civil.New(2023, 2, 16), "二期锂电池生产线设备已到场，计划5月试产；新增用工约120人，普工招聘进度偏慢。", []Flag{Expanding, LaborShortage}},
	{"祥邦新能源", civil.New(2023, 5, 9), "试产推迟至6月，主要卡在10千伏专线报装，希望供电公司加快接电。", []Flag{PowerNeed}},
	{"大美科技", civil.New(2023, 3, 7), "订单饱满，拟扩建厂房约2万平方米，需协调用地指标。", []Flag{Expanding, LandNeed}},
	{"东贝精密智造", civil.New(2023, 3, 21), "新产品线需要环评批复和排污许可变更，咨询办理流程和时限。", []Flag{LicenseProblem}},
	{"东贝电机", civil.New(2023, 4, 11), "原材料价格上涨，流动资金紧张，有3000万元贷款需求。", []Flag{FinancingNeed}},
	{"劲佳包装", civil.New(2023, 4, 18), "咨询高新技术企业认定条件和研发费用加计扣除政策。", []Flag{PolicyQuestion}},
	{"信永辉电子科技", civil.New(2023, 5, 4), "下游客户回款慢，应收账款增加；希望对接供应链金融产品。", []Flag{OverduePayment, FinancingNeed}},
	{"展旺新材料", civil.New(2023, 5, 23), "企业反映园区内货车通行限时，原料进场困难。", []Flag{Logistics}},
	{"立中轮毂", civil.New(2023, 6, 6), "外省有地方以更优惠条件招引，企业在评估部分产能外迁，需重点关注。", []Flag{Relocating}},
	{"融通高科", civil.New(2023, 6, 13), "与高校合作的新型正极材料中试遇到技术瓶颈，希望对接湖北理工学院团队。", []Flag{TechNeed}},
	{"佳兴生物", civil.New(2023, 6, 20), "产品已获认证，希望参加产销对接会拓展省外市场。", []Flag{MarketNeed}},
	{"普罗格智芯", civil.New(2023, 6, 27), "季节性订单下降，计划减少一条产线并分流部分员工。", []Flag{Downsizing, LaborShortage}},
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	people := NewGen(12, nil, 0, DemoDay)
	err := l.d.DB.Write(ctx, func(tx *store.Tx) error {
		for i, n := range Named {
			id, err := l.svc.CreateTx(ctx, tx, sys, Input{
				USCC: DemoUSCC(100 + i), Name: n.Name, ShortName: n.Short, OrgID: z.Streets[n.Street],
				IndustryCode: n.Industry, Scale: n.Scale, AboveScale: n.AboveScale,
				Address:  fmt.Sprintf("湖北省黄石市大冶市%s%s%d号", n.Street, roads[i%len(roads)], 8+11*i),
				LegalRep: people.PersonName(), ContactName: people.PersonName(),
				ContactPhone: fmt.Sprintf("1387140%04d", 1000+i), CadreUserID: z.Users["cadre"],
				Employees: 60 + 37*i, RegisteredOn: civil.New(2010+i%10, 3, 1+i),
			})
			if err != nil {
				return fmt.Errorf("%s: %w", n.Name, err)
			}
			z.Enterprises[n.Name] = id
			z.Enterprises[n.Short] = id
			var qs []qualRow
			for _, q := range namedQualifications[n.Short] {
				qs = append(qs, qualRow{id, z.Streets[n.Street], q})
			}
			if err := insertQualifications(ctx, tx, qs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids, err := l.svc.Generate(ctx, sys, "demo", demoEnterprises(z))
	if err != nil {
		return err
	}
	z.Extra["enterprise.generated"] = ids
	return l.d.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := l.d.Auth.CreateTx(ctx, tx, auth.NewUser{Username: "ent", Name: "祥邦企业办事员", OrgID: z.Streets["罗家桥街道"],
			Roles: []access.Role{access.Enterprise}, EnterpriseID: z.Enterprises["祥邦新能源"], Password: "demo", Demo: true})
		if err != nil {
			return err
		}
		z.Users["ent"] = u.ID
		var visits []Visit
		for _, v := range demoVisits {
			visit, err := l.svc.AddVisitTx(ctx, tx, sys, z.Enterprises[v.Short], VisitInput{CadreUserID: z.Users["cadre"], Date: v.Date, Notes: v.Notes, Flags: v.Flags})
			if err != nil {
				return fmt.Errorf("visit to %s: %w", v.Short, err)
			}
			visits = append(visits, visit)
		}
		z.Extra["enterprise.visits"] = visits
		return nil
	})
}

// demoEnterprises are the generated part of the demo zone, spread over its
// streets, communities and parks, with qualifications chosen so that the
// seed article's figures hold on DemoDay, and lapsed or later ones around
// them so that "valid on the day" matters.
func demoEnterprises(z *platform.Zone) []Generated {
	var places []Place
	for _, m := range []map[string]int64{z.Streets, z.Communities, z.Parks} {
		for name, id := range m {
			places = append(places, Place{id, name})
		}
	}
	// Map order is random: sort for a fixed demo.
	slices.SortFunc(places, func(a, b Place) int { return int(a.ID - b.ID) })
	g := NewGen(2023, places, 1, DemoDay)
	rows := make([]Generated, demoGenerated)
	for i := range rows {
		rows[i].Input = g.Next()
	}
	named := map[QualificationKind]int{}
	for _, qs := range namedQualifications {
		for _, q := range qs {
			if q.ValidFrom.Compare(DemoDay) <= 0 && q.ValidTo.Compare(DemoDay) >= 0 {
				named[q.Kind]++
			}
		}
	}
	r := rand.New(rand.NewPCG(2023, 630))
	add := func(i int, kind QualificationKind, from, to civil.Date) {
		rows[i].Qualifications = append(rows[i].Qualifications, QualificationInput{Kind: kind, CertNo: g.CertNo(kind, from.Year), ValidFrom: from, ValidTo: to})
	}
	day := func(y int, m time.Month) civil.Date { return civil.New(y, m, 1+r.IntN(28)) }
	threeYears := func(from civil.Date) civil.Date { return from.AddMonths(36).AddDays(-1) }

	// High-tech certificates run three years from their December issue.
	perm := r.Perm(demoGenerated)
	valid := DemoHighTech - named[HighTech]
	for k, i := range perm[:valid] {
		from := day(2020+k%3, 11+time.Month(k%2))
		add(i, HighTech, from, threeYears(from))
	}
	for _, i := range perm[valid : valid+30] { // lapsed before DemoDay
		from := day(2017+r.IntN(2), 12)
		add(i, HighTech, from, threeYears(from))
	}
	for _, i := range perm[valid+30 : valid+42] { // recognised after DemoDay
		from := day(2023, 12)
		add(i, HighTech, from, threeYears(from))
	}

	// Tech-based SMEs are entered each spring and count to the year's end.
	perm = r.Perm(demoGenerated)
	valid = DemoTechSME - named[TechSME]
	for _, i := range perm[:valid] {
		add(i, TechSME, day(2023, time.Month(3+r.IntN(4))), civil.New(2023, 12, 31))
	}
	for _, i := range perm[valid : valid+25] { // entered after DemoDay
		add(i, TechSME, day(2023, time.Month(7+r.IntN(3))), civil.New(2023, 12, 31))
	}
	for _, i := range append(slices.Clone(perm[:150]), perm[valid+25:valid+95]...) { // last year's entries
		add(i, TechSME, day(2022, time.Month(3+r.IntN(5))), civil.New(2022, 12, 31))
	}

	perm = r.Perm(demoGenerated)
	for k, i := range perm[:65] {
		kind := InnovativeSME
		if k < 25 {
			kind = SpecializedSME
		}
		from := day(2020+r.IntN(4), time.Month(1+r.IntN(6)))
		add(i, kind, from, threeYears(from))
	}
	return rows
}
