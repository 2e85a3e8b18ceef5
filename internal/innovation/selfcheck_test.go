package innovation

import (
	"strings"
	"testing"

	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
)

// baseHighTech meets every condition:
//
//	registered 2019-03-01, checked 2023-06-30: 51 full months ≥ 12;
//	IP: 2 class I + 5 class II ≥ 1; field new materials;
//	tech staff 18 / 120: 18·100 = 1800 ≥ 10·120 = 1200 (15.0 %);
//	last year's sales 6000万 = 6·10⁹ fen > 5000万, ≤ 2亿 → band 4 %;
//	R&D 700万 over sales 1.5亿: 7·10⁸·100 = 7·10¹⁰ ≥ 4·1.5·10¹⁰ = 6·10¹⁰ (4.6 %);
//	domestic 95 % ≥ 60; high-tech income 5000万 of 7000万:
//	5·10⁹·100 = 5·10¹¹ ≥ 60·7·10⁹ = 4.2·10¹¹ (71.4 %); score 78 ≥ 70.
func baseHighTech() HighTechFigures {
	return HighTechFigures{
		AsOf: civil.MustParse("2023-06-30"), RegisteredOn: civil.MustParse("2019-03-01"),
		IPClass1: 2, IPClass2: 5, Field: FieldMaterials, Staff: 120, TechStaff: 18,
		Sales3yFen: 15_000 * money.Wan, SalesLastYearFen: 6_000 * money.Wan, RD3yFen: 700 * money.Wan,
		RDDomesticPct: 95, HighTechIncomeFen: 5_000 * money.Wan, TotalIncomeFen: 7_000 * money.Wan, InnovationScore: 78,
	}
}

