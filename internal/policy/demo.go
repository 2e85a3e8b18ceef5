package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// The seed's policy figures: a 20,000,000 yuan hiring subsidy of which
// more than 9,000,000 yuan was paid by 11 July 2023, and a 15,000,000 yuan
// innovation reward.
const (
	DemoSubsidyBudget    = 20_000_000 * money.Yuan
	DemoSubsidyPaid      = 9_000_000 * money.Yuan
	DemoInnovationBudget = 15_000_000 * money.Yuan
)

// DemoSubsidyPaidBy is the date by which DemoSubsidyPaid was paid.
var DemoSubsidyPaidBy = civil.New(2023, 7, 11)

type demoLoader struct {
	svc *Service
}

// demoActor takes both sides of the demo's workflows: the office's steps
// and the enterprises' confirmations.
var demoActor = &access.Principal{Username: "demo", Name: "demo", System: true, OrgPath: "/",
	Roles: []access.Role{access.ServiceOffice, access.Enterprise}}

func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	rng := rand.New(rand.NewPCG(11, 2023))
	var firms []struct {
		id        int64
		employees int
		scale     string
	}
	rows, err := l.svc.DB.Read().Query(ctx, "SELECT id, employees, scale FROM enterprises ORDER BY id")
	if err != nil {
		return err
	}
	for rows.Next() {
		var f struct {
			id        int64
			employees int
			scale     string
		}
		if err := rows.Scan(&f.id, &f.employees, &f.scale); err != nil {
			rows.Close()
			return err
		}
		firms = append(firms, f)
	}
	if err := rows.Close(); err != nil || len(firms) == 0 {
		return err
	}
	var subsidy, innovation int64
	err = l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		// The departments' figures for 2022, as the office entered them.
		for i, f := range firms {
			staff := max(f.employees*9/10, 5)
			months := 6 + rng.IntN(60)
			if i%9 == 4 {
				months = 2 // newly insured: not yet eligible
			}
			revenue := int64(f.employees) * (300_000 + int64(rng.IntN(400_000))) * money.Yuan
			in := FactsInput{InsuredStaff: staff, InsuredMonths: months, InsurancePaidFen: int64(staff) * (280 + int64(rng.IntN(60))) * money.Yuan,
				LayoffRate: float64(rng.IntN(800)) / 10000, RevenueFen: revenue, RDExpenseFen: revenue * int64(1+rng.IntN(6)) / 100,
				AsOf: civil.New(2022, 12, 31), Source: "人社局、税务局2022年度数据"}
			if err := l.svc.SetFactsTx(ctx, tx, demoActor, f.id, in); err != nil {
				return fmt.Errorf("facts: %w", err)
			}
		}
		var err error
		subsidy, err = l.svc.CreatePolicyTx(ctx, tx, demoActor, PolicyInput{
			Name: "2023年大冶湖高新区企业招工稳岗补贴", DocNo: "大冶湖高新管发〔2023〕3号", Issuer: "大冶湖高新区管委会",
			Category: LaborSubsidy, Mode: Auto, OpenFrom: civil.New(2023, 1, 1), OpenTo: civil.New(2023, 12, 31), BudgetFen: DemoSubsidyBudget,
			Rule:        "placements > 0 && insured_months >= 3",
			AmountRule:  "1500 * placements",
			Description: "经平台招聘活动、缺工对接送工到岗并参保的新招员工，每人补贴1500元；免申即享，按到岗和参保数据比对发放。",
		})
		if err != nil {
			return fmt.Errorf("subsidy: %w", err)
		}
		innovation, err = l.svc.CreatePolicyTx(ctx, tx, demoActor, PolicyInput{
			Name: "2023年大冶湖高新区科技创新奖励", DocNo: "大冶湖高新管发〔2023〕5号", Issuer: "大冶湖高新区管委会",
			Category: InnovationReward, Mode: Apply, OpenFrom: civil.New(2023, 3, 1), OpenTo: civil.New(2023, 12, 31), BudgetFen: DemoInnovationBudget,
			Rule:        `has("high_tech") || has("tech_sme") || (revenue > 0 && rd_expense / revenue >= 0.03)`,
			AmountRule:  `min(rd_expense * 0.1, 500000) + (has("high_tech") ? 200000 : 0)`,
			Materials:   "研发费用专项审计报告；高新技术企业或科技型中小企业证书；对公账户信息",
			Description: "对研发投入强度达3%的企业按上年研发费用的10%给予奖励，最高50万元；当年认定的高新技术企业另奖20万元。",
		})
		if err != nil {
			return fmt.Errorf("innovation: %w", err)
		}
		_, err = l.svc.CreatePolicyTx(ctx, tx, demoActor, PolicyInput{
			Name: "失业保险稳岗返还", DocNo: "鄂人社发〔2023〕12号", Issuer: "湖北省人力资源和社会保障厅",
			Category: LaborSubsidy, Mode: Auto, OpenFrom: civil.New(2023, 9, 1), BudgetFen: 5_000_000 * money.Yuan,
			Rule:        "insured_months >= 12 && layoff_rate <= (insured_staff <= 30 ? 0.2 : 0.055)",
			AmountRule:  `insurance_paid * (scale == "large" ? 0.3 : 0.6)`,
			Description: "足额缴纳失业保险12个月以上、上年裁员率不高于5.5%（参保30人及以下不高于20%）的企业，大型企业按上年实缴失业保险费的30%、中小微企业按60%返还。",
		})
		return err
	})
	if err != nil {
		return err
	}
	if err := l.subsidyRound(ctx, z, subsidy); err != nil {
		return fmt.Errorf("subsidy round: %w", err)
	}
	return l.innovationRound(ctx, z, innovation)
}

