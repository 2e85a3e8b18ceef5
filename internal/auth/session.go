package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
	"xiaoer/internal/web"
)

// CookieName is the session cookie.
const CookieName = "xiaoer_session"

// tokenPrefix marks API tokens, so one Authorization header serves both.
const tokenPrefix = "xt_"

// Session is a signed-in browser or API client.
type Session struct {
	Token     string    `json:"token"`
	CSRF      string    `json:"csrf_token"`
	ExpiresAt time.Time `json:"expires_at"`
	User      User      `json:"user"`
}

func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

var (
	errBadLogin = errs.New(errs.Unauthenticated, "", i18n.T("用户名或密码错误", "Wrong username or password"))
	errDisabled = errs.New(errs.Forbidden, "", i18n.T("账号已停用，请联系系统管理员", "This account is disabled; contact the system administrator"))
	errDemoOff  = errs.New(errs.Forbidden, "", i18n.T("演示账号只能在演示模式下使用", "Demo accounts work only in demo mode"))
	errExpired  = errs.New(errs.Unauthenticated, "", i18n.T("登录已超时，请重新登录", "Your session has expired; please sign in again"))
)

func lockedErr(until, now time.Time) error {
	mins := int(until.Sub(now).Minutes()) + 1
	return errs.New(errs.Locked, "", i18n.F("连续登录失败次数过多，账号已锁定，请%d分钟后再试", "Too many failed logins: the account is locked; try again in %d minutes", mins))
}

// Login checks a username and password and opens a session. Every attempt
// is audited; the policy's number of consecutive failures locks the account.
func (s *Service) Login(ctx context.Context, username, password, ip, agent string) (*Session, error) {
	if !s.limiter.allow(ip, s.DB.Now()) {
		return nil, errs.New(errs.RateLimited, "", i18n.T("登录尝试过于频繁，请稍后再试", "Too many login attempts; wait a minute and try again"))
	}
	username = strings.ToLower(strings.TrimSpace(username))
	pol := s.Policy()
	u, err := s.GetByUsername(ctx, username)
	if errs.Is(err, errs.NotFound) {
		VerifyPassword(dummyHash, password)
		s.auditLogin(ctx, 0, username, audit.Failed, "no such user")
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	now := s.DB.Now()
	switch {
	case u.Locked(now):
		s.auditLogin(ctx, u.ID, username, audit.Denied, "locked")
		return nil, lockedErr(*u.LockedUntil, now)
	case u.Disabled:
		s.auditLogin(ctx, u.ID, username, audit.Denied, "disabled")
		return nil, errDisabled
	case u.Demo && !s.DemoMode:
		s.auditLogin(ctx, u.ID, username, audit.Denied, "demo account outside demo mode")
		return nil, errDemoOff
	}
	// The password is checked outside the transaction: argon2 is slow by
	// design and must not hold the single writer.
	good := VerifyPassword(u.passwordHash, password)
	var sess *Session
	var outcome error
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		sess, outcome = nil, nil
		var failures int
		var locked *time.Time
		if err := tx.QueryRow(ctx, "SELECT failed_logins, locked_until FROM users WHERE id = ?", u.ID).Scan(&failures, &locked); err != nil {
			return err
		}
		if locked != nil && tx.Now.Before(*locked) {
			outcome = lockedErr(*locked, tx.Now)
			return audit.Append(ctx, tx, audit.Entry{Action: "login", Object: "user", ObjectID: u.ID, UserID: u.ID, Username: username, Outcome: audit.Denied, Summary: map[string]string{"reason": "locked"}})
		}
		if !good {
			failures++
			if failures >= pol.MaxFailures {
				until := tx.Now.Add(pol.Lock()).UTC()
				if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?", until, u.ID); err != nil {
					return err
				}
				outcome = lockedErr(until, tx.Now)
				if err := audit.Append(ctx, tx, audit.Entry{Action: "user.lock", Object: "user", ObjectID: u.ID, UserID: u.ID, Username: username,
					Summary: map[string]any{"reason": "failed logins", "until": until}}); err != nil {
					return err
				}
			} else {
				if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = ? WHERE id = ?", failures, u.ID); err != nil {
					return err
				}
				outcome = errBadLogin
			}
			return audit.Append(ctx, tx, audit.Entry{Action: "login", Object: "user", ObjectID: u.ID, UserID: u.ID, Username: username, Outcome: audit.Failed,
				Summary: map[string]any{"reason": "wrong password", "failures": failures}})
		}
		token, csrf := newSecret(), newSecret()
		expires := tx.Now.Add(pol.Absolute()).UTC()
		if len(agent) > 300 {
			agent = agent[:300]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO sessions (user_id, token_hash, csrf, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.ID, hashToken(token), csrf, tx.Now, tx.Now, expires, ip, agent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?", tx.Now, u.ID); err != nil {
			return err
		}
		now := tx.Now
		u.LastLoginAt, u.LockedUntil = &now, nil
		sess = &Session{Token: token, CSRF: csrf, ExpiresAt: expires, User: u}
		return audit.Append(ctx, tx, audit.Entry{Action: "login", Object: "user", ObjectID: u.ID, UserID: u.ID, Username: username, Outcome: audit.OK})
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	return sess, nil
}

