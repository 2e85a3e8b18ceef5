package innovation

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/org"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// The demo builds the seed article's innovation figures for the first half
// of 2023 (黄石大冶湖高新区: 3 national innovation-and-entrepreneurship
// platforms, 38 provincial-or-higher and 66 municipal R&D platforms, 60+
// events, 30+ universities cooperating with 70+ enterprises, 10+ provincial
// R&D projects, four enterprises supported by 光谷科创大走廊 and 融通高科 by
// a provincial key project, and items along 研发 → 孵化 → 中试 → 市场).

// DemoUniversities are the universities and institutes the demo adds to the
// zone's six, so that 32 cooperate with its enterprises.
var DemoUniversities = []struct{ Name, Code string }{
	{"湖北工业大学", "U-HBGY"}, {"武汉大学", "U-WHDX"}, {"武汉纺织大学", "U-WHFZ"}, {"华中农业大学", "U-HZNY"},
	{"武汉工程大学", "U-WHGC"}, {"湖北大学", "U-HBDX"}, {"中南民族大学", "U-ZNMZ"}, {"江汉大学", "U-JHDX"},
	{"武汉轻工大学", "U-WHQG"}, {"华中师范大学", "U-HZSF"}, {"湖北汽车工业学院", "U-HBQC"}, {"三峡大学", "U-SXDX"},
	{"长江大学", "U-CJDX"}, {"湖北工程学院", "U-HBGCXY"}, {"湖北文理学院", "U-HBWL"}, {"湖北中医药大学", "U-HBZY"},
	{"武汉东湖学院", "U-WHDH"}, {"黄石职业技术学院", "U-HSZY"}, {"武汉船舶职业技术学院", "U-WHCB"}, {"武汉职业技术学院", "U-WHZY"},
	{"中国科学院武汉岩土力学研究所", "U-CAS-YT"}, {"中国科学院精密测量科学与技术创新研究院", "U-CAS-JM"}, {"湖北省农业科学院", "U-HBNKY"},
	{"武汉邮电科学研究院", "U-WHYK"}, {"湖北第二师范学院", "U-HBDE"}, {"中钢集团武汉安全环保研究院", "U-ZGAH"},
}

// seedUniversities are the six universities of the demo org tree.
var seedUniversities = []string{"湖北理工学院", "武汉理工大学", "华中科技大学", "湖北师范大学", "武汉科技大学", "中国地质大学（武汉）"}

// DemoEnterprises is how many enterprises the demo's partnerships involve.
const DemoEnterprises = 72

type demoLoader struct {
	svc *Service
	z   *platform.Zone
	sys *access.Principal
	rng *rand.Rand

	ents []demoEnt // the enterprises used, the article's named ones first
	unis []int64   // the 32 universities, the tree's six first
}

