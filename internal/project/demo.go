package project

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/demo"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// demoProject is one project of the demo zone; amounts in 万元, dates as
// text, "" for a stage not reached.
type demoProject struct {
	name, ent, place string // place: the community of a public project
	wan              int64
	signed, started  string
	registered       string
	producing        string
	effective        string
	key              bool
	then             [][2]string // later actions: {action, date}
}

// DemoProjects are the demo zone's projects. In 2023-01-01..2023-06-30,
// fifteen key projects start with 79.4亿元 of planned investment (大美科技
// among them) and thirteen go into production with 104.7亿元 (东贝精密智造
// among them), as the seed article reports; 劲佳包装三期, 信永辉电子科技(二期)
// and 立中轮毂 start and produce within that half-year, 展旺新材料 and 祥邦一期
// within 2022; the four industry–city integration projects start in 2023.
var DemoProjects = []demoProject{
	// Started in the first half of 2023.
	{"大美科技智能穿戴产业园项目", "大美科技", "", 100000, "2022-11-18", "2023-03-18", "2023-05-10", "", "", true, nil},
	{"攀宇产城融合一期", "", "攀宇村", 70000, "2022-12-20", "2023-04-10", "2023-05-25", "", "", true, nil},
	{"城西北产城融合一期", "", "城西北社区", 98000, "2023-01-16", "2023-05-06", "2023-06-20", "", "", true, nil},
	{"团垴城乡一体化", "", "团垴村", 65000, "2022-12-28", "2023-03-28", "2023-04-26", "", "", true, nil},
	{"石洪甫城乡一体化", "", "石洪甫村", 52000, "2023-02-22", "2023-06-12", "", "", "", true, nil},
	{"劲佳包装三期", "劲佳包装", "", 28000, "2022-10-12", "2023-01-06", "2023-02-20", "2023-06-18", "", true, nil},
	{"信永辉电子科技(二期)", "信永辉电子科技", "", 36000, "2022-11-02", "2023-02-15", "2023-03-22", "2023-06-26", "", true, nil},
	{"立中轮毂", "立中轮毂", "", 45000, "2022-09-26", "2023-01-09", "2023-02-14", "2023-06-08", "", true, nil},
	{"东贝电机新能源汽车驱动电机项目", "东贝电机", "", 62000, "2022-12-06", "2023-02-20", "2023-04-03", "", "", true, nil},
	{"融通高科高性能锂电正极材料项目", "融通高科", "", 85000, "2023-01-10", "2023-04-18", "2023-06-05", "", "", true, nil},
	{"长城汽车零部件配套产业园", "长城汽车", "", 40000, "2023-02-08", "2023-05-20", "", "", "", true, nil},
	{"佳兴生物新型饲料添加剂生产线", "佳兴生物", "", 8600, "2022-12-15", "2023-03-02", "2023-04-12", "2024-05-16", "", true, nil},
	{"普罗格智芯集成电路封测项目", "普罗格智芯", "", 23400, "2023-03-06", "2023-06-05", "", "", "", true, nil},
	{"祥邦新能源光伏封装胶膜二期", "祥邦新能源", "", 55000, "2023-01-20", "2023-04-25", "2023-06-02", "2024-06-28", "", true, nil},
	{"展旺新材料二期", "展旺新材料", "", 26000, "2023-02-27", "2023-05-29", "", "", "", true, nil},
	// Into production in the first half of 2023 (three more above).
	{"东贝精密智造高端压缩机精密部件项目", "东贝精密智造", "", 210000, "2021-06-18", "2021-09-15", "2021-10-20", "2023-03-16", "", true, nil},
	{"长城汽车大冶分公司整车技改项目", "长城汽车", "", 180000, "2021-12-01", "2022-03-01", "2022-04-10", "2023-05-28", "", true, nil},
	{"融通高科锂电材料一期", "融通高科", "", 120000, "2021-08-09", "2021-11-08", "2021-12-15", "2023-01-18", "2024-06-30", true, nil},
	{"大美科技一期", "大美科技", "", 95000, "2021-11-22", "2022-02-20", "2022-03-28", "2023-04-06", "", true, nil},
	{"东贝电机高效节能电机智能工厂", "东贝电机", "", 88000, "2021-10-11", "2022-01-12", "2022-02-23", "2023-02-27", "2024-08-30", true, nil},
	{"祥邦新能源光伏封装材料扩能项目", "祥邦新能源", "", 76000, "2022-02-08", "2022-05-16", "2022-06-20", "2023-06-15", "", true, nil},
	{"佳兴生物饲用酶制剂项目", "佳兴生物", "", 12000, "2022-04-06", "2022-07-01", "2022-08-09", "2023-03-30", "", true, nil},
	{"普罗格智芯研发及中试基地", "普罗格智芯", "", 33000, "2022-03-14", "2022-06-08", "2022-07-18", "2023-06-20", "", true, nil},
	{"劲佳包装二期", "劲佳包装", "", 24000, "2021-05-10", "2021-08-02", "2021-09-06", "2023-01-12", "2024-03-29", true, nil},
	{"东贝电机微特电机产业化项目", "东贝电机", "", 100000, "2021-09-23", "2021-12-20", "2022-01-25", "2023-05-08", "", true, nil},
	// Started and produced within 2022.
	{"展旺新材料", "展旺新材料", "", 18000, "2021-12-10", "2022-03-08", "2022-04-12", "2022-11-22", "", true, nil},
	{"祥邦一期", "祥邦新能源", "", 42000, "2021-11-05", "2022-02-14", "2022-03-21", "2022-12-06", "2024-05-31", true, nil},
	// Other stages across 2022–2024.
	{"长城汽车新能源配套项目", "长城汽车", "", 60000, "2023-06-26", "2023-09-12", "", "", "", true,
		[][2]string{{"stall", "2023-12-01"}, {"resume", "2024-04-15"}, {"register", "2024-05-20"}}},
	{"东贝精密智造二期", "东贝精密智造", "", 150000, "2022-11-10", "2023-08-15", "2023-09-26", "", "", true,
		[][2]string{{"stall", "2024-03-01"}}},
	{"佳兴生物研发楼", "佳兴生物", "", 350, "2023-08-01", "2023-10-10", "", "2024-04-20", "", false, nil},
	{"信永辉电子科技三期", "信永辉电子科技", "", 30000, "2023-09-01", "", "", "", "", false,
		[][2]string{{"terminate", "2024-02-20"}}},
	{"融通高科固态电池材料中试线", "融通高科", "", 30000, "2024-05-20", "2024-10-15", "2024-11-28", "", "", true, nil},
	{"普罗格智芯芯片设计中心", "普罗格智芯", "", 6000, "2024-03-12", "", "", "", "", false, nil},
	{"大美科技智能终端二期", "大美科技", "", 48000, "2024-09-06", "", "", "", "", true, nil},
}

