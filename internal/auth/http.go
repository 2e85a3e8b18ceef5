package auth

import (
	"embed"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates returns the module's pages.
func Templates() fs.FS { s, _ := fs.Sub(templates, "templates"); return s }

// Handler serves sign-in, accounts and the security policy.
type Handler struct {
	Svc  *Service
	Orgs *org.Service
	UI   *web.UI
}

var (
	admins     = web.Roles(access.Sysadmin)
	lockers    = web.Roles(access.Sysadmin, access.Secadmin)
	userReader = web.Roles(access.Sysadmin, access.Secadmin, access.Auditor, access.Leader, access.ServiceOffice, access.ProjectOffice)
	secadmin   = web.Roles(access.Secadmin)
)

// Me is the answer of GET /api/v1/me.
type Me struct {
	User  User  `json:"user"`
	Scope Scope `json:"scope"`
}

// Scope describes what a user's data scope is anchored on.
type Scope struct {
	OrgID        int64  `json:"org_id,string"`
	OrgName      string `json:"org_name"`
	OrgPath      string `json:"org_path"`
	SiteID       int64  `json:"site_id,string,omitempty"`
	EnterpriseID int64  `json:"enterprise_id,string,omitempty"`
	Description  string `json:"description"`
}

// Credentials is the body of sign-in.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// PasswordChange is the body of a password change or reset.
type PasswordChange struct {
	OldPassword string `json:"old_password,omitempty"`
	Password    string `json:"password"`
}

// LockRequest is the optional body of a manual lock.
type LockRequest struct {
	Minutes int `json:"minutes,omitempty"`
}

// Routes is the module's part of the route table.
func (h *Handler) Routes() []web.Route {
	return []web.Route{
		web.Handle("POST /api/v1/session", web.Public, h.apiLogin).Doc("登录：返回令牌并设置会话Cookie", Credentials{}, Session{}),
		web.Handle("DELETE /api/v1/session", web.SignedIn, h.apiLogout).Doc("退出登录", nil, nil),
		web.Handle("GET /api/v1/me", web.SignedIn, h.me).Doc("当前用户、角色与数据范围", nil, Me{}),
		web.Handle("POST /api/v1/me/password", web.SignedIn, h.apiOwnPassword).Doc("修改本人密码", PasswordChange{}, nil),
		web.Handle("GET /api/v1/users", userReader, h.apiList).Doc("用户列表", nil, web.List[User]{}),
		web.Handle("POST /api/v1/users", admins, h.apiCreate).Doc("新建用户", NewUser{}, User{}).Created(),
		web.Handle("GET /api/v1/users/{id}", userReader, h.apiGet).Doc("用户详情", nil, User{}),
		web.Handle("PATCH /api/v1/users/{id}", admins, h.apiUpdate).Doc("修改用户（姓名、组织、角色、停用）", UserPatch{}, User{}),
		web.Handle("POST /api/v1/users/{id}/actions/lock", lockers, h.apiLock).Doc("锁定账号", LockRequest{}, User{}),
		web.Handle("POST /api/v1/users/{id}/actions/unlock", lockers, h.apiUnlock).Doc("解锁账号", nil, User{}),
		web.Handle("POST /api/v1/users/{id}/actions/reset_password", admins, h.apiResetPassword).Doc("重置密码", PasswordChange{}, User{}),
		web.Handle("GET /api/v1/users/{id}/tokens", admins, h.apiTokens).Doc("用户的API令牌", nil, []Token{}),
		web.Handle("POST /api/v1/users/{id}/tokens", admins, h.apiCreateToken).Doc("签发API令牌（令牌只显示一次）", NewToken{}, Token{}).Created(),
		web.Handle("DELETE /api/v1/tokens/{id}", admins, h.apiRevokeToken).Doc("撤销API令牌", nil, nil),
		web.Handle("GET /api/v1/security/policy", web.Roles(access.Secadmin, access.Auditor), h.apiPolicy).Doc("安全策略", nil, Policy{}),
		web.Handle("PUT /api/v1/security/policy", secadmin, h.apiSavePolicy).Doc("修改安全策略（只能更严格）", Policy{}, Policy{}),

		web.Handle("GET /login", web.Public, h.loginPage),
		web.Handle("POST /login", web.Public, h.loginPost),
		web.Handle("POST /logout", web.SignedIn, h.logoutPost),
		web.Handle("GET /account", web.SignedIn, h.accountPage),
		web.Handle("POST /account/password", web.SignedIn, h.accountPassword),
		web.Handle("GET /users", lockers, h.usersPage),
		web.Handle("GET /users/new", admins, h.userNewPage),
		web.Handle("POST /users", admins, h.userCreatePost),
		web.Handle("GET /users/{id}", lockers, h.userPage),
		web.Handle("POST /users/{id}", admins, h.userUpdatePost),
		web.Handle("POST /users/{id}/lock", lockers, h.userLockPost),
		web.Handle("POST /users/{id}/unlock", lockers, h.userUnlockPost),
		web.Handle("POST /users/{id}/password", admins, h.userPasswordPost),
		web.Handle("POST /users/{id}/tokens", admins, h.userTokenPost),
		web.Handle("GET /security", secadmin, h.securityPage),
		web.Handle("POST /security", secadmin, h.securityPost),
	}
}

// Nav returns the module's navigation links.
func Nav() []web.NavItem {
	return []web.NavItem{
		{Group: "nav.admin", Key: "nav.users", Path: "/users", Allow: lockers, Order: 900},
		{Group: "nav.admin", Key: "nav.security", Path: "/security", Allow: secadmin, Order: 920},
		{Group: "nav.me", Key: "nav.account", Path: "/account", Allow: web.SignedIn, Order: 990},
	}
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, s *Session) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: s.Token, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt})
}

func clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteLaxMode})
}

func (h *Handler) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var c Credentials
	if err := web.Decode(r, &c); err != nil {
		return err
	}
	if c.Username == "" || c.Password == "" {
		return errs.Invalidf("username", "请填写用户名和密码", "username and password are required")
	}
	s, err := h.Svc.Login(r.Context(), c.Username, c.Password, web.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	h.setCookie(w, r, s)
	return web.OK(w, s)
}

func (h *Handler) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.Logout(r.Context(), web.Principal(r)); err != nil {
		return err
	}
	clearCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) meOf(r *http.Request) (Me, error) {
	p := web.Principal(r)
	u, err := h.Svc.Get(r.Context(), p.UserID)
	if err != nil {
		return Me{}, err
	}
	sc := Scope{OrgID: u.OrgID, OrgName: u.OrgName, OrgPath: p.OrgPath, SiteID: u.SiteID, EnterpriseID: u.EnterpriseID}
	lang := i18n.From(r.Context())
	switch {
	case p.IsAdmin():
		sc.Description = i18n.T("管理账号、安全或审计，不接触业务数据", "Administration only; no business records").In(lang)
	case p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice):
		sc.Description = i18n.F("%s及其下级的全部数据", "Everything in %s and beneath it", u.OrgName).In(lang)
	case p.Has(access.Clerk):
		sc.Description = i18n.T("本站点的办件", "Cases of your own site").In(lang)
	case p.Has(access.Enterprise):
		sc.Description = i18n.T("本企业的数据", "Your own enterprise's records").In(lang)
	case p.Has(access.Bank):
		sc.Description = i18n.T("推送给本行或公开的融资需求", "Financing needs routed or open to your bank").In(lang)
	case p.Has(access.Department):
		sc.Description = i18n.T("交办给本部门的事项", "Items dispatched to your department").In(lang)
	case p.Has(access.Cadre):
		sc.Description = i18n.T("包保的企业和项目", "Enterprises and projects assigned to you").In(lang)
	}
	return Me{User: u, Scope: sc}, nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	m, err := h.meOf(r)
	if err != nil {
		return err
	}
	return web.OK(w, m)
}

