package stats

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/money"
)

// Brief is the narrative report of a period, written from the summary in
// the manner of the seed article: sections with paragraphs, every number
// taken from the figures, with the previous period for comparison.
type Brief struct {
	Title    string
	Subtitle string
	Sections []Section
	From, To civil.Date
	Summary  map[string]any `json:"-"`
}

// Section is one part of the brief.
type Section struct {
	Heading    string
	Paragraphs []string
}

// Brief writes the report for from..to within p's scope.
func (s *Service) Brief(ctx context.Context, p *access.Principal, from, to civil.Date) (*Brief, error) {
	cur, err := s.Summary(ctx, p, from, to)
	if err != nil {
		return nil, err
	}
	pf, pt := Previous(from, to)
	prev, err := s.Summary(ctx, p, pf, pt)
	if err != nil {
		return nil, err
	}
	return write(s.Zone, from, to, cur, prev), nil
}

// w is a writer of figures with their comparison to the previous period.
type w struct{ cur, prev map[string]any }

// n writes a count with its unit, large counts in 万 as a report does
// (17703 → 1.77万).
func (x w) n(path, unit string) string { return count(Int(x.cur, path)) + unit }

func count(v int64) string {
	if v < 10000 {
		return fmt.Sprint(v)
	}
	s := strconv.FormatFloat(float64(v)/10000, 'f', 2, 64)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".") + "万"
}

// cmp writes the change against the previous period of a flow figure; with
// nothing in the previous period there is nothing to compare.
func (x w) cmp(path string) string {
	c, p := Int(x.cur, path), Int(x.prev, path)
	switch {
	case p == 0:
		return ""
	case c == p:
		return "（与上期持平）"
	case c >= 2*p:
		return fmt.Sprintf("（为上期的%.1f倍）", float64(c)/float64(p))
	}
	pct := math.Abs(float64(c-p)) / float64(p) * 100
	dir := "增长"
	if c < p {
		dir = "下降"
	}
	return fmt.Sprintf("（较上期%s%.1f%%）", dir, pct)
}

// money writes an amount in 元/万元/亿元 with its comparison.
func (x w) money(path string) string { return money.Format(Int(x.cur, path)) }

// rate writes a rate as a percentage, or "暂无" when there was nothing to divide.
func (x w) rate(path string) string {
	r := Rate(x.cur, path)
	if r == nil {
		return "暂无数据"
	}
	return fmt.Sprintf("%.1f%%", *r*100)
}

