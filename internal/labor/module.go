package labor

import (
	"embed"
	"io/fs"

	"xiaoer/internal/civil"

	"xiaoer/internal/platform"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// NewModule builds the labour module's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:        "labor",
		Routes:      h.Routes(),
		Nav:         Nav(),
		Templates:   Templates(),
		Demo:        (&demoLoader{svc: svc}).load,
		Home:        svc.home,
		Facts:       svc.facts,
		Summary:     Summary,
		SummaryKeys: []string{"labor"},
		Warnings:    svc.warnings,
		Drill:       drill,
		Rebuild:     Rebuild,
		Metrics:     []string{"labor."},
	}
}

// drill links a summary figure to the records behind it.
func drill(key string, from, to civil.Date) string {
	period := "from=" + from.String() + "&to=" + to.String()
	switch key {
	case "labor.events", "labor.positions", "labor.attendees", "labor.hires":
		return "/labor/events?" + period
	case "labor.placements":
		return "/labor/placements?" + period
	case "labor.demands", "labor.demand_headcount":
		return "/labor/demands"
	}
	return ""
}