func (h *Handler) apiOwnPassword(w http.ResponseWriter, r *http.Request) error {
	var in PasswordChange
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Svc.ChangeOwnPassword(r.Context(), web.Principal(r), in.OldPassword, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

var userColumns = []web.Column[User]{
	web.Col("编号", "ID", func(u User) any { return u.ID }),
	web.Col("用户名", "Username", func(u User) any { return u.Username }),
	web.Col("姓名", "Name", func(u User) any { return u.Name }),
	web.Col("所属组织", "Org", func(u User) any { return u.OrgName }),
	web.Col("角色", "Roles", func(u User) any { return roleNames(u.Roles, i18n.ZH) }),
	web.Col("手机", "Phone", func(u User) any { return u.Phone }),
	web.Col("停用", "Disabled", func(u User) any { return u.Disabled }),
	web.Col("锁定至", "Locked until", func(u User) any {
		if u.LockedUntil == nil {
			return ""
		}
		return *u.LockedUntil
	}),
	web.Col("最近登录", "Last login", func(u User) any {
		if u.LastLoginAt == nil {
			return ""
		}
		return *u.LastLoginAt
	}),
}

func roleNames(rs []access.Role, l i18n.Lang) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Label().In(l))
	}
	return strings.Join(out, "、")
}

func (h *Handler) userFilter(p web.ListParams) (UserFilter, error) {
	f := UserFilter{Q: p.Q, Role: access.Role(p.Query.Get("role")), Limit: p.Limit, Locked: p.Query.Get("locked") == "true"}
	if f.Role != "" && !f.Role.Valid() {
		return f, errs.Invalidf("role", "未知角色", "Unknown role")
	}
	var err error
	if f.OrgID, err = p.ID("org_id"); err != nil {
		return f, err
	}
	_, err = web.DecodeCursor(p.Cursor, &f.AfterID)
	return f, err
}

func (h *Handler) apiList(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := h.userFilter(p)
	if err != nil {
		return err
	}
	return web.ServeList(w, r, p, i18n.T("用户", "Users"), userColumns,
		func() (web.List[User], error) {
			items, total, err := h.Svc.List(r.Context(), f)
			l := web.List[User]{Items: items, Total: total}
			if len(items) == f.Limit {
				l.NextCursor = web.EncodeCursor(items[len(items)-1].ID)
			}
			return l, err
		},
		func(yield func(User) error) error {
			f.Limit, f.AfterID = 0, 0
			items, _, err := h.Svc.List(r.Context(), f)
			for _, u := range items {
				if err := yield(u); err != nil {
					return err
				}
			}
			return err
		})
}

func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in NewUser
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.Svc.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.Created(w, u)
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.Svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return web.OK(w, u)
}

func (h *Handler) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in UserPatch
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.Svc.Update(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.OK(w, u)
}

func (h *Handler) apiLock(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in LockRequest
	if r.ContentLength != 0 {
		if err := web.Decode(r, &in); err != nil {
			return err
		}
	}
	if in.Minutes < 0 || in.Minutes > 7*24*60 {
		return errs.Invalidf("minutes", "锁定时长应在0到10080分钟之间", "minutes must be between 0 and 10080")
	}
	if p := web.Principal(r); p.UserID == id {
		return errs.Invalidf("", "不能锁定自己的账号", "You cannot lock your own account")
	}
	if err := h.Svc.Lock(r.Context(), id, in.Minutes); err != nil {
		return err
	}
	return h.apiGet(w, r)
}

func (h *Handler) apiUnlock(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.Unlock(r.Context(), id); err != nil {
		return err
	}
	return h.apiGet(w, r)
}

func (h *Handler) apiResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in PasswordChange
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Svc.SetPassword(r.Context(), id, in.Password); err != nil {
		return err
	}
	return h.apiGet(w, r)
}

