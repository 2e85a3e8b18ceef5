package enterprise

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Place is an org node enterprises are generated into.
type Place struct {
	ID   int64
	Name string
}

// Gen makes realistic enterprises — valid credit codes, names built the way
// Chinese company names are (place, trade name, trade, legal form),
// industries weighted to manufacturing, sizes, addresses, contacts and, on
// request, qualifications — for the demo zone, benchmarks and larger
// generated registries. The same seed gives the same enterprises.
type Gen struct {
	r      *rand.Rand
	places []Place
	serial int64
	// Regions are the 6-digit region codes the credit codes carry, in turn.
	Regions []string
	// Today is the day qualifications are generated around.
	Today civil.Date
}

// HuangshiRegions are the region codes of Huangshi city's counties and
// districts (GB/T 2260).
var HuangshiRegions = []string{"420281", "420202", "420203", "420204", "420205", "420222"}

// NewGen returns a generator of enterprises spread over places, whose
// credit codes start at serial number first.
func NewGen(seed uint64, places []Place, first int64, today civil.Date) *Gen {
	return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), places: places, serial: first, Regions: HuangshiRegions, Today: today}
}

// genBase puts generated codes after every DemoUSCC code: their 11th
// character is a letter, the demo's a digit.
const genBase = 10 * 31 * 31 * 31 * 31 * 31 * 31

// GenUSCC returns the valid credit code of generated serial n in region:
// authority 9 (市场监管), type 1 (企业), organisation code "MA" and seven
// characters that encode n.
func GenUSCC(region string, n int64) string {
	var b [7]byte
	v := n + genBase
	for i := 6; i >= 0; i-- {
		b[i] = usccAlphabet[v%31]
		v /= 31
	}
	body := "91" + region + "MA" + string(b[:])
	return body + string(USCCCheck(body))
}

// Word lists. Trade names are two characters drawn from tradeChars; trades
// follow the industry.
var (
	tradeChars = []rune("祥邦鑫华泰盛达源瑞恒宏昌凯兴隆通顺发金银东南天新远航信德嘉汇丰润博创智美佳乐安康宁合鼎鸿锦辉耀明光正方圆立诚永久福运星海江峰林森楚鄂荆冶磊晶珑琦璞瀚宸翔腾飞驰骏弘毅志卓越精匠尚品优俊豪晟昊旭朗铭睿泓沣澜")
	firstNames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔向汤柯")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力斌宇浩凯鹏志国东峰海燕雪梅琳晶晨阳俊帆鑫睿涵")
	roads      = []string{"大冶大道", "湛月路", "新冶大道", "罗桥路", "金湖大道", "东岳路", "雨润路", "城北路", "创业大道", "科技大道", "港湖路", "三岔路", "尹家湖路", "经济开发区大道"}
	// trades by division; a division without a list falls back to its section's word.
	trades = map[int][]string{
		13: {"农产品", "粮油"}, 14: {"食品", "食品科技"}, 15: {"酒业", "饮品"}, 17: {"纺织", "纺织科技"}, 18: {"服饰", "制衣"},
		20: {"木业"}, 21: {"家具"}, 22: {"包装", "纸业", "包装材料"}, 23: {"印务", "印刷"}, 26: {"化工", "新材料", "精细化工"},
		27: {"生物医药", "制药", "生物科技"}, 29: {"塑胶", "橡塑", "塑业"}, 30: {"建材", "新型建材", "陶瓷"},
		31: {"特钢", "钢铁", "冶金"}, 32: {"铜业", "有色金属", "合金材料"}, 33: {"金属制品", "五金", "模具"},
		34: {"机械", "精密机械", "智能装备", "重工"}, 35: {"专用设备", "环保设备", "矿山机械"}, 36: {"汽车零部件", "汽配", "车桥"},
		37: {"船舶配件", "轨道交通装备"}, 38: {"电机", "电气", "新能源科技", "电池", "电器"}, 39: {"电子", "电子科技", "智能科技", "光电", "芯片科技"},
		40: {"仪器仪表", "检测设备"}, 44: {"能源", "电力"}, 47: {"建设", "建筑工程"}, 48: {"路桥", "市政工程"}, 50: {"装饰工程"},
		51: {"商贸", "贸易"}, 52: {"商业", "超市"}, 54: {"运输"}, 58: {"物流", "供应链"}, 59: {"仓储"}, 61: {"酒店管理"}, 62: {"餐饮管理"},
		64: {"网络科技", "信息技术"}, 65: {"软件", "信息技术", "数字科技"}, 70: {"置业", "房地产开发"}, 72: {"企业管理咨询", "商务服务"},
		73: {"研究院"}, 74: {"检测技术", "工程设计"}, 75: {"科技", "技术服务"}, 77: {"环保科技", "环境工程"}, 80: {"家政服务"},
		83: {"教育科技", "职业培训"}, 84: {"医疗", "健康管理"}, 87: {"文化传媒", "广告"},
	}
	// divisionWeights: manufacturing first, as in an industrial zone.
	divisionWeights = []struct{ div, weight int }{
		{13, 2}, {14, 2}, {15, 1}, {17, 2}, {18, 2}, {20, 1}, {21, 1}, {22, 3}, {23, 1}, {26, 4}, {27, 3}, {29, 3}, {30, 4},
		{31, 3}, {32, 4}, {33, 5}, {34, 6}, {35, 5}, {36, 5}, {37, 1}, {38, 6}, {39, 6}, {40, 2},
		{44, 1}, {47, 2}, {48, 2}, {50, 1}, {51, 4}, {52, 3}, {54, 1}, {58, 2}, {59, 1}, {61, 1}, {62, 1},
		{64, 2}, {65, 3}, {70, 1}, {72, 2}, {73, 1}, {74, 1}, {75, 2}, {77, 1}, {80, 1}, {83, 1}, {84, 1}, {87, 1},
	}
	divisionTotal = func() int {
		n := 0
		for _, d := range divisionWeights {
			n += d.weight
		}
		return n
	}()
	// classes are real four-digit classes of GB/T 4754-2017 for some divisions.
	classes = map[int][]string{
		22: {"2231"}, 27: {"2761", "2710"}, 29: {"2929"}, 36: {"3670", "3612"}, 38: {"3841", "3811", "3819"},
		39: {"3982", "3985", "3973", "3979"}, 34: {"3484"},
	}
)

