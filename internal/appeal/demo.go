package appeal

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/org"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// The demo: 116 appeals received in the first half of 2023 from every
// channel of the seed article, nearly all closed as resolved by 30 June —
// some after a late reply, a returned dispatch or a reopening — and a dozen
// open ones dated around today, a few of them overdue and supervised.

type demoLoader struct {
	d   *platform.Deps
	svc *Service
}

// leadFor is the department that handles a category in the demo zone, and
// the one that sometimes helps.
var leadFor = map[Category][2]string{
	License:        {"市场监督管理局", ""},
	Land:           {"自然资源和规划局", "住房和城乡建设局"},
	Power:          {"国网大冶市供电公司", "经济发展局"},
	Water:          {"水务公司", ""},
	Gas:            {"燃气公司", ""},
	Labor:          {"人力资源和社会保障局", "医疗保障局"},
	Finance:        {"经济发展局", "财政局"},
	Policy:         {"税务局", "财政局"},
	Legal:          {"市场监督管理局", "生态环境分局"},
	Infrastructure: {"住房和城乡建设局", "自然资源和规划局"},
	Other:          {"经济发展局", ""},
}

// demoTexts are what enterprises asked, and what departments answered.
var demoTexts = map[Category][][2]string{
	License: {
		{"新建车间投产前需办理工业产品生产许可证，材料已提交两周尚未受理，请协调加快。", "已开通绿色通道，现场核查后当场发证。"},
		{"企业变更经营范围，营业执照与食品经营许可证需同步变更，咨询能否一窗办理。", "已安排帮办代办，两证变更一次办结。"},
		{"出口业务需要办理特种设备使用登记，不清楚办理流程和所需材料。", "已派专人上门指导，登记证已发放。"},
	},
	Land: {
		{"二期扩建用地指标未落实，影响项目开工，请协调用地报批。", "已纳入年度供地计划，完成挂牌出让。"},
		{"厂区不动产权证办理遇到历史遗留问题，需协调测绘和确权。", "已组织联合会审，确权登记已完成。"},
	},
	Power: {
		{"新增生产线需扩容用电，申请增容至2000千伏安，请加快接电。", "已完成线路改造，提前十天送电。"},
		{"园区频繁短时停电，影响精密设备运行，请排查线路。", "已更换老旧设备并加装监测，供电恢复稳定。"},
	},
	Water: {
		{"生产用水压力不足，夏季高峰时段无法满足冷却需求。", "已新建加压泵站，水压达标。"},
		{"申请工业用水接驳，管网尚未铺设到厂区门口。", "管网已铺设接通，企业已正常用水。"},
	},
	Gas: {
		{"天然气接入工程进度慢，窑炉改造后无法按期点火。", "已调整施工计划，燃气已通气点火。"},
		{"用气价格政策不清楚，咨询大工业用户优惠气价。", "已解读政策并办理优惠气价备案。"},
	},
	Labor: {
		{"春节后缺普工约120人，请协助组织专场招聘。", "已举办专场招聘会，企业录用98人。"},
		{"申请稳岗返还，系统显示参保数据不符，请核实。", "已核实参保数据，稳岗返还资金已拨付。"},
		{"技术工人职称评定渠道不畅，请开展企业自主评价。", "已备案企业自主评价资格，首批32人取得证书。"},
	},
	Finance: {
		{"原材料涨价，流动资金紧张，希望对接低息信用贷款。", "已对接合作银行，获批信用贷款800万元。"},
		{"设备更新贷款贴息政策如何申请？", "已指导申报贴息，资金已到账。"},
	},
	Policy: {
		{"研发费用加计扣除政策不会申报，请上门辅导。", "税务专员已上门辅导，完成申报。"},
		{"高新技术企业奖补资金迟迟未兑现，请协调。", "已完成审核，奖补资金已拨付到企业账户。"},
		{"出口退税进度较慢，影响资金周转。", "已开通退税快速通道，退税款已到账。"},
	},
	Legal: {
		{"与外地客户合同纠纷，请提供法律咨询和调解。", "已联系公共法律服务中心，组织调解达成和解。"},
	},
	Infrastructure: {
		{"厂区门前道路破损，重型货车通行困难，请修缮。", "道路已修复并加铺沥青。"},
		{"园区缺少公交站点，员工通勤不便。", "已增设公交站点并延长运营时间。"},
	},
	Other: {
		{"员工子女入学需协调就近学位。", "已协调学位，学生已办理入学。"},
	},
}