func (h *Handler) apiTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Svc.Get(r.Context(), id); err != nil {
		return err
	}
	ts, err := h.Svc.Tokens(r.Context(), id)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []Token{}
	}
	return web.OK(w, ts)
}

func (h *Handler) apiCreateToken(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	var in NewToken
	if err := web.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.Svc.CreateToken(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.Created(w, t)
}

func (h *Handler) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) apiPolicy(w http.ResponseWriter, r *http.Request) error {
	return web.OK(w, h.Svc.Policy())
}

func (h *Handler) apiSavePolicy(w http.ResponseWriter, r *http.Request) error {
	var p Policy
	if err := web.Decode(r, &p); err != nil {
		return err
	}
	if err := h.Svc.SavePolicy(r.Context(), p); err != nil {
		return err
	}
	return web.OK(w, h.Svc.Policy())
}

// Pages.

// demoAccount is a line of the demo table on the login page.
type demoAccount struct {
	Username string
	Name     string
	Roles    string
}

func (h *Handler) demoAccounts(r *http.Request) []demoAccount {
	if !h.Svc.DemoMode {
		return nil
	}
	rows, err := h.Svc.DB.Read().Query(r.Context(), "SELECT id FROM users WHERE demo = TRUE AND disabled = FALSE ORDER BY id")
	if err != nil {
		return nil
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var out []demoAccount
	lang := i18n.From(r.Context())
	for _, id := range ids {
		if u, err := h.Svc.Get(r.Context(), id); err == nil {
			out = append(out, demoAccount{u.Username, u.Name, roleNames(u.Roles, lang)})
		}
	}
	return out
}

func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, username, msg string) error {
	return h.UI.RenderStatus(w, r, status, "login", i18n.T("登录", "Sign in"), map[string]any{
		"Username": username, "Error": msg, "Next": safeNext(r.FormValue("next")), "Demo": h.demoAccounts(r),
	})
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	if web.Principal(r) != nil {
		web.Redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return nil
	}
	return h.renderLogin(w, r, http.StatusOK, "", "")
}

func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request) error {
	username := r.PostFormValue("username")
	s, err := h.Svc.Login(r.Context(), username, r.PostFormValue("password"), web.ClientIP(r), r.UserAgent())
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderLogin(w, r, web.StatusOf(e), username, e.Msg.In(i18n.From(r.Context())))
	}
	h.setCookie(w, r, s)
	web.Redirect(w, r, safeNext(r.PostFormValue("next")))
	return nil
}

func (h *Handler) logoutPost(w http.ResponseWriter, r *http.Request) error {
	if err := h.Svc.Logout(r.Context(), web.Principal(r)); err != nil {
		return err
	}
	clearCookie(w)
	web.Redirect(w, r, "/login")
	return nil
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderAccount(w, r, http.StatusOK, "")
}

func (h *Handler) renderAccount(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	m, err := h.meOf(r)
	if err != nil {
		return err
	}
	return h.UI.RenderStatus(w, r, status, "account", i18n.T("我的账号", "My account"), map[string]any{
		"Me": m, "Error": msg, "MinLen": h.Svc.Policy().MinPasswordLen,
	})
}

func (h *Handler) accountPassword(w http.ResponseWriter, r *http.Request) error {
	p := web.Principal(r)
	if r.PostFormValue("password") != r.PostFormValue("password2") {
		return h.renderAccount(w, r, http.StatusBadRequest, i18n.T("两次输入的新密码不一致", "The two new passwords differ").In(i18n.From(r.Context())))
	}
	if err := h.Svc.ChangeOwnPassword(r.Context(), p, r.PostFormValue("old_password"), r.PostFormValue("password")); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderAccount(w, r, web.StatusOf(e), e.Msg.In(i18n.From(r.Context())))
	}
	clearCookie(w)
	web.Flash(w, "auth.password.changed")
	web.Redirect(w, r, "/login")
	return nil
}