func TestHighTechConditions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*HighTechFigures)
		missing []string // codes of the conditions not met
		gap     string   // a piece of the first gap's Chinese text
	}{
		{"all conditions met", func(*HighTechFigures) {}, nil, ""},
		// 12 / 120: 1200 ≥ 1200 — exactly 10 % meets the rule.
		{"tech staff exactly 10 %", func(f *HighTechFigures) { f.TechStaff = 12 }, nil, ""},
		// 11 / 120: 1100 < 1200; at least ceil(10·120/100) = 12 are needed, 1 more.
		{"tech staff 9.1 %", func(f *HighTechFigures) { f.TechStaff = 11 }, []string{"tech_staff"}, "至少需 12 人（还差 1 人）"},
		// Registered 2022-06-30: a year later is 2023-06-30, the day of the check.
		{"registered exactly a year", func(f *HighTechFigures) { f.RegisteredOn = civil.MustParse("2022-06-30") }, nil, ""},
		// Registered 2022-07-01: eligible only from 2023-07-01.
		{"registered a day short of a year", func(f *HighTechFigures) { f.RegisteredOn = civil.MustParse("2022-07-01") }, []string{"registered"}, "2023-07-01 起方可申请"},
		// Last year's sales exactly 5000万 → band 5 %. R&D 600万 over 1.2亿:
		// 6·10⁸·100 = 6·10¹⁰ ≥ 5·1.2·10¹⁰ = 6·10¹⁰ — met exactly.
		{"R&D exactly 5 % in the small band", func(f *HighTechFigures) {
			f.Sales3yFen, f.SalesLastYearFen, f.RD3yFen = 12_000*money.Wan, 5_000*money.Wan, 600*money.Wan
		}, nil, ""},
		// Same with R&D 599万: needs ceil(5·1.2·10¹⁰/100) = 6·10⁸ fen = 600万, 1万 more.
		{"R&D under 5 % in the small band", func(f *HighTechFigures) {
			f.Sales3yFen, f.SalesLastYearFen, f.RD3yFen = 12_000*money.Wan, 5_000*money.Wan, 599*money.Wan
		}, []string{"rd_share"}, "至少需 600万元（还差 1万元）"},
		// One fen over 5000万 moves to the 4 % band: 599万 / 1.2亿 = 4.99 % ≥ 4 %.
		{"R&D band moves at 5000万", func(f *HighTechFigures) {
			f.Sales3yFen, f.SalesLastYearFen, f.RD3yFen = 12_000*money.Wan, 5_000*money.Wan+1, 599*money.Wan
		}, nil, ""},
		// Above 2亿 the band is 3 %: sales 9亿 over three years, last year 3亿
		// (total income 3.5亿, high-tech 2.5亿 = 71.4 %), R&D 2700万:
		// 2.7·10⁹·100 = 2.7·10¹¹ ≥ 3·9·10¹⁰ = 2.7·10¹¹ — met exactly.
		{"R&D exactly 3 % above 2亿", func(f *HighTechFigures) {
			f.Sales3yFen, f.SalesLastYearFen, f.RD3yFen = 9*money.Yi, 3*money.Yi, 2_700*money.Wan
			f.TotalIncomeFen, f.HighTechIncomeFen = 35_000*money.Wan, 25_000*money.Wan
		}, nil, ""},
		// 4200万 / 7000万: 4.2·10¹¹ ≥ 4.2·10¹¹ — exactly 60 %.
		{"high-tech income exactly 60 %", func(f *HighTechFigures) { f.HighTechIncomeFen = 4_200 * money.Wan }, nil, ""},
		// 4100万 / 7000万 = 58.5 %: needs ceil(60·7·10⁹/100) = 4.2·10⁹ = 4,200万, 100万 more.
		{"high-tech income 58.5 %", func(f *HighTechFigures) { f.HighTechIncomeFen = 4_100 * money.Wan }, []string{"high_tech_income"}, "至少需 4,200万元（还差 100万元）"},
		{"R&D abroad", func(f *HighTechFigures) { f.RDDomesticPct = 59.9 }, []string{"rd_domestic"}, "60%"},
		{"innovation score 69", func(f *HighTechFigures) { f.InnovationScore = 69 }, []string{"innovation_score"}, "还差 1 分"},
		{"no IP", func(f *HighTechFigures) { f.IPClass1, f.IPClass2 = 0, 0 }, []string{"core_ip"}, "至少1件"},
		{"outside the fields", func(f *HighTechFigures) { f.Field = "" }, []string{"field"}, "高新技术领域"},
		{"a violation", func(f *HighTechFigures) { f.MajorViolation = true }, []string{"no_violation"}, "不能申请"},
		{"several missing", func(f *HighTechFigures) { f.TechStaff, f.InnovationScore = 5, 60 },
			[]string{"tech_staff", "innovation_score"}, "至少需 12 人（还差 7 人）"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseHighTech()
			tc.edit(&f)
			if err := f.Validate(); err != nil {
				t.Fatalf("valid figures refused: %v", err)
			}
			r := HighTech(f)
			var got []string
			for _, c := range r.Missing() {
				got = append(got, c.Code)
				if c.Gap.Zh == "" || c.Gap.En == "" {
					t.Errorf("%s: no gap text in both languages", c.Code)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.missing, ",") {
				t.Fatalf("missing = %v, want %v", got, tc.missing)
			}
			if r.Eligible != (len(tc.missing) == 0) {
				t.Errorf("eligible = %v with %d missing", r.Eligible, len(tc.missing))
			}
			if len(r.Checks) != 9 {
				t.Errorf("%d checks, want 9", len(r.Checks))
			}
			if tc.gap != "" && !strings.Contains(r.Missing()[0].Gap.Zh, tc.gap) {
				t.Errorf("gap = %q, want it to contain %q", r.Missing()[0].Gap.Zh, tc.gap)
			}
		})
	}
}

