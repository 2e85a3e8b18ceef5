package enterprise

import (
	"xiaoer/internal/platform"
	"xiaoer/internal/web"
)

// NewModule builds the enterprise registry's part of the app.
func NewModule(d *platform.Deps, svc *Service) platform.Module {
	h := &Handler{Svc: svc, UI: d.UI}
	return platform.Module{
		Name:   "enterprise",
		Routes: h.Routes(),
		Nav:    Nav(),
		Demo:   (&demoLoader{d: d, svc: svc}).load,
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{{Group: "nav.enterprises", Key: "nav.enterprises.list", Path: "/enterprises", Allow: readers, Order: 100}}
}
