package innovation

import (
	"context"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Stage is a stage of the chain 研发 → 孵化 → 中试 → 市场 that turns
// research results into products.
type Stage string

// The four stages, in order.
const (
	Research   Stage = "research"
	Incubation Stage = "incubation"
	Pilot      Stage = "pilot"
	Market     Stage = "market"
)

// Stages lists the stages in order.
var Stages = []Stage{Research, Incubation, Pilot, Market}

// Label is the stage's name.
func (s Stage) Label() i18n.Text {
	switch s {
	case Research:
		return i18n.T("研发", "Research")
	case Incubation:
		return i18n.T("孵化", "Incubation")
	case Pilot:
		return i18n.T("中试", "Pilot")
	case Market:
		return i18n.T("市场", "Market")
	}
	return i18n.T(string(s), string(s))
}

// Next returns the stage after s ("" after the last).
func (s Stage) Next() Stage {
	for i, x := range Stages {
		if x == s && i+1 < len(Stages) {
			return Stages[i+1]
		}
	}
	return ""
}

// column is the record's column holding the date the stage was reached.
func (s Stage) column() string {
	switch s {
	case Incubation:
		return "incubation_on"
	case Pilot:
		return "pilot_on"
	case Market:
		return "market_on"
	}
	return "research_on"
}

// TransferEntity names technology transfers in workflow events and audit.
const TransferEntity = "tech_transfer"

// TransferFlow is the workflow of a technology transfer. The one action,
// advance, moves an item to the stage after its current one, so its target
// is computed (To is left empty in the declaration and set on the step).
var TransferFlow = flow.Def{
	Entity:  TransferEntity,
	Initial: string(Research),
	States: []flow.State{
		{Name: string(Research), Label: Research.Label()},
		{Name: string(Incubation), Label: Incubation.Label()},
		{Name: string(Pilot), Label: Pilot.Label()},
		{Name: string(Market), Label: Market.Label(), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "advance", Label: i18n.T("推进到下一环节", "Advance to the next stage"),
			From:  []string{string(Research), string(Incubation), string(Pilot)},
			Roles: []access.Role{access.ServiceOffice},
			Fields: []flow.Field{
				{Name: "date", Kind: flow.Date, Required: true, Label: i18n.T("进入下一环节的日期", "Date the next stage was reached")},
			}},
	},
}

// Transfer is one research result on its way to the market.
type Transfer struct {
	ID               int64      `json:"id,string"`
	Name             string     `json:"name"`
	EnterpriseID     int64      `json:"enterprise_id,string,omitempty"`
	EnterpriseName   string     `json:"enterprise_name,omitempty"`
	UniversityOrgID  int64      `json:"university_org_id,string,omitempty"`
	UniversityName   string     `json:"university_name,omitempty"`
	HostPlatformID   int64      `json:"host_platform_id,string,omitempty" doc:"the platform hosting it, e.g. the offshore innovation centre"`
	HostPlatformName string     `json:"host_platform_name,omitempty"`
	OrgID            int64      `json:"org_id,string"`
	Description      string     `json:"description,omitempty"`
	AmountFen        int64      `json:"amount_fen" doc:"技术合同成交额, if any"`
	Stage            Stage      `json:"stage"`
	ResearchOn       civil.Date `json:"research_on"`
	IncubationOn     civil.Date `json:"incubation_on,omitzero"`
	PilotOn          civil.Date `json:"pilot_on,omitzero"`
	MarketOn         civil.Date `json:"market_on,omitzero"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// StageOn returns the date the item reached stage st (zero if not yet).
func (t Transfer) StageOn(st Stage) civil.Date {
	switch st {
	case Research:
		return t.ResearchOn
	case Incubation:
		return t.IncubationOn
	case Pilot:
		return t.PilotOn
	case Market:
		return t.MarketOn
	}
	return civil.Date{}
}

// TransferInput is the body of create and update. The stage only moves by
// the advance action.
type TransferInput struct {
	Name            string     `json:"name"`
	EnterpriseID    int64      `json:"enterprise_id,string,omitempty"`
	UniversityOrgID int64      `json:"university_org_id,string,omitempty"`
	HostPlatformID  int64      `json:"host_platform_id,string,omitempty"`
	Description     string     `json:"description,omitempty"`
	AmountFen       int64      `json:"amount_fen"`
	ResearchOn      civil.Date `json:"research_on" doc:"the day research began: the item's first stage"`
}

// Validate checks the fields that need no database.
func (in *TransferInput) Validate(today civil.Date) error {
	if err := text("name", &in.Name, 200, true, "成果名称", "name"); err != nil {
		return err
	}
	if in.EnterpriseID == 0 && in.UniversityOrgID == 0 {
		return errs.Invalidf("enterprise_id", "请选择承接企业或来源高校（至少一个）", "Give enterprise_id or university_org_id (or both)")
	}
	if err := text("description", &in.Description, 2000, false, "说明", "description"); err != nil {
		return err
	}
	if err := moneyField("amount_fen", in.AmountFen, "技术合同成交额", "amount_fen"); err != nil {
		return err
	}
	return pastDate("research_on", in.ResearchOn, today, "研发开始日期", "research_on")
}

// anchor checks the references and returns the node the item counts under:
// its enterprise's, or else its university's.
func (in *TransferInput) anchor(ctx context.Context, q store.Querier, p *access.Principal) (anchor, error) {
	var a anchor
	if in.UniversityOrgID != 0 {
		u, err := orgAnchor(ctx, q, in.UniversityOrgID, "university_org_id", org.University)
		if err != nil {
			return a, err
		}
		a = u
	}
	field := "university_org_id"
	if in.EnterpriseID != 0 {
		e, _, err := enterpriseAnchor(ctx, q, in.EnterpriseID, "enterprise_id")
		if err != nil {
			return a, err
		}
		a, field = e, "enterprise_id"
	}
	if in.HostPlatformID != 0 {
		var status PlatformStatus
		err := q.QueryRow(ctx, "SELECT status FROM inn_platforms WHERE id = ?", in.HostPlatformID).Scan(&status)
		if errs.Is(err, errs.NotFound) {
			return a, errs.Invalidf("host_platform_id", "承载平台不存在", "No such platform")
		}
		if err != nil {
			return a, err
		}
		if status != Active {
			return a, errs.Invalidf("host_platform_id", "承载平台已撤销", "The platform has been revoked")
		}
	}
	return a, a.within(p, field)
}

const transferSelect = `SELECT t.id, t.name, t.enterprise_id, COALESCE(e.name, ''), t.university_org_id, COALESCE(u.name, ''),
	t.host_platform_id, COALESCE(pl.name, ''), t.org_id, t.description, t.amount_fen, t.stage, t.research_on, t.incubation_on,
	t.pilot_on, t.market_on, t.created_at, t.updated_at
	FROM inn_transfers t LEFT JOIN enterprises e ON e.id = t.enterprise_id LEFT JOIN orgs u ON u.id = t.university_org_id
	LEFT JOIN inn_platforms pl ON pl.id = t.host_platform_id`

func scanTransfer(sc scanner) (Transfer, error) {
	var t Transfer
	err := sc.Scan(&t.ID, &t.Name, store.Z(&t.EnterpriseID), &t.EnterpriseName, store.Z(&t.UniversityOrgID), &t.UniversityName,
		store.Z(&t.HostPlatformID), &t.HostPlatformName, &t.OrgID, &t.Description, &t.AmountFen, &t.Stage, &t.ResearchOn,
		&t.IncubationOn, &t.PilotOn, &t.MarketOn, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// TransferFilter selects transfers.
type TransferFilter struct {
	Q              string
	Stage          Stage
	EnterpriseID   int64
	HostPlatformID int64
	Page
}

func (f TransferFilter) where(p *access.Principal) (store.Where, error) {
	var w store.Where
	w.Scope(readScope(p, "t", "enterprise_id", false))
	like(&w, f.Q, "t.name", "t.description")
	if f.Stage != "" {
		if _, ok := TransferFlow.State(string(f.Stage)); !ok {
			return w, errs.Invalidf("stage", "环节应为 research、incubation、pilot 或 market", "stage must be research, incubation, pilot or market")
		}
		w.Add("t.stage = ?", f.Stage)
	}
	if f.EnterpriseID != 0 {
		w.Add("t.enterprise_id = ?", f.EnterpriseID)
	}
	if f.HostPlatformID != 0 {
		w.Add("t.host_platform_id = ?", f.HostPlatformID)
	}
	return w, nil
}

// Transfers yields the transfers matching f that p may see.
func (s *Service) Transfers(ctx context.Context, p *access.Principal, f TransferFilter, yield func(Transfer) error) error {
	w, err := f.where(p)
	if err != nil {
		return err
	}
	return each(ctx, s.DB.Read(), transferSelect, w, "t.id", f.Page, scanTransfer, yield)
}

// CountTransfers counts the transfers matching f that p may see.
func (s *Service) CountTransfers(ctx context.Context, p *access.Principal, f TransferFilter) (int, error) {
	w, err := f.where(p)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.DB.Read(), "inn_transfers t", w)
}

// Transfer returns one transfer within p's scope.
func (s *Service) Transfer(ctx context.Context, p *access.Principal, id int64) (Transfer, error) {
	return getTransfer(ctx, s.DB.Read(), readScope(p, "t", "enterprise_id", false), id)
}

func getTransfer(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (Transfer, error) {
	var w store.Where
	w.Add("t.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanTransfer(q.QueryRow(ctx, transferSelect+where, args...))
}

// transferRollup counts (sign +1) or takes back (−1) every stage the item
// has reached, on the day it reached it, under its org node.
func transferRollup(ctx context.Context, tx *store.Tx, t Transfer, sign int64) error {
	for _, st := range Stages {
		if on := t.StageOn(st); !on.IsZero() {
			if err := rollup.Add(ctx, tx, MetricTransfers, on, t.OrgID, string(st), sign); err != nil {
				return err
			}
		}
	}
	return nil
}

// CreateTransfer records an item at its first stage, research.
func (s *Service) CreateTransfer(ctx context.Context, p *access.Principal, in TransferInput) (Transfer, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateTransferTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Transfer{}, err
	}
	return s.Transfer(ctx, p, id)
}

// CreateTransferTx records an item inside tx.
func (s *Service) CreateTransferTx(ctx context.Context, tx *store.Tx, p *access.Principal, in TransferInput) (int64, error) {
	if err := mayWrite(p); err != nil {
		return 0, err
	}
	if err := in.Validate(civil.Of(tx.Now)); err != nil {
		return 0, err
	}
	a, err := in.anchor(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	id, err := tx.Insert(ctx, `INSERT INTO inn_transfers (name, enterprise_id, university_org_id, host_platform_id, org_id, description,
		amount_fen, stage, research_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, store.Null(in.EnterpriseID), store.Null(in.UniversityOrgID), store.Null(in.HostPlatformID), a.OrgID, in.Description,
		in.AmountFen, Research, in.ResearchOn, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	if err := transferRollup(ctx, tx, Transfer{OrgID: a.OrgID, ResearchOn: in.ResearchOn}, 1); err != nil {
		return 0, err
	}
	ev := &flow.Event{Entity: TransferEntity, EntityID: id, Action: "create", To: string(Research), On: in.ResearchOn,
		ActorID: p.UserID, Actor: p.Actor()}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: TransferEntity + ".create", Object: TransferEntity, ObjectID: id, Summary: in})
}

