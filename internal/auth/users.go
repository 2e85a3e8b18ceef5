// Package auth holds the accounts of xiaoer: users and their roles,
// passwords, sessions, API tokens, the login lockout and the security
// policy. It turns a request's credentials into the principal that every
// other module's scope starts from.
package auth

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/pii"
	"xiaoer/internal/store"
)

// User is an account.
type User struct {
	ID           int64         `json:"id,string"`
	Username     string        `json:"username"`
	Name         string        `json:"name"`
	OrgID        int64         `json:"org_id,string"`
	OrgName      string        `json:"org_name"`
	Roles        []access.Role `json:"roles"`
	SiteID       int64         `json:"site_id,string,omitempty"`
	EnterpriseID int64         `json:"enterprise_id,string,omitempty"`
	Phone        string        `json:"phone,omitempty" doc:"masked"`
	Demo         bool          `json:"demo"`
	Disabled     bool          `json:"disabled"`
	LockedUntil  *time.Time    `json:"locked_until,omitempty"`
	LastLoginAt  *time.Time    `json:"last_login_at,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`

	orgPath      string
	passwordHash string
	failures     int
}

// Locked reports whether the account is locked at now.
func (u *User) Locked(now time.Time) bool { return u.LockedUntil != nil && now.Before(*u.LockedUntil) }

// NewUser is the body of user creation.
type NewUser struct {
	Username     string        `json:"username"`
	Name         string        `json:"name"`
	OrgID        int64         `json:"org_id,string"`
	Roles        []access.Role `json:"roles"`
	SiteID       int64         `json:"site_id,string,omitempty"`
	EnterpriseID int64         `json:"enterprise_id,string,omitempty"`
	Phone        string        `json:"phone,omitempty"`
	Password     string        `json:"password"`
	Demo         bool          `json:"-"`
}

// UserPatch is the body of a user update; absent fields stay as they are.
type UserPatch struct {
	Name         *string        `json:"name,omitempty"`
	OrgID        *int64         `json:"org_id,string,omitempty"`
	Roles        *[]access.Role `json:"roles,omitempty"`
	SiteID       *int64         `json:"site_id,string,omitempty"`
	EnterpriseID *int64         `json:"enterprise_id,string,omitempty"`
	Phone        *string        `json:"phone,omitempty"`
	Disabled     *bool          `json:"disabled,omitempty"`
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

// Service manages accounts and sessions.
type Service struct {
	DB     *store.DB
	Cipher *pii.Cipher
	// DemoMode lets the demo accounts sign in with their well-known password.
	DemoMode bool
	// CheckSite and CheckEnterprise confirm that a referenced site or
	// enterprise exists; the modules that own them set these.
	CheckSite       func(ctx context.Context, q store.Querier, id int64) error
	CheckEnterprise func(ctx context.Context, q store.Querier, id int64) error

	policy  atomic.Pointer[Policy]
	limiter *limiter
}

// NewService returns the service with the stored security policy.
func NewService(ctx context.Context, db *store.DB, c *pii.Cipher) (*Service, error) {
	s := &Service{DB: db, Cipher: c, limiter: newLimiter(30, time.Minute)}
	p, err := LoadPolicy(ctx, db.Read())
	if err != nil {
		return nil, err
	}
	s.policy.Store(&p)
	return s, nil
}

// checkRoles enforces which roles may go together and what each needs.
func checkRoles(roles []access.Role, site, enterprise int64, o org.Org) error {
	if len(roles) == 0 {
		return errs.Invalidf("roles", "至少要有一个角色", "At least one role is required")
	}
	seen := map[access.Role]bool{}
	for _, r := range roles {
		if !r.Valid() {
			return errs.Invalidf("roles", "未知角色：%s", "Unknown role: %s", string(r))
		}
		if seen[r] {
			return errs.Invalidf("roles", "角色重复：%s", "Role listed twice: %s", string(r))
		}
		seen[r] = true
		if r.IsAdmin() && len(roles) > 1 {
			return errs.Invalidf("roles", "系统管理员、安全管理员、审计管理员三员分立，不能兼任其他角色", "The system, security and audit administrator roles are separate and cannot be combined with any other role")
		}
	}
	switch {
	case seen[access.Clerk] && site == 0:
		return errs.Invalidf("site_id", "窗口帮办员须指定所在站点", "A clerk needs a site")
	case seen[access.Enterprise] && enterprise == 0:
		return errs.Invalidf("enterprise_id", "企业用户须指定所属企业", "An enterprise user needs an enterprise")
	case seen[access.Bank] && o.Kind != org.Bank:
		return errs.Invalidf("org_id", "银行客户经理须属于金融机构", "A bank manager must belong to a bank")
	case seen[access.Department] && o.Kind != org.Department:
		return errs.Invalidf("org_id", "职能部门用户须属于职能部门", "A department user must belong to a department")
	}
	return nil
}

func (s *Service) checkRefs(ctx context.Context, q store.Querier, site, enterprise int64) error {
	if site != 0 && s.CheckSite != nil {
		if err := s.CheckSite(ctx, q, site); err != nil {
			return errs.Invalidf("site_id", "站点不存在", "No such site")
		}
	}
	if enterprise != 0 && s.CheckEnterprise != nil {
		if err := s.CheckEnterprise(ctx, q, enterprise); err != nil {
			return errs.Invalidf("enterprise_id", "企业不存在", "No such enterprise")
		}
	}
	return nil
}

func checkName(name string) error {
	if name == "" {
		return errs.Invalidf("name", "请填写姓名", "name is required")
	}
	if utf8.RuneCountInString(name) > 50 {
		return errs.Invalidf("name", "姓名不能超过50字", "name must be at most 50 characters")
	}
	return nil
}

// Create adds an account.
func (s *Service) Create(ctx context.Context, in NewUser) (User, error) {
	var u User
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		u, err = s.CreateTx(ctx, tx, in)
		return err
	})
	return u, err
}