func (g *Gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *Gen) runes(s []rune, n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = s[g.r.IntN(len(s))]
	}
	return string(b)
}

func (g *Gen) division() int {
	n := g.r.IntN(divisionTotal)
	for _, d := range divisionWeights {
		if n < d.weight {
			return d.div
		}
		n -= d.weight
	}
	return 34
}

// PersonName returns a plausible Chinese personal name.
func (g *Gen) PersonName() string {
	return g.runes(firstNames, 1) + g.runes(givenChars, 1+g.r.IntN(2))
}

// Phone returns a plausible mobile number.
func (g *Gen) Phone() string {
	return fmt.Sprintf("1%d%09d", 3+g.r.IntN(7), g.r.IntN(1_000_000_000))
}

// Next returns the next enterprise.
func (g *Gen) Next() Input {
	div := g.division()
	trade := "科技"
	if ts := trades[div]; ts != nil && g.r.IntN(6) > 0 {
		trade = g.pick(ts)
	}
	industry := fmt.Sprintf("%02d", div)
	if cs := classes[div]; cs != nil && g.r.IntN(2) == 0 {
		industry = g.pick(cs)
	}
	trade2 := g.runes(tradeChars, 2)
	form := "有限公司"
	switch x := g.r.IntN(100); {
	case x < 7:
		form = "股份有限公司"
	case x < 15:
		form = "有限责任公司"
	case x < 17:
		form = "集团有限公司"
	}
	var name string
	switch x := g.r.IntN(100); {
	case x < 30:
		name = "湖北" + trade2 + trade + form
	case x < 42:
		name = "黄石市" + trade2 + trade + form
	case x < 62:
		name = "大冶市" + trade2 + trade + form
	case x < 65:
		name = "湖北省" + trade2 + trade + form
	case x < 75:
		name = trade2 + trade + g.pick([]string{"（湖北）", "（黄石）", "（大冶）"}) + form
	default:
		name = trade2 + trade + form
	}
	scale, above, staff := Micro, false, 3+g.r.IntN(17)
	switch x := g.r.IntN(100); {
	case x < 5:
		scale, above, staff = Large, true, 1000+g.r.IntN(4000)
	case x < 20:
		scale, above, staff = Medium, true, 300+g.r.IntN(700)
	case x < 55:
		scale, above, staff = Small, g.r.IntN(10) < 3, 20+g.r.IntN(280)
	}
	if div < 13 || div > 43 {
		above = above && g.r.IntN(2) == 0 // 规上 is mostly an industrial notion
	}
	place := g.places[g.r.IntN(len(g.places))]
	region := g.Regions[int(g.serial%int64(len(g.Regions)))]
	in := Input{
		USCC: GenUSCC(region, g.serial), Name: name, ShortName: trade2 + trade, OrgID: place.ID,
		IndustryCode: industry, Scale: scale, AboveScale: above,
		Address:  fmt.Sprintf("湖北省黄石市大冶市%s%s%d号", place.Name, g.pick(roads), 1+g.r.IntN(300)),
		LegalRep: g.PersonName(), ContactName: g.PersonName(), ContactPhone: g.Phone(), Employees: staff,
		// Registered one month to thirty years before Today, more of them recently.
		RegisteredOn: g.Today.AddDays(-30 - int(float64(30*365)*g.r.Float64()*g.r.Float64())),
	}
	g.serial++
	return in
}

