// Package web is xiaoer's HTTP toolkit: the route type every module's table
// is made of, the middleware chain, strict JSON decoding, the one mapping
// from error codes to HTTP status, lists with cursors and spreadsheet
// export, the server-rendered pages and the OpenAPI document. It knows no
// module; the app package assembles the modules' routes into one table.
package web

import (
	"net/http"
	"slices"
	"strings"

	"xiaoer/internal/access"
)

// Handler serves one route. It returns an error instead of writing one, so
// that every error is rendered in one place, as JSON or as a page.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Allow says who may call a route.
type Allow struct {
	public bool
	roles  []access.Role
}

// Public routes need no sign-in (the login page, health, metrics).
var Public = Allow{public: true}

// SignedIn routes are open to every signed-in user; the storage scope still
// limits what they see.
var SignedIn = Allow{}

// Roles allows only users holding one of roles.
func Roles(roles ...access.Role) Allow { return Allow{roles: roles} }

// BusinessRoles are every role except the three admin roles, which see no
// business records.
var BusinessRoles = Roles(access.Leader, access.ServiceOffice, access.Clerk, access.ProjectOffice,
	access.Cadre, access.Department, access.Enterprise, access.Bank)

// Permits reports whether p may call a route allowed by a.
func (a Allow) Permits(p *access.Principal) bool {
	if a.public {
		return true
	}
	if p == nil {
		return false
	}
	return len(a.roles) == 0 || p.Has(a.roles...)
}

// Route is one line of the route table.
type Route struct {
	Method  string
	Path    string
	Allow   Allow
	Handler Handler
	Summary string // one line, for the OpenAPI document and `xiaoer routes`
	In      any    // request body type, for the OpenAPI document
	Out     any    // response body type
	MaxBody int64  // request body limit; 0 means DefaultMaxBody
	// Creates says the route answers 201 Created with the new record.
	Creates bool
}

// Handle makes a route from a ServeMux pattern "METHOD /path/{id}".
func Handle(pattern string, allow Allow, h Handler) Route {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("web: route pattern needs a method: " + pattern)
	}
	return Route{Method: method, Path: path, Allow: allow, Handler: h}
}

// Doc documents the route for the OpenAPI document.
func (r Route) Doc(summary string, in, out any) Route {
	r.Summary, r.In, r.Out = summary, in, out
	return r
}

// Created documents that the route creates a record and answers 201.
func (r Route) Created() Route { r.Creates = true; return r }

// Limit sets a larger request body limit (file imports).
func (r Route) Limit(n int64) Route { r.MaxBody = n; return r }

// IsAPI reports whether the route answers in JSON.
func (r Route) IsAPI() bool { return strings.HasPrefix(r.Path, "/api/") }

// RoleNames lists the roles of the route for documentation ("" = signed in).
func (r Route) RoleNames() []string {
	var out []string
	for _, x := range r.Allow.roles {
		out = append(out, string(x))
	}
	slices.Sort(out)
	return out
}

// IsPublic reports whether the route needs no sign-in.
func (r Route) IsPublic() bool { return r.Allow.public }