// CreateTx adds an account inside tx. Demo accounts skip the password rule
// (their password is the published "demo").
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, in NewUser) (User, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.Name = strings.TrimSpace(in.Name)
	if !usernameRE.MatchString(in.Username) {
		return User{}, errs.Invalidf("username", "用户名应为3到32位小写字母、数字或 _.-", "The username must be 3–32 lower-case letters, digits or _.-")
	}
	if err := checkName(in.Name); err != nil {
		return User{}, err
	}
	if !in.Demo {
		if err := CheckPassword(in.Password, in.Username, s.Policy().MinPasswordLen); err != nil {
			return User{}, err
		}
	}
	if in.Phone != "" && pii.ValidPhone(in.Phone) != nil {
		return User{}, errs.Invalidf("phone", "手机号码格式不正确", "The phone number is not valid")
	}
	o, err := org.GetTx(ctx, tx, in.OrgID)
	if errs.Is(err, errs.NotFound) {
		return User{}, errs.Invalidf("org_id", "所属组织不存在", "No such org")
	}
	if err != nil {
		return User{}, err
	}
	if err := checkRoles(in.Roles, in.SiteID, in.EnterpriseID, o); err != nil {
		return User{}, err
	}
	if err := s.checkRefs(ctx, tx, in.SiteID, in.EnterpriseID); err != nil {
		return User{}, err
	}
	hash, err := passwordHash(in)
	if err != nil {
		return User{}, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO users (username, name, org_id, site_id, enterprise_id, phone_enc, password_hash, password_changed_at, demo, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Username, in.Name, in.OrgID, store.Null(in.SiteID), store.Null(in.EnterpriseID), s.Cipher.Seal(pii.Normalize(pii.Phone, in.Phone)),
		hash, tx.Now, in.Demo, tx.Now, tx.Now)
	if errs.Is(err, errs.Conflict) {
		return User{}, errs.New(errs.Conflict, "username", i18n.F("用户名 %s 已被使用", "The username %s is taken", in.Username))
	}
	if err != nil {
		return User{}, err
	}
	if err := setRoles(ctx, tx, id, in.Roles); err != nil {
		return User{}, err
	}
	u := User{ID: id, Username: in.Username, Name: in.Name, OrgID: in.OrgID, OrgName: o.Name, Roles: in.Roles,
		SiteID: in.SiteID, EnterpriseID: in.EnterpriseID, Demo: in.Demo, CreatedAt: tx.Now}
	if in.Phone != "" {
		u.Phone = pii.Mask(pii.Phone, in.Phone)
	}
	return u, audit.Append(ctx, tx, audit.Entry{Action: "user.create", Object: "user", ObjectID: id,
		Summary: map[string]any{"username": u.Username, "roles": u.Roles, "org_id": u.OrgID}})
}

// demoHash is the hash of the demo accounts' shared, published password,
// computed once per process: hashing it anew for every demo account would
// add tens of milliseconds each to a demo start.
var demoHash = sync.OnceValues(func() (string, error) { return HashPassword(DemoPassword) })

// DemoPassword is the password of every demo account.
const DemoPassword = "demo"

func passwordHash(in NewUser) (string, error) {
	if in.Demo && in.Password == DemoPassword {
		return demoHash()
	}
	return HashPassword(in.Password)
}

func setRoles(ctx context.Context, tx *store.Tx, id int64, roles []access.Role) error {
	if _, err := tx.Exec(ctx, "DELETE FROM user_roles WHERE user_id = ?", id); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.Exec(ctx, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", id, r); err != nil {
			return err
		}
	}
	return nil
}