// demoCommissioners are the project commissioners (项目专员) of the demo:
// zone staff with the cadre role who serve projects one to one.
var demoCommissioners = []demo.Account{
	{Username: "commissioner1", Name: "周敏", Role: access.Cadre},
	{Username: "commissioner2", Name: "吴磊", Role: access.Cadre},
	{Username: "commissioner3", Name: "郑洁", Role: access.Cadre},
}

// demoLeaders are responsible cadres (包保领导) besides the demo "cadre".
// Few accounts: each costs a password hash at start-up.
var demoLeaders = []demo.Account{
	{Username: "cadre2", Name: "黄志刚", Role: access.Cadre},
}

type demoLoader struct {
	d   *platform.Deps
	svc *Service
}

func wan(n int64) int64 { return n * money.Wan }

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	var accounts []demo.Account
	for _, a := range append(append([]demo.Account{}, demoCommissioners...), demoLeaders...) {
		a.OrgID = z.ID
		accounts = append(accounts, a)
	}
	if err := demo.AddAccounts(ctx, l.d.DB, l.d.Auth, z, accounts); err != nil {
		return err
	}
	zonePath, err := orgPath(ctx, l.d.DB.Read(), z.ID)
	if err != nil {
		return err
	}
	principal := func(username, name string, role access.Role) *access.Principal {
		return &access.Principal{UserID: z.Users[username], Username: username, Name: name, Roles: []access.Role{role}, OrgID: z.ID, OrgPath: zonePath}
	}
	office := principal("projects", "张项目", access.ProjectOffice)
	commissioners := make([]*access.Principal, len(demoCommissioners))
	for i, c := range demoCommissioners {
		commissioners[i] = principal(c.Username, c.Name, access.Cadre)
	}
	leaders := []int64{z.Users["cadre"], z.Users["cadre2"]}
	rng := rand.New(rand.NewPCG(5, 2023))
	d := civil.MustParse
	byCommissioner := map[int64]*access.Principal{}
	// A demo started on an earlier clock (tests of 2023) holds only what had
	// happened by then.
	today := civil.Of(l.d.DB.Now())
	happened := func(date string) bool { return date != "" && !d(date).After(today) }
	err = l.d.DB.Write(ctx, func(tx *store.Tx) error {
		for i, dp := range DemoProjects {
			if !happened(dp.signed) {
				continue
			}
			com := commissioners[i%len(commissioners)]
			in := Input{Name: dp.name, TotalInvestmentFen: wan(dp.wan), FixedInvestmentFen: wan(dp.wan) * 8 / 10, Key: dp.key,
				LeaderUserID: leaders[i%len(leaders)], CommissionerUserID: com.UserID,
				Planned: map[string]string{}, Actual: map[string]string{"signed": dp.signed}}
			// Land at an investment intensity of 250–400 万元/亩.
			in.LandMu = Mu(dp.wan * 8 / 10 * 1000 / int64(250+rng.IntN(150)))
			if dp.ent != "" {
				in.EnterpriseID = z.Enterprises[dp.ent]
				in.LeadDepartmentID = z.Departments["经济发展局"]
				in.Agreement = Agreement{ContractNo: fmt.Sprintf("DYH-%s-%03d", dp.signed[:4], i+1),
					CommittedOutputFen: wan(dp.wan) * 12 / 10, CommittedTaxFen: wan(dp.wan) * 6 / 100}
			} else {
				in.OrgID = z.Communities[dp.place]
				in.IndustryCode = "48"
				in.LeadDepartmentID = z.Departments["住房和城乡建设局"]
			}
			// The agreement's deadlines: the start 3 months after signing,
			// production 15 months after the start; some are missed.
			signed := d(dp.signed)
			ps := signed.AddMonths(3).AddDays(rng.IntN(21) - 10)
			in.Planned["started"] = ps.String()
			in.Planned["producing"] = ps.AddMonths(15).String()
			if dp.wan >= 500 {
				in.Planned["registered"] = ps.AddMonths(2).String()
			}
			if dp.ent != "" {
				in.Planned["effective"] = ps.AddMonths(27).String()
			}
			for st, date := range map[string]string{"started": dp.started, "registered": dp.registered, "producing": dp.producing, "effective": dp.effective} {
				if happened(date) {
					in.Actual[st] = date
				}
			}
			switch {
			case happened(dp.effective):
				in.Agreement.AchievedOutputFen = in.Agreement.CommittedOutputFen * 105 / 100
				in.Agreement.AchievedTaxFen = in.Agreement.CommittedTaxFen * 110 / 100
			case dp.producing != "" && dp.ent != "":
				in.Agreement.AchievedOutputFen = in.Agreement.CommittedOutputFen * int64(40+rng.IntN(50)) / 100
			}
			id, err := l.svc.CreateTx(ctx, tx, office, in)
			if err != nil {
				return fmt.Errorf("%s: %w", dp.name, err)
			}
			z.Projects[dp.name] = id
			byCommissioner[id] = com
			for _, a := range dp.then {
				if !happened(a[1]) {
					break
				}
				pr, err := getQ(ctx, tx, all(), id)
				if err != nil {
					return err
				}
				body, _ := json.Marshal(map[string]string{"date": a[1]})
				if err := l.svc.actTx(ctx, tx, com, &pr, a[0], body, false); err != nil {
					return fmt.Errorf("%s %s: %w", dp.name, a[0], err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := l.progress(ctx, rng, z.Projects, byCommissioner); err != nil {
		return err
	}
	if err := l.ratings(ctx, z, rng); err != nil {
		return err
	}
	if err := l.evidence(ctx, z, byCommissioner); err != nil {
		return err
	}
	_, err = l.svc.RefreshLights(ctx)
	return err
}

// progress reports the monthly investment of every project from its start
// until production (or the end of 2024), as its commissioner.
func (l *demoLoader) progress(ctx context.Context, rng *rand.Rand, ids map[string]int64, by map[int64]*access.Principal) error {
	end := civil.MustParse("2024-12-31")
	if today := civil.Of(l.d.DB.Now()); today.Before(end) {
		end = today
	}
	return l.d.DB.Write(ctx, func(tx *store.Tx) error {
		for _, dp := range DemoProjects {
			if dp.started == "" || ids[dp.name] == 0 || civil.MustParse(dp.started).After(end) {
				continue
			}
			pr, err := getQ(ctx, tx, all(), ids[dp.name])
			if err != nil {
				return err
			}
			last := end
			if dp.producing != "" && civil.MustParse(dp.producing).Before(end) {
				last = civil.MustParse(dp.producing)
			}
			if s, ok := pr.Actual[Stalled]; ok && s.Before(last) {
				last = s
			}
			first := civil.MustParse(dp.started)
			months := (last.Year-first.Year)*12 + int(last.Month-first.Month) + 1
			budget := pr.TotalInvestmentFen * int64(70+rng.IntN(25)) / 100
			for m := range months {
				day := civil.New(first.Year, first.Month+time.Month(m), 1)
				share := budget / int64(months) * int64(60+rng.IntN(80)) / 100
				share -= share % money.Wan // whole 万元
				in := ProgressInput{Month: day.String()[:7], InvestedFen: share}
				if _, err := l.svc.progressTx(ctx, tx, by[pr.ID], &pr, in, false); err != nil {
					return fmt.Errorf("%s %s: %w", dp.name, in.Month, err)
				}
			}
		}
		return nil
	})
}

// ratings: the enterprises rate their projects' commissioners for 2023.
func (l *demoLoader) ratings(ctx context.Context, z *platform.Zone, rng *rand.Rand) error {
	return l.d.DB.Write(ctx, func(tx *store.Tx) error {
		for _, dp := range DemoProjects {
			if dp.ent == "" || dp.signed > "2023-12-31" || z.Projects[dp.name] == 0 {
				continue
			}
			pr, err := getQ(ctx, tx, all(), z.Projects[dp.name])
			if err != nil {
				return err
			}
			var r Rating
			score := 3 + rng.IntN(3)
			if err := l.svc.RateTx(ctx, tx, &pr, 2023, RatingInput{Score: score}, 0, &r); err != nil {
				return err
			}
		}
		return nil
	})
}

// evidence: a site photo of 大美科技's start.
func (l *demoLoader) evidence(ctx context.Context, z *platform.Zone, by map[int64]*access.Principal) error {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for x := range 64 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{R: uint8(120 + x), G: uint8(150 + y), B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	id := z.Projects["大美科技智能穿戴产业园项目"]
	_, err := l.svc.Upload(ctx, by[id], id, Started, "开工现场照片.png", "主体工程开工现场", buf.Bytes())
	return err
}