func TestHighTechShowsSharesRoundedDown(t *testing.T) {
	f := baseHighTech()
	f.TechStaff = 11 // 11/120 = 9.1666… % shows as 9.1 %, never as 9.2 %
	r := HighTech(f)
	if v := r.Checks[3].Value.Zh; v != "11 / 120 = 9.1%" {
		t.Fatalf("tech staff value = %q", v)
	}
	// 7·10⁸ / 1.5·10¹⁰ = 4.666… % → 4.6 %.
	if v := r.Checks[4].Value.Zh; v != "4.6%" {
		t.Fatalf("R&D value = %q", v)
	}
}

func TestHighTechRejectsImpossibleFigures(t *testing.T) {
	for _, tc := range []struct {
		name, field string
		edit        func(*HighTechFigures)
		zh, en      string
	}{
		{"negative staff", "staff", func(f *HighTechFigures) { f.Staff = -3 }, "职工总数", "staff"},
		{"no staff", "staff", func(f *HighTechFigures) { f.Staff, f.TechStaff = 0, 0 }, "职工总数", "staff"},
		{"negative tech staff", "tech_staff", func(f *HighTechFigures) { f.TechStaff = -1 }, "科技人员数", "tech_staff"},
		{"more tech staff than staff", "tech_staff", func(f *HighTechFigures) { f.TechStaff = 121 }, "不能超过职工总数", "cannot exceed staff"},
		{"domestic share over 100 %", "rd_domestic_pct", func(f *HighTechFigures) { f.RDDomesticPct = 120 }, "0到100之间", "between 0 and 100"},
		{"negative domestic share", "rd_domestic_pct", func(f *HighTechFigures) { f.RDDomesticPct = -5 }, "0到100之间", "between 0 and 100"},
		{"score over 100", "innovation_score", func(f *HighTechFigures) { f.InnovationScore = 101 }, "0到100之间", "between 0 and 100"},
		{"negative sales", "sales_3y_fen", func(f *HighTechFigures) { f.Sales3yFen = -1 }, "不能为负数", "must not be negative"},
		{"negative R&D", "rd_3y_fen", func(f *HighTechFigures) { f.RD3yFen = -1 }, "不能为负数", "must not be negative"},
		{"absurd amount", "total_income_fen", func(f *HighTechFigures) { f.TotalIncomeFen = maxFen + 1 }, "超出合理范围", "beyond"},
		{"last year above three years", "sales_last_year_fen", func(f *HighTechFigures) { f.SalesLastYearFen = f.Sales3yFen + 1 }, "近三年", "three years"},
		{"sales above total income", "sales_last_year_fen", func(f *HighTechFigures) { f.TotalIncomeFen = f.SalesLastYearFen - 1; f.HighTechIncomeFen = 0 }, "总收入", "total_income_fen"},
		{"high-tech income above total", "high_tech_income_fen", func(f *HighTechFigures) { f.HighTechIncomeFen = f.TotalIncomeFen + 1 }, "不能超过总收入", "cannot exceed"},
		{"negative IP", "ip_class1", func(f *HighTechFigures) { f.IPClass1 = -1 }, "Ⅰ类", "ip_class1"},
		{"unknown field", "field", func(f *HighTechFigures) { f.Field = "magic" }, "技术领域", "field"},
		{"registered after the check", "registered_on", func(f *HighTechFigures) { f.RegisteredOn = civil.MustParse("2023-07-01") }, "晚于", "after"},
		{"no registration date", "registered_on", func(f *HighTechFigures) { f.RegisteredOn = civil.Date{} }, "成立日期", "registered_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseHighTech()
			tc.edit(&f)
			assertInvalid(t, f.Validate(), tc.field, tc.zh, tc.en)
		})
	}
}

func assertInvalid(t *testing.T, err error, field, zh, en string) {
	t.Helper()
	e := errs.As(err)
	if err == nil || e.Code != errs.Invalid || e.Field != field {
		t.Fatalf("err = %v (field %q), want invalid on %q", err, e.Field, field)
	}
	if !strings.Contains(e.Msg.In(i18n.ZH), zh) || !strings.Contains(e.Msg.In(i18n.EN), en) {
		t.Fatalf("message %q / %q, want %q / %q", e.Msg.Zh, e.Msg.En, zh, en)
	}
}

