// Package demo builds the demo zone: the Dayehu High-tech Zone of the seed
// article, its org tree, one account per role (password "demo") and, module
// by module, the records behind the article's figures. The data is
// generated from a fixed seed, so every demo start shows the same zone.
package demo

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/auth"
	"xiaoer/internal/org"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// Password is the password of every demo account.
const Password = "demo"

// Zone is the demo zone as built so far.
type Zone = platform.Zone

// Loaded reports whether the database already holds data (the demo is
// loaded only into an empty database).
func Loaded(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.Read().QueryRow(ctx, "SELECT COUNT(*) FROM orgs").Scan(&n)
	return n > 0, err
}

// Load builds the demo zone if the database is empty: the org tree, the
// platform's accounts, then each module's part in order.
func Load(ctx context.Context, db *store.DB, users *auth.Service, modules []platform.Module) error {
	done, err := Loaded(ctx, db)
	if err != nil || done {
		return err
	}
	// The demo is one bulk load, not people's acts: each transaction leaves
	// one audit record counting what it wrote.
	ctx = audit.Batched(access.With(ctx, access.SystemPrincipal("demo")), "demo.load")
	z := platform.NewZone()
	if err := db.Write(ctx, func(tx *store.Tx) error { return buildTree(ctx, tx, z) }); err != nil {
		return fmt.Errorf("org tree: %w", err)
	}
	if err := AddAccounts(ctx, db, users, z, PlatformAccounts(z)); err != nil {
		return err
	}
	for _, m := range modules {
		if m.Demo == nil {
			continue
		}
		if err := m.Demo(ctx, z); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
	}
	return nil
}

// The zone's streets with their communities, its parks, and the
// departments, banks and universities it works with.
var (
	streets = []struct {
		name        string
		code        string
		communities []string
	}{
		{"罗家桥街道", "420281003", []string{"罗家桥社区", "长乐社区", "攀宇村", "城西北社区"}},
		{"金湖街道", "420281002", []string{"金湖社区", "团垴村", "石洪甫村", "雨润社区"}},
		{"东岳路街道", "420281001", []string{"东岳社区", "新冶社区"}},
	}
	parks = []struct{ name, code string }{
		{"大冶湖高新区智能制造产业园", "P01"},
		{"大冶湖高新区生物医药产业园", "P02"},
		{"大冶湖高新区新能源新材料产业园", "P03"},
		{"大冶湖高新区电子信息产业园", "P04"},
		{"雨润广场商业街区", "P05"},
	}
	departments = []struct{ name, code string }{
		{"市场监督管理局", "D-SCJG"},
		{"人力资源和社会保障局", "D-RS"},
		{"医疗保障局", "D-YB"},
		{"自然资源和规划局", "D-ZRZY"},
		{"国网大冶市供电公司", "D-GD"},
		{"水务公司", "D-SW"},
		{"燃气公司", "D-RQ"},
		{"经济发展局", "D-JF"},
		{"科技创新局", "D-KJ"},
		{"财政局", "D-CZ"},
		{"税务局", "D-SWJ"},
		{"住房和城乡建设局", "D-ZJ"},
		{"生态环境分局", "D-HB"},
	}
	banks = []struct{ name, code string }{
		{"湖北银行大冶支行", "B-HBYH"},
		{"中国农业银行大冶支行", "B-NH"},
		{"中国建设银行大冶支行", "B-JH"},
		{"湖北大冶农村商业银行", "B-NSH"},
		{"中国工商银行大冶支行", "B-GH"},
	}
	universities = []struct{ name, code string }{
		{"湖北理工学院", "U-HBLG"},
		{"武汉理工大学", "U-WHLG"},
		{"华中科技大学", "U-HZKJ"},
		{"湖北师范大学", "U-HBSF"},
		{"武汉科技大学", "U-WHKJ"},
		{"中国地质大学（武汉）", "U-DZ"},
	}
)

func buildTree(ctx context.Context, tx *store.Tx, z *Zone) error {
	zone, err := org.CreateTx(ctx, tx, org.Input{Name: "大冶湖高新技术产业开发区", Kind: org.Zone, Code: "420281-DYH"})
	if err != nil {
		return err
	}
	z.ID = zone.ID
	add := func(m map[string]int64, parent int64, kind org.Kind, name, code string) (int64, error) {
		o, err := org.CreateTx(ctx, tx, org.Input{Name: name, Kind: kind, ParentID: parent, Code: code})
		if err != nil {
			return 0, err
		}
		m[name] = o.ID
		return o.ID, nil
	}
	for _, s := range streets {
		sid, err := add(z.Streets, zone.ID, org.Street, s.name, s.code)
		if err != nil {
			return err
		}
		for i, c := range s.communities {
			if _, err := add(z.Communities, sid, org.Community, c, fmt.Sprintf("%s%03d", s.code, i+1)); err != nil {
				return err
			}
		}
	}
	for _, p := range parks {
		if _, err := add(z.Parks, zone.ID, org.Park, p.name, p.code); err != nil {
			return err
		}
	}
	for _, d := range departments {
		if _, err := add(z.Departments, zone.ID, org.Department, d.name, d.code); err != nil {
			return err
		}
	}
	for _, b := range banks {
		if _, err := add(z.Banks, zone.ID, org.Bank, b.name, b.code); err != nil {
			return err
		}
	}
	for _, u := range universities {
		if _, err := add(z.Universities, zone.ID, org.University, u.name, u.code); err != nil {
			return err
		}
	}
	return nil
}

// Account is one demo account.
type Account struct {
	Username     string
	Name         string
	Role         access.Role
	OrgID        int64
	SiteID       int64
	EnterpriseID int64
}

// AddAccounts creates demo accounts (password "demo").
func AddAccounts(ctx context.Context, db *store.DB, users *auth.Service, z *Zone, accounts []Account) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		for _, a := range accounts {
			u, err := users.CreateTx(ctx, tx, auth.NewUser{Username: a.Username, Name: a.Name, OrgID: a.OrgID,
				Roles: []access.Role{a.Role}, SiteID: a.SiteID, EnterpriseID: a.EnterpriseID, Password: Password, Demo: true})
			if err != nil {
				return fmt.Errorf("account %s: %w", a.Username, err)
			}
			z.Users[a.Username] = u.ID
		}
		return nil
	})
}

// PlatformAccounts are the accounts every demo has, whatever modules run.
func PlatformAccounts(z *Zone) []Account {
	return []Account{
		{Username: "admin", Name: "系统管理员", Role: access.Sysadmin, OrgID: z.ID},
		{Username: "security", Name: "安全管理员", Role: access.Secadmin, OrgID: z.ID},
		{Username: "auditor", Name: "审计管理员", Role: access.Auditor, OrgID: z.ID},
		{Username: "leader", Name: "王主任", Role: access.Leader, OrgID: z.ID},
		{Username: "office", Name: "李营商", Role: access.ServiceOffice, OrgID: z.ID},
		{Username: "projects", Name: "张项目", Role: access.ProjectOffice, OrgID: z.ID},
		{Username: "cadre", Name: "陈包保", Role: access.Cadre, OrgID: z.Streets["罗家桥街道"]},
		{Username: "dept", Name: "刘市监", Role: access.Department, OrgID: z.Departments["市场监督管理局"]},
		{Username: "bank", Name: "赵经理", Role: access.Bank, OrgID: z.Banks["湖北银行大冶支行"]},
	}
}
