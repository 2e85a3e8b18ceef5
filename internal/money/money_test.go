package money

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		fen  int64
		want string
	}{
		{794000000000, "79.4亿元"},
		{1047000000000, "104.7亿元"},
		{2000000000, "2,000万元"},
		{6600000000, "6,600万元"},
		{900012345, "900.01万元"},
		{12345, "123.45元"},
		{100, "1元"},
		{0, "0元"},
		{-150, "-1.5元"},
	} {
		if got := Format(tc.fen); got != tc.want {
			t.Errorf("Format(%d) = %s, want %s", tc.fen, got, tc.want)
		}
	}
}

func TestFormatEn(t *testing.T) {
	if got := FormatEn(794000000000); got != "CNY 7.94 bn" {
		t.Errorf("got %s", got)
	}
	if got := FormatEn(12345); got != "CNY 123.45" {
		t.Errorf("got %s", got)
	}
}

func TestYuan2(t *testing.T) {
	if got := Yuan2(900000000); got != "9,000,000.00" {
		t.Errorf("got %s", got)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1234.5", 123450, true},
		{"1,234.50", 123450, true},
		{"12.5万", 12500000, true},
		{"79.4亿元", 794000000000, true},
		{"300元", 30000, true},
		{"0.01", 1, true},
		{"0.001", 0, false},
		{"-5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
	} {
		got, err := Parse(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