func TestTechSMEScore(t *testing.T) {
	for _, tc := range []struct {
		name          string
		f             TechSMEFigures
		staff, rd, ip int
		basis         string // label word of the R&D basis used
		eligible      bool
		route         string
		gap           string
	}{
		{
			// Staff 32/100: 3200 ≥ 30·100 → 20.
			// R&D 400万 / sales 8000万: 4·10¹⁰ < 6·8·10⁹ = 4.8·10¹⁰; ≥ 5·8·10⁹ = 4·10¹⁰ → 5 % → 40.
			// R&D / costs 6000万: 4·10¹⁰ < 10·6·10⁹ = 6·10¹⁰ → 0; sales basis kept.
			// IP: no class I, 3 class II → 18. Total 20 + 40 + 18 = 78 ≥ 60.
			name: "scored on sales",
			f: TechSMEFigures{Staff: 100, TechStaff: 32, SalesFen: 8_000 * money.Wan, AssetsFen: money.Yi,
				CostFen: 6_000 * money.Wan, RDFen: 400 * money.Wan, IPClass2: 3},
			staff: 20, rd: 40, ip: 18, basis: "销售收入", eligible: true,
		},
		{
			// Staff 6/50: 600 ≥ 10·50 = 500, < 15·50 = 750 → 4.
			// R&D 250万 / sales 1亿: 2.5·10¹⁰ ≥ 2·10¹⁰, < 3·10¹⁰ → 10;
			// / costs 1000万: 2.5·10¹⁰ ≥ 25·10⁹ = 2.5·10¹⁰ → 25 % → 40, the better.
			// IP: one class I → 30. Total 4 + 40 + 30 = 74.
			name: "scored on costs",
			f: TechSMEFigures{Staff: 50, TechStaff: 6, SalesFen: money.Yi, AssetsFen: 5_000 * money.Wan,
				CostFen: 1_000 * money.Wan, RDFen: 250 * money.Wan, IPClass1: 1},
			staff: 4, rd: 40, ip: 30, basis: "成本费用", eligible: true,
		},
		{
			// Staff 20/100 → 12 (2000 ≥ 20·100, < 25·100).
			// R&D 400万 / 1亿 = 4 %: 4·10¹⁰ ≥ 4·10¹⁰ → 30; / costs 5000万 = 8 % → 0.
			// 3 class II → 18. Total 12 + 30 + 18 = 60: exactly the pass mark.
			name: "exactly 60 points",
			f: TechSMEFigures{Staff: 100, TechStaff: 20, SalesFen: money.Yi, AssetsFen: money.Yi,
				CostFen: 5_000 * money.Wan, RDFen: 400 * money.Wan, IPClass2: 3},
			staff: 12, rd: 30, ip: 18, basis: "销售收入", eligible: true,
		},
		{
			// As above with 2 class II → 12: total 12 + 30 + 12 = 54, 6 short.
			name: "54 points",
			f: TechSMEFigures{Staff: 100, TechStaff: 20, SalesFen: money.Yi, AssetsFen: money.Yi,
				CostFen: 5_000 * money.Wan, RDFen: 400 * money.Wan, IPClass2: 2},
			staff: 12, rd: 30, ip: 12, basis: "销售收入", eligible: false, gap: "还差 6 分",
		},
		{
			// Staff 9/100: 900 < 1000 → 0. R&D 1000万 / 1亿 = 10 % → 50; class I → 30.
			// Total 80, but a zero staff score rules it out; ceil(10·100/100) = 10 needed.
			name: "no staff score",
			f: TechSMEFigures{Staff: 100, TechStaff: 9, SalesFen: money.Yi, AssetsFen: money.Yi,
				CostFen: 8_000 * money.Wan, RDFen: 1_000 * money.Wan, IPClass1: 1},
			staff: 0, rd: 50, ip: 30, basis: "销售收入", eligible: false, gap: "至少需 10 名科技人员",
		},
		{
			// The same figures with a valid 高企 certificate: confirmed directly.
			name: "direct route",
			f: TechSMEFigures{Staff: 100, TechStaff: 9, SalesFen: money.Yi, AssetsFen: money.Yi,
				CostFen: 8_000 * money.Wan, RDFen: 1_000 * money.Wan, IPClass1: 1, HighTechValid: true},
			staff: 0, rd: 50, ip: 30, basis: "销售收入", eligible: true, route: "high_tech",
		},
		{
			// 501 staff breaks a basic condition: no score or route helps.
			// Staff 200/501: 20000 ≥ 30·501 = 15030 → 20; R&D 1000万 / 1亿 → 50; class I → 30.
			name: "too many staff",
			f: TechSMEFigures{Staff: 501, TechStaff: 200, SalesFen: money.Yi, AssetsFen: money.Yi,
				CostFen: 8_000 * money.Wan, RDFen: 1_000 * money.Wan, IPClass1: 1, LedStandard: true},
			staff: 20, rd: 50, ip: 30, basis: "销售收入", eligible: false, route: "led_standard", gap: "职工总数",
		},
		{
			// Sales exactly 2亿 is within the cap. Staff 30/100 → 20;
			// R&D 600万 / 2亿 = 3 % → 20 (6·10¹⁰ ≥ 3·2·10¹⁰); / costs 1.5亿 = 4 % → 0;
			// 4 class II → 24. Total 64.
			name: "sales exactly 2亿",
			f: TechSMEFigures{Staff: 100, TechStaff: 30, SalesFen: 2 * money.Yi, AssetsFen: 2 * money.Yi,
				CostFen: 15_000 * money.Wan, RDFen: 600 * money.Wan, IPClass2: 4},
			staff: 20, rd: 20, ip: 24, basis: "销售收入", eligible: true,
		},
		{
			// One fen more of assets breaks the cap.
			name: "assets over 2亿",
			f: TechSMEFigures{Staff: 100, TechStaff: 30, SalesFen: 2 * money.Yi, AssetsFen: 2*money.Yi + 1,
				CostFen: 15_000 * money.Wan, RDFen: 600 * money.Wan, IPClass2: 4},
			staff: 20, rd: 20, ip: 24, basis: "销售收入", eligible: false, gap: "资产总额",
		},
		{
			// No sales yet: only the cost basis scores. R&D 100万 / costs 300万 =
			// 33.3 %: 10⁸·100 = 10¹⁰ ≥ 30·3·10⁸ = 9·10⁹ → 50. Staff 10/20 = 50 % → 20;
			// 1 class II → 6. Total 76.
			name: "no sales",
			f: TechSMEFigures{Staff: 20, TechStaff: 10, SalesFen: 0, AssetsFen: 500 * money.Wan,
				CostFen: 300 * money.Wan, RDFen: 100 * money.Wan, IPClass2: 1},
			staff: 20, rd: 50, ip: 6, basis: "成本费用", eligible: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.f.Validate(); err != nil {
				t.Fatalf("valid figures refused: %v", err)
			}
			r := TechSME(tc.f)
			if r.Items[0].Points != tc.staff || r.Items[1].Points != tc.rd || r.Items[2].Points != tc.ip {
				t.Fatalf("points = %d/%d/%d, want %d/%d/%d", r.Items[0].Points, r.Items[1].Points, r.Items[2].Points, tc.staff, tc.rd, tc.ip)
			}
			if r.Score != tc.staff+tc.rd+tc.ip {
				t.Errorf("score = %d", r.Score)
			}
			if !strings.Contains(r.Items[1].Label.Zh, tc.basis) {
				t.Errorf("R&D basis = %q, want %s", r.Items[1].Label.Zh, tc.basis)
			}
			if r.Eligible != tc.eligible || r.Route != tc.route {
				t.Errorf("eligible = %v route %q, want %v %q", r.Eligible, r.Route, tc.eligible, tc.route)
			}
			var gaps []string
			for _, g := range r.Gaps {
				gaps = append(gaps, g.Zh)
			}
			if tc.eligible && len(gaps) > 0 {
				t.Errorf("eligible with gaps %v", gaps)
			}
			if tc.gap != "" && !strings.Contains(strings.Join(gaps, "|"), tc.gap) {
				t.Errorf("gaps %v lack %q", gaps, tc.gap)
			}
			if !tc.eligible && len(gaps) == 0 {
				t.Error("not eligible but nothing is said to be missing")
			}
		})
	}
}