func write(zone string, from, to civil.Date, cur, prev map[string]any) *Brief {
	x := w{cur, prev}
	period := Label(from, to)
	pf, pt := Previous(from, to)
	b := &Brief{
		Title:    zone + period + "优化营商环境工作情况",
		Subtitle: fmt.Sprintf("统计期间：%s至%s；比较期间：%s至%s。数据由店小二平台根据业务记录自动生成。", from.Chinese(), to.Chinese(), pf.Chinese(), pt.Chinese()),
		From:     from, To: to, Summary: cur,
	}
	if zone == "" {
		b.Title = period + "优化营商环境工作情况"
	}

	// 一、政务服务
	lv := func(k string) int64 { return Int(cur, "sites.by_level."+k) }
	service := []string{
		fmt.Sprintf("截至%s，全区已建成区级企业服务大厅%d个、街道便民服务大厅%d个、村（社区）便民服务站%d个、园区（商街、小区）政务服务“微站点”%d个，共%s，四级政务服务体系覆盖园区、商街和小区。",
			to.Chinese(), lv("district_hall"), lv("street_hall"), lv("community_station"), lv("micro_site"), x.n("sites.total", "个站点")),
		fmt.Sprintf("%s，各站点共收件%s，受理%s%s，办结%s%s，按时办结率%s；%s。其中通过“云端政务超市”远程办理%s%s。",
			period, x.n("cases.received", "件"), x.n("cases.accepted", "件"), x.cmp("cases.accepted"), x.n("cases.concluded", "件"), x.cmp("cases.concluded"),
			x.rate("cases.on_time_rate"), overdue(Int(cur, "cases.overdue_open")), x.n("cases.remote", "件"), x.cmp("cases.remote")),
		fmt.Sprintf("办事群众和企业共作出“好差评”评价%s，满意率%s；收到差评%s，已整改办结%s。",
			x.n("cases.evaluations", "次"), x.rate("cases.satisfaction_rate"), x.n("cases.bad_reviews", "件"), x.n("cases.bad_reviews_closed", "件")),
	}
	b.Sections = append(b.Sections, Section{"一、延伸服务触角，打通政务服务最后一米", service})

	// 二、项目全生命周期服务与解决问题
	stage := func(k string) (int64, string) {
		return Int(cur, "projects."+k+".count"), money.Format(Int(cur, "projects."+k+".investment_fen"))
	}
	sc, si := stage("signed")
	st, stI := stage("started")
	rc, _ := stage("registered")
	pc, pI := stage("producing")
	ec, _ := stage("effective")
	effect := ""
	if ec > 0 {
		effect = fmt.Sprintf("；%d个项目达产达效", ec)
	}
	projects := []string{
		fmt.Sprintf("坚持“项目为王”，把全生命周期服务贯穿项目签约、开工、入库、投产、达效始终，重点项目实行全程包保服务。%s，新签约项目%d个、总投资额%s；累计开工重点项目%d个%s、总投资额%s；新入库项目%d个；累计投产重点项目%d个%s、总投资额%s%s。",
			period, sc, si, st, x.cmp("projects.started.count"), stI, rc, pc, x.cmp("projects.producing.count"), pI, effect),
	}
	if same := Int(cur, "projects.started_and_producing_same_year"); same > 0 {
		projects = append(projects, fmt.Sprintf("其中%d个重点项目实现当年开工、当年投产。", same))
	}
	cats := []struct{ key, name string }{
		{"license", "证照办理"}, {"land", "用地"}, {"power", "用电"}, {"water", "用水"}, {"gas", "用气"}, {"labor", "用工保障"},
		{"finance", "融资"}, {"policy", "政策兑现"}, {"legal", "法律事务"}, {"infrastructure", "基础设施"}, {"other", "其他"},
	}
	var parts []string
	for _, c := range cats {
		if n := Int(cur, "appeals.by_category."+c.key); n > 0 {
			parts = append(parts, fmt.Sprintf("%s%d件", c.name, n))
		}
	}
	appeals := fmt.Sprintf("把解决市场主体的急难愁盼问题作为重中之重，通过党员干部包保企业、“双千”、亲商政企“午茶会”、社会观察员“圆桌会议”、“政银企对接”等渠道，%s共收集企业诉求%s%s，解决企业问题%s%s。诉求办理响应率%s，解决率%s，满意率%s，按时办结率%s。",
		period, x.n("appeals.received", "件"), x.cmp("appeals.received"), x.n("appeals.resolved", "个"), x.cmp("appeals.resolved"),
		x.rate("appeals.response_rate"), x.rate("appeals.resolution_rate"), x.rate("appeals.satisfaction_rate"), x.rate("appeals.on_time_rate"))
	if len(parts) > 0 {
		appeals += "按类别看，" + strings.Join(parts, "、") + "。"
	}
	projects = append(projects, appeals)
	b.Sections = append(b.Sections, Section{"二、坚持全生命周期服务管理，当好金牌“店小二”", projects})

	// 三、要素保障
	factors := []string{
		fmt.Sprintf("强化招工稳岗工作专班，%s累计开展各类招聘活动%s%s，为园区企业送工送岗%s%s，兑现招工稳岗政策补贴%s。",
			period, x.n("labor.events", "场次"), x.cmp("labor.events"), x.n("labor.placements", "人次"), x.cmp("labor.placements"), x.money("labor.subsidy_paid_fen")),
		fmt.Sprintf("推进惠企政策直达快享，受理政策兑现申请%s，向%s兑现政策资金%s。",
			x.n("policy.applications", "件"), x.n("policy.paid_enterprises", "家企业"), x.money("policy.paid_fen")),
		fmt.Sprintf("打造“融资需求进平台、银企信息互联通”的金融服务模式，企业在平台发布融资需求%s、金额%s；银行放款%s，帮助企业融资%s%s。",
			x.n("finance.needs", "笔"), x.money("finance.needs_fen"), x.n("finance.loans", "笔"), x.money("finance.loans_fen"), x.cmp("finance.loans_fen")),
	}
	b.Sections = append(b.Sections, Section{"三、全方位加强要素保障，护航企业高质量发展", factors})

	// 四、产城融合 (when the places module reports it)
	if _, _, ok := Path(cur, "places.residential_cluster"); ok {
		b.Sections = append(b.Sections, Section{"四、推进产城融合，建设宜居宜业新城", []string{
			fmt.Sprintf("按照产城融合理念布局公共服务设施，截至%s，规划建设居住组团%s、园区级产业服务中心%s、生活和生产邻里中心%s，配套建设教育、医疗、文化、体育、交通等公共服务设施%s。",
				to.Chinese(), x.n("places.residential_cluster", "个"), x.n("places.service_center", "个"), x.n("places.neighbourhood_center", "个"), x.n("places.facilities", "处")),
		}})
	}

	// 五、创新
	platforms := fmt.Sprintf("拥有国家级研发（双创）平台%s、省级研发平台%s、市级研发平台%s、区级研发平台%s",
		x.n("innovation.platforms.national", "家"), x.n("innovation.platforms.provincial", "家"), x.n("innovation.platforms.municipal", "家"), x.n("innovation.platforms.district", "家"))
	if _, _, ok := Path(cur, "innovation.platforms_provincial_or_higher"); ok {
		platforms = fmt.Sprintf("国家级双创平台%s，省级以上研发平台达到%s、市级研发平台%s",
			x.n("innovation.national_incubation_platforms", "家"), x.n("innovation.platforms_provincial_or_higher", "家"), x.n("innovation.platforms.municipal", "家"))
	}
	innovation := []string{
		fmt.Sprintf("坚持创新驱动，截至%s，全区有效高新技术企业%s，入库科技型中小企业%s；%s。",
			to.Chinese(), x.n("innovation.high_tech_enterprises", "家"), x.n("innovation.tech_smes", "家"), platforms),
		fmt.Sprintf("%s举办创新挑战赛、创新创业大赛、科技创新大会等创新创业活动%s%s；%s与%s建立产学研合作关系。",
			period, x.n("innovation.events", "场次"), x.cmp("innovation.events"), x.n("innovation.partnership_universities", "所高校院所"), x.n("innovation.partnership_enterprises", "家企业")),
	}
	heading := "五、厚植创新沃土，为高质量发展插上腾飞双翼"
	if len(b.Sections) == 3 {
		heading = "四、厚植创新沃土，为高质量发展插上腾飞双翼"
	}
	b.Sections = append(b.Sections, Section{heading, innovation})
	return b
}

func overdue(n int64) string {
	if n == 0 {
		return "期末无超期未办结件"
	}
	return fmt.Sprintf("截至期末仍有%d件超期未办结", n)
}

// Markdown writes the brief as Markdown.
func (b *Brief) Markdown() string {
	var sb strings.Builder
	sb.WriteString("# " + b.Title + "\n\n")
	sb.WriteString("> " + b.Subtitle + "\n\n")
	for _, s := range b.Sections {
		sb.WriteString("## " + s.Heading + "\n\n")
		for _, p := range s.Paragraphs {
			sb.WriteString(p + "\n\n")
		}
	}
	return sb.String()
}
