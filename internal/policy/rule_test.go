package policy

import (
	"strings"
	"testing"

	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

func TestRulesThatDoNotParseNameThePosition(t *testing.T) {
	for _, tc := range []struct {
		name, src, field, pos string
		amount                bool
	}{
		{"cut short", "employees >", "rule", "1:11", false},
		{"unknown fact", "employees > 10 && headcount > 5", "rule", "1:19", false},
		{"unknown fact on line 2", "employees > 10 &&\n  turnover > 5", "rule", "2:3", false},
		{"type mismatch on line 2", "employees > 1 &&\n  scale > 3", "rule", "2:9", false},
		{"unknown qualification", `has("gazelle")`, "rule", "1:5", false},
		{"has of a fact", `has(scale)`, "rule", "1:5", false},
		{"unknown function", `now() > 1`, "rule", "1:1", false},
		{"member access", `scale.x == 1`, "rule", "1:7", false},
		{"range", `employees in 1..10`, "rule", "1:15", false},
		{"closure", `all([1, 2], # > 0)`, "rule", "1:1", false},
		{"not a condition", `employees`, "rule", "1:1", false},
		{"amount not a number", `scale`, "amount_rule", "1:1", true},
		{"amount unknown fact", `1500 * hires`, "amount_rule", "1:8", true},
		{"unterminated text", `street == "罗家桥`, "rule", "1:15", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.amount {
				_, err = CompileAmount(tc.src)
			} else {
				_, err = CompileCondition(tc.src)
			}
			e := errs.As(err)
			if err == nil || e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("err = %v, want a 400 on %s", err, tc.field)
			}
			for _, l := range []i18n.Lang{i18n.ZH, i18n.EN} {
				if msg := e.Msg.In(l); !strings.Contains(msg, "("+tc.pos+")") && !strings.Contains(msg, "（"+tc.pos+"）") {
					t.Errorf("%s message %q does not name position %s", l, msg, tc.pos)
				}
			}
		})
	}
}

func TestUnknownFactIsNamed(t *testing.T) {
	_, err := CompileCondition("headcount > 5")
	e := errs.As(err)
	if !strings.Contains(e.Msg.In(i18n.ZH), "未知的企业事实「headcount」") || !strings.Contains(e.Msg.In(i18n.EN), `unknown fact "headcount"`) {
		t.Fatalf("message = %+v", e.Msg)
	}
}

func TestRuleLengthIsBounded(t *testing.T) {
	src := "employees > 1" + strings.Repeat(" && employees > 1", MaxRuleLength/16)
	if _, err := CompileCondition(src); !errs.Is(err, errs.Invalid) {
		t.Fatalf("a %d-character rule was accepted", len(src))
	}
}

func facts(quals ...string) *Facts {
	f := &Facts{Scale: "medium", AboveScale: true, Industry: "3612", Division: "36", Street: "罗家桥街道", Employees: 120,
		InsuredStaff: 100, InsuredMonths: 24, InsurancePaid: 30000, LayoffRate: 0.02, Revenue: 5e7, RDExpense: 2e6, Placements: 40}
	f.withQualifications(quals)
	return f
}

func TestAmountRules(t *testing.T) {
	for _, tc := range []struct {
		src  string
		f    *Facts
		want int64
	}{
		{"200000", facts(), 20_000_000},              // fixed
		{"1500 * placements", facts(), 6_000_000},    // per person
		{"insurance_paid * 0.6", facts(), 1_800_000}, // percentage of a fact
		{`insurance_paid * (scale == "large" ? 0.3 : 0.6)`, facts(), 1_800_000},
		{"min(1500 * placements, 50000)", facts(), 5_000_000}, // capped
		{"min(rd_expense * 0.1, 500000) + (has(\"high_tech\") ? 200000 : 0)", facts("high_tech"), 40_000_000},
		{"10 / 3", facts(), 333},        // rounded to the fen
		{"100 - employees", facts(), 0}, // never negative
	} {
		r, err := CompileAmount(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got, err := r.Amount(tc.f)
		if err != nil || got != tc.want {
			t.Errorf("%s = %d fen (%v), want %d", tc.src, got, err, tc.want)
		}
	}
	r, _ := CompileAmount("insurance_paid / (employees - 120)")
	if _, err := r.Amount(facts()); !errs.Is(err, errs.Invalid) {
		t.Errorf("division by zero gave %v, want an error", err)
	}
}

func TestReasonsShowEachConditionAndTheFacts(t *testing.T) {
	r, err := CompileCondition(`has("high_tech") and employees >= 100 && street == "金湖街道"`)
	if err != nil {
		t.Fatal(err)
	}
	f := facts("high_tech")
	if ok, _ := r.Holds(f); ok {
		t.Fatal("rule holds for an enterprise in another street")
	}
	got := r.Reasons(f)
	want := []Reason{{`has("high_tech")`, true}, {"employees >= 100", true}, {`street == "金湖街道"`, false}}
	if len(got) != len(want) {
		t.Fatalf("reasons = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reason %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	used := Used(f, r)
	if len(used) != 3 || used[0] != (FactValue{`has("high_tech")`, "true"}) || used[1] != (FactValue{"employees", "120"}) ||
		used[2] != (FactValue{"street", `"罗家桥街道"`}) {
		t.Errorf("facts used = %+v", used)
	}
}

func TestAListIsAllowedAfterIn(t *testing.T) {
	r, err := CompileCondition(`scale in ["small", "medium"] && division in ["36", "38"] && industry startsWith "36"`)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Holds(facts()); !ok || err != nil {
		t.Fatalf("holds = %v, %v", ok, err)
	}
}
