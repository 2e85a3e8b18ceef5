package civil

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"2023-09-27", true, "2023-09-27"},
		{"2024-02-29", true, "2024-02-29"},
		{"2023-02-29", false, ""},
		{"2023-9-27", false, ""},
		{"2023-09-27T00:00:00Z", false, ""},
		{"", false, ""},
	} {
		d, err := Parse(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("Parse(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if got := d.String(); tc.ok && got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestOfUsesShanghai(t *testing.T) {
	// 2023-06-30 17:00 UTC is already 2023-07-01 01:00 in Shanghai.
	got := Of(time.Date(2023, 6, 30, 17, 0, 0, 0, time.UTC))
	if got != MustParse("2023-07-01") {
		t.Fatalf("Of = %s, want 2023-07-01", got)
	}
}

func TestArithmetic(t *testing.T) {
	d := MustParse("2023-12-31")
	if got := d.AddDays(1).String(); got != "2024-01-01" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := MustParse("2024-01-31").AddMonths(1).String(); got != "2024-03-02" {
		t.Errorf("AddMonths(1) = %s", got)
	}
	if got := MustParse("2023-01-01").DaysUntil(MustParse("2023-12-31")); got != 364 {
		t.Errorf("DaysUntil = %d", got)
	}
	if !MustParse("2023-01-01").Before(MustParse("2023-01-02")) || MustParse("2023-01-02").Before(MustParse("2023-01-02")) {
		t.Error("Before is wrong")
	}
}

func TestJSON(t *testing.T) {
	var v struct {
		A Date `json:"a"`
		B Date `json:"b"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2023-07-11","b":null}`), &v); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"a":"2023-07-11","b":null}` {
		t.Fatalf("round trip = %s", out)
	}
	if err := json.Unmarshal([]byte(`{"a":"2023-13-01"}`), &v); err == nil {
		t.Fatal("month 13 accepted")
	}
	if err := json.Unmarshal([]byte(`{"a":20230101}`), &v); err == nil {
		t.Fatal("number accepted as a date")
	}
}

func TestScan(t *testing.T) {
	var d Date
	for _, src := range []any{"2023-07-11", []byte("2023-07-11"), time.Date(2023, 7, 11, 0, 0, 0, 0, time.UTC)} {
		if err := d.Scan(src); err != nil || d.String() != "2023-07-11" {
			t.Errorf("Scan(%T) = %s, %v", src, d, err)
		}
	}
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("Scan(nil) = %s, %v", d, err)
	}
}

func TestChineseDate(t *testing.T) {
	for _, tc := range []struct {
		d    Date
		want string
	}{
		{MustParse("2023-06-30"), "2023年6月30日"},
		{MustParse("2024-01-05"), "2024年1月5日"},
		{Date{}, ""},
	} {
		if got := tc.d.Chinese(); got != tc.want {
			t.Errorf("%v.Chinese() = %q, want %q", tc.d, got, tc.want)
		}
	}
}
