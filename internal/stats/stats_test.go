package stats

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"xiaoer/internal/civil"
)

var d = civil.MustParse

func TestBuckets(t *testing.T) {
	b, err := Buckets(d("2023-01-15"), d("2023-03-10"), "month")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"2023-01-15", "2023-01-31"}, {"2023-02-01", "2023-02-28"}, {"2023-03-01", "2023-03-10"}}
	if len(b) != len(want) {
		t.Fatalf("%d buckets", len(b))
	}
	for i, w := range want {
		if b[i][0].String() != w[0] || b[i][1].String() != w[1] {
			t.Errorf("bucket %d = %v, want %v", i, b[i], w)
		}
	}
	// Weeks run Monday to Sunday: 2023-06-28 is a Wednesday.
	w, _ := Buckets(d("2023-06-28"), d("2023-07-11"), "week")
	if len(w) != 3 || w[0][1].String() != "2023-07-02" || w[1][0].String() != "2023-07-03" || w[2][1].String() != "2023-07-11" {
		t.Fatalf("weeks = %v", w)
	}
	if _, err := Buckets(d("2023-01-01"), d("2023-02-01"), "day"); err == nil {
		t.Fatal("by=day accepted")
	}
}

func TestPrevious(t *testing.T) {
	for _, tc := range []struct{ from, to, pf, pt string }{
		{"2023-01-01", "2023-06-30", "2022-07-01", "2022-12-31"}, // a half-year: the half before
		{"2023-07-01", "2023-09-30", "2023-04-01", "2023-06-30"}, // a quarter
		{"2023-03-01", "2023-03-31", "2023-02-01", "2023-02-28"}, // a month
		{"2023-03-05", "2023-03-11", "2023-02-26", "2023-03-04"}, // seven days
	} {
		pf, pt := Previous(d(tc.from), d(tc.to))
		if pf.String() != tc.pf || pt.String() != tc.pt {
			t.Errorf("Previous(%s, %s) = %s..%s, want %s..%s", tc.from, tc.to, pf, pt, tc.pf, tc.pt)
		}
	}
}

func TestLabel(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"2023-01-01", "2023-06-30", "2023年1-6月"},
		{"2023-01-01", "2023-12-31", "2023年"},
		{"2023-03-01", "2023-03-31", "2023年3月"},
		{"2023-03-05", "2023-07-11", "2023年3月5日至7月11日"},
		{"2022-07-01", "2023-06-30", "2022年7月1日至2023年6月30日"},
	} {
		if got := Label(d(tc.from), d(tc.to)); got != tc.want {
			t.Errorf("Label(%s, %s) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

func plain(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

// TestBriefUsesTheFigures writes a brief from a hand-made summary and finds
// each number in the text, with the comparison to the previous period.
func TestBriefUsesTheFigures(t *testing.T) {
	cur := skeleton(d("2023-01-01"), d("2023-06-30"))
	cur["projects"].(map[string]any)["started"] = map[string]any{"count": 15, "investment_fen": 794000000000}
	cur["projects"].(map[string]any)["producing"] = map[string]any{"count": 13, "investment_fen": 1047000000000}
	cur["labor"] = map[string]any{"events": 94, "placements": 16000, "subsidy_paid_fen": 905000000}
	cur["finance"] = map[string]any{"needs": 40, "needs_fen": 12000000000, "loans": 31, "loans_fen": 6600000000}
	cur["appeals"].(map[string]any)["resolved"] = 104
	cur["appeals"].(map[string]any)["satisfaction_rate"] = 0.962
	prev := skeleton(d("2022-07-01"), d("2022-12-31"))
	prev["labor"] = map[string]any{"events": 80, "placements": 12000, "subsidy_paid_fen": 0}
	b := write("大冶湖高新区", d("2023-01-01"), d("2023-06-30"), plain(cur), plain(prev))
	md := b.Markdown()
	for _, want := range []string{
		"# 大冶湖高新区2023年1-6月优化营商环境工作情况",
		"累计开工重点项目15个", "79.4亿元", "累计投产重点项目13个", "104.7亿元",
		"招聘活动94场次（较上期增长17.5%）", "送工送岗1.6万人次", "905万元",
		"帮助企业融资6,600万元", "解决企业问题104个", "满意率96.2%",
		"## 一、", "## 二、", "## 三、", "## 四、",
		"统计期间：2023年1月1日至2023年6月30日", "截至2023年6月30日，全区已建成",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the brief lacks %q:\n%s", want, md)
		}
	}
	var buf bytes.Buffer
	if err := b.DOCX(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, _ := f.Open()
			var doc bytes.Buffer
			doc.ReadFrom(rc)
			rc.Close()
			found = strings.Contains(doc.String(), "累计开工重点项目15个")
		}
	}
	if !found {
		t.Fatal("the .docx does not hold the report text")
	}
}

func TestPath(t *testing.T) {
	s := plain(skeleton(d("2023-01-01"), d("2023-01-31")))
	if _, null, ok := Path(s, "cases.on_time_rate"); !ok || !null {
		t.Error("a rate with nothing to divide is not null")
	}
	if v, _, ok := Path(s, "projects.started.count"); !ok || v != 0 {
		t.Error("projects.started.count")
	}
	if _, _, ok := Path(s, "projects.started"); ok {
		t.Error("an object read as a number")
	}
	if _, _, ok := Path(s, "nothing.here"); ok {
		t.Error("a missing path read as a number")
	}
}

func TestCountAndComparison(t *testing.T) {
	for v, want := range map[int64]string{9999: "9999", 10000: "1万", 17703: "1.77万", 160500: "16.05万"} {
		if got := count(v); got != want {
			t.Errorf("count(%d) = %s, want %s", v, got, want)
		}
	}
	x := w{cur: map[string]any{"a": 30.0, "b": 9.0, "c": 5.0}, prev: map[string]any{"a": 10.0, "b": 10.0, "c": 0.0}}
	if got := x.cmp("a"); got != "（为上期的3.0倍）" {
		t.Errorf("tripled: %s", got)
	}
	if got := x.cmp("b"); got != "（较上期下降10.0%）" {
		t.Errorf("fell: %s", got)
	}
	if got := x.cmp("c"); got != "" {
		t.Errorf("nothing before: %q", got)
	}
}