func (h *Handler) usersPage(w http.ResponseWriter, r *http.Request) error {
	p, err := web.ParseList(r)
	if err != nil {
		return err
	}
	f, err := h.userFilter(p)
	if err != nil {
		return err
	}
	items, total, err := h.Svc.List(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) == f.Limit {
		next = web.EncodeCursor(items[len(items)-1].ID)
	}
	query := web.QueryPrefix(p.Query, "q", "role", "locked")
	return h.UI.Render(w, r, "users", i18n.T("用户管理", "Users"), map[string]any{
		"Users": items, "Total": total, "Next": next, "Query": query, "Filter": f, "Roles": access.Roles, "Now": time.Now(),
	})
}

func (h *Handler) orgOptions(r *http.Request) ([]org.Org, error) {
	items, _, err := h.Orgs.List(r.Context(), org.Filter{})
	return items, err
}

func (h *Handler) renderUserForm(w http.ResponseWriter, r *http.Request, status int, u *User, tokens []Token, newToken string, msg string) error {
	orgs, err := h.orgOptions(r)
	if err != nil {
		return err
	}
	title := i18n.T("新建用户", "New user")
	if u.ID != 0 {
		title = i18n.F("用户：%s", "User: %s", u.Username)
	}
	has := map[access.Role]bool{}
	for _, x := range u.Roles {
		has[x] = true
	}
	return h.UI.RenderStatus(w, r, status, "user", title, map[string]any{
		"User": u, "Orgs": orgs, "Roles": access.Roles, "Has": has, "Error": msg, "Tokens": tokens, "NewToken": newToken,
		"Now": time.Now(), "MinLen": h.Svc.Policy().MinPasswordLen,
	})
}

func (h *Handler) userNewPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderUserForm(w, r, http.StatusOK, &User{}, nil, "", "")
}

func formRoles(r *http.Request) []access.Role {
	r.ParseForm()
	var out []access.Role
	for _, v := range r.PostForm["roles"] {
		out = append(out, access.Role(v))
	}
	return out
}

func formID(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
	return n
}

func (h *Handler) userCreatePost(w http.ResponseWriter, r *http.Request) error {
	in := NewUser{Username: r.PostFormValue("username"), Name: r.PostFormValue("name"), OrgID: formID(r, "org_id"),
		Roles: formRoles(r), SiteID: formID(r, "site_id"), EnterpriseID: formID(r, "enterprise_id"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password")}
	u, err := h.Svc.Create(r.Context(), in)
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		draft := &User{Username: in.Username, Name: in.Name, OrgID: in.OrgID, Roles: in.Roles, SiteID: in.SiteID, EnterpriseID: in.EnterpriseID}
		return h.renderUserForm(w, r, web.StatusOf(e), draft, nil, "", e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "auth.user.saved")
	web.Redirect(w, r, "/users/"+strconv.FormatInt(u.ID, 10))
	return nil
}

func (h *Handler) userPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.Svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	tokens, err := h.Svc.Tokens(r.Context(), id)
	if err != nil {
		return err
	}
	return h.renderUserForm(w, r, http.StatusOK, &u, tokens, "", "")
}

func (h *Handler) userUpdatePost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	name, orgID, roles := r.PostFormValue("name"), formID(r, "org_id"), formRoles(r)
	site, ent := formID(r, "site_id"), formID(r, "enterprise_id")
	disabled := r.PostFormValue("disabled") == "on"
	patch := UserPatch{Name: &name, OrgID: &orgID, Roles: &roles, SiteID: &site, EnterpriseID: &ent, Disabled: &disabled}
	if phone := r.PostFormValue("phone"); phone != "" {
		patch.Phone = &phone
	}
	if _, err := h.Svc.Update(r.Context(), id, patch); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal || e.Code == errs.NotFound {
			return err
		}
		u, _ := h.Svc.Get(r.Context(), id)
		u.Name, u.OrgID, u.Roles, u.SiteID, u.EnterpriseID, u.Disabled = name, orgID, roles, site, ent, disabled
		return h.renderUserForm(w, r, web.StatusOf(e), &u, nil, "", e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "auth.user.saved")
	web.Redirect(w, r, r.URL.Path)
	return nil
}