func (s *Service) auditLogin(ctx context.Context, id int64, username, outcome, reason string) {
	s.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Append(ctx, tx, audit.Entry{Action: "login", Object: "user", ObjectID: id, UserID: id, Username: username,
			Outcome: outcome, Summary: map[string]string{"reason": reason}})
	})
}

// Logout ends the session of p.
func (s *Service) Logout(ctx context.Context, p *access.Principal) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if p.SessionID != 0 {
			if _, err := tx.Exec(ctx, "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL", tx.Now, p.SessionID); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "logout", Object: "user", ObjectID: p.UserID})
	})
}

// touchEvery limits how often a session's last-seen time is written: once a
// minute is precise enough for a 30-minute idle limit.
const touchEvery = time.Minute

// Authenticate implements web.Authenticator: a bearer token (session or API
// token) or the session cookie.
func (s *Service) Authenticate(r *http.Request) (*web.Identity, error) {
	token, cookie := "", false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(t) == "" {
			return nil, errs.New(errs.Unauthenticated, "", i18n.T("Authorization 头应为 Bearer 令牌", "The Authorization header must be a Bearer token"))
		}
		token = strings.TrimSpace(t)
	} else if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		token, cookie = c.Value, true
	}
	if token == "" {
		return nil, nil
	}
	ctx := r.Context()
	if strings.HasPrefix(token, tokenPrefix) {
		return s.authToken(ctx, token)
	}
	return s.authSession(ctx, token, cookie)
}

func (s *Service) authSession(ctx context.Context, token string, cookie bool) (*web.Identity, error) {
	var sid, uid int64
	var csrf string
	var lastSeen, expires time.Time
	var ended *time.Time
	err := s.DB.Read().QueryRow(ctx, "SELECT id, user_id, csrf, last_seen_at, expires_at, ended_at FROM sessions WHERE token_hash = ?",
		hashToken(token)).Scan(&sid, &uid, &csrf, &lastSeen, &expires, &ended)
	if errs.Is(err, errs.NotFound) {
		return nil, errExpired
	}
	if err != nil {
		return nil, err
	}
	now := s.DB.Now()
	pol := s.Policy()
	if ended != nil || !now.Before(expires) || now.Sub(lastSeen) >= pol.Idle() {
		return nil, errExpired
	}
	p, err := s.principal(ctx, uid)
	if err != nil {
		return nil, err
	}
	p.SessionID = sid
	if now.Sub(lastSeen) >= touchEvery {
		s.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", tx.Now, sid)
			return err
		})
	}
	return &web.Identity{Principal: p, CSRF: csrf, Cookie: cookie}, nil
}

func (s *Service) authToken(ctx context.Context, token string) (*web.Identity, error) {
	var tid, uid int64
	var expires civil.Date
	var revoked, lastUsed *time.Time
	err := s.DB.Read().QueryRow(ctx, "SELECT id, user_id, expires_on, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?",
		hashToken(token)).Scan(&tid, &uid, &expires, &revoked, &lastUsed)
	bad := errs.New(errs.Unauthenticated, "", i18n.T("API令牌无效或已撤销", "The API token is invalid or revoked"))
	if errs.Is(err, errs.NotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	now := s.DB.Now()
	if revoked != nil || (!expires.IsZero() && civil.Of(now).After(expires)) {
		return nil, bad
	}
	p, err := s.principal(ctx, uid)
	if err != nil {
		return nil, err
	}
	p.TokenID = tid
	if lastUsed == nil || now.Sub(*lastUsed) >= touchEvery {
		s.DB.WriteUnaudited(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", tx.Now, tid)
			return err
		})
	}
	return &web.Identity{Principal: p}, nil
}

