package app_test

import (
	"context"
	"testing"

	"xiaoer/internal/access"
	"xiaoer/internal/app/apptest"
	"xiaoer/internal/civil"
	"xiaoer/internal/labor"
	"xiaoer/internal/policy"
)

// summary calls every module's Summary for the period, as the stats
// module will.
func summary(t *testing.T, a *apptest.App, from, to civil.Date) map[string]any {
	t.Helper()
	into := map[string]any{}
	for _, m := range a.Modules() {
		if m.Summary == nil {
			continue
		}
		if err := m.Summary(context.Background(), a.DB.Read(), access.SystemPrincipal("test"), from, to, into); err != nil {
			t.Fatalf("%s summary: %v", m.Name, err)
		}
	}
	return into
}

func TestDemoGivesTheSeedsFactorFigures(t *testing.T) {
	a := apptest.Start(t)
	h1 := summary(t, a, civil.New(2023, 1, 1), civil.New(2023, 6, 30))
	lab := h1["labor"].(map[string]any)
	if got := lab["events"].(int64); got != labor.DemoEventsH1 {
		t.Errorf("labor.events in H1 2023 = %d, want %d", got, labor.DemoEventsH1)
	}
	if got := lab["placements"].(int64); got < labor.DemoPlacedH1 {
		t.Errorf("labor.placements in H1 2023 = %d, want at least %d", got, labor.DemoPlacedH1)
	}
	byJuly := summary(t, a, civil.New(2023, 1, 1), policy.DemoSubsidyPaidBy)
	if got := byJuly["labor"].(map[string]any)["subsidy_paid_fen"].(int64); got < policy.DemoSubsidyPaid {
		t.Errorf("hiring subsidy paid by %s = %d fen, want at least %d", policy.DemoSubsidyPaidBy, got, policy.DemoSubsidyPaid)
	}
	t.Logf("H1: %v", h1)
	t.Logf("by 11 July: %v", byJuly)
}