func (h *Handler) userLockPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if web.Principal(r).UserID == id {
		return errs.Invalidf("", "不能锁定自己的账号", "You cannot lock your own account")
	}
	if err := h.Svc.Lock(r.Context(), id, 0); err != nil {
		return err
	}
	web.Flash(w, "auth.user.locked")
	web.Redirect(w, r, "/users/"+r.PathValue("id"))
	return nil
}

func (h *Handler) userUnlockPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.Unlock(r.Context(), id); err != nil {
		return err
	}
	web.Flash(w, "auth.user.unlocked")
	web.Redirect(w, r, "/users/"+r.PathValue("id"))
	return nil
}

func (h *Handler) userPasswordPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Svc.SetPassword(r.Context(), id, r.PostFormValue("password")); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal || e.Code == errs.NotFound {
			return err
		}
		u, _ := h.Svc.Get(r.Context(), id)
		tokens, _ := h.Svc.Tokens(r.Context(), id)
		return h.renderUserForm(w, r, web.StatusOf(e), &u, tokens, "", e.Msg.In(i18n.From(r.Context())))
	}
	web.Flash(w, "auth.password.reset")
	web.Redirect(w, r, "/users/"+r.PathValue("id"))
	return nil
}

func (h *Handler) userTokenPost(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	in := NewToken{Name: r.PostFormValue("name")}
	u, err := h.Svc.Get(r.Context(), id)
	if err != nil {
		return err
	}
	t, err := h.Svc.CreateToken(r.Context(), id, in)
	tokens, _ := h.Svc.Tokens(r.Context(), id)
	if err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.renderUserForm(w, r, web.StatusOf(e), &u, tokens, "", e.Msg.In(i18n.From(r.Context())))
	}
	return h.renderUserForm(w, r, http.StatusOK, &u, tokens, t.Token, "")
}

func (h *Handler) securityPage(w http.ResponseWriter, r *http.Request) error {
	return h.UI.Render(w, r, "security", i18n.T("安全策略", "Security policy"), map[string]any{"Policy": h.Svc.Policy(), "Default": DefaultPolicy})
}

func (h *Handler) securityPost(w http.ResponseWriter, r *http.Request) error {
	n := func(k string) int { v, _ := strconv.Atoi(r.PostFormValue(k)); return v }
	p := Policy{MaxFailures: n("max_failures"), LockMinutes: n("lock_minutes"), IdleMinutes: n("idle_minutes"),
		AbsoluteHours: n("absolute_hours"), MinPasswordLen: n("min_password_length")}
	if err := h.Svc.SavePolicy(r.Context(), p); err != nil {
		e := errs.As(err)
		if e.Code == errs.Internal {
			return err
		}
		return h.UI.RenderStatus(w, r, web.StatusOf(e), "security", i18n.T("安全策略", "Security policy"),
			map[string]any{"Policy": p, "Default": DefaultPolicy, "Error": e.Msg.In(i18n.From(r.Context()))})
	}
	web.Flash(w, "auth.policy.saved")
	web.Redirect(w, r, "/security")
	return nil
}