// subsidyRound runs the hiring subsidy's first round: candidates found on
// 31 March from the first quarter's placements, confirmed in April,
// publicized, approved in May, and paid — the largest first — until more
// than 9,000,000 yuan has gone out by 11 July; the rest is paid later in
// July. The demo enterprise user's own candidate waits for its click.
func (l *demoLoader) subsidyRound(ctx context.Context, z *platform.Zone, policyID int64) error {
	return l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := l.svc.PublishTx(ctx, tx, demoActor, policyID, PublishInput{Date: civil.New(2023, 3, 31)}); err != nil {
			return err
		}
		type app struct {
			id, enterprise, amount int64
		}
		var apps []app
		rows, err := tx.Query(ctx, "SELECT id, enterprise_id, amount_fen FROM policy_applications WHERE policy_id = ? ORDER BY amount_fen DESC, id", policyID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a app
			if err := rows.Scan(&a.id, &a.enterprise, &a.amount); err != nil {
				rows.Close()
				return err
			}
			apps = append(apps, a)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		act := func(id int64, action string, body map[string]any) error {
			b, _ := json.Marshal(body)
			return l.svc.ActTx(ctx, tx, demoActor, id, action, b)
		}
		var paid int64
		for i, a := range apps {
			if a.enterprise == z.Enterprises["祥邦新能源"] {
				continue
			}
			if err := act(a.id, "confirm", map[string]any{"date": civil.New(2023, 4, 3+i%10).String(), "bank_name": "湖北银行大冶支行",
				"bank_account": fmt.Sprintf("6228%014d", 48_000_000+a.enterprise*7919)}); err != nil {
				return err
			}
			if err := act(a.id, "publicize", map[string]any{"date": "2023-04-20"}); err != nil {
				return err
			}
			if err := act(a.id, "approve", map[string]any{"date": "2023-05-10"}); err != nil {
				return err
			}
			// Weekly payment runs from 18 May, the last before July on 29 June.
			on := civil.New(2023, 5, 18).AddDays(7 * min(i, 6))
			if paid >= DemoSubsidyPaid {
				on = civil.New(2023, 7, 25)
			}
			if err := act(a.id, "pay", map[string]any{"date": on.String()}); err != nil {
				return err
			}
			if !on.After(DemoSubsidyPaidBy) {
				paid += a.amount
			}
		}
		return nil
	})
}

// innovationRound files innovation-reward applications through 2023 and
// takes each as far as a real year would: some paid, some waiting at each
// stage, one returned for materials, one rejected.
func (l *demoLoader) innovationRound(ctx context.Context, z *platform.Zone, policyID int64) error {
	names := []string{"大美科技", "东贝精密智造", "融通高科", "佳兴生物", "普罗格智芯", "信永辉电子科技", "展旺新材料", "东贝电机", "立中轮毂"}
	stages := [][]string{
		{"accept", "review", "publicize", "approve", "pay"},
		{"accept", "review", "publicize", "approve", "pay"},
		{"accept", "review", "publicize", "approve", "pay"},
		{"accept", "review", "publicize", "approve"},
		{"accept", "review", "publicize"},
		{"accept", "review"},
		{"accept"},
		{"return"},
		{"reject"},
	}
	return l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		for i, name := range names {
			ent, ok := z.Enterprises[name]
			if !ok {
				continue
			}
			day := civil.New(2023, 3, 6).AddDays(9 * i)
			id, err := l.svc.CreateApplicationTx(ctx, tx, demoActor, ApplicationInput{PolicyID: policyID, EnterpriseID: ent,
				Materials: "2022年度研发费用专项审计报告、资质证书", BankName: "中国建设银行大冶支行",
				BankAccount: fmt.Sprintf("4205%014d", 1_000_000+ent*104729), Date: day})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			var amount int64
			if err := tx.QueryRow(ctx, "SELECT amount_fen FROM policy_applications WHERE id = ?", id).Scan(&amount); err != nil {
				return err
			}
			on := day
			for _, action := range stages[i] {
				on = on.AddDays(6)
				if action == "approve" {
					on = on.AddDays(10) // after the publicity period
				}
				body := map[string]any{"date": on.String()}
				switch action {
				case "review":
					if amount == 0 {
						body["amount_fen"] = 100_000 * money.Yuan
					}
				case "return":
					body["reason"] = "研发费用审计报告缺少税务局备案页，请补正"
				case "reject":
					body["reason"] = "上年研发投入强度未达3%，且无有效资质"
				}
				b, _ := json.Marshal(body)
				if err := l.svc.ActTx(ctx, tx, demoActor, id, action, b); err != nil {
					return fmt.Errorf("%s %s: %w", name, action, err)
				}
			}
		}
		return nil
	})
}
