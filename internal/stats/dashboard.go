package stats

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
)

// Kind says how a figure is written.
type Kind int

// Figure kinds.
const (
	Count Kind = iota
	Fen
	Percent
)

// Figure is one number on the dashboard, with the key path it comes from.
type Figure struct {
	Key   string
	Label i18n.Text
	Unit  i18n.Text
	Kind  Kind
}

// Group is a block of figures, grouped as the seed article groups them.
type Group struct {
	Title   i18n.Text
	Figures []Figure
}

var (
	pieces = i18n.T("件", "")
	units  = i18n.T("个", "")
	times  = i18n.T("次", "")
	homes  = i18n.T("家", "")
	people = i18n.T("人次", "")
)

// Groups are the dashboard's blocks.
var Groups = []Group{
	{i18n.T("政务服务网络", "Service network"), []Figure{
		{"sites.total", i18n.T("服务站点", "Service sites"), units, Count},
		{"sites.by_level.micro_site", i18n.T("其中微站点", "of which micro-sites"), units, Count},
		{"cases.received", i18n.T("收件", "Cases received"), pieces, Count},
		{"cases.accepted", i18n.T("受理", "Cases accepted"), pieces, Count},
		{"cases.concluded", i18n.T("办结", "Cases concluded"), pieces, Count},
		{"cases.on_time_rate", i18n.T("按时办结率", "On-time rate"), i18n.T("", ""), Percent},
		{"cases.overdue_open", i18n.T("超期未办结", "Open and overdue"), pieces, Count},
		{"cases.remote", i18n.T("云端远程办理", "Handled remotely"), pieces, Count},
		{"cases.satisfaction_rate", i18n.T("好差评满意率", "Satisfaction"), i18n.T("", ""), Percent},
		{"cases.bad_reviews", i18n.T("差评", "Bad reviews"), pieces, Count},
	}},
	{i18n.T("项目全生命周期服务", "Key projects"), []Figure{
		{"projects.signed.count", i18n.T("签约项目", "Signed"), units, Count},
		{"projects.started.count", i18n.T("开工项目", "Started"), units, Count},
		{"projects.started.investment_fen", i18n.T("开工项目总投资", "Investment started"), i18n.T("", ""), Fen},
		{"projects.registered.count", i18n.T("入库项目", "Registered"), units, Count},
		{"projects.producing.count", i18n.T("投产项目", "In production"), units, Count},
		{"projects.producing.investment_fen", i18n.T("投产项目总投资", "Investment producing"), i18n.T("", ""), Fen},
		{"projects.effective.count", i18n.T("达效项目", "Effective"), units, Count},
		{"projects.started_and_producing_same_year", i18n.T("当年开工当年投产", "Started and producing in one year"), units, Count},
	}},
	{i18n.T("解决企业急难愁盼", "Enterprise appeals"), []Figure{
		{"appeals.received", i18n.T("收集诉求", "Appeals received"), pieces, Count},
		{"appeals.resolved", i18n.T("解决问题", "Problems solved"), units, Count},
		{"appeals.response_rate", i18n.T("响应率", "Response rate"), i18n.T("", ""), Percent},
		{"appeals.resolution_rate", i18n.T("解决率", "Resolution rate"), i18n.T("", ""), Percent},
		{"appeals.satisfaction_rate", i18n.T("满意率", "Satisfaction rate"), i18n.T("", ""), Percent},
		{"appeals.on_time_rate", i18n.T("按时办结率", "On-time rate"), i18n.T("", ""), Percent},
	}},
	{i18n.T("要素保障", "Factor support"), []Figure{
		{"labor.events", i18n.T("招聘活动", "Recruitment events"), i18n.T("场次", ""), Count},
		{"labor.placements", i18n.T("送工送岗", "Workers placed"), people, Count},
		{"labor.subsidy_paid_fen", i18n.T("招工稳岗补贴", "Hiring subsidy paid"), i18n.T("", ""), Fen},
		{"policy.applications", i18n.T("政策兑现申请", "Policy applications"), pieces, Count},
		{"policy.paid_enterprises", i18n.T("获兑现企业", "Enterprises paid"), homes, Count},
		{"policy.paid_fen", i18n.T("兑现资金", "Policy funds paid"), i18n.T("", ""), Fen},
		{"finance.needs", i18n.T("融资需求", "Financing needs"), i18n.T("笔", ""), Count},
		{"finance.loans", i18n.T("放款", "Loans"), i18n.T("笔", ""), Count},
		{"finance.loans_fen", i18n.T("融资金额", "Loans disbursed"), i18n.T("", ""), Fen},
	}},
	{i18n.T("科技创新", "Innovation"), []Figure{
		{"innovation.high_tech_enterprises", i18n.T("高新技术企业", "High-tech enterprises"), homes, Count},
		{"innovation.tech_smes", i18n.T("科技型中小企业", "Tech-based SMEs"), homes, Count},
		{"innovation.platforms.national", i18n.T("国家级平台", "National platforms"), homes, Count},
		{"innovation.platforms.provincial", i18n.T("省级平台", "Provincial platforms"), homes, Count},
		{"innovation.platforms.municipal", i18n.T("市级平台", "Municipal platforms"), homes, Count},
		{"innovation.events", i18n.T("创新活动", "Innovation events"), i18n.T("场次", ""), Count},
		{"innovation.partnership_universities", i18n.T("合作高校院所", "Partner universities"), i18n.T("所", ""), Count},
		{"innovation.partnership_enterprises", i18n.T("产学研合作企业", "Partner enterprises"), homes, Count},
	}},
}

// Shown is a figure ready for a page.
type Shown struct {
	Label string
	Value string
	Unit  string
	Prev  string
	Href  string
	Key   string
}