// CertNo returns a certificate number of kind issued in year: 高企
// GR{year}42{serial} as printed on the certificates, otherwise the year,
// the province and a serial.
func (g *Gen) CertNo(kind QualificationKind, year int) string {
	switch kind {
	case HighTech:
		return fmt.Sprintf("GR%d42%06d", year, g.r.IntN(1_000_000))
	case TechSME:
		return fmt.Sprintf("%d42%04d%06d", year, 200+g.r.IntN(100), g.r.IntN(1_000_000))
	case SpecializedSME:
		return fmt.Sprintf("鄂专精特新%d%05d", year, g.r.IntN(100_000))
	}
	return fmt.Sprintf("鄂创新%d%05d", year, g.r.IntN(100_000))
}

// Qualifications returns qualifications for an enterprise around Today, in
// shares like an industrial zone's: about one in twelve a high-tech
// enterprise (three-year certificates, some lapsed), one in six a tech-based
// SME (entered each year until the year's end), fewer specialised or
// innovative SMEs.
func (g *Gen) Qualifications(in *Input) []QualificationInput {
	var out []QualificationInput
	tech := strings.Contains(in.Name, "科技") || in.IndustryCode >= "26" && in.IndustryCode < "41" || in.IndustryCode >= "63" && in.IndustryCode < "66"
	odds := func(pct int) bool {
		if tech {
			pct *= 2
		}
		return g.r.IntN(200) < pct
	}
	y := g.Today.Year
	if odds(8) {
		from := civil.New(y-1-g.r.IntN(4), 12, 1+g.r.IntN(28))
		out = append(out, QualificationInput{Kind: HighTech, CertNo: g.CertNo(HighTech, from.Year), ValidFrom: from, ValidTo: from.AddMonths(36).AddDays(-1)})
	}
	if odds(16) {
		year := y - g.r.IntN(2)
		from := civil.New(year, time.Month(3+g.r.IntN(5)), 1+g.r.IntN(28))
		if !from.After(g.Today) {
			out = append(out, QualificationInput{Kind: TechSME, CertNo: g.CertNo(TechSME, year), ValidFrom: from, ValidTo: civil.New(year, 12, 31)})
		}
	}
	for _, k := range []QualificationKind{SpecializedSME, InnovativeSME} {
		if odds(3) {
			from := civil.New(y-g.r.IntN(3), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28))
			if from.After(g.Today) {
				from = g.Today
			}
			out = append(out, QualificationInput{Kind: k, CertNo: g.CertNo(k, from.Year), ValidFrom: from, ValidTo: from.AddMonths(36).AddDays(-1)})
		}
	}
	return out
}

// Generated is an enterprise with its qualifications, as the generator
// makes them and Generate writes them.
type Generated struct {
	Input
	Qualifications []QualificationInput
}