type demoEnt struct {
	ID    int64
	Name  string
	Short string
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	l.z = z
	// The demo acts as the system, with the service office's role so that
	// workflow actions pass the same role checks as a person's.
	l.sys = access.SystemPrincipal("demo")
	l.sys.Roles = []access.Role{access.ServiceOffice}
	l.rng = rand.New(rand.NewPCG(8, 2023))
	if err := l.svc.DB.Write(ctx, func(tx *store.Tx) error { return l.prepare(ctx, tx) }); err != nil {
		return err
	}
	err := l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		for _, step := range []func(context.Context, *store.Tx) error{l.platforms, l.events, l.partnerships, l.grants, l.transfers} {
			if err := step(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return l.selfChecks(ctx)
}

// prepare adds the universities and, when the registry holds fewer than
// the demo needs, registers enterprises to make up the number.
func (l *demoLoader) prepare(ctx context.Context, tx *store.Tx) error {
	for _, u := range DemoUniversities {
		if _, ok := l.z.Universities[u.Name]; ok {
			continue
		}
		o, err := org.CreateTx(ctx, tx, org.Input{Name: u.Name, Kind: org.University, ParentID: l.z.ID, Code: u.Code})
		if err != nil {
			return fmt.Errorf("university %s: %w", u.Name, err)
		}
		l.z.Universities[u.Name] = o.ID
	}
	for _, n := range seedUniversities {
		l.unis = append(l.unis, l.z.Universities[n])
	}
	for _, u := range DemoUniversities {
		l.unis = append(l.unis, l.z.Universities[u.Name])
	}

	seen := map[int64]bool{}
	for _, n := range enterprise.Named {
		if id := l.z.Enterprises[n.Name]; id != 0 && !seen[id] {
			seen[id] = true
			l.ents = append(l.ents, demoEnt{id, n.Name, n.Short})
		}
	}
	rows, err := tx.Query(ctx, "SELECT id, name, short_name FROM enterprises ORDER BY id LIMIT ?", DemoEnterprises*2)
	if err != nil {
		return err
	}
	for rows.Next() {
		var e demoEnt
		if err := rows.Scan(&e.ID, &e.Name, &e.Short); err != nil {
			rows.Close()
			return err
		}
		if !seen[e.ID] && len(l.ents) < DemoEnterprises {
			seen[e.ID] = true
			l.ents = append(l.ents, e)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return l.topUp(ctx, tx)
}

var (
	topUpCores  = []string{"锐驰", "华冶", "恒盛", "鑫泰", "博远", "宏图", "汇能", "科达", "中晟", "瑞丰", "天成", "富华", "金誉", "长盛", "永康", "嘉禾", "卓远", "创源", "顺安", "德盛"}
	topUpFields = []struct{ name, industry string }{{"新材料", "2929"}, {"智能装备", "3484"}, {"电子科技", "3982"}, {"生物科技", "2761"}}
)

// topUp registers enterprises until the demo has DemoEnterprises of them.
func (l *demoLoader) topUp(ctx context.Context, tx *store.Tx) error {
	places := []int64{}
	for _, n := range []string{"罗家桥街道", "金湖街道", "东岳路街道"} {
		places = append(places, l.z.Streets[n])
	}
	for _, n := range []string{"大冶湖高新区智能制造产业园", "大冶湖高新区生物医药产业园", "大冶湖高新区新能源新材料产业园", "大冶湖高新区电子信息产业园"} {
		places = append(places, l.z.Parks[n])
	}
	serial := 900000
	for i := 0; len(l.ents) < DemoEnterprises; i++ {
		core, field := topUpCores[i%len(topUpCores)], topUpFields[(i/len(topUpCores))%len(topUpFields)]
		name := "黄石市" + core + field.name + "有限公司"
		code := enterprise.DemoUSCC(serial)
		for {
			id, err := enterprise.ByUSCC(ctx, tx, code)
			if err != nil {
				return err
			}
			if id == 0 {
				break
			}
			serial++
			code = enterprise.DemoUSCC(serial)
		}
		serial++
		id, err := l.svc.Enterprises.CreateTx(ctx, tx, l.sys, enterprise.Input{USCC: code, Name: name, ShortName: core + field.name,
			OrgID: places[i%len(places)], IndustryCode: field.industry, Scale: enterprise.Small, Address: "湖北省黄石市大冶市大冶湖高新区",
			LegalRep: "法定代表人", Employees: 40 + l.rng.IntN(260), RegisteredOn: civil.New(2012+l.rng.IntN(10), time.Month(1+l.rng.IntN(12)), 1+l.rng.IntN(28))})
		if err != nil {
			return fmt.Errorf("enterprise %s: %w", name, err)
		}
		l.z.Enterprises[name] = id
		l.ents = append(l.ents, demoEnt{id, name, core + field.name})
	}
	return nil
}

func (l *demoLoader) ent(short string) int64 {
	for _, e := range l.ents {
		if e.Short == short || e.Name == short {
			return e.ID
		}
	}
	return 0
}

// day returns a random day between from and to, inclusive.
func (l *demoLoader) day(from, to string) civil.Date {
	a, b := civil.MustParse(from), civil.MustParse(to)
	return a.AddDays(l.rng.IntN(a.DaysUntil(b) + 1))
}

func (l *demoLoader) platforms(ctx context.Context, tx *store.Tx) error {
	parks := l.z.Parks
	add := func(in PlatformInput) (int64, error) {
		id, err := l.svc.CreatePlatformTx(ctx, tx, l.sys, in)
		if err != nil {
			return 0, fmt.Errorf("platform %s: %w", in.Name, err)
		}
		return id, nil
	}
	byOrg := func(name string, kind PlatformKind, level Level, host int64, on, by string) PlatformInput {
		return PlatformInput{Name: name, Kind: kind, Level: level, HostOrgID: host, RecognizedOn: civil.MustParse(on), RecognizedBy: by}
	}
	byEnt := func(e demoEnt, kind PlatformKind, level Level, on civil.Date) PlatformInput {
		prefix, by := "湖北省", "湖北省科技厅"
		if level == Municipal {
			prefix, by = "黄石市", "黄石市科技局"
		}
		if kind == EnterpriseTechCenter {
			by = map[Level]string{Provincial: "湖北省经济和信息化厅", Municipal: "黄石市经济和信息化局"}[level]
		}
		return PlatformInput{Name: e.Short + prefix + kind.Label().Zh, Kind: kind, Level: level, HostEnterpriseID: e.ID, RecognizedOn: on, RecognizedBy: by}
	}
	fixed := []PlatformInput{
		// The three national 双创 platforms.
		byOrg("大冶湖高新区科技企业孵化器", Incubator, National, l.z.ID, "2019-12-18", "科学技术部"),
		byOrg("大冶湖高新区智能制造产业园孵化基地", Incubator, National, parks["大冶湖高新区智能制造产业园"], "2021-11-26", "科学技术部"),
		byOrg("大冶湖高新区青年创新创业众创空间", MakerSpace, National, parks["大冶湖高新区电子信息产业园"], "2020-10-30", "科学技术部"),
		// Provincial platforms hosted by the zone, its parks and universities.
		byOrg("大冶湖高新区大学科技园", SciencePark, Provincial, l.z.ID, "2023-04-18", "湖北省科技厅、湖北省教育厅"),
		byOrg("大冶湖高新区青创园", MakerSpace, Provincial, parks["大冶湖高新区新能源新材料产业园"], "2023-05-26", "湖北省科技厅"),
		byOrg("矿区环境污染控制与修复湖北省重点实验室", KeyLab, Provincial, l.z.Universities["湖北理工学院"], "2014-12-25", "湖北省科技厅"),
		byOrg("大冶湖高新区先进材料产业技术研究院", NewRDInstitution, Provincial, l.z.ID, "2022-07-15", "湖北省科技厅"),
		// The zone's own district-level platforms: the offshore innovation
		// centre in Wuhan and the technology transfer centre.
		byOrg("大冶湖高新区（武汉）离岸科创中心", OffshoreCenter, District, l.z.ID, "2021-11-18", "大冶湖高新区管委会"),
		byOrg("大冶湖高新区科技成果转化中心", TransferCenter, District, l.z.ID, "2022-06-08", "大冶湖高新区管委会"),
	}
	ids := map[string]int64{}
	for _, in := range fixed {
		id, err := add(in)
		if err != nil {
			return err
		}
		ids[in.Name] = id
	}
	l.z.Extra["innovation.offshore_center"] = ids["大冶湖高新区（武汉）离岸科创中心"]
	l.z.Extra["innovation.transfer_center"] = ids["大冶湖高新区科技成果转化中心"]
	l.z.Extra["innovation.incubator"] = ids["大冶湖高新区科技企业孵化器"]

	// Provincial platforms hosted by enterprises: 3 workstations, 10
	// enterprise technology centres, 10 engineering technology research
	// centres and 8 university–enterprise R&D centres — 31, with the four
	// above 35.
	var prov []PlatformInput
	for i, short := range []string{"东贝电机", "融通高科", "立中轮毂"} {
		e := l.ents[l.index(short)]
		prov = append(prov, PlatformInput{Name: e.Short + "院士专家工作站", Kind: ExpertWorkstation, Level: Provincial, HostEnterpriseID: e.ID,
			RecognizedOn: civil.New(2018+i, 9, 20), RecognizedBy: "湖北省科学技术协会"})
	}
	for i := 0; i < 10; i++ {
		prov = append(prov, byEnt(l.ents[i], EnterpriseTechCenter, Provincial, l.day("2015-01-01", "2023-06-20")))
	}
	for i := 10; i < 20; i++ {
		prov = append(prov, byEnt(l.ents[i], EngTechCenter, Provincial, l.day("2016-01-01", "2023-06-20")))
	}
	for i := 20; i < 28; i++ {
		prov = append(prov, byEnt(l.ents[i], JointRDCenter, Provincial, l.day("2018-01-01", "2023-06-20")))
	}
	// One recognition revoked before 2023: it no longer counts.
	gone := byEnt(l.ents[28], EngTechCenter, Provincial, civil.MustParse("2017-10-20"))
	gone.Status, gone.RevokedOn = Revoked, civil.MustParse("2022-11-30")
	prov = append(prov, gone)

	// 66 municipal platforms: 30 enterprise technology centres, 20
	// engineering technology research centres, 10 university–enterprise
	// centres, 3 maker spaces and 3 incubators; and two recognised in the
	// second half of 2023.
	var muni []PlatformInput
	for i := 12; i < 42; i++ {
		muni = append(muni, byEnt(l.ents[i], EnterpriseTechCenter, Municipal, l.day("2016-01-01", "2023-06-25")))
	}
	for i := 30; i < 50; i++ {
		muni = append(muni, byEnt(l.ents[i], EngTechCenter, Municipal, l.day("2016-01-01", "2023-06-25")))
	}
	for i := 50; i < 60; i++ {
		muni = append(muni, byEnt(l.ents[i], JointRDCenter, Municipal, l.day("2019-01-01", "2023-06-25")))
	}
	for i, park := range []string{"大冶湖高新区智能制造产业园", "大冶湖高新区生物医药产业园", "大冶湖高新区新能源新材料产业园"} {
		muni = append(muni,
			byOrg(park[len("大冶湖高新区"):]+"众创空间", MakerSpace, Municipal, parks[park], fmt.Sprintf("20%d-06-1%d", 18+i, i), "黄石市科技局"),
			byOrg(park[len("大冶湖高新区"):]+"科技企业孵化器", Incubator, Municipal, parks[park], fmt.Sprintf("20%d-11-2%d", 17+i, i), "黄石市科技局"))
	}
	for i := 60; i < 62; i++ {
		muni = append(muni, byEnt(l.ents[i], EnterpriseTechCenter, Municipal, civil.MustParse("2023-09-20")))
	}
	for _, in := range append(prov, muni...) {
		if _, err := add(in); err != nil {
			return err
		}
	}
	return nil
}

// index is the position of a named enterprise among those the demo uses.
func (l *demoLoader) index(short string) int {
	for i, e := range l.ents {
		if e.Short == short {
			return i
		}
	}
	panic("demo: no enterprise " + short)
}

// Event names by kind; %d is a running number.
var eventNames = map[EventKind][]string{
	Training:   {"高新技术企业申报辅导培训（第%d期）", "科技型中小企业评价入库培训（第%d期）", "研发费用加计扣除政策解读会（第%d期）", "知识产权质押融资培训（第%d期）"},
	Roadshow:   {"科创项目路演（第%d场）", "光谷科创大走廊项目对接路演（第%d场）", "高校科技成果路演（第%d场）"},
	Conference: {"科创沙龙（第%d期）", "校企对接会（第%d场）", "产学研合作洽谈会（第%d场）"},
	Contest:    {"大冶湖高新区创新创业大赛（第%d轮）", "“每周一赛”科技创新擂台赛（第%d场）"},
}

func (l *demoLoader) events(ctx context.Context, tx *store.Tx) error {
	kinds := []EventKind{Training, Roadshow, Conference, Contest}
	counter := map[string]int{}
	gen := func(i int, on civil.Date) EventInput {
		k := kinds[i%len(kinds)]
		names := eventNames[k]
		pattern := names[(i/len(kinds))%len(names)]
		counter[pattern]++
		in := EventInput{Name: fmt.Sprintf(pattern, counter[pattern]), Kind: k, Date: on, OrgID: l.z.ID, Organizer: "大冶湖高新区科技创新局",
			Venue: "大冶湖高新区科创中心", Participants: 30 + l.rng.IntN(170), Enterprises: 5 + l.rng.IntN(40)}
		if k == Contest {
			in.Results = fmt.Sprintf("评出一等奖1项、二等奖%d项、三等奖%d项", 2+l.rng.IntN(2), 3+l.rng.IntN(3))
		}
		return in
	}
	var all []EventInput
	// Every week has events: 61 spread over the first half of 2023 (weekend
	// days moved to the nearest working day) …
	start := civil.MustParse("2023-01-04")
	for i := 0; i < 61; i++ {
		on := start.AddDays(i * 175 / 60)
		switch on.Weekday() {
		case time.Saturday:
			on = on.AddDays(-1)
		case time.Sunday:
			on = on.AddDays(1)
		}
		all = append(all, gen(i, on))
	}
	// … and the three the article names.
	all = append(all,
		EventInput{Name: "黄石大冶湖高新区首届科技创新大会", Kind: Conference, Date: civil.MustParse("2023-02-20"), OrgID: l.z.ID,
			Organizer: "大冶湖高新区管委会", Venue: "大冶湖高新区会展中心", Participants: 420, Enterprises: 126,
			Results: "发布《坚持创新驱动、推动科创高新建设的政策扶持实施办法（修订）》，签约产学研合作项目12项"},
		EventInput{Name: "第七届中国创新挑战赛（黄石赛区）现场赛", Kind: Contest, Date: civil.MustParse("2023-05-12"), OrgID: l.z.ID,
			Organizer: "黄石市科技局、大冶湖高新区管委会", Venue: "大冶湖高新区科创中心", Participants: 260, Enterprises: 38,
			Results: "发布技术需求26项，现场达成合作意向9项"},
		EventInput{Name: "第十二届中国创新创业大赛（黄石赛区）决赛", Kind: Contest, Date: civil.MustParse("2023-06-16"), OrgID: l.z.ID,
			Organizer: "黄石市科技局", Venue: "大冶湖高新区科创中心", Participants: 310, Enterprises: 45,
			Results: "决出企业组一等奖2名、初创组一等奖1名，8家企业晋级湖北赛区"},
	)
	// Outside the half-year: the autumn before and the one after.
	for i := 0; i < 8; i++ {
		all = append(all, gen(61+i, civil.MustParse("2022-07-06").AddDays(i*21)))
	}
	for i := 0; i < 10; i++ {
		all = append(all, gen(69+i, civil.MustParse("2023-07-05").AddDays(i*17)))
	}
	for _, in := range all {
		if _, err := l.svc.CreateEventTx(ctx, tx, l.sys, in); err != nil {
			return fmt.Errorf("event %s: %w", in.Name, err)
		}
	}
	return nil
}

// Partnership subjects, by kind.
var partnershipTitles = map[PartnershipKind][]string{
	Commissioned:     {"委托开发新型工艺", "委托开展检测方法研究", "委托开发控制软件"},
	JointDevelopment: {"联合攻关关键材料技术", "合作开发新一代产品", "联合开展节能降耗技术研究"},
	JointPlatform:    {"共建校企联合研发中心", "共建研究生工作站", "共建工程实验室"},
	TalentTraining:   {"联合培养工程硕士", "共建实习实训基地", "订单式人才培养"},
	LicenseTransfer:  {"发明专利许可实施", "专利转让", "技术秘密转让"},
}

func (l *demoLoader) partnership(i int, ent demoEnt, uni int64, signed, ends civil.Date) PartnershipInput {
	k := PartnershipKinds[i%len(PartnershipKinds)]
	titles := partnershipTitles[k]
	return PartnershipInput{UniversityOrgID: uni, EnterpriseID: ent.ID, Kind: k, Title: titles[(i/len(PartnershipKinds))%len(titles)],
		AmountFen: int64(10+l.rng.IntN(290)) * money.Wan, SignedOn: signed, EndsOn: ends}
}

func (l *demoLoader) partnerships(ctx context.Context, tx *store.Tx) error {
	var all []PartnershipInput
	// Each of the 72 enterprises with one of the 32 universities in turn,
	// signed every 11 days from 2021-03-01 (the last on 2023-04-21); every
	// third for three years, the others open-ended.
	for i, e := range l.ents {
		signed := civil.MustParse("2021-03-01").AddDays(11 * i)
		var ends civil.Date
		if i%3 == 0 {
			ends = signed.AddMonths(36)
		}
		all = append(all, l.partnership(i, e, l.unis[i%len(l.unis)], signed, ends))
	}
	// 20 more between pairs already counted, signed every 19 days from
	// 2022-01-10.
	for j := 0; j < 20; j++ {
		e := l.ents[(j*7+3)%len(l.ents)]
		all = append(all, l.partnership(j+1, e, l.unis[(j*5+1)%len(l.unis)], civil.MustParse("2022-01-10").AddDays(19*j), civil.Date{}))
	}
	// 8 that ended in 2022 and 4 signed after June 2023: not active in the
	// first half of 2023.
	for j := 0; j < 8; j++ {
		signed := civil.MustParse("2020-03-02").AddDays(30 * j)
		all = append(all, l.partnership(j+2, l.ents[j], l.unis[j], signed, civil.MustParse("2022-06-30").AddDays(15*j)))
	}
	for j := 0; j < 4; j++ {
		all = append(all, l.partnership(j+3, l.ents[j+4], l.unis[j+10], civil.MustParse("2023-08-07").AddDays(30*j), civil.Date{}))
	}
	for _, in := range all {
		if _, err := l.svc.CreatePartnershipTx(ctx, tx, l.sys, in); err != nil {
			return fmt.Errorf("partnership: %w", err)
		}
	}
	return nil
}

func (l *demoLoader) grants(ctx context.Context, tx *store.Tx) error {
	type g struct {
		ent     string
		name    string
		kind    GrantKind
		program string
		level   Level
		wan     int64
		year    int
	}
	list := []g{
		{"融通高科", "高性能锂电正极材料关键技术研发及产业化", RDProject, "湖北省重点科技创新专项", Provincial, 800, 2023},
		{"东贝电机", "高效永磁同步电机及控制系统关键技术", RDProject, "国家重点研发计划", National, 600, 2023},
		{"祥邦新能源", "光伏组件封装胶膜抗PID关键技术", RDProject, "湖北省重点研发计划", Provincial, 300, 2023},
		{"大美科技", "显示用高性能光学膜材料研发", RDProject, "湖北省重点研发计划", Provincial, 300, 2023},
		{"东贝精密智造", "高精度压缩机零部件智能制造技术", RDProject, "湖北省重点研发计划", Provincial, 250, 2023},
		{"立中轮毂", "新能源汽车轻量化轮毂成形技术", RDProject, "湖北省重点研发计划", Provincial, 250, 2023},
		{"信永辉电子科技", "高频高速印制电路板关键工艺", RDProject, "湖北省重点研发计划", Provincial, 200, 2023},
		{"展旺新材料", "环境友好型高分子改性材料", RDProject, "湖北省技术创新计划", Provincial, 150, 2023},
		{"劲佳包装", "绿色可降解包装材料开发", RDProject, "湖北省技术创新计划", Provincial, 100, 2023},
		{"佳兴生物", "植物源饲料添加剂发酵工艺", RDProject, "湖北省技术创新计划", Provincial, 100, 2023},
		{"长城汽车", "整车电驱系统压铸壳体工艺优化", RDProject, "湖北省重点研发计划", Provincial, 200, 2023},
		{"普罗格智芯", "工业互联网边缘智能网关研发", RDProject, "湖北省重点研发计划", Provincial, 150, 2023},
		// The four enterprises of the 光谷科创大走廊 special support.
		{"普罗格智芯", "光谷科创大走廊专项：智能物流装备控制芯片", SpecialSupport, "光谷科创大走廊专项", Provincial, 200, 2023},
		{"东贝电机", "光谷科创大走廊专项：高效电机产业化", SpecialSupport, "光谷科创大走廊专项", Provincial, 300, 2023},
		{"信永辉电子科技", "光谷科创大走廊专项：柔性电路板", SpecialSupport, "光谷科创大走廊专项", Provincial, 150, 2023},
		{"展旺新材料", "光谷科创大走廊专项：功能涂层材料", SpecialSupport, "光谷科创大走廊专项", Provincial, 150, 2023},
		// Municipal projects of 2023 and provincial ones of 2022.
		{"祥邦新能源", "黄石市科技计划：储能电池热管理", RDProject, "黄石市科技计划项目", Municipal, 50, 2023},
		{"大美科技", "黄石市科技计划：光学膜涂布设备国产化", RDProject, "黄石市科技计划项目", Municipal, 50, 2023},
		{"劲佳包装", "黄石市科技计划：智能包装生产线", RDProject, "黄石市科技计划项目", Municipal, 30, 2023},
		{"佳兴生物", "黄石市科技计划：菌种选育", RDProject, "黄石市科技计划项目", Municipal, 30, 2023},
		{"立中轮毂", "黄石市科技计划：轮毂表面处理", RDProject, "黄石市科技计划项目", Municipal, 30, 2023},
		{"东贝精密智造", "黄石市科技计划：在线检测", RDProject, "黄石市科技计划项目", Municipal, 30, 2023},
		{"融通高科", "高压实磷酸铁锂材料中试", RDProject, "湖北省重点研发计划", Provincial, 300, 2022},
		{"东贝电机", "变频压缩机电机降噪技术", RDProject, "湖北省技术创新计划", Provincial, 100, 2022},
		{"祥邦新能源", "POE胶膜国产化", RDProject, "湖北省技术创新计划", Provincial, 100, 2022},
	}
	for _, x := range list {
		in := GrantInput{Name: x.name, Kind: x.kind, Program: x.program, Level: x.level, EnterpriseID: l.ents[l.index(x.ent)].ID,
			AmountFen: x.wan * money.Wan, Year: x.year}
		if _, err := l.svc.CreateGrantTx(ctx, tx, l.sys, in); err != nil {
			return fmt.Errorf("grant %s: %w", x.name, err)
		}
	}
	return nil
}

func (l *demoLoader) transfers(ctx context.Context, tx *store.Tx) error {
	offshore := l.z.Extra["innovation.offshore_center"].(int64)
	centre := l.z.Extra["innovation.transfer_center"].(int64)
	incubator := l.z.Extra["innovation.incubator"].(int64)
	type item struct {
		name  string
		ent   int // index into l.ents; -1 for none
		uni   string
		host  int64
		wan   int64
		dates []string // research, incubation, pilot, market as reached
	}
	e := l.index
	list := []item{
		{"高镍三元正极材料前驱体制备技术", e("融通高科"), "武汉理工大学", offshore, 680, []string{"2021-03-15", "2021-11-20", "2022-08-10", "2023-03-28"}},
		{"永磁同步电机高效冷却技术", e("东贝电机"), "华中科技大学", offshore, 420, []string{"2021-06-01", "2022-02-15", "2022-10-12", "2023-05-30"}},
		{"轻量化铝合金轮毂旋压成形工艺", e("立中轮毂"), "武汉理工大学", centre, 300, []string{"2021-09-10", "2022-05-06", "2023-02-20"}},
		{"锂电池极片缺陷视觉检测系统", e("祥邦新能源"), "湖北工业大学", offshore, 160, []string{"2022-01-12", "2022-09-01", "2023-04-18"}},
		{"可降解食品包装纸基复合材料", e("劲佳包装"), "武汉纺织大学", centre, 90, []string{"2022-03-03", "2022-12-08", "2023-06-12"}},
		{"微生物发酵法制备植物源饲料添加剂", e("佳兴生物"), "华中农业大学", incubator, 60, []string{"2022-04-20", "2023-01-16"}},
		{"柔性电路板激光微孔加工技术", e("信永辉电子科技"), "华中科技大学", offshore, 120, []string{"2022-05-09", "2023-03-07"}},
		{"工业物联网边缘计算网关", e("普罗格智芯"), "武汉大学", offshore, 80, []string{"2022-06-15", "2022-12-20"}},
		{"高性能环氧改性防腐涂料", e("展旺新材料"), "武汉工程大学", centre, 75, []string{"2022-08-01", "2023-05-22"}},
		// Reached the pilot stage after June 2023: still incubating on 30 June.
		{"精密压缩机曲轴在线测量装置", e("东贝精密智造"), "湖北理工学院", 0, 50, []string{"2022-10-10", "2023-06-05", "2023-08-15"}},
		{"矿山废渣资源化利用技术", -1, "湖北理工学院", centre, 0, []string{"2022-09-15"}},
		{"新能源汽车电驱壳体压铸工艺", e("长城汽车"), "湖北汽车工业学院", 0, 0, []string{"2022-11-02"}},
		{"智能仓储AGV调度算法", 12, "武汉理工大学", offshore, 0, []string{"2023-01-09"}},
		{"电子级氢氟酸纯化工艺", 13, "中国地质大学（武汉）", 0, 0, []string{"2023-03-20"}},
		{"显示面板用光学膜涂布技术", e("大美科技"), "武汉大学", offshore, 0, []string{"2023-05-08"}},
		// Research began after June 2023.
		{"生物基可降解塑料改性技术", 14, "湖北大学", 0, 0, []string{"2023-09-12"}},
	}
	for _, x := range list {
		in := TransferInput{Name: x.name, UniversityOrgID: l.z.Universities[x.uni], HostPlatformID: x.host,
			AmountFen: x.wan * money.Wan, ResearchOn: civil.MustParse(x.dates[0])}
		if x.ent >= 0 {
			in.EnterpriseID = l.ents[x.ent].ID
		}
		id, err := l.svc.CreateTransferTx(ctx, tx, l.sys, in)
		if err != nil {
			return fmt.Errorf("transfer %s: %w", x.name, err)
		}
		for _, d := range x.dates[1:] {
			body, _ := json.Marshal(map[string]string{"date": d})
			if err := l.svc.ActTx(ctx, tx, l.sys, id, "advance", body); err != nil {
				return fmt.Errorf("transfer %s: advance %s: %w", x.name, d, err)
			}
		}
	}
	return nil
}

// selfChecks keeps two self-checks on the record of the demo enterprise user's
// enterprise, as it would have run them in June 2023.
func (l *demoLoader) selfChecks(ctx context.Context) error {
	id := l.ents[l.index("祥邦新能源")].ID
	on := civil.MustParse("2023-06-20")
	_, err := l.svc.CheckHighTech(ctx, l.sys, HighTechFigures{EnterpriseID: id, AsOf: on, IPClass1: 6, IPClass2: 14, Field: FieldEnergy,
		Staff: 320, TechStaff: 58, Sales3yFen: 9 * money.Yi, SalesLastYearFen: 35_000 * money.Wan, RD3yFen: 3_200 * money.Wan,
		RDDomesticPct: 100, HighTechIncomeFen: 29_000 * money.Wan, TotalIncomeFen: 36_000 * money.Wan, InnovationScore: 81, Save: true}, i18n.ZH)
	if err != nil {
		return err
	}
	_, err = l.svc.CheckTechSME(ctx, l.sys, TechSMEFigures{EnterpriseID: id, AsOf: on, Staff: 320, TechStaff: 58, SalesFen: 35_000 * money.Wan,
		AssetsFen: 4 * money.Yi, CostFen: 30_000 * money.Wan, RDFen: 1_200 * money.Wan, IPClass1: 6, IPClass2: 14, Save: true}, i18n.ZH)
	return err
}