const userCols = `u.id, u.username, u.name, u.org_id, o.name, o.path, u.site_id, u.enterprise_id, u.phone_enc, u.password_hash,
	u.demo, u.disabled, u.failed_logins, u.locked_until, u.last_login_at, u.created_at`

func (s *Service) scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var phone []byte
	var locked, last *time.Time
	err := sc.Scan(&u.ID, &u.Username, &u.Name, &u.OrgID, &u.OrgName, &u.orgPath, store.Z(&u.SiteID), store.Z(&u.EnterpriseID),
		&phone, &u.passwordHash, &u.Demo, &u.Disabled, &u.failures, &locked, &last, &u.CreatedAt)
	if err != nil {
		return u, err
	}
	u.LockedUntil, u.LastLoginAt = locked, last
	if len(phone) > 0 {
		plain, err := s.Cipher.Open(phone)
		if err != nil {
			return u, errs.Wrap(err, "user phone")
		}
		u.Phone = pii.Mask(pii.Phone, plain)
	}
	return u, nil
}

func (s *Service) loadRoles(ctx context.Context, q store.Querier, users []User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]int64, len(users))
	at := map[int64]int{}
	for i, u := range users {
		ids[i] = u.ID
		at[u.ID] = i
	}
	in, args := store.In(ids)
	rows, err := q.Query(ctx, "SELECT user_id, role FROM user_roles WHERE user_id IN ("+in+") ORDER BY role", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r access.Role
		if err := rows.Scan(&id, &r); err != nil {
			return err
		}
		users[at[id]].Roles = append(users[at[id]].Roles, r)
	}
	for i := range users {
		slices.SortFunc(users[i].Roles, func(a, b access.Role) int {
			return slices.Index(access.Roles, a) - slices.Index(access.Roles, b)
		})
	}
	return rows.Err()
}

// Get returns one account.
func (s *Service) Get(ctx context.Context, id int64) (User, error) {
	return s.getBy(ctx, s.DB.Read(), "u.id = ?", id)
}

// GetByUsername returns one account by its username.
func (s *Service) GetByUsername(ctx context.Context, username string) (User, error) {
	return s.getBy(ctx, s.DB.Read(), "u.username = ?", strings.ToLower(strings.TrimSpace(username)))
}

func (s *Service) getBy(ctx context.Context, q store.Querier, cond string, arg any) (User, error) {
	u, err := s.scanUser(q.QueryRow(ctx, "SELECT "+userCols+" FROM users u JOIN orgs o ON o.id = u.org_id WHERE "+cond, arg))
	if err != nil {
		return u, err
	}
	us := []User{u}
	err = s.loadRoles(ctx, q, us)
	return us[0], err
}

// UserFilter selects accounts.
type UserFilter struct {
	Q       string
	Role    access.Role
	OrgID   int64
	Locked  bool
	AfterID int64
	Limit   int
}

// List returns accounts by id, one page, and the total.
func (s *Service) List(ctx context.Context, f UserFilter) ([]User, int, error) {
	q := s.DB.Read()
	var w store.Where
	if f.Q != "" {
		w.Add("(u.username LIKE ? ESCAPE '\\' OR u.name LIKE ? ESCAPE '\\')", store.Like("", f.Q, "%"), store.Like("%", f.Q, "%"))
	}
	if f.Role != "" {
		w.Add("u.id IN (SELECT user_id FROM user_roles WHERE role = ?)", f.Role)
	}
	if f.OrgID != 0 {
		w.Add("u.org_id = ?", f.OrgID)
	}
	if f.Locked {
		w.Add("u.locked_until > ?", s.DB.Now().UTC())
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM users u"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.AfterID > 0 {
		w.Add("u.id > ?", f.AfterID)
		where, args = w.SQL()
	}
	query := "SELECT " + userCols + " FROM users u JOIN orgs o ON o.id = u.org_id" + where + " ORDER BY u.id"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := s.scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, s.loadRoles(ctx, q, out)
}

