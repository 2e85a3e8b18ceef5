package innovation

import (
	"embed"
	"io/fs"

	"xiaoer/internal/platform"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// NewModule builds the innovation registry's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:        "innovation",
		Routes:      h.Routes(),
		Nav:         Nav(),
		Templates:   Templates(),
		Demo:        (&demoLoader{svc: svc}).load,
		Home:        svc.Home,
		Facts:       svc.Facts,
		Summary:     svc.Summary,
		SummaryKeys: []string{"innovation"},
		Rankings:    svc.Rankings,
		Drill:       Drill,
		Rebuild:     svc.Rebuild,
		Metrics:     Metrics,
	}
}
