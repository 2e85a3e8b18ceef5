package enterprise

import (
	"strings"
	"testing"

	"xiaoer/internal/errs"
)

func withCheck(first17 string) string { return first17 + string(USCCCheck(first17)) }

func TestValidateUSCC(t *testing.T) {
	valid := withCheck("91420281MA4F1D2X5")
	if err := ValidateUSCC(valid); err != nil {
		t.Fatalf("%s: %v", valid, err)
	}
	// A published code: 91110000600037341L is not checked here for privacy;
	// the rules below each break exactly one part of a valid code.
	wrongCheck := valid[:17] + string(usccAlphabet[(strings.IndexByte(usccAlphabet, valid[17])+1)%31])
	for _, tc := range []struct {
		name, code, says string
	}{
		{"short", valid[:17], "18位"},
		{"forbidden letter", valid[:10] + "O" + valid[11:], "不是允许的字符"},
		{"lower-case letter", valid[:10] + "a" + valid[11:], "不是允许的字符"},
		{"authority", withCheck("Z" + valid[1:17]), "不是允许的字符"},
		{"unknown authority", withCheck("B" + valid[1:17]), "登记管理部门"},
		{"type does not fit authority", withCheck("9" + "9" + valid[2:17]), "机构类别"},
		{"region not digits", withCheck("91A20281MA4F1D2X5"), "行政区划码"},
		{"no such province", withCheck("91990281MA4F1D2X5"), "行政区划码"},
		{"wrong check digit", wrongCheck, "校验码错误"},
	} {
		err := ValidateUSCC(tc.code)
		e := errs.As(err)
		if err == nil || e.Field != "uscc" || !strings.Contains(e.Msg.Zh, tc.says) {
			t.Errorf("%s (%s): %v, want a uscc error saying %q", tc.name, tc.code, err, tc.says)
		}
	}
}

func TestIndustry(t *testing.T) {
	for code, want := range map[string]string{"38": "电气机械和器材制造业", "3841": "电气机械和器材制造业", "C27": "医药制造业", "65": "软件和信息技术服务业", "97": "国际组织"} {
		if got := IndustryName(code); got != want {
			t.Errorf("IndustryName(%s) = %q, want %q", code, got, want)
		}
	}
	if len(Industries()) != 97 {
		t.Fatalf("%d divisions", len(Industries()))
	}
	for _, bad := range []string{"98", "00", "A38", "x1", "12345"} {
		if _, err := NormalizeIndustry(bad); err == nil {
			t.Errorf("NormalizeIndustry(%s) accepted", bad)
		}
	}
	if c, err := NormalizeIndustry("c3841"); err != nil || c != "3841" {
		t.Errorf("NormalizeIndustry(c3841) = %s, %v", c, err)
	}
}
