package enterprise

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/auth"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// Named are the enterprises the seed article names, with their place in
// the demo zone.
var Named = []struct {
	Name, Short, Industry, Street string
	Scale                         Scale
	AboveScale                    bool
}{
	{"湖北祥邦新能源科技有限公司", "祥邦新能源", "3841", "罗家桥街道", Medium, true},
	{"大美科技（湖北）有限公司", "大美科技", "3979", "罗家桥街道", Large, true},
	{"东贝精密智造（黄石）有限公司", "东贝精密智造", "3484", "金湖街道", Large, true},
	{"湖北东贝电机有限公司", "东贝电机", "3811", "金湖街道", Large, true},
	{"大冶市劲佳包装有限公司", "劲佳包装", "2231", "东岳路街道", Medium, true},
	{"湖北信永辉电子科技有限公司", "信永辉电子科技", "3982", "罗家桥街道", Medium, true},
	{"湖北展旺新材料有限公司", "展旺新材料", "2929", "金湖街道", Small, true},
	{"湖北立中轮毂有限公司", "立中轮毂", "3670", "金湖街道", Large, true},
	{"长城汽车股份有限公司大冶分公司", "长城汽车", "3612", "罗家桥街道", Large, true},
	{"湖北融通高科先进材料集团股份有限公司", "融通高科", "3985", "东岳路街道", Medium, true},
	{"黄石市佳兴生物科技有限公司", "佳兴生物", "2761", "金湖街道", Small, false},
	{"湖北普罗格智芯科技有限公司", "普罗格智芯", "3973", "罗家桥街道", Small, false},
}

// DemoUSCC makes a valid credit code for the demo from a serial number:
// authority 9 (工商), type 1 (企业), region 420281 (大冶市).
func DemoUSCC(n int) string {
	body := fmt.Sprintf("91420281MA%07d", n)
	// Map digits above the alphabet's reach: the body is digits only, so it
	// is always within the alphabet.
	return body + string(USCCCheck(body))
}

type demoLoader struct {
	d   *platform.Deps
	svc *Service
}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	err := l.d.DB.Write(ctx, func(tx *store.Tx) error {
		for i, n := range Named {
			id, err := l.svc.CreateTx(ctx, tx, sys, Input{
				USCC: DemoUSCC(100 + i), Name: n.Name, ShortName: n.Short, OrgID: z.Streets[n.Street],
				IndustryCode: n.Industry, Scale: n.Scale, AboveScale: n.AboveScale,
				Address: "湖北省黄石市大冶市" + n.Street, LegalRep: "法定代表人", ContactName: "联系人",
				ContactPhone: fmt.Sprintf("1387140%04d", 1000+i), CadreUserID: z.Users["cadre"],
				Employees: 60 + 37*i, RegisteredOn: civil.New(2010+i%10, 3, 1+i),
			})
			if err != nil {
				return fmt.Errorf("%s: %w", n.Name, err)
			}
			z.Enterprises[n.Name] = id
			z.Enterprises[n.Short] = id
		}
		return nil
	})
	if err != nil {
		return err
	}
	return l.d.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := l.d.Auth.CreateTx(ctx, tx, auth.NewUser{Username: "ent", Name: "祥邦企业办事员", OrgID: z.Streets["罗家桥街道"],
			Roles: []access.Role{access.Enterprise}, EnterpriseID: z.Enterprises["祥邦新能源"], Password: "demo", Demo: true})
		z.Users["ent"] = u.ID
		return err
	})
}
