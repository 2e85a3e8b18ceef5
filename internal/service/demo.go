package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// The demo network: the zone's service centre, a hall in each street, a
// station in each community and the micro-sites of the seed article in the
// parks, shopping streets and housing estates.
var (
	demoMicro = []struct{ name, kind, org, code string }{
		{"雨润广场政务V站", "政务V站", "雨润广场商业街区", "YRV"},
		{"智能制造产业园政务小站", "政务小站", "大冶湖高新区智能制造产业园", "ZZXZ"},
		{"生物医药产业园政务小站", "政务小站", "大冶湖高新区生物医药产业园", "SYXZ"},
		{"新能源新材料产业园政务小站", "政务小站", "大冶湖高新区新能源新材料产业园", "XNXZ"},
		{"电子信息产业园政务小站", "政务小站", "大冶湖高新区电子信息产业园", "DZXZ"},
		{"科创中心政务小站", "政务小站", "大冶湖高新区电子信息产业园", "KCXZ"},
		{"人才公寓政务小站", "政务小站", "大冶湖高新区智能制造产业园", "RCXZ"},
		{"罗家桥社区政务小屋", "政务小屋", "罗家桥社区", "LJQXW"},
		{"长乐社区政务小屋", "政务小屋", "长乐社区", "CLXW"},
		{"攀宇村政务小屋", "政务小屋", "攀宇村", "PYXW"},
		{"城西北社区政务小屋", "政务小屋", "城西北社区", "CXBXW"},
		{"金湖社区政务小屋", "政务小屋", "金湖社区", "JHXW"},
		{"团垴村政务小屋", "政务小屋", "团垴村", "TNXW"},
		{"石洪甫村政务小屋", "政务小屋", "石洪甫村", "SHFXW"},
		{"东岳社区政务小屋", "政务小屋", "东岳社区", "DYXW"},
		{"新冶社区政务小屋", "政务小屋", "新冶社区", "XYXW"},
		{"雨润社区政务小店", "政务小店", "雨润社区", "YRXD"},
		{"湖畔商业街政务小店", "政务小店", "雨润广场商业街区", "HPXD"},
		{"东岳路步行街政务小店", "政务小店", "东岳社区", "DYLXD"},
		{"高铁站政务小店", "政务小店", "金湖社区", "GTXD"},
		{"长乐路政务V站", "政务V站", "长乐社区", "CLLV"},
		{"湖畔花园小区政务V站", "政务V站", "城西北社区", "HPHYV"},
		{"新冶小区政务V站", "政务V站", "新冶社区", "XYV"},
	}
	demoStreetOf = map[string]string{
		"罗家桥社区": "罗家桥街道", "长乐社区": "罗家桥街道", "攀宇村": "罗家桥街道", "城西北社区": "罗家桥街道",
		"金湖社区": "金湖街道", "团垴村": "金湖街道", "石洪甫村": "金湖街道", "雨润社区": "金湖街道",
		"东岳社区": "东岳路街道", "新冶社区": "东岳路街道",
	}
	demoStreetCode = map[string]string{"罗家桥街道": "LJQ", "金湖街道": "JH", "东岳路街道": "DYL"}
	// The market-supervision matters the 雨润广场 政务V站 handles itself.
	demoMarket = []struct {
		name            string
		instant         bool
		legal, promised int
		online          bool
		typ             string
		materials       []string
	}{
		{"企业设立登记（有限责任公司）", false, 15, 1, true, "行政许可", []string{"公司登记（备案）申请书", "公司章程", "股东主体资格证明", "法定代表人身份证明", "住所使用证明"}},
		{"企业变更登记", false, 15, 1, true, "行政许可", []string{"公司登记（备案）申请书", "变更决议或决定", "营业执照正副本"}},
		{"企业注销登记", false, 15, 3, true, "行政许可", []string{"注销登记申请书", "清算报告", "营业执照正副本"}},
		{"企业简易注销登记", false, 15, 3, true, "行政许可", []string{"简易注销全体投资人承诺书", "营业执照正副本"}},
		{"个体工商户设立登记", true, 15, 0, true, "行政许可", []string{"个体工商户登记（备案）申请书", "经营者身份证明", "经营场所使用证明"}},
		{"个体工商户变更登记", true, 15, 0, true, "行政许可", []string{"个体工商户登记（备案）申请书", "营业执照正副本"}},
		{"个体工商户注销登记", true, 15, 0, true, "行政许可", []string{"个体工商户注销登记申请书", "营业执照正副本"}},
		{"农民专业合作社设立登记", false, 15, 3, false, "行政许可", []string{"设立登记申请书", "合作社章程", "成员名册及身份证明"}},
		{"企业备案（章程、董事、监事、经理）", true, 10, 0, true, "其他行政权力", []string{"公司登记（备案）申请书", "备案事项证明文件"}},
		{"营业执照遗失补领", true, 10, 0, true, "行政确认", []string{"营业执照补领申请书", "遗失声明"}},
		{"营业执照换发", true, 10, 0, true, "行政确认", []string{"换照申请书", "原营业执照正副本"}},
		{"小餐饮经营许可（新办）", false, 20, 5, true, "行政许可", []string{"小餐饮经营许可申请书", "营业执照复印件", "经营者身份证明", "经营场所平面图", "从业人员健康证明"}},
		{"小餐饮经营许可（变更）", false, 20, 5, true, "行政许可", []string{"变更申请书", "小餐饮经营许可证正副本"}},
		{"小餐饮经营许可（延续）", false, 20, 5, true, "行政许可", []string{"延续申请书", "小餐饮经营许可证正副本"}},
		{"食品经营许可（新办）", false, 20, 5, true, "行政许可", []string{"食品经营许可申请书", "营业执照复印件", "法定代表人身份证明", "经营设备布局图", "食品安全管理制度"}},
		{"食品经营许可（变更）", false, 20, 5, true, "行政许可", []string{"食品经营许可变更申请书", "食品经营许可证正副本"}},
		{"食品经营许可（延续）", false, 20, 5, true, "行政许可", []string{"食品经营许可延续申请书", "食品经营许可证正副本"}},
		{"食品经营许可（注销）", true, 20, 0, true, "行政许可", []string{"食品经营许可注销申请书", "食品经营许可证正副本"}},
		{"仅销售预包装食品备案", true, 10, 0, true, "其他行政权力", []string{"备案信息采集表", "营业执照复印件"}},
		{"食品小作坊登记", false, 20, 10, false, "行政许可", []string{"小作坊登记申请书", "营业执照复印件", "生产场所平面图", "从业人员健康证明"}},
		{"食品摊贩备案", true, 10, 0, false, "其他行政权力", []string{"食品摊贩备案表", "经营者身份证明", "健康证明"}},
		{"药品零售企业经营许可（变更）", false, 30, 10, false, "行政许可", []string{"变更申请书", "药品经营许可证正副本", "质量负责人资质证明"}},
		{"第二类医疗器械经营备案", true, 10, 0, true, "其他行政权力", []string{"备案表", "营业执照复印件", "经营场所及贮存条件说明"}},
		{"特种设备使用登记", false, 15, 5, true, "行政许可", []string{"使用登记表", "产品合格证", "监督检验证明"}},
		{"计量器具强制检定备案", true, 10, 0, true, "其他行政权力", []string{"强制检定计量器具登记表"}},
		{"动产抵押登记", true, 10, 0, true, "行政确认", []string{"动产抵押登记书", "抵押合同", "身份证明"}},
		{"股权出质设立登记", false, 10, 3, true, "行政确认", []string{"股权出质设立登记申请书", "质权合同", "出质人、质权人身份证明"}},
	}
	// The community matters every station and micro-site handles itself.
	demoCommunity = []struct {
		name      string
		typ       string
		promised  int
		materials []string
	}{
		{"居住证申领", "行政确认", 5, []string{"居住证申领登记表", "身份证", "居住证明"}},
		{"老年人优待证办理", "公共服务", 0, []string{"申请表", "身份证", "一寸照片"}},
		{"高龄津贴申请", "行政给付", 10, []string{"申请表", "身份证", "银行卡"}},
		{"残疾人两项补贴申请", "行政给付", 15, []string{"申请表", "残疾人证", "银行卡"}},
		{"就业创业证申领", "公共服务", 0, []string{"申请表", "身份证"}},
		{"失业登记", "公共服务", 0, []string{"身份证", "解除劳动合同证明"}},
		{"城乡居民基本医疗保险参保登记", "公共服务", 0, []string{"身份证", "户口簿"}},
		{"城乡居民基本养老保险参保登记", "公共服务", 0, []string{"身份证", "户口簿"}},
		{"生育登记服务", "公共服务", 0, []string{"夫妻双方身份证", "结婚证"}},
		{"临时救助申请", "行政给付", 10, []string{"申请书", "身份证", "困难情况证明"}},
	}
	demoRenshe = []string{"社会保障卡申领", "社会保障卡挂失", "社会保障卡补换", "社会保障卡信息变更", "职工参保登记", "参保单位信息变更", "职工养老保险关系转移接续",
		"城镇职工基本养老保险待遇申领", "养老保险个人账户一次性待遇申领", "丧葬补助金、抚恤金申领", "失业保险金申领", "失业保险稳岗返还", "技能提升补贴申领",
		"一次性创业补贴申领", "创业担保贷款申请", "工伤认定申请", "劳动能力鉴定申请", "工伤保险待遇核定", "职业技能等级证书查询打印", "人力资源服务许可",
		"劳务派遣经营许可", "企业年金方案备案", "特殊工时制度审批", "高校毕业生就业见习补贴申领", "社会保险缴费证明打印", "养老保险待遇资格认证",
		"企业职工基本养老保险视同缴费年限认定", "机关事业单位养老保险参保登记", "城乡居民养老保险待遇申领", "就业困难人员认定", "灵活就业人员社保补贴申领",
		"职业培训补贴申领", "求职创业补贴申领", "劳动用工备案", "劳动人事争议仲裁申请", "欠薪投诉受理", "人才引进落户", "专业技术人员职称申报", "博士后设站申请",
		"外国人来华工作许可", "技工院校学生资助", "人才公寓入住申请", "人才安家补贴申领", "高层次人才认定", "企业薪酬调查填报", "职工退休申请", "社保关系转出",
	}
	demoYibao = []string{"医保参保登记", "医保参保信息变更", "医保关系转移接续", "异地就医备案", "门诊慢特病待遇认定", "医保个人账户家庭共济", "生育医疗费用报销",
		"生育津贴申领", "零星报销（门诊）", "零星报销（住院）", "医保定点医药机构申请", "医保缴费证明打印", "灵活就业人员医保参保", "城乡居民医保缴费",
		"医疗救助申请", "长期护理保险待遇申请", "意外伤害医疗费用报销", "医保电子凭证激活", "医保待遇暂停恢复", "大病保险待遇申领", "新生儿参保登记",
		"学生医保参保登记", "医保卡密码重置", "职工医保个人账户清退", "外伤医疗费用核查", "异地安置退休人员备案", "异地长期居住人员备案", "转外就医备案",
		"门诊统筹签约", "医保目录外药品备案", "双通道药品备案", "医保欠费补缴", "医保基金退费申请", "医保参保状态查询", "异地就医费用结算查询",
		"定点医药机构变更", "医保稽核举报受理", "困难群众参保资助认定", "医保业务授权委托", "退役军人医疗待遇认定", "离休干部医疗待遇认定",
		"职工医保退休视同缴费认定", "职工医保补缴", "长期护理服务机构申请", "城乡居民医保待遇查询", "医保经办政策咨询", "医保个人权益记录打印",
	}
	demoSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马胡朱郭何罗高林郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武莫孔")
	demoGiven    = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强", "文", "欣怡", "子涵", "浩然", "雨轩", "晓燕", "海燕", "国庆", "红梅", "春华", "德明"}
)

