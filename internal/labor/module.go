package labor

import (
	"embed"
	"io/fs"

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
		Name:      "labor",
		Routes:    h.Routes(),
		Nav:       Nav(),
		Templates: Templates(),
		Demo:      (&demoLoader{svc: svc}).load,
		Home:      svc.home,
		Facts:     svc.facts,
		Summary:   Summary,
		Rebuild:   Rebuild,
		Metrics:   []string{"labor."},
	}
}
