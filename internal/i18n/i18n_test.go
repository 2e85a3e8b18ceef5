package i18n

import (
	"net/http/httptest"
	"testing"
)

func TestFromRequest(t *testing.T) {
	for _, tc := range []struct {
		accept, cookie, query string
		want                  Lang
	}{
		{"", "", "", ZH},
		{"en", "", "", EN},
		{"en-US,en;q=0.9", "", "", EN},
		{"zh-CN,zh;q=0.9,en;q=0.8", "", "", ZH},
		{"fr,en;q=0.5,zh;q=0.4", "", "", EN},
		{"en", "zh-CN", "", ZH},
		{"zh-CN", "en", "", EN},
		{"zh-CN", "zh-CN", "en", EN},
	} {
		r := httptest.NewRequest("GET", "/?lang="+tc.query, nil)
		if tc.query == "" {
			r = httptest.NewRequest("GET", "/", nil)
		}
		r.Header.Set("Accept-Language", tc.accept)
		if tc.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+tc.cookie)
		}
		if got := FromRequest(r); got != tc.want {
			t.Errorf("accept=%q cookie=%q query=%q: got %s, want %s", tc.accept, tc.cookie, tc.query, got, tc.want)
		}
	}
}

func TestTextIn(t *testing.T) {
	m := F("还剩%d元", "%d yuan left", 5)
	if m.In(ZH) != "还剩5元" || m.In(EN) != "5 yuan left" {
		t.Fatalf("got %q / %q", m.In(ZH), m.In(EN))
	}
	if (Text{Zh: "仅中文"}).In(EN) != "仅中文" {
		t.Fatal("English should fall back to Chinese")
	}
}

func TestRegisterRejectsDuplicates(t *testing.T) {
	Register(map[string]Text{"test.once": T("一次", "once")})
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate key accepted")
		}
	}()
	Register(map[string]Text{"test.once": T("两次", "twice")})
}