// UpdateTransfer changes what an item is, who carries it and when research
// began; its counts move with its org node.
func (s *Service) UpdateTransfer(ctx context.Context, p *access.Principal, id int64, in TransferInput) (Transfer, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		if err := mayWrite(p); err != nil {
			return err
		}
		if err := in.Validate(civil.Of(tx.Now)); err != nil {
			return err
		}
		old, err := getTransfer(ctx, tx, writeScope(p, "t"), id)
		if err != nil {
			return err
		}
		if next := old.StageOn(Incubation); !next.IsZero() && in.ResearchOn.After(next) {
			return errs.Invalidf("research_on", "研发开始日期不能晚于进入孵化的日期 %s", "research_on cannot be after the incubation date %s", next)
		}
		a, err := in.anchor(ctx, tx, p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inn_transfers SET name = ?, enterprise_id = ?, university_org_id = ?, host_platform_id = ?, org_id = ?,
			description = ?, amount_fen = ?, research_on = ?, updated_at = ? WHERE id = ?`,
			in.Name, store.Null(in.EnterpriseID), store.Null(in.UniversityOrgID), store.Null(in.HostPlatformID), a.OrgID, in.Description,
			in.AmountFen, in.ResearchOn, tx.Now, id); err != nil {
			return err
		}
		moved := old
		moved.OrgID, moved.ResearchOn = a.OrgID, in.ResearchOn
		if err := transferRollup(ctx, tx, old, -1); err != nil {
			return err
		}
		if err := transferRollup(ctx, tx, moved, 1); err != nil {
			return err
		}
		before := TransferInput{Name: old.Name, EnterpriseID: old.EnterpriseID, UniversityOrgID: old.UniversityOrgID, HostPlatformID: old.HostPlatformID,
			Description: old.Description, AmountFen: old.AmountFen, ResearchOn: old.ResearchOn}
		return audit.Append(ctx, tx, audit.Entry{Action: TransferEntity + ".update", Object: TransferEntity, ObjectID: id, Summary: audit.Change(before, in)})
	})
	if err != nil {
		return Transfer{}, err
	}
	return s.Transfer(ctx, p, id)
}

// Act takes a workflow action on an item: 404 if p cannot see it or may not
// change it, 403 for a role that may not act, 409 from the last stage, 400
// for a bad body or a date in the future or before the current stage's.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Transfer, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return s.ActTx(ctx, tx, p, id, action, body)
	})
	if err != nil {
		return Transfer{}, err
	}
	return s.Transfer(ctx, p, id)
}

// ActTx takes a workflow action inside tx.
func (s *Service) ActTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte) error {
	t, err := getTransfer(ctx, tx, readScope(p, "t", "enterprise_id", false), id)
	if err != nil {
		return err
	}
	step, err := TransferFlow.Begin(string(t.Stage), action, p, body)
	if err != nil {
		return err
	}
	if _, err := getTransfer(ctx, tx, writeScope(p, "t"), id); err != nil {
		return err
	}
	next := t.Stage.Next()
	step.To = string(next)
	on := step.Input.Date("date")
	if err := flow.CheckDate("date", on, t.StageOn(t.Stage), civil.Of(tx.Now)); err != nil {
		return err
	}
	if err := tx.ExecOne(ctx, "UPDATE inn_transfers SET stage = ?, "+next.column()+" = ?, updated_at = ? WHERE id = ? AND stage = ?",
		next, on, tx.Now, id, t.Stage); err != nil {
		return err
	}
	if err := rollup.Add(ctx, tx, MetricTransfers, on, t.OrgID, string(next), 1); err != nil {
		return err
	}
	_, err = step.Record(ctx, tx, TransferEntity, id, on)
	return err
}

// TransferEvents returns the history of an item p may see, oldest first.
func (s *Service) TransferEvents(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.Transfer(ctx, p, id); err != nil {
		return nil, err
	}
	return flow.Events(ctx, s.DB.Read(), TransferEntity, id)
}