type demoLoader struct {
	d      *platform.Deps
	svc    *Service
	office *access.Principal // the service office's demo account, for bad reviews
}

// demoSite is a site as the demo case generator sees it.
type demoSite struct {
	id, org int64
	name    string
	weight  int
	local   []Matter
	remote  []Matter
	clerk   *access.Principal
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	s := l.svc
	var micro []*demoSite
	var yr *demoSite
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var market, community, remote []Matter
		addMatter := func(in MatterInput) (Matter, error) {
			id, err := s.CreateMatterTx(ctx, tx, sys, in)
			if err != nil {
				return Matter{}, fmt.Errorf("matter %s: %w", in.Name, err)
			}
			return Matter{ID: id, Code: in.Code, Name: in.Name, Kind: in.Kind, Materials: in.Materials, Online: in.Online,
				PromisedLimitWorkdays: in.PromisedLimitWorkdays}, nil
		}
		for i, m := range demoMarket {
			kind := Promised
			if m.instant {
				kind = Instant
			}
			mt, err := addMatter(MatterInput{Code: fmt.Sprintf("11420281MB1537692X%013d", 4442111000001+int64(i)), Name: m.name, Department: "市场监督管理局",
				Type: m.typ, HandlingLevel: DistrictLevel, Kind: kind, LegalLimitWorkdays: m.legal, PromisedLimitWorkdays: m.promised,
				Materials: m.materials, Online: m.online})
			if err != nil {
				return err
			}
			market = append(market, mt)
		}
		for i, m := range demoCommunity {
			kind, legal := Promised, m.promised*2
			if m.promised == 0 {
				kind, legal = Instant, 5
			}
			mt, err := addMatter(MatterInput{Code: fmt.Sprintf("11420281MB1538011Y%013d", 4442117000001+int64(i)), Name: m.name, Department: "街道便民服务中心",
				Type: m.typ, HandlingLevel: CommunityLevel, Kind: kind, LegalLimitWorkdays: legal, PromisedLimitWorkdays: m.promised,
				Materials: m.materials, Online: true})
			if err != nil {
				return err
			}
			community = append(community, mt)
		}
		// 188 city-level matters of 人社 and 医保, handled by the city hall
		// over the cloud-supermarket link: each base matter with the
		// situations it is handled in (业务办理项).
		situations := []string{"", "（线上帮办）", "（代办）", "（补办）"}
		for n := 0; len(remote) < 188; n++ {
			dept, base, prefix := "人力资源和社会保障局", demoRenshe, "11420200MB0000301A"
			if n%2 == 1 {
				dept, base, prefix = "医疗保障局", demoYibao, "11420200MB0000417B"
			}
			i := n / 2
			name := base[i%len(base)] + situations[(i/len(base))%len(situations)]
			promised := []int{0, 1, 3, 5, 10}[n%5]
			kind, legal := Promised, promised*3
			if promised == 0 {
				kind, legal = Instant, 5
			}
			mt, err := addMatter(MatterInput{Code: fmt.Sprintf("%s%013d", prefix, 4442112000000+int64(n)), Name: name, Department: dept,
				Type: []string{"公共服务", "行政给付", "行政确认"}[n%3], HandlingLevel: CityLevel, Kind: kind, LegalLimitWorkdays: legal,
				PromisedLimitWorkdays: promised, Materials: []string{"身份证", "申请表"}, Online: true})
			if err != nil {
				return err
			}
			remote = append(remote, mt)
		}
		offer := func(site int64, list []Matter, mode Mode) error {
			in := make([]SiteMatterInput, len(list))
			for i, m := range list {
				in[i] = SiteMatterInput{MatterID: m.ID, Mode: mode}
			}
			return s.OfferMattersTx(ctx, tx, sys, site, in)
		}
		addSite := func(in SiteInput) (int64, error) {
			id, err := s.CreateSiteTx(ctx, tx, sys, in)
			if err != nil {
				return 0, fmt.Errorf("site %s: %w", in.Name, err)
			}
			z.Sites[in.Name] = id
			return id, nil
		}
		f := func(v float64) *float64 { return &v }
		hall, err := addSite(SiteInput{Code: "DYH", Name: "大冶湖高新区企业服务中心", Level: DistrictHall, Kind: "区级企业服务大厅", OrgID: z.ID,
			Address: "大冶市大冶湖高新区管委会一楼", Lat: f(30.0631), Lng: f(114.9932), OpeningHours: "工作日 8:30–12:00，14:00–17:30",
			OpenedOn: civil.New(2019, 6, 18), Windows: 24, Staff: 38, Phone: "0714-8761234"})
		if err != nil {
			return err
		}
		if err := offer(hall, append(append([]Matter{}, market...), community...), Local); err != nil {
			return err
		}
		streets := map[string]int64{}
		for i, st := range []string{"罗家桥街道", "金湖街道", "东岳路街道"} {
			id, err := addSite(SiteInput{Code: demoStreetCode[st], Name: st + "便民服务大厅", Level: StreetHall, Kind: "街道便民服务大厅",
				OrgID: z.Streets[st], ParentSiteID: hall, Address: "大冶市" + st + "办事处", Lat: f(30.08 + 0.01*float64(i)), Lng: f(114.97 + 0.01*float64(i)),
				OpeningHours: "工作日 8:30–12:00，14:00–17:30", OpenedOn: civil.New(2020, 3, 2), Windows: 8, Staff: 12})
			if err != nil {
				return err
			}
			streets[st] = id
			if err := offer(id, append(append([]Matter{}, market[:12]...), community...), Local); err != nil {
				return err
			}
		}
		stations := map[string]int64{}
		for i, c := range []string{"罗家桥社区", "长乐社区", "攀宇村", "城西北社区", "金湖社区", "团垴村", "石洪甫村", "雨润社区", "东岳社区", "新冶社区"} {
			id, err := addSite(SiteInput{Code: fmt.Sprintf("SQ%02d", i+1), Name: c + "便民服务站", Level: CommunityStation, Kind: "村(社区)便民服务站",
				OrgID: z.Communities[c], ParentSiteID: streets[demoStreetOf[c]], Address: "大冶市" + demoStreetOf[c] + c + "党群服务中心",
				OpeningHours: "工作日 8:30–17:30", OpenedOn: civil.New(2021, 1, 4), Windows: 2, Staff: 3})
			if err != nil {
				return err
			}
			stations[c] = id
			if err := offer(id, community, Local); err != nil {
				return err
			}
		}
		for i, m := range demoMicro {
			orgID := z.Parks[m.org]
			parent := streets["金湖街道"]
			if orgID == 0 {
				orgID = z.Communities[m.org]
				parent = stations[m.org]
			}
			id, err := addSite(SiteInput{Code: m.code, Name: m.name, Level: MicroSite, Kind: m.kind, OrgID: orgID, ParentSiteID: parent,
				Address: "大冶市" + m.org + m.name, Lat: f(30.05 + 0.004*float64(i)), Lng: f(114.95 + 0.003*float64(i)),
				OpeningHours: "工作日 9:00–17:00，周六 9:00–12:00", OpenedOn: civil.New(2022, time.Month(3+i%9), 1+i), Windows: 1 + i%3, Staff: 2 + i%3,
				Phone: fmt.Sprintf("0714-87%05d", 60000+i)})
			if err != nil {
				return err
			}
			ds := &demoSite{id: id, org: orgID, name: m.name, weight: 1}
			switch {
			case i == 0:
				ds.local, ds.remote, ds.weight = market, remote, 8
				yr = ds
			case m.kind == "政务小站":
				ds.local, ds.remote, ds.weight = append(append([]Matter{}, market[:11]...), community[4:7]...), remote[:60], 3
			default:
				ds.local, ds.remote = community, remote[:40]
			}
			if err := offer(id, ds.local, Local); err != nil {
				return err
			}
			if err := offer(id, ds.remote, Remote); err != nil {
				return err
			}
			micro = append(micro, ds)
		}
		for _, a := range []struct {
			user, name string
			site       *demoSite
		}{{"clerk", "周帮办", micro[0]}, {"clerk2", "吴帮办", micro[1]}} {
			u, err := l.d.Auth.CreateTx(ctx, tx, auth.NewUser{Username: a.user, Name: a.name, OrgID: a.site.org,
				Roles: []access.Role{access.Clerk}, SiteID: a.site.id, Password: "demo", Demo: true})
			if err != nil {
				return err
			}
			z.Users[a.user] = u.ID
			a.site.clerk = &access.Principal{UserID: u.ID, Username: a.user, Name: a.name, Roles: []access.Role{access.Clerk}, SiteID: a.site.id}
		}
		return nil
	})
	if err != nil {
		return err
	}
	z.Extra["service.site"] = yr.id
	return l.cases(ctx, z, micro)
}

