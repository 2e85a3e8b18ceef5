package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"xiaoer/internal/app/apptest"
)

// TestBrowserSignIn signs in through the login page in a real headless
// Chromium and lands on the home page with the role's navigation.
func TestBrowserSignIn(t *testing.T) {
	a := apptest.Start(t)
	ctx := apptest.Browser(t)
	err := apptest.Steps(ctx,
		chromedp.Navigate(a.URL+"/"),
		chromedp.WaitVisible(`input[name=username]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := apptest.Text(ctx, `.demo-accounts`)
	if err != nil || !strings.Contains(demo, "auditor") {
		t.Errorf("the login page does not list the demo accounts: %q %v", demo, err)
	}
	err = apptest.Steps(ctx,
		chromedp.SendKeys(`input[name=username]`, "auditor"),
		chromedp.SendKeys(`input[name=password]`, "demo"),
		chromedp.Submit(`input[name=password]`),
		chromedp.WaitVisible(`.sidebar`),
	)
	if err != nil {
		t.Fatal(err)
	}
	heading, _ := apptest.Text(ctx, `main h1`)
	nav, _ := apptest.Text(ctx, `.sidebar`)
	who, _ := apptest.Text(ctx, `.who`)
	if !strings.Contains(heading, "您好") || !strings.Contains(who, "审计管理员") {
		t.Errorf("home heading = %q, who = %q", heading, who)
	}
	if !strings.Contains(nav, "审计日志") || strings.Contains(nav, "用户管理") {
		t.Errorf("the auditor's navigation = %q", nav)
	}
	// Switching to English keeps the user on the same page.
	if err := apptest.Steps(ctx, chromedp.Click(`a.lang`), chromedp.WaitVisible(`main h1`)); err != nil {
		t.Fatal(err)
	}
	if title, _ := apptest.Text(ctx, `main h1`); !strings.Contains(title, "Hello") {
		t.Errorf("English home heading = %q", title)
	}
}