func TestTechSMENextBands(t *testing.T) {
	// Sales 8000万 with R&D at 5 % (40): the next band is 6 %, reached at
	// ceil(6·8·10⁹/100) = 4.8·10⁸ fen = 480万. Staff 12/100 (4): 15 % → 15 people.
	r := TechSME(TechSMEFigures{Staff: 100, TechStaff: 12, SalesFen: 8_000 * money.Wan, AssetsFen: money.Yi,
		CostFen: 6_000 * money.Wan, RDFen: 400 * money.Wan, IPClass2: 3})
	if got := r.Items[0].Next.Zh; got != "科技人员达到 15 人（15%）可得 8 分" {
		t.Errorf("staff next = %q", got)
	}
	if got := r.Items[1].Next.Zh; got != "研发费用达到 480万元（销售收入的 6%）可得 50 分" {
		t.Errorf("R&D next = %q", got)
	}
	if got := r.Items[2].Next.Zh; !strings.Contains(got, "30 分") {
		t.Errorf("IP next = %q", got)
	}
	// At the top of a scale there is nothing further.
	r = TechSME(TechSMEFigures{Staff: 10, TechStaff: 5, SalesFen: money.Wan, AssetsFen: money.Wan, CostFen: money.Wan, RDFen: money.Wan, IPClass1: 1})
	for _, it := range r.Items {
		if !it.Next.IsZero() {
			t.Errorf("%s at the top has next %q", it.Code, it.Next.Zh)
		}
	}
}

