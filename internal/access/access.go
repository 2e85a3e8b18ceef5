// Package access names the roles of xiaoer, the principal a request acts as,
// and the data scope that follows from them. Storage code turns a principal
// into SQL predicates with a Scope; nothing here touches a database.
package access

import (
	"context"
	"slices"
	"strings"

	"xiaoer/internal/i18n"
)

// Role is one of the roles of API.md.
type Role string

// The roles. The first three are the separated admin roles (三员).
const (
	Sysadmin      Role = "sysadmin"
	Secadmin      Role = "secadmin"
	Auditor       Role = "auditor"
	Leader        Role = "leader"
	ServiceOffice Role = "service_office"
	Clerk         Role = "clerk"
	ProjectOffice Role = "project_office"
	Cadre         Role = "cadre"
	Department    Role = "department"
	Enterprise    Role = "enterprise"
	Bank          Role = "bank"
)

// Roles lists every role, admin roles first.
var Roles = []Role{Sysadmin, Secadmin, Auditor, Leader, ServiceOffice, Clerk, ProjectOffice, Cadre, Department, Enterprise, Bank}

// AdminRoles are the three admin roles that no one may combine with any
// other role (等保 三员分立).
var AdminRoles = []Role{Sysadmin, Secadmin, Auditor}

// Label is the role's name in both languages.
func (r Role) Label() i18n.Text {
	switch r {
	case Sysadmin:
		return i18n.T("系统管理员", "System administrator")
	case Secadmin:
		return i18n.T("安全管理员", "Security administrator")
	case Auditor:
		return i18n.T("审计管理员", "Audit administrator")
	case Leader:
		return i18n.T("领导", "Leader")
	case ServiceOffice:
		return i18n.T("营商办", "Service office")
	case Clerk:
		return i18n.T("窗口帮办员", "Site clerk")
	case ProjectOffice:
		return i18n.T("项目办", "Project office")
	case Cadre:
		return i18n.T("包保干部", "Responsible cadre")
	case Department:
		return i18n.T("职能部门", "Department")
	case Enterprise:
		return i18n.T("企业用户", "Enterprise user")
	case Bank:
		return i18n.T("银行客户经理", "Bank manager")
	}
	return i18n.T(string(r), string(r))
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// IsAdmin reports whether r is one of the three admin roles.
func (r Role) IsAdmin() bool { return slices.Contains(AdminRoles, r) }

// Principal is who a request acts as: a user, their roles and the anchors of
// their data scope.
type Principal struct {
	UserID       int64
	Username     string
	Name         string
	Roles        []Role
	OrgID        int64  // the user's org node
	OrgPath      string // materialised path of that node, "/1/4/"
	WholeTree    bool   // the node's subtree holds every org (the zone's own node)
	SiteID       int64  // clerks: their site
	EnterpriseID int64  // enterprise users: their enterprise
	SessionID    int64  // 0 for API tokens and system jobs
	TokenID      int64  // API token, if that is how the request came
	System       bool   // a scheduled job or command acting for the platform
}

// Has reports whether p holds any of roles.
func (p *Principal) Has(roles ...Role) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if slices.Contains(p.Roles, r) {
			return true
		}
	}
	return false
}

// IsAdmin reports whether p holds an admin role (and so sees no business data).
func (p *Principal) IsAdmin() bool { return p.Has(AdminRoles...) }

// Actor returns a printable name for logs and history: "name (username)".
func (p *Principal) Actor() string {
	switch {
	case p == nil:
		return ""
	case p.System:
		return "system"
	case p.Name != "" && p.Name != p.Username:
		return p.Name + " (" + p.Username + ")"
	}
	return p.Username
}

// SystemPrincipal acts for scheduled jobs and commands: all data, no person.
func SystemPrincipal(name string) *Principal {
	return &Principal{Username: name, Name: name, System: true, OrgPath: "/"}
}

type ctxKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal in ctx, or nil.
func From(ctx context.Context) *Principal {
	p, _ := ctx.Value(ctxKey{}).(*Principal)
	return p
}

// Scope builds the SQL predicate that limits a query to what a principal may
// see or change. Each module adds one term per role; terms are ORed, since a
// user with two roles sees the union. Arguments are always bound parameters:
// nothing from the principal is spliced into SQL text.
type Scope struct {
	terms []string
	args  []any
	all   bool
}

// All lets the query see everything (system jobs, zone-wide roles at the root).
func (s *Scope) All() { s.all = true }

// Or adds one predicate with its parameters ("e.cadre_user_id = ?", id).
func (s *Scope) Or(pred string, args ...any) {
	s.terms = append(s.terms, "("+pred+")")
	s.args = append(s.args, args...)
}

// InOrgTree adds "col is an org in the subtree at path".
func (s *Scope) InOrgTree(col, path string) {
	if path == "/" || path == "" {
		s.All()
		return
	}
	s.Or(col+" IN (SELECT id FROM orgs WHERE path LIKE ?)", path+"%")
}

// SQL returns the predicate and its arguments. A scope with no terms allows
// nothing: forgetting a role fails closed.
func (s *Scope) SQL() (string, []any) {
	if s.all {
		return "1=1", nil
	}
	if len(s.terms) == 0 {
		return "1=0", nil
	}
	return "(" + strings.Join(s.terms, " OR ") + ")", s.args
}

type ipKey struct{}

// WithClientIP returns ctx carrying the address the request came from, for
// the audit log.
func WithClientIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey{}, ip)
}

// ClientIP returns the address carried by ctx, or "".
func ClientIP(ctx context.Context) string {
	s, _ := ctx.Value(ipKey{}).(string)
	return s
}