func init() {
	i18n.Register(map[string]i18n.Text{
		"nav.users":                       i18n.T("用户管理", "Users"),
		"nav.security":                    i18n.T("安全策略", "Security policy"),
		"nav.me":                          i18n.T("个人", "Me"),
		"nav.account":                     i18n.T("我的账号", "My account"),
		"auth.username":                   i18n.T("用户名", "Username"),
		"auth.password":                   i18n.T("密码", "Password"),
		"auth.password.new":               i18n.T("新密码", "New password"),
		"auth.password.again":             i18n.T("再次输入新密码", "New password again"),
		"auth.password.old":               i18n.T("原密码", "Current password"),
		"auth.password.rule":              i18n.T("至少%d个字符，包含大写字母、小写字母、数字、符号中的至少三类。", "At least %d characters, mixing at least three of upper case, lower case, digits and symbols."),
		"auth.password.changed":           i18n.T("密码已修改，请用新密码重新登录", "Password changed; sign in with the new password"),
		"auth.password.reset":             i18n.T("密码已重置，该用户的会话已全部结束", "Password reset; the user's sessions have ended"),
		"auth.signin":                     i18n.T("登录", "Sign in"),
		"auth.signin.intro":               i18n.T("高新区营商环境服务平台", "The high-tech zone's enterprise service platform"),
		"auth.demo.title":                 i18n.T("演示账号（密码均为 demo）", "Demo accounts (password: demo)"),
		"auth.name":                       i18n.T("姓名", "Name"),
		"auth.org":                        i18n.T("所属组织", "Org"),
		"auth.roles":                      i18n.T("角色", "Roles"),
		"auth.roles.hint":                 i18n.T("系统管理员、安全管理员、审计管理员三员分立，各自单独设置，不能兼任。", "The three admin roles are separate: each stands alone."),
		"auth.site":                       i18n.T("站点编号（窗口帮办员）", "Site ID (clerks)"),
		"auth.enterprise":                 i18n.T("企业编号（企业用户）", "Enterprise ID (enterprise users)"),
		"auth.phone":                      i18n.T("手机", "Phone"),
		"auth.status":                     i18n.T("状态", "Status"),
		"auth.disabled":                   i18n.T("停用", "Disabled"),
		"auth.locked":                     i18n.T("已锁定", "Locked"),
		"auth.active":                     i18n.T("正常", "Active"),
		"auth.last_login":                 i18n.T("最近登录", "Last login"),
		"auth.user.new":                   i18n.T("新建用户", "New user"),
		"auth.user.saved":                 i18n.T("用户已保存", "User saved"),
		"auth.user.locked":                i18n.T("账号已锁定，其会话已结束", "Account locked; its sessions have ended"),
		"auth.user.unlocked":              i18n.T("账号已解锁", "Account unlocked"),
		"auth.lock":                       i18n.T("锁定", "Lock"),
		"auth.unlock":                     i18n.T("解锁", "Unlock"),
		"auth.reset_password":             i18n.T("重置密码", "Reset password"),
		"auth.tokens":                     i18n.T("API令牌", "API tokens"),
		"auth.token.name":                 i18n.T("用途", "Purpose"),
		"auth.token.issue":                i18n.T("签发令牌", "Issue a token"),
		"auth.token.once":                 i18n.T("请立即复制保存，此令牌只显示这一次：", "Copy it now; the token is shown only once:"),
		"auth.token.revoked":              i18n.T("已撤销", "Revoked"),
		"auth.scope":                      i18n.T("数据范围", "Data scope"),
		"auth.locked_only":                i18n.T("只看已锁定", "Locked only"),
		"auth.policy.saved":               i18n.T("安全策略已保存", "Security policy saved"),
		"auth.policy.hint":                i18n.T("默认值为等保三级基线，只能调得更严格。", "The defaults are the level-3 baseline; they can only be made stricter."),
		"auth.policy.max_failures":        i18n.T("连续登录失败锁定次数", "Failed logins before locking"),
		"auth.policy.lock_minutes":        i18n.T("锁定时长（分钟）", "Lock duration (minutes)"),
		"auth.policy.idle_minutes":        i18n.T("会话空闲超时（分钟）", "Session idle timeout (minutes)"),
		"auth.policy.absolute_hours":      i18n.T("会话最长时长（小时）", "Longest session (hours)"),
		"auth.policy.min_password_length": i18n.T("密码最短长度", "Shortest password"),
	})
}