func TestTechSMERejectsImpossibleFigures(t *testing.T) {
	ok := TechSMEFigures{Staff: 100, TechStaff: 30, SalesFen: money.Yi, AssetsFen: money.Yi, CostFen: 8_000 * money.Wan, RDFen: 500 * money.Wan}
	for _, tc := range []struct {
		name, field string
		edit        func(*TechSMEFigures)
		zh, en      string
	}{
		{"negative staff", "staff", func(f *TechSMEFigures) { f.Staff = -1 }, "职工总数", "staff"},
		{"more tech staff than staff", "tech_staff", func(f *TechSMEFigures) { f.TechStaff = 101 }, "不能超过职工总数", "cannot exceed"},
		{"R&D above costs", "rd_fen", func(f *TechSMEFigures) { f.RDFen = f.CostFen + 1 }, "不能超过成本费用总额", "cannot exceed"},
		{"negative assets", "assets_fen", func(f *TechSMEFigures) { f.AssetsFen = -100 }, "资产总额不能为负数", "must not be negative"},
		{"negative class II", "ip_class2", func(f *TechSMEFigures) { f.IPClass2 = -2 }, "Ⅱ类", "ip_class2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ok
			tc.edit(&f)
			assertInvalid(t, f.Validate(), tc.field, tc.zh, tc.en)
		})
	}
	// R&D above sales is possible (a firm before its first sales) and accepted.
	f := ok
	f.SalesFen = 100 * money.Wan
	if err := f.Validate(); err != nil {
		t.Fatalf("R&D above sales refused: %v", err)
	}
}