// demoCategories weighs the categories as the seed's appeals fell.
var demoCategories = []struct {
	c Category
	w int
}{{License, 20}, {Land, 10}, {Power, 12}, {Water, 10}, {Gas, 8}, {Labor, 16}, {Finance, 14}, {Policy, 16}, {Legal, 3}, {Infrastructure, 6}, {Other, 3}}

func pickCategory(r *rand.Rand) Category {
	total := 0
	for _, x := range demoCategories {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range demoCategories {
		if n < x.w {
			return x.c
		}
		n -= x.w
	}
	return Other
}

type demoEnterprise struct {
	id, cadre int64
	visit     int64
	flag      string
}

// demoActors are the people the demo acts as.
type demoActors struct {
	office, leader, cadre, ent *access.Principal
	depts                      map[string]*access.Principal
	deptIDs                    map[string]int64
	entID                      int64
}

func (l *demoLoader) actors(ctx context.Context, z *platform.Zone) (*demoActors, error) {
	a := &demoActors{depts: map[string]*access.Principal{}, deptIDs: map[string]int64{}, entID: z.Enterprises["祥邦新能源"]}
	var err error
	get := func(name string) *access.Principal {
		if err != nil {
			return nil
		}
		var p *access.Principal
		p, err = l.d.Auth.PrincipalOf(ctx, z.Users[name])
		return p
	}
	a.office, a.leader, a.cadre, a.ent = get("office"), get("leader"), get("cadre"), get("ent")
	dept := get("dept")
	if err != nil {
		return nil, err
	}
	for name, id := range z.Departments {
		a.deptIDs[name] = id
		if id == dept.OrgID {
			a.depts[name] = dept
			continue
		}
		o, err := org.GetTx(ctx, l.d.DB.Read(), id)
		if err != nil {
			return nil, err
		}
		// Departments without a demo account act through a named handler.
		n := name + "经办人"
		a.depts[name] = &access.Principal{Username: n, Name: n, Roles: []access.Role{access.Department}, OrgID: id, OrgPath: o.Path}
	}
	return a, nil
}

func (l *demoLoader) enterprises(ctx context.Context) ([]demoEnterprise, error) {
	q := l.d.DB.Read()
	rows, err := q.Query(ctx, "SELECT id, cadre_user_id FROM enterprises ORDER BY id")
	if err != nil {
		return nil, err
	}
	var es []demoEnterprise
	for rows.Next() {
		var e demoEnterprise
		if err := rows.Scan(&e.id, store.Z(&e.cadre)); err != nil {
			rows.Close()
			return nil, err
		}
		es = append(es, e)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	// A visit with a red flag makes its enterprise's visit appeals come from it.
	vrows, err := q.Query(ctx, "SELECT id, enterprise_id, flags FROM visits ORDER BY id")
	if err != nil {
		return nil, err
	}
	type visit struct {
		id   int64
		flag string
	}
	visits := map[int64]visit{}
	for vrows.Next() {
		var id, ent int64
		var flags string
		if err := vrows.Scan(&id, &ent, &flags); err != nil {
			vrows.Close()
			return nil, err
		}
		if _, ok := visits[ent]; !ok {
			first, _, _ := strings.Cut(flags, ",")
			visits[ent] = visit{id, first}
		}
	}
	if err := vrows.Close(); err != nil {
		return nil, err
	}
	for i := range es {
		if v, ok := visits[es[i].id]; ok {
			es[i].visit, es[i].flag = v.id, v.flag
		}
	}
	return es, nil
}

// demoProject is a project with its enterprise, for problems raised on it.
type demoProject struct{ id, enterprise int64 }

// projects returns the projects that have an enterprise, when the projects
// module is there to have made them.
func (l *demoLoader) projects(ctx context.Context) []demoProject {
	var out []demoProject
	rows, err := l.d.DB.Read().Query(ctx, "SELECT id, enterprise_id FROM projects WHERE enterprise_id IS NOT NULL ORDER BY id")
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var p demoProject
		if rows.Scan(&p.id, &p.enterprise) == nil {
			out = append(out, p)
		}
	}
	return out
}

// demoRun files and handles appeals inside one transaction.
type demoRun struct {
	ctx context.Context
	tx  *store.Tx
	s   *Service
	act *demoActors
	err error
}

func (d *demoRun) do(p *access.Principal, id int64, action string, on civil.Date, fields map[string]any) {
	if d.err != nil {
		return
	}
	body := map[string]any{"date": on.String()}
	for k, v := range fields {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	if _, err := d.s.ActTx(d.ctx, d.tx, p, id, action, b); err != nil {
		d.err = fmt.Errorf("appeal %d %s on %s: %w", id, action, on, err)
	}
}

func (d *demoRun) file(p *access.Principal, in Input) int64 {
	if d.err != nil {
		return 0
	}
	id, err := d.s.CreateTx(d.ctx, d.tx, p, in)
	if err != nil {
		d.err = fmt.Errorf("file %+v: %w", in, err)
	}
	return id
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	act, err := l.actors(ctx, z)
	if err != nil {
		return err
	}
	ents, err := l.enterprises(ctx)
	if err != nil || len(ents) == 0 {
		return err
	}
	projects := l.projects(ctx)
	cal := l.svc.Cal
	work := func(d civil.Date) civil.Date {
		if !cal.IsWorkday(d) {
			return cal.AddWorkdays(d, 1)
		}
		return d
	}
	dept := func(name string) string { return fmt.Sprint(act.deptIDs[name]) }

	limits, err := LoadLimits(ctx, l.d.DB.Read())
	if err != nil {
		return err
	}
	// 2023: the history, entered quietly with its real dates.
	var ids []int64
	err = l.d.DB.Write(ctx, func(tx *store.Tx) error {
		// Seeded here, so that a retried transaction writes the same zone.
		r := rand.New(rand.NewPCG(2023, 6))
		ids = ids[:0]
		run := &demoRun{ctx: backEntry(access.With(ctx, act.office), true), tx: tx, s: l.svc, act: act}
		start := civil.New(2023, 1, 3)
		for i := 0; i < 116; i++ {
			cat := pickCategory(r)
			e := ents[r.IntN(len(ents))]
			if i%9 == 0 && act.entID != 0 {
				e = demoEnterprise{id: act.entID, cadre: act.cadre.UserID}
			}
			texts := demoTexts[cat]
			t := texts[r.IntN(len(texts))]
			recv := work(start.AddDays(r.IntN(150)))
			in := Input{EnterpriseID: e.id, Category: cat, Content: t[0], ReceivedOn: recv, ContactName: "企业联系人"}
			filer := act.office
			switch k := r.IntN(100); {
			case i%9 == 0 && e.id == act.entID:
				in.Channel, filer = Online, act.ent
			case k < 28 && e.cadre == act.cadre.UserID:
				in.Channel, filer = CadreVisit, act.cadre
				if e.visit != 0 {
					in.VisitID, in.VisitFlag = e.visit, e.flag
				}
			case k < 38 && e.cadre == act.cadre.UserID:
				in.Channel, filer = Shuangqian, act.cadre
			case k < 48:
				in.Channel = TeaMeeting
			case k < 58:
				in.Channel = Roundtable
			case k < 64 || cat == Finance && k < 80:
				in.Channel = BankMeeting
			case k < 70 && len(projects) > 0:
				// A problem raised on a key project, by its enterprise.
				pr := projects[r.IntN(len(projects))]
				in.Channel, in.ProjectID, in.EnterpriseID = ProjectCh, pr.id, pr.enterprise
			default:
				in.Channel = Hotline
			}
			id := run.file(filer, in)
			ids = append(ids, id)
			o := act.office
			accept := cal.AddWorkdays(recv, r.IntN(2))
			urgency, complexity := map[string]any{}, r.IntN(10) == 0
			if complexity {
				urgency["urgency"] = "complex"
			}
			if cat == Policy && r.IntN(5) == 0 {
				// A policy question the office answers itself.
				run.do(o, id, "answer", accept, map[string]any{"reply": "营商办已当面解读政策并提供申报指南。"})
				rv := cal.AddWorkdays(accept, 1+r.IntN(2))
				run.do(o, id, "revisit", rv, map[string]any{"rating": "satisfied", "resolved": true})
				run.do(o, id, "close", rv, nil)
				continue
			}
			run.do(o, id, "accept", accept, urgency)
			lead := leadFor[cat]
			on := accept
			fields := map[string]any{"department_org_id": dept(lead[0])}
			if lead[1] != "" && r.IntN(4) == 0 {
				fields["co_department_org_ids"] = []string{dept(lead[1])}
			}
			if i%29 == 7 {
				// Sent to the wrong department first: it asks to return it.
				wrong := "经济发展局"
				if lead[0] == wrong {
					wrong = "科技创新局"
				}
				run.do(o, id, "dispatch", on, map[string]any{"department_org_id": dept(wrong)})
				run.do(act.depts[wrong], id, "request_return", on, map[string]any{"reason": "不属于本部门职责，请改派" + lead[0]})
				on = cal.AddWorkdays(on, 1)
			}
			urg := General
			if complexity {
				urg = Complex
			}
			l.handle(run, r, id, limits.ReplyWorkdays(cat, urg), lead[0], on, fields, t[1], i%15 == 5)
		}
		return run.err
	})
	if err != nil {
		return err
	}
	z.Extra["appeals"] = ids
	return l.current(ctx, act, ents)
}

// handle runs one dispatch to a reply, a revisit and the close; reopen has
// the first round rated unsatisfied and the appeal handled again.
func (l *demoLoader) handle(run *demoRun, r *rand.Rand, id int64, limit int, lead string, on civil.Date, fields map[string]any, reply string, reopen bool) {
	cal := l.svc.Cal
	o := run.act.office
	d := run.act.depts[lead]
	for round := 0; ; round++ {
		run.do(o, id, "dispatch", on, fields)
		sign := cal.AddWorkdays(on, []int{0, 0, 0, 1, 1, 2}[r.IntN(6)])
		run.do(d, id, "sign", sign, nil)
		days := 1 + r.IntN(limit)
		if r.IntN(10) == 0 {
			days = limit + 1 + r.IntN(3) // late
		} else if r.IntN(15) == 0 {
			run.do(d, id, "extend", sign, map[string]any{"due_on": cal.AddWorkdays(on, limit+5).String(), "reason": "需现场勘查，申请延期"})
			days = limit + 2
		}
		replied := cal.AddWorkdays(sign, days)
		text := reply
		if reopen && round == 0 {
			text = "已向企业说明情况，建议企业自行协调。"
		}
		run.do(d, id, "reply", replied, map[string]any{"reply": text})
		rv := cal.AddWorkdays(replied, 1+r.IntN(2))
		if reopen && round == 0 {
			run.do(o, id, "revisit", rv, map[string]any{"rating": "unsatisfied", "resolved": false})
			run.do(o, id, "reopen", rv, nil)
			on = cal.AddWorkdays(rv, 1)
			continue
		}
		rating, resolved := "satisfied", true
		switch k := r.IntN(100); {
		case k < 18:
			rating = "basically_satisfied"
		case k < 21:
			rating, resolved = "basically_satisfied", false
		}
		run.do(o, id, "revisit", rv, map[string]any{"rating": rating, "resolved": resolved})
		run.do(o, id, "close", cal.AddWorkdays(rv, r.IntN(2)), nil)
		return
	}
}

// current adds open appeals dated around today: some waiting for the office,
// some in 市场监督管理局's inbox (the dept demo account), one awaiting the
// 祥邦 enterprise's rating, and a few overdue — which the overdue job then
// supervises.
func (l *demoLoader) current(ctx context.Context, act *demoActors, ents []demoEnterprise) error {
	cal := l.svc.Cal
	today := l.svc.today()
	back := func(n int) civil.Date {
		d := today
		for n > 0 {
			d = d.AddDays(-1)
			if cal.IsWorkday(d) {
				n--
			}
		}
		return d
	}
	err := l.d.DB.Write(ctx, func(tx *store.Tx) error {
		run := &demoRun{ctx: backEntry(access.With(ctx, act.office), false), tx: tx, s: l.svc, act: act}
		o := act.office
		deptID := func(name string) string { return fmt.Sprint(act.deptIDs[name]) }
		type plan struct {
			cat   Category
			ago   int    // working days since it was received
			until string // the last state it reaches
			dept  string
		}
		plans := []plan{
			{License, 0, StateReceived, ""},
			{Labor, 1, StateReceived, ""},
			{Finance, 1, StateAccepted, ""},
			{License, 0, StateDispatched, "市场监督管理局"},
			{Legal, 2, StateDispatched, "市场监督管理局"},
			{License, 4, StateSigned, "市场监督管理局"},
			{License, 9, StateSigned, "市场监督管理局"},
			{Power, 12, StateSigned, "国网大冶市供电公司"},
			{Water, 2, StateReturnRequested, "燃气公司"},
			{Policy, 6, StateReplied, "税务局"},
			{Land, 20, StateDispatched, "自然资源和规划局"},
			{Labor, 3, StateSigned, "人力资源和社会保障局"},
		}
		for i, pl := range plans {
			e := ents[(i*5+3)%len(ents)]
			if pl.until == StateReplied && act.entID != 0 {
				e = demoEnterprise{id: act.entID}
			}
			t := demoTexts[pl.cat][i%len(demoTexts[pl.cat])]
			recv := back(pl.ago)
			id := run.file(o, Input{EnterpriseID: e.id, Channel: []Channel{Hotline, TeaMeeting, Roundtable, Shuangqian}[i%4],
				Category: pl.cat, Content: t[0], ReceivedOn: recv, ContactName: "企业联系人"})
			if pl.until == StateReceived {
				continue
			}
			run.do(o, id, "accept", recv, nil)
			if pl.until == StateAccepted {
				continue
			}
			run.do(o, id, "dispatch", recv, map[string]any{"department_org_id": deptID(pl.dept)})
			d := act.depts[pl.dept]
			switch pl.until {
			case StateReturnRequested:
				run.do(d, id, "request_return", recv, map[string]any{"reason": "供水问题不属于燃气公司职责"})
			case StateSigned, StateReplied:
				run.do(d, id, "sign", cal.AddWorkdays(recv, min(1, pl.ago)), nil)
				if pl.until == StateReplied {
					run.do(d, id, "reply", back(1), map[string]any{"reply": t[1]})
				}
			}
		}
		return run.err
	})
	if err != nil {
		return err
	}
	// The leader supervises one appeal by hand; the overdue job flags the
	// late ones.
	err = l.d.DB.Write(ctx, func(tx *store.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, "SELECT id FROM appeals WHERE state = ? ORDER BY id DESC LIMIT 1", StateReturnRequested).Scan(&id); err != nil {
			return err
		}
		_, err := l.svc.ActTx(ctx, tx, act.leader, id, "supervise", []byte(`{"note":"请尽快改派并限期办结"}`))
		return err
	})
	if err != nil {
		return err
	}
	_, err = l.svc.RunOverdue(ctx)
	return err
}