// demoCase is one case the generator plans before writing it.
type demoCase struct {
	site    *demoSite
	matter  Matter
	mode    Mode
	at      time.Time
	channel Channel
}

// cases generates 3,000-odd cases received at the micro-sites between
// 2023-01-01 and 2023-07-11, and writes them in a few large transactions.
func (l *demoLoader) cases(ctx context.Context, z *platform.Zone, sites []*demoSite) error {
	s := l.svc
	l.office = &access.Principal{UserID: z.Users["office"], Username: "office", Name: "李营商", Roles: []access.Role{access.ServiceOffice}, OrgPath: "/"}
	rnd := rand.New(rand.NewPCG(4, 2023))
	var ents []int64
	for _, id := range z.Enterprises {
		ents = append(ents, id)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i] < ents[j] })
	ents = compactIDs(ents)
	var days []civil.Date
	for d := civil.New(2023, 1, 1); !d.After(civil.New(2023, 7, 11)); d = d.AddDays(1) {
		if s.Cal.IsWorkday(d) {
			days = append(days, d)
		}
	}
	total := 0
	for _, st := range sites {
		total += st.weight
	}
	var plan []demoCase
	for range 3150 {
		n := rnd.IntN(total)
		var st *demoSite
		for _, x := range sites {
			if n < x.weight {
				st = x
				break
			}
			n -= x.weight
		}
		dc := demoCase{site: st, at: workTime(rnd, days[rnd.IntN(len(days))]), channel: Window}
		if rnd.IntN(100) < 22 {
			dc.matter, dc.mode, dc.channel = st.remote[rnd.IntN(len(st.remote))], Remote, RemoteChannel
		} else {
			dc.matter, dc.mode = st.local[rnd.IntN(len(st.local))], Local
			if dc.matter.Online && rnd.IntN(100) < 20 {
				dc.channel = Online
			}
		}
		plan = append(plan, dc)
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].at.Before(plan[j].at) })
	// A small first transaction lets the statements be prepared before the
	// big ones run.
	for start, size := 0, 20; start < len(plan); start, size = start+size, 400 {
		batch := plan[start:min(start+size, len(plan))]
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			for _, dc := range batch {
				if err := l.oneCase(ctx, tx, rnd, dc, ents, days); err != nil {
					return err
				}
				if dc.channel == RemoteChannel && rnd.IntN(3) == 0 {
					if err := l.remoteOnly(ctx, tx, rnd, dc.site, workTime(rnd, civil.Of(dc.at))); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func compactIDs(ids []int64) []int64 {
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// workTime is a random moment in the working hours of day d.
func workTime(rnd *rand.Rand, d civil.Date) time.Time {
	mins := 8*60 + 30 + rnd.IntN(180)
	if rnd.IntN(2) == 0 {
		mins = 14*60 + rnd.IntN(210)
	}
	return d.Time().Add(time.Duration(mins) * time.Minute)
}

// later is a moment n working days after t, in working hours (n = 0: later
// the same day).
func (l *demoLoader) later(rnd *rand.Rand, t time.Time, n int) time.Time {
	if n == 0 {
		return t.Add(time.Duration(5+rnd.IntN(40)) * time.Minute)
	}
	return workTime(rnd, l.svc.Cal.AddWorkdays(civil.Of(t), n))
}

// demoIDNumber makes a valid resident ID number of a person of the city.
func demoIDNumber(rnd *rand.Rand) string {
	birth := civil.New(1950+rnd.IntN(55), time.Month(1+rnd.IntN(12)), 1+rnd.IntN(28))
	body := fmt.Sprintf("420281%04d%02d%02d%03d", birth.Year, int(birth.Month), birth.Day, rnd.IntN(1000))
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(body[i]-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

func (l *demoLoader) oneCase(ctx context.Context, tx *store.Tx, rnd *rand.Rand, dc demoCase, ents []int64, days []civil.Date) error {
	s := l.svc
	clerk := dc.site.clerk
	if clerk == nil {
		clerk = &access.Principal{Username: "demo", Name: dc.site.name + "帮办员", Roles: []access.Role{access.Clerk}, SiteID: dc.site.id}
	}
	in := CaseInput{MatterID: dc.matter.ID, SiteID: dc.site.id, Channel: dc.channel, Materials: dc.matter.Materials}
	receiver := clerk
	var ent *access.Principal
	if dc.channel == Online || rnd.IntN(100) < 45 {
		in.EnterpriseID = ents[rnd.IntN(len(ents))]
		ent = &access.Principal{Username: "demo", Name: "企业经办人", Roles: []access.Role{access.Enterprise}, EnterpriseID: in.EnterpriseID}
		if dc.channel == Online {
			receiver = ent
		}
	} else {
		in.Applicant = &Applicant{Name: string(demoSurnames[rnd.IntN(len(demoSurnames))]) + demoGiven[rnd.IntN(len(demoGiven))],
			IDNumber: demoIDNumber(rnd), Phone: fmt.Sprintf("1%d%09d", 3+rnd.IntN(7), rnd.Int64N(1_000_000_000))}
	}
	last := days[len(days)-1]
	roll := rnd.IntN(100)
	at := dc.at
	// Most windows take complete applications on the spot; instant matters
	// are decided in the same sitting.
	if dc.channel != Online && roll >= 15 {
		switch {
		case dc.matter.Kind == Instant:
			in.Then = []byte(`{"action":"conclude","outcome":"approved"}`)
		default:
			in.Then = []byte(`{"action":"accept"}`)
		}
	}
	var id int64
	var err error
	if dc.channel == RemoteChannel {
		in.Then = nil
		id, err = l.remoteCase(access.With(ctx, clerk), tx, rnd, clerk, in, at)
		roll = 100
	} else {
		id, err = s.ReceiveTx(access.With(ctx, receiver), tx, receiver, in, at)
	}
	if err != nil {
		return err
	}
	act := func(p *access.Principal, action string, n int, fields map[string]string) error {
		next := l.later(rnd, at, n)
		if civil.Of(next).After(last) {
			return errStop
		}
		at = next
		return s.ActTx(access.With(ctx, p), tx, p, id, action, rawAction(fields), at)
	}
	err = l.progress(rnd, dc, in, roll, act, clerk, ent)
	if err == errStop {
		return nil
	}
	if err != nil {
		return err
	}
	// Evaluations: most finished cases are rated, mostly well.
	var status string
	if err := tx.QueryRow(ctx, "SELECT status FROM cases WHERE id = ?", id).Scan(&status); err != nil {
		return err
	}
	if !contains(evaluable, status) || rnd.IntN(100) >= 72 {
		return nil
	}
	score := 5
	switch r := rnd.IntN(1000); {
	case r < 4:
		score = 1
	case r < 12:
		score = 2
	case r < 70:
		score = 3
	case r < 280:
		score = 4
	}
	rater := clerk
	if ent != nil && dc.channel == Online {
		rater = ent
	}
	comments := map[int][]string{5: {"办事效率高，服务热情", "家门口就办好了，很方便", "帮办员很耐心", ""}, 4: {"比较满意", ""}, 3: {"排队时间有点长", ""},
		2: {"材料要求说明不清楚，跑了两次"}, 1: {"等待时间太长，态度一般"}}
	cs := comments[score]
	if at = l.later(rnd, at, rnd.IntN(2)); civil.Of(at).After(last) {
		return nil
	}
	evID, err := s.EvaluateTx(access.With(ctx, rater), tx, rater, id, EvaluationInput{Score: score, Comment: cs[rnd.IntN(len(cs))]}, at)
	if err != nil {
		return err
	}
	if score > 2 {
		return nil
	}
	var bad int64
	if err := tx.QueryRow(ctx, "SELECT id FROM bad_reviews WHERE evaluation_id = ?", evID).Scan(&bad); err != nil {
		return err
	}
	office := l.office
	steps := []struct{ action, note string }{{"rectify", "核实属实，已对窗口人员批评教育并完善一次性告知清单"}, {"revisit", "电话回访，申请人表示认可"}, {"close", ""}}
	if rnd.IntN(3) == 0 {
		steps[0] = struct{ action, note string }{"explain", "经核实系政策规定，已向申请人解释说明"}
	}
	for _, st := range steps[:rnd.IntN(4)] {
		next := l.later(rnd, at, 1+rnd.IntN(4))
		if civil.Of(next).After(last) {
			break
		}
		at = next
		fields := map[string]string{"note": st.note}
		if st.action == "revisit" {
			fields["rating"] = "satisfied"
		}
		if err := s.ActOnBadReviewTx(access.With(ctx, office), tx, office, bad, st.action, rawAction(fields), at); err != nil {
			return err
		}
	}
	return nil
}

// errStop ends a recent case's story before the demo's last day: it stays
// open.
var errStop = errors.New("demo: the story goes on after the last day")

// progress takes a received case through a plausible life: supplements,
// refusals, processing, the odd special procedure, conclusion (a few late),
// delivery, the rare withdrawal or return.
func (l *demoLoader) progress(rnd *rand.Rand, dc demoCase, in CaseInput, roll int,
	act func(p *access.Principal, action string, n int, fields map[string]string) error, clerk, ent *access.Principal) error {
	status := Received
	switch {
	case dc.channel == RemoteChannel:
		status = Accepted
	case len(in.Then) > 0 && dc.matter.Kind == Instant:
		status = Concluded
	case len(in.Then) > 0:
		status = Accepted
	}
	if status == Received {
		switch {
		case roll < 9:
			missing := dc.matter.Materials[rnd.IntN(len(dc.matter.Materials))]
			if err := act(clerk, "request_supplement", 0, map[string]string{"materials": missing + "（原件）"}); err != nil {
				return err
			}
			who := clerk
			if ent != nil && dc.channel == Online {
				who = ent
			}
			if rnd.IntN(10) == 0 {
				return act(clerk, "reject", 5, map[string]string{"reason": "逾期未补正材料"})
			}
			if err := act(who, "supplement", 1+rnd.IntN(3), nil); err != nil {
				return err
			}
		case roll < 14:
			return act(clerk, "reject", 0, map[string]string{"reason": "不属于本机关职权范围，已告知向有关机关申请"})
		case roll < 15 && ent != nil:
			return act(ent, "withdraw", 1, map[string]string{"note": "申请人主动撤回"})
		}
		if err := act(clerk, "accept", 0, nil); err != nil {
			return err
		}
		status = Accepted
	}
	if status == Accepted && dc.matter.Kind == Instant {
		if err := act(clerk, "conclude", 0, map[string]string{"outcome": "approved"}); err != nil {
			return err
		}
		status = Concluded
	}
	if status == Accepted {
		limit := dc.matter.PromisedLimitWorkdays
		// Most windows record the decision straight after acceptance; some
		// note the start of processing, and a few go through a special
		// procedure.
		used := 0
		special := rnd.IntN(100) < 4
		if special || rnd.IntN(100) < 25 {
			if err := act(clerk, "start_processing", rnd.IntN(2), nil); err != nil {
				return err
			}
		}
		if special {
			if err := act(clerk, "start_special", 1, map[string]string{"note": "需现场核查，进入特别程序"}); err != nil {
				return err
			}
			if err := act(clerk, "end_special", 2+rnd.IntN(4), nil); err != nil {
				return err
			}
			used++
		}
		if rnd.IntN(100) < 1 {
			return act(clerk, "return", 1, map[string]string{"note": "申请人要求退件"})
		}
		n := rnd.IntN(max(1, limit-used))
		if rnd.IntN(100) < 4 {
			n = limit + 1 + rnd.IntN(3)
		}
		outcome := "approved"
		if rnd.IntN(100) < 4 {
			outcome = "denied"
		}
		if err := act(clerk, "conclude", n, map[string]string{"outcome": outcome}); err != nil {
			return err
		}
	}
	if rnd.IntN(100) < 60 {
		return act(clerk, "deliver", rnd.IntN(3), nil)
	}
	return nil
}

// demoAgents are the city hall's agents at the other end of the link.
var demoAgents = []string{"市民之家 3号窗 陈静", "市民之家 7号窗 黄磊", "医保服务大厅 2号窗 刘芳", "人社服务大厅 5号窗 王强"}

// remoteCase records the remote session in which the city hall accepted a
// case, which creates the case (channel remote, accepted), and returns the
// case.
func (l *demoLoader) remoteCase(ctx context.Context, tx *store.Tx, rnd *rand.Rand, clerk *access.Principal, in CaseInput, at time.Time) (int64, error) {
	end := at.Add(time.Duration(6+rnd.IntN(20)) * time.Minute)
	sid, err := l.svc.RecordRemoteSessionTx(ctx, tx, clerk, RemoteSessionInput{SiteID: in.SiteID, MatterID: in.MatterID,
		EnterpriseID: in.EnterpriseID, Applicant: in.Applicant, Materials: in.Materials, StartedAt: at, EndedAt: &end,
		Outcome: AcceptedRS, AgentName: demoAgents[rnd.IntN(len(demoAgents))]})
	if err != nil {
		return 0, err
	}
	var id int64
	return id, tx.QueryRow(ctx, "SELECT case_id FROM remote_sessions WHERE id = ?", sid).Scan(&id)
}

// remoteOnly records a remote session that did not end in a case: a
// question answered, an application submitted for the applicant, or a
// referral to a hall.
func (l *demoLoader) remoteOnly(ctx context.Context, tx *store.Tx, rnd *rand.Rand, st *demoSite, at time.Time) error {
	clerk := st.clerk
	if clerk == nil {
		clerk = &access.Principal{Username: "demo", Name: st.name + "帮办员", Roles: []access.Role{access.Clerk}, SiteID: st.id}
	}
	end := at.Add(time.Duration(3+rnd.IntN(15)) * time.Minute)
	outcome := []RemoteOutcome{Answered, Answered, Answered, Submitted, Submitted, Redirected}[rnd.IntN(6)]
	_, err := l.svc.RecordRemoteSessionTx(access.With(ctx, clerk), tx, clerk, RemoteSessionInput{SiteID: st.id, MatterID: st.remote[rnd.IntN(len(st.remote))].ID,
		StartedAt: at, EndedAt: &end, Outcome: outcome, AgentName: demoAgents[rnd.IntN(len(demoAgents))]})
	return err
}