// Format writes a figure's value in lang.
func Format(sum map[string]any, f Figure, lang i18n.Lang) (string, string) {
	switch f.Kind {
	case Percent:
		r := Rate(sum, f.Key)
		if r == nil {
			return "—", ""
		}
		return fmt.Sprintf("%.1f", *r*100), "%"
	case Fen:
		if lang == i18n.EN {
			return money.FormatEn(Int(sum, f.Key)), ""
		}
		return money.Format(Int(sum, f.Key)), ""
	}
	return fmt.Sprint(Int(sum, f.Key)), f.Unit.In(lang)
}

// Chart is one trend chart with its numbers.
type Chart struct {
	Title  string   `json:"title"`
	Type   string   `json:"type"`
	Labels []string `json:"labels"`
	Series []Series `json:"series"`
	Money  bool     `json:"money"`
}

// Series is one line or bar set.
type Series struct {
	Name string     `json:"name"`
	Data []*float64 `json:"data"`
}

// charts are the dashboard's trends: one metric each, by month or week.
var charts = []struct {
	title  i18n.Text
	metric string
	kind   string
	money  bool
}{
	{i18n.T("办件受理量", "Cases accepted"), "cases.accepted", "bar", false},
	{i18n.T("企业诉求解决数", "Appeals resolved"), "appeals.resolved", "bar", false},
	{i18n.T("重点项目开工数", "Projects started"), "projects.started.count", "bar", false},
	{i18n.T("送工送岗人次", "Workers placed"), "labor.placements", "line", false},
	{i18n.T("企业融资金额（万元）", "Loans disbursed (10k yuan)"), "finance.loans_fen", "line", true},
	{i18n.T("好差评满意率", "Case satisfaction"), "cases.satisfaction_rate", "line", false},
}

// Dashboard is everything the dashboard page shows.
type Dashboard struct {
	From, To civil.Date
	Label    string
	Groups   []ShownGroup
	Charts   []Chart
	Rankings []platform.Ranking
	Warnings []platform.Card
	By       string
}

// ShownGroup is a group of shown figures.
type ShownGroup struct {
	Title   string
	Figures []Shown
}

// Dashboard builds the dashboard for from..to. Its parts — the two
// summaries, the trends, each module's rankings and warnings — read apart
// from one another, so they are read side by side on the reader pool, a few
// at a time, and put together in order.
func (s *Service) Dashboard(ctx context.Context, p *access.Principal, from, to civil.Date, lang i18n.Lang) (*Dashboard, error) {
	if err := readable(p, from, to); err != nil {
		return nil, err
	}
	d := &Dashboard{From: from, To: to, Label: Label(from, to), By: "month", Charts: make([]Chart, len(charts))}
	if from.DaysUntil(to) < 62 {
		d.By = "week"
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(dashboardReaders)
	var cur, prev map[string]any
	g.Go(func() (err error) {
		cur, err = s.Summary(ctx, p, from, to)
		return err
	})
	g.Go(func() (err error) {
		pf, pt := Previous(from, to)
		prev, err = s.Summary(ctx, p, pf, pt)
		return err
	})
	for i, c := range charts {
		g.Go(func() error {
			t, err := s.Trend(ctx, p, c.metric, from, to, d.By)
			d.Charts[i] = chartOf(c.title.In(lang), c.kind, c.money, c.metric == "cases.satisfaction_rate", t, d.By)
			return err
		})
	}
	rankings := make([][]platform.Ranking, len(s.Modules))
	warnings := make([][]platform.Card, len(s.Modules))
	q := s.DB.Read()
	for i, m := range s.Modules {
		if m.Rankings != nil {
			g.Go(func() (err error) {
				rankings[i], err = m.Rankings(ctx, q, p, from, to, lang)
				return err
			})
		}
		if m.Warnings != nil {
			g.Go(func() (err error) {
				warnings[i], err = m.Warnings(ctx, p, lang)
				return err
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	d.Rankings = slices.Concat(rankings...)
	d.Warnings = slices.Concat(warnings...)
	for _, grp := range Groups {
		sg := ShownGroup{Title: grp.Title.In(lang)}
		for _, f := range grp.Figures {
			v, u := Format(cur, f, lang)
			pv, pu := Format(prev, f, lang)
			sg.Figures = append(sg.Figures, Shown{Label: f.Label.In(lang), Value: v, Unit: u, Prev: pv + pu, Href: s.drill(f.Key, from, to), Key: f.Key})
		}
		d.Groups = append(d.Groups, sg)
	}
	return d, nil
}

// dashboardReaders is how many of the dashboard's parts are read at once:
// enough to keep two cores busy while one part waits on the disk, few
// enough to leave readers for everyone else.
const dashboardReaders = 4

// chartOf draws trend t: labelled by month (YYYY-MM) or by week (MM-DD of
// its first day), money in 万元, a rate in per cent.
func chartOf(title, kind string, isMoney, isRate bool, t Trend, by string) Chart {
	ch := Chart{Title: title, Type: kind, Money: isMoney}
	ser := Series{Name: title}
	for _, pt := range t.Points {
		label := pt.From.String()[:7]
		if by == "week" {
			label = pt.From.String()[5:]
		}
		ch.Labels = append(ch.Labels, label)
		v := pt.Value
		if v != nil && isMoney {
			w := *v / float64(money.Wan)
			v = &w
		}
		if v != nil && isRate {
			w := *v * 100
			v = &w
		}
		ser.Data = append(ser.Data, v)
	}
	ch.Series = []Series{ser}
	return ch
}

func (s *Service) drill(key string, from, to civil.Date) string {
	for _, m := range s.Modules {
		if m.Drill != nil {
			if h := m.Drill(key, from, to); h != "" {
				return h
			}
		}
	}
	return ""
}