// Generate writes generated enterprises in one transaction with one audit
// record (action enterprise.generate, naming source and the ids written):
// the generator, the demo and benchmarks write thousands at a time.
// It returns the new ids in the order given.
func (s *Service) Generate(ctx context.Context, p *access.Principal, source string, rows []Generated) ([]int64, error) {
	if !p.System && !p.Has(access.ServiceOffice) {
		return nil, errs.Forbiddenf("只有营商办可以登记企业", "Only the service office registers enterprises")
	}
	ins := make([]Input, len(rows))
	for i := range rows {
		ins[i] = rows[i].Input
		if err := ins[i].Validate(); err != nil {
			return nil, fmt.Errorf("generated enterprise %d (%s): %w", i, ins[i].USCC, err)
		}
		for j := range rows[i].Qualifications {
			if err := rows[i].Qualifications[j].Validate(); err != nil {
				return nil, fmt.Errorf("generated enterprise %d (%s): %w", i, ins[i].USCC, err)
			}
		}
	}
	var ids []int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		if ids, err = s.insertMany(ctx, tx, ins); err != nil {
			return err
		}
		var qs []qualRow
		for i, r := range rows {
			for _, q := range r.Qualifications {
				qs = append(qs, qualRow{ids[i], r.OrgID, q})
			}
		}
		if err := insertQualifications(ctx, tx, qs); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "enterprise.generate", Object: "enterprise",
			Summary: map[string]any{"source": source, "created": len(ids), "qualifications": len(qs), "ids": idRanges(ids)}})
	})
	return ids, err
}

// rowsPerInsert keeps a multi-row INSERT under both engines' limits on
// bound parameters (SQLite 32766, PostgreSQL 65535).
const rowsPerInsert = 500

// insertMany inserts valid inputs with multi-row INSERTs and returns their
// ids in input order. The caller has checked references and permission and
// appends the audit record.
func (s *Service) insertMany(ctx context.Context, tx *store.Tx, ins []Input) ([]int64, error) {
	ids := make([]int64, 0, len(ins))
	for start := 0; start < len(ins); start += rowsPerInsert {
		chunk := ins[start:min(start+rowsPerInsert, len(ins))]
		var b strings.Builder
		b.WriteString("INSERT INTO enterprises (" + insertCols + ") VALUES ")
		args := make([]any, 0, len(chunk)*insertWidth)
		for i := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + insertMarks + ")")
			args = append(args, s.insertArgs(&chunk[i], tx.Now)...)
		}
		b.WriteString(" RETURNING id, uscc")
		rows, err := tx.Query(ctx, b.String(), args...)
		if err != nil {
			if errs.Is(err, errs.Conflict) {
				return nil, errs.New(errs.Conflict, "uscc", i18n.T("统一社会信用代码已登记", "A code is already registered"))
			}
			return nil, err
		}
		// RETURNING gives no promise of order: match rows by code.
		byCode := make(map[string]int64, len(chunk))
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				rows.Close()
				return nil, err
			}
			byCode[code] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for i := range chunk {
			id, ok := byCode[chunk[i].USCC]
			if !ok {
				return nil, fmt.Errorf("enterprise: insert returned no id for %s", chunk[i].USCC)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// qualRow is a qualification to insert for an enterprise at an org node.
type qualRow struct {
	enterpriseID, orgID int64
	QualificationInput
}

// insertQualifications inserts qualifications and adds each to the holding
// rollup of its enterprise's org node.
func insertQualifications(ctx context.Context, tx *store.Tx, qs []qualRow) error {
	for start := 0; start < len(qs); start += rowsPerInsert {
		chunk := qs[start:min(start+rowsPerInsert, len(qs))]
		var b strings.Builder
		b.WriteString("INSERT INTO qualifications (enterprise_id, kind, cert_no, valid_from, valid_to, created_at) VALUES ")
		args := make([]any, 0, len(chunk)*6)
		for i, q := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?)")
			args = append(args, q.enterpriseID, q.Kind, q.CertNo, q.ValidFrom, q.ValidTo, tx.Now)
			if err := addHolding(ctx, tx, q.orgID, q.Kind, q.ValidFrom, q.ValidTo, 1); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// idRanges writes ids compactly for an audit summary: [[first, last], …]
// over runs of consecutive ids (a batch insert mostly makes one run).
func idRanges(ids []int64) [][2]int64 {
	s := slices.Clone(ids)
	slices.Sort(s)
	var out [][2]int64
	for _, id := range s {
		if n := len(out); n > 0 && out[n-1][1]+1 == id {
			out[n-1][1] = id
		} else {
			out = append(out, [2]int64{id, id})
		}
	}
	return out
}

// Places returns the org nodes enterprises can belong to — streets,
// communities and parks — by id.
func Places(ctx context.Context, q store.Querier) ([]Place, error) {
	rows, err := q.Query(ctx, "SELECT id, name FROM orgs WHERE kind IN (?, ?, ?) ORDER BY id", org.Street, org.Community, org.Park)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Place
	for rows.Next() {
		var p Place
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
