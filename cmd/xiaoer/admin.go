package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"xiaoer/internal/access"
	"xiaoer/internal/app"
	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// openApp opens the database for an operator command, acting as the system.
func openApp(ctx context.Context, e *env, db string) (*app.App, context.Context, error) {
	a, err := app.Open(ctx, app.Config{DB: db, Getenv: e.getenv})
	if err != nil {
		return nil, ctx, err
	}
	return a, access.With(ctx, access.SystemPrincipal("cli")), nil
}

// explain prints a coded error in Chinese and English.
func explain(err error) error {
	var e *errs.Error
	if errors.As(err, &e) && e.Code != errs.Internal {
		msg := e.Msg.In(i18n.ZH) + " / " + e.Msg.In(i18n.EN)
		if e.Field != "" {
			msg += " [" + e.Field + "]"
		}
		return errors.New(msg)
	}
	return err
}

func cmdUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(e.stdout, `usage:
  xiaoer user add --username U --name N --org ORG_ID --role ROLE [--role ROLE] [--site ID] [--enterprise ID]
                  (the password is read from standard input, one line)
  xiaoer user passwd USERNAME     (new password from standard input)
  xiaoer user lock USERNAME [--minutes N]
  xiaoer user unlock USERNAME
  xiaoer user list
roles: `+roleList())
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return userAdd(ctx, e, rest)
	case "passwd", "lock", "unlock":
		return userChange(ctx, e, sub, rest)
	case "list":
		return userList(ctx, e, rest)
	}
	return fmt.Errorf("unknown user command %q (add, passwd, lock, unlock, list)", sub)
}

func roleList() string {
	var s []string
	for _, r := range access.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, " ")
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func readPassword(e *env) (string, error) {
	r, ok := e.stdin()
	if !ok {
		return "", errors.New("no standard input to read the password from")
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("give the password on standard input, e.g. printf '%s\\n' \"$PASSWORD\" | xiaoer user add …")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user add", "user add --username U --name N --org ORG_ID --role ROLE … < password")
	db := dbFlag(fs, e)
	username := fs.String("username", "", "用户名 / username")
	name := fs.String("name", "", "姓名 / full name")
	orgID := fs.Int64("org", 0, "所属组织编号 / org id")
	site := fs.Int64("site", 0, "站点编号（窗口帮办员）/ site id for clerks")
	ent := fs.Int64("enterprise", 0, "企业编号（企业用户）/ enterprise id for enterprise users")
	var roles multi
	fs.Var(&roles, "role", "角色，可重复 / role, repeatable: "+roleList())
	if err := fs.Parse(args); err != nil {
		return err
	}
	pw, err := readPassword(e)
	if err != nil {
		return err
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	in := auth.NewUser{Username: *username, Name: *name, OrgID: *orgID, SiteID: *site, EnterpriseID: *ent, Password: pw}
	for _, r := range roles {
		in.Roles = append(in.Roles, access.Role(r))
	}
	u, err := a.Auth.Create(ctx, in)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "已创建用户 / created user %s (id %d)\n", u.Username, u.ID)
	return nil
}

func userChange(ctx context.Context, e *env, sub string, args []string) error {
	fs := newFlags(e, "user "+sub, "user "+sub+" USERNAME")
	db := dbFlag(fs, e)
	minutes := fs.Int("minutes", 0, "锁定分钟数，0 为按安全策略 / minutes to lock, 0 for the policy's duration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name one username")
	}
	var pw string
	if sub == "passwd" {
		var err error
		if pw, err = readPassword(e); err != nil {
			return err
		}
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.GetByUsername(ctx, fs.Arg(0))
	if err != nil {
		return explain(err)
	}
	switch sub {
	case "passwd":
		err = a.Auth.SetPassword(ctx, u.ID, pw)
	case "lock":
		err = a.Auth.Lock(ctx, u.ID, *minutes)
	case "unlock":
		err = a.Auth.Unlock(ctx, u.ID)
	}
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(e.stdout, "完成 / done: %s %s\n", sub, u.Username)
	return nil
}

func userList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user list", "user list")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, ctx, err := openApp(ctx, e, *db)
	if err != nil {
		return err
	}
	defer a.Close()
	users, _, err := a.Auth.List(ctx, auth.UserFilter{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tORG\tROLES\tSTATUS")
	now := a.DB.Now()
	for _, u := range users {
		status := "active"
		switch {
		case u.Disabled:
			status = "disabled"
		case u.Locked(now):
			status = "locked"
		}
		var rs []string
		for _, r := range u.Roles {
			rs = append(rs, string(r))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Username, u.Name, u.OrgName, strings.Join(rs, ","), status)
	}
	return tw.Flush()
}

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "backup [--db PATH] FILE")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("name the backup file")
	}
	s, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	sctx := access.With(ctx, access.SystemPrincipal("cli"))
	s.Write(sctx, func(tx *store.Tx) error {
		return audit.Append(sctx, tx, audit.Entry{Action: "backup", Object: "database", ObjectID: fs.Arg(0)})
	})
	fmt.Fprintf(e.stdout, "已备份到 / backed up to %s\n", fs.Arg(0))
	return nil
}

func cmdAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(e.stdout, "usage: xiaoer audit verify [--db PATH|URL]\n\n校验审计日志的SM3哈希链，报告第一条被篡改或缺失的记录。/ Checks the SM3 hash chain of the audit log and names the first altered or missing record.")
		if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
			return nil
		}
		return fmt.Errorf("unknown audit command %q", args[0])
	}
	fs := newFlags(e, "audit verify", "audit verify [--db PATH|URL]")
	db := dbFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer s.Close()
	n, brk, err := audit.Verify(ctx, s.Read(), func(n int64) { fmt.Fprintf(e.stderr, "\r已校验 / checked %d", n) })
	if n >= 10000 {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return err
	}
	if brk != nil {
		fmt.Fprintf(e.stdout, "审计日志哈希链断裂 / the audit chain is BROKEN at record %d: %s\n", brk.Seq, brk.Reason)
		return fmt.Errorf("audit chain broken at record %d", brk.Seq)
	}
	fmt.Fprintf(e.stdout, "审计日志完整 / the audit chain is whole: %d records verified\n", n)
	return nil
}

func cmdRoutes(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "routes", "routes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The table does not depend on data: build it on a scratch database.
	dir, err := os.MkdirTemp("", "xiaoer-routes-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	a, err := app.Open(ctx, app.Config{DB: filepath.Join(dir, "routes.db"), Getenv: func(string) string { return "" }})
	if err != nil {
		return err
	}
	defer a.Close()
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATH\tALLOWED\tSUMMARY")
	for _, r := range a.Routes() {
		who := strings.Join(r.RoleNames(), ",")
		switch {
		case r.IsPublic():
			who = "public"
		case who == "":
			who = "signed-in"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Method, r.Path, who, r.Summary)
	}
	return tw.Flush()
}