// Update changes an account.
func (s *Service) Update(ctx context.Context, id int64, in UserPatch) (User, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := s.getBy(ctx, tx, "u.id = ?", id)
		if err != nil {
			return err
		}
		before := map[string]any{"name": u.Name, "org_id": u.OrgID, "roles": u.Roles, "site_id": u.SiteID, "enterprise_id": u.EnterpriseID, "disabled": u.Disabled}
		if in.Name != nil {
			u.Name = strings.TrimSpace(*in.Name)
			if err := checkName(u.Name); err != nil {
				return err
			}
		}
		if in.OrgID != nil {
			u.OrgID = *in.OrgID
		}
		if in.SiteID != nil {
			u.SiteID = *in.SiteID
		}
		if in.EnterpriseID != nil {
			u.EnterpriseID = *in.EnterpriseID
		}
		if in.Roles != nil {
			u.Roles = *in.Roles
		}
		if in.Disabled != nil {
			if p := access.From(ctx); p != nil && p.UserID == id && *in.Disabled {
				return errs.Invalidf("disabled", "不能停用自己的账号", "You cannot disable your own account")
			}
			u.Disabled = *in.Disabled
		}
		o, err := org.GetTx(ctx, tx, u.OrgID)
		if errs.Is(err, errs.NotFound) {
			return errs.Invalidf("org_id", "所属组织不存在", "No such org")
		}
		if err != nil {
			return err
		}
		if err := checkRoles(u.Roles, u.SiteID, u.EnterpriseID, o); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, tx, u.SiteID, u.EnterpriseID); err != nil {
			return err
		}
		set := "name = ?, org_id = ?, site_id = ?, enterprise_id = ?, disabled = ?, updated_at = ?"
		args := []any{u.Name, u.OrgID, store.Null(u.SiteID), store.Null(u.EnterpriseID), u.Disabled, tx.Now}
		if in.Phone != nil {
			if *in.Phone != "" && pii.ValidPhone(*in.Phone) != nil {
				return errs.Invalidf("phone", "手机号码格式不正确", "The phone number is not valid")
			}
			set += ", phone_enc = ?"
			args = append(args, s.Cipher.Seal(pii.Normalize(pii.Phone, *in.Phone)))
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET "+set+" WHERE id = ?", append(args, id)...); err != nil {
			return err
		}
		if in.Roles != nil {
			if err := setRoles(ctx, tx, id, u.Roles); err != nil {
				return err
			}
		}
		if u.Disabled {
			if err := endSessions(ctx, tx, id); err != nil {
				return err
			}
		}
		after := map[string]any{"name": u.Name, "org_id": u.OrgID, "roles": u.Roles, "site_id": u.SiteID, "enterprise_id": u.EnterpriseID, "disabled": u.Disabled}
		return audit.Append(ctx, tx, audit.Entry{Action: "user.update", Object: "user", ObjectID: id, Summary: audit.Change(before, after)})
	})
	if err != nil {
		return User{}, err
	}
	return s.Get(ctx, id)
}

func endSessions(ctx context.Context, tx *store.Tx, userID int64) error {
	_, err := tx.Exec(ctx, "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL", tx.Now, userID)
	return err
}

// Lock locks an account by hand until unlocked (or for the policy's time
// when minutes is 0); its sessions end.
func (s *Service) Lock(ctx context.Context, id int64, minutes int) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		d := s.Policy().Lock()
		if minutes > 0 {
			d = time.Duration(minutes) * time.Minute
		}
		until := tx.Now.Add(d).UTC()
		if err := tx.ExecOne(ctx, "UPDATE users SET locked_until = ?, updated_at = ? WHERE id = ?", until, tx.Now, id); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "user.lock", Object: "user", ObjectID: id, Summary: map[string]any{"until": until}})
	})
}

// Unlock clears a lock and the failure count.
func (s *Service) Unlock(ctx context.Context, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ExecOne(ctx, "UPDATE users SET locked_until = NULL, failed_logins = 0, updated_at = ? WHERE id = ?", tx.Now, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "user.unlock", Object: "user", ObjectID: id})
	})
}

// SetPassword sets a new password (administrator reset or the user's own
// change, after the old one was checked), ending the account's sessions.
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error {
	u, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if err := CheckPassword(password, u.Username, s.Policy().MinPasswordLen); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ExecOne(ctx, "UPDATE users SET password_hash = ?, password_changed_at = ?, demo = FALSE, updated_at = ? WHERE id = ?",
			hash, tx.Now, tx.Now, id); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "user.password", Object: "user", ObjectID: id})
	})
}

// ChangeOwnPassword checks the old password and sets the new one.
func (s *Service) ChangeOwnPassword(ctx context.Context, p *access.Principal, old, password string) error {
	u, err := s.getBy(ctx, s.DB.Read(), "u.id = ?", p.UserID)
	if err != nil {
		return err
	}
	if !VerifyPassword(u.passwordHash, old) {
		return errs.Invalidf("old_password", "原密码不正确", "The current password is wrong")
	}
	if old == password {
		return errs.Invalidf("password", "新密码不能与原密码相同", "The new password must differ from the current one")
	}
	return s.SetPassword(ctx, p.UserID, password)
}