// principal builds the principal of a user who may act now.
func (s *Service) principal(ctx context.Context, uid int64) (*access.Principal, error) {
	u, err := s.Get(ctx, uid)
	if errs.Is(err, errs.NotFound) {
		return nil, errExpired
	}
	if err != nil {
		return nil, err
	}
	switch {
	case u.Disabled:
		return nil, errDisabled
	case u.Demo && !s.DemoMode:
		return nil, errDemoOff
	}
	whole, err := org.CoversAll(ctx, s.DB.Read(), u.orgPath)
	if err != nil {
		return nil, err
	}
	return &access.Principal{UserID: u.ID, Username: u.Username, Name: u.Name, Roles: u.Roles, OrgID: u.OrgID,
		OrgPath: u.orgPath, WholeTree: whole, SiteID: u.SiteID, EnterpriseID: u.EnterpriseID}, nil
}

// PrincipalOf returns the principal a user would act as (commands, tests).
func (s *Service) PrincipalOf(ctx context.Context, uid int64) (*access.Principal, error) {
	return s.principal(ctx, uid)
}

// Token is an API token for a machine client.
type Token struct {
	ID         int64      `json:"id,string"`
	UserID     int64      `json:"user_id,string"`
	Name       string     `json:"name"`
	Token      string     `json:"token,omitempty" doc:"shown once, at creation"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresOn  civil.Date `json:"expires_on"`
	Revoked    bool       `json:"revoked"`
}

// NewToken is the body of token creation.
type NewToken struct {
	Name      string     `json:"name"`
	ExpiresOn civil.Date `json:"expires_on"`
}

// CreateToken issues an API token for a user; the secret is returned once.
func (s *Service) CreateToken(ctx context.Context, userID int64, in NewToken) (Token, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len([]rune(in.Name)) > 100 {
		return Token{}, errs.Invalidf("name", "请填写令牌用途（100字以内）", "Name the token's use (at most 100 characters)")
	}
	if !in.ExpiresOn.IsZero() && !in.ExpiresOn.After(civil.Of(s.DB.Now())) {
		return Token{}, errs.Invalidf("expires_on", "到期日必须晚于今天", "The expiry date must be after today")
	}
	secret := tokenPrefix + newSecret()
	t := Token{UserID: userID, Name: in.Name, Token: secret, ExpiresOn: in.ExpiresOn}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := s.getBy(ctx, tx, "u.id = ?", userID); err != nil {
			return err
		}
		var by any
		if p := access.From(ctx); p != nil && p.UserID != 0 {
			by = p.UserID
		}
		id, err := tx.Insert(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at, created_by, expires_on) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
			userID, in.Name, hashToken(secret), tx.Now, by, in.ExpiresOn)
		if err != nil {
			return err
		}
		t.ID, t.CreatedAt = id, tx.Now
		return audit.Append(ctx, tx, audit.Entry{Action: "token.create", Object: "api_token", ObjectID: id, Summary: map[string]any{"user_id": userID, "name": in.Name}})
	})
	return t, err
}

// Tokens lists a user's API tokens (without secrets).
func (s *Service) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.DB.Read().Query(ctx, "SELECT id, user_id, name, created_at, last_used_at, expires_on, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id", userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var revoked *time.Time
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.LastUsedAt, &t.ExpiresOn, &revoked); err != nil {
			return nil, err
		}
		t.Revoked = revoked != nil
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes an API token.
func (s *Service) RevokeToken(ctx context.Context, id int64) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ExecOne(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", tx.Now, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "token.revoke", Object: "api_token", ObjectID: id})
	})
}

// limiter counts login attempts per client address in a sliding window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, hits: map[string][]time.Time{}}
}

func (l *limiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	cut := now.Add(-l.window)
	h := l.hits[key]
	i := 0
	for i < len(h) && h[i].Before(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= l.max {
		l.hits[key] = h
		return false
	}
	l.hits[key] = append(h, now)
	if len(l.hits) > 10000 { // forget idle addresses
		for k, v := range l.hits {
			if len(v) == 0 || v[len(v)-1].Before(cut) {
				delete(l.hits, k)
			}
		}
	}
	return true
}
