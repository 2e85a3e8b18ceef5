package service

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// ScoreLabel is the name of an evaluation level (GB/T 39734).
func ScoreLabel(score int) i18n.Text {
	switch score {
	case 5:
		return i18n.T("非常满意", "Very satisfied")
	case 4:
		return i18n.T("满意", "Satisfied")
	case 3:
		return i18n.T("基本满意", "Basically satisfied")
	case 2:
		return i18n.T("不满意", "Dissatisfied")
	case 1:
		return i18n.T("非常不满意", "Very dissatisfied")
	}
	return i18n.T("—", "—")
}

// Evaluation is the one evaluation (好差评) of a case.
type Evaluation struct {
	ID          int64      `json:"id,string"`
	CaseID      int64      `json:"case_id,string"`
	SiteID      int64      `json:"site_id,string"`
	Score       int        `json:"score"`
	Comment     string     `json:"comment"`
	Channel     string     `json:"channel" doc:"online (the applicant) or window (recorded by the clerk)"`
	EvaluatedOn civil.Date `json:"evaluated_on"`
	BadReviewID int64      `json:"bad_review_id,string,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// EvaluationInput is the body of an evaluation.
type EvaluationInput struct {
	Score   int    `json:"score" doc:"5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"`
	Comment string `json:"comment"`
}

// evaluable are the states in which a case's service is over and can be
// rated.
var evaluable = []string{Concluded, Delivered, NotAccepted, Returned}

// Settings are the service network's adjustable settings.
type Settings struct {
	BadReviewWorkdays int `json:"bad_review_workdays" doc:"working days allowed to rectify a bad review (default 15)"`
}

// SettingsKey is the key of the settings in the settings table.
const SettingsKey = "service"

// DefaultSettings are the settings before anyone changes them.
var DefaultSettings = Settings{BadReviewWorkdays: 15}

// LoadSettings returns the current settings.
func LoadSettings(ctx context.Context, q store.Querier) (Settings, error) {
	st := DefaultSettings
	err := settings.Load(ctx, q, SettingsKey, &st)
	return st, err
}

// SaveSettings stores new settings (service office).
func (s *Service) SaveSettings(ctx context.Context, p *access.Principal, st Settings) (Settings, error) {
	if p == nil || (!p.System && !p.Has(access.ServiceOffice)) {
		return st, errs.Forbiddenf("只有营商办可以修改设置", "Only the service office changes the settings")
	}
	if st.BadReviewWorkdays < 1 || st.BadReviewWorkdays > 60 {
		return st, errs.Invalidf("bad_review_workdays", "差评整改时限应在1到60个工作日之间", "bad_review_workdays must be between 1 and 60")
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		before, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		return settings.Save(ctx, tx, SettingsKey, before, st)
	})
	return st, err
}

// Evaluate records the evaluation of a case now.
func (s *Service) Evaluate(ctx context.Context, p *access.Principal, caseID int64, in EvaluationInput) (Evaluation, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.EvaluateTx(ctx, tx, p, caseID, in, tx.Now)
		return err
	})
	if err != nil {
		return Evaluation{}, err
	}
	return s.evaluation(ctx, s.DB.Read(), id)
}

// EvaluateTx records an evaluation inside tx at time at. The applicant
// rates online; a clerk records the rating given at the window. A score of
// 1 or 2 opens a bad review.
func (s *Service) EvaluateTx(ctx context.Context, tx *store.Tx, p *access.Principal, caseID int64, in EvaluationInput, at time.Time) (int64, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	switch {
	case in.Score < 1 || in.Score > 5:
		return 0, errs.Invalidf("score", "评分应为1到5", "score must be from 1 to 5")
	case utf8.RuneCountInString(in.Comment) > 500:
		return 0, errs.Invalidf("comment", "评价内容不能超过500字", "comment must be at most 500 characters")
	case !p.System && !p.Has(access.Enterprise, access.Clerk):
		return 0, errs.Forbiddenf("评价由申请企业在网上作出，或由窗口登记现场评价", "The applicant rates online, or the window records the rating given there")
	}
	var sc access.Scope
	switch {
	case p.System:
		sc.All()
	default:
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or("c.enterprise_id = ?", p.EnterpriseID)
		}
		if p.Has(access.Clerk) && p.SiteID != 0 {
			sc.Or("c.site_id = ?", p.SiteID)
		}
	}
	c, err := caseForWrite(ctx, tx, &sc, caseID)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(evaluable, c.Status) {
		st, _ := CaseFlow.State(c.Status)
		return 0, errs.Conflictf("办件「%s」，办理完毕后才能评价", "The case is “%s”: it can be rated once it is finished", st.Label)
	}
	channel := "window"
	if p.Has(access.Enterprise) && !p.Has(access.Clerk) || (p.System && c.Channel == Online) {
		channel = "online"
	}
	on := civil.Of(at)
	if on.Before(c.lastOn) {
		on = c.lastOn
	}
	id, err := tx.Insert(ctx, `INSERT INTO evaluations (case_id, site_id, org_id, score, comment, channel, evaluated_on, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, caseID, c.SiteID, c.OrgID, in.Score, in.Comment, channel, on, tx.Now, store.Null(p.UserID))
	if errs.Is(err, errs.Conflict) {
		return 0, errs.New(errs.Conflict, "case_id", i18n.T("该办件已经评价过，每件只能评价一次", "This case has already been rated: one evaluation per case"))
	}
	if err != nil {
		return 0, err
	}
	if err := audit.Append(ctx, tx, audit.Entry{Action: "case.evaluate", Object: "case", ObjectID: caseID,
		Summary: map[string]any{"score": in.Score, "channel": channel}}); err != nil {
		return 0, err
	}
	if err := countEvaluation(txAdder(ctx, tx), on, c.OrgID, c.SiteID, in.Score); err != nil {
		return 0, err
	}
	if in.Score <= 2 {
		if _, err := s.openBadReview(ctx, tx, &c, id, in.Score, on, at); err != nil {
			return 0, err
		}
	}
	return id, nil
}

func (s *Service) evaluation(ctx context.Context, q store.Querier, id int64) (Evaluation, error) {
	var e Evaluation
	err := q.QueryRow(ctx, `SELECT v.id, v.case_id, v.site_id, v.score, v.comment, v.channel, v.evaluated_on, COALESCE(b.id, 0), v.created_at
		FROM evaluations v LEFT JOIN bad_reviews b ON b.evaluation_id = v.id WHERE v.id = ?`, id).
		Scan(&e.ID, &e.CaseID, &e.SiteID, &e.Score, &e.Comment, &e.Channel, &e.EvaluatedOn, &e.BadReviewID, &e.CreatedAt)
	return e, err
}

// CaseEvaluation returns the evaluation of a case p may see.
func (s *Service) CaseEvaluation(ctx context.Context, p *access.Principal, caseID int64) (Evaluation, error) {
	q := s.DB.Read()
	if _, err := s.getCase(ctx, q, ReadCaseScope(p, "c"), caseID); err != nil {
		return Evaluation{}, err
	}
	var id int64
	if err := q.QueryRow(ctx, "SELECT id FROM evaluations WHERE case_id = ?", caseID).Scan(&id); err != nil {
		return Evaluation{}, err
	}
	return s.evaluation(ctx, q, id)
}

// Bad-review states.
const (
	Verifying  = "verifying"
	Rectifying = "rectifying"
	Explained  = "explained"
	Revisited  = "revisited"
	Closed     = "closed"
)

// BadReviewFlow is the rectification of a bad review: verify it, then
// rectify (整改) or explain (解释说明) where there is nothing to put right,
// revisit the applicant, close.
var BadReviewFlow = flow.Def{
	Entity:  "bad_review",
	Initial: Verifying,
	States: []flow.State{
		{Name: Verifying, Label: i18n.T("核实中", "Verifying")},
		{Name: Rectifying, Label: i18n.T("整改中", "Rectifying")},
		{Name: Explained, Label: i18n.T("已解释说明", "Explained")},
		{Name: Revisited, Label: i18n.T("已回访", "Revisited")},
		{Name: Closed, Label: i18n.T("已办结", "Closed"), Terminal: true},
	},
	Actions: []flow.Action{
		{Name: "rectify", Label: i18n.T("核实属实，整改", "Verified: rectify"), From: []string{Verifying}, To: Rectifying,
			Roles: []access.Role{access.ServiceOffice}},
		{Name: "explain", Label: i18n.T("解释说明", "Explain"), From: []string{Verifying}, To: Explained,
			Roles: []access.Role{access.ServiceOffice}},
		{Name: "revisit", Label: i18n.T("回访", "Revisit"), From: []string{Rectifying, Explained}, To: Revisited,
			Roles: []access.Role{access.ServiceOffice},
			Fields: []flow.Field{{Name: "rating", Kind: flow.Enum, Enum: []string{"satisfied", "basically_satisfied", "unsatisfied"},
				Label: i18n.T("回访满意度", "Rating at the revisit")}}},
		{Name: "close", Label: i18n.T("办结", "Close"), From: []string{Revisited}, To: Closed,
			Roles: []access.Role{access.ServiceOffice}, Clock: flow.Stop},
	},
}

// BadReview is the rectification opened by a bad review.
type BadReview struct {
	ID           int64      `json:"id,string"`
	CaseID       int64      `json:"case_id,string"`
	CaseNumber   string     `json:"case_number"`
	MatterName   string     `json:"matter_name"`
	EvaluationID int64      `json:"evaluation_id,string"`
	SiteID       int64      `json:"site_id,string"`
	SiteName     string     `json:"site_name"`
	EnterpriseID int64      `json:"enterprise_id,string,omitempty"`
	Score        int        `json:"score"`
	Comment      string     `json:"comment"`
	Status       string     `json:"status"`
	OpenedOn     civil.Date `json:"opened_on"`
	DueOn        civil.Date `json:"due_on"`
	ClosedOn     civil.Date `json:"closed_on"`
	Overdue      bool       `json:"overdue"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`

	lastOn civil.Date
	orgID  int64
}

func (s *Service) openBadReview(ctx context.Context, tx *store.Tx, c *Case, evalID int64, score int, on civil.Date, at time.Time) (int64, error) {
	st, err := LoadSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	var k calendar.Clock
	s.Cal.Start(&k, on, st.BadReviewWorkdays)
	id, err := tx.Insert(ctx, `INSERT INTO bad_reviews (case_id, evaluation_id, site_id, org_id, enterprise_id, score, status, opened_on,
		limit_workdays, due_on, last_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ID, evalID, c.SiteID, c.OrgID, store.Null(c.EnterpriseID), score, Verifying, on, k.Limit, k.DueOn, on, tx.Now, tx.Now)
	if err != nil {
		return 0, err
	}
	ev := &flow.Event{Entity: "bad_review", EntityID: id, Action: "open", To: Verifying, On: on, At: at, Actor: "system",
		Data: map[string]any{"case_id": strconv.FormatInt(c.ID, 10), "score": score, "due_on": k.DueOn.String()}}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	return id, audit.Append(ctx, tx, audit.Entry{Action: "bad_review.open", Object: "bad_review", ObjectID: id,
		Summary: map[string]any{"case_id": c.ID, "score": score, "due_on": k.DueOn.String()}})
}

// readBadReviewScope is who sees a bad review: the service office and
// leaders in their subtree, the clerks of its site, the enterprise that gave
// it.
func readBadReviewScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree("b.org_id", p.OrgPath)
		}
		if p.Has(access.Clerk) && p.SiteID != 0 {
			sc.Or("b.site_id = ?", p.SiteID)
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or("b.enterprise_id = ?", p.EnterpriseID)
		}
	}
	return sc
}

func writeBadReviewScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree("b.org_id", p.OrgPath)
	}
	return sc
}

const badCols = `b.id, b.case_id, c.number, m.name, b.evaluation_id, b.site_id, st.name, b.enterprise_id, b.score, v.comment, b.status,
	b.opened_on, b.due_on, b.closed_on, b.last_on, b.org_id, b.created_at, b.updated_at`

const badFrom = ` FROM bad_reviews b JOIN cases c ON c.id = b.case_id JOIN matters m ON m.id = c.matter_id JOIN sites st ON st.id = b.site_id
	JOIN evaluations v ON v.id = b.evaluation_id`

func scanBad(sc interface{ Scan(...any) error }, today civil.Date) (BadReview, error) {
	var b BadReview
	err := sc.Scan(&b.ID, &b.CaseID, &b.CaseNumber, &b.MatterName, &b.EvaluationID, &b.SiteID, &b.SiteName, store.Z(&b.EnterpriseID),
		&b.Score, &b.Comment, &b.Status, &b.OpenedOn, &b.DueOn, &b.ClosedOn, &b.lastOn, &b.orgID, &b.CreatedAt, &b.UpdatedAt)
	if b.ClosedOn.IsZero() {
		b.Overdue = today.After(b.DueOn)
	} else {
		b.Overdue = b.ClosedOn.After(b.DueOn)
	}
	return b, err
}

// GetBadReview returns one bad review within p's scope.
func (s *Service) GetBadReview(ctx context.Context, p *access.Principal, id int64) (BadReview, error) {
	return s.getBad(ctx, s.DB.Read(), readBadReviewScope(p), id)
}

func (s *Service) getBad(ctx context.Context, q store.Querier, sc *access.Scope, id int64) (BadReview, error) {
	var w store.Where
	w.Add("b.id = ?", id)
	w.Scope(sc)
	where, args := w.SQL()
	return scanBad(q.QueryRow(ctx, "SELECT "+badCols+badFrom+where, args...), s.today())
}

// BadReviewFilter selects bad reviews.
type BadReviewFilter struct {
	Status   string
	SiteID   int64
	Overdue  bool
	BeforeID int64
	Limit    int
}

// ListBadReviews returns bad reviews, newest first, and the total.
func (s *Service) ListBadReviews(ctx context.Context, p *access.Principal, f BadReviewFilter) ([]BadReview, int, error) {
	var w store.Where
	w.Scope(readBadReviewScope(p))
	if f.Status != "" {
		if _, ok := BadReviewFlow.State(f.Status); !ok {
			return nil, 0, errs.Invalidf("status", "状态无效", "Invalid status")
		}
		w.Add("b.status = ?", f.Status)
	}
	if f.SiteID != 0 {
		w.Add("b.site_id = ?", f.SiteID)
	}
	today := s.today()
	if f.Overdue {
		w.Add("((b.closed_on IS NULL AND ? > b.due_on) OR b.closed_on > b.due_on)", today)
	}
	q := s.DB.Read()
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM bad_reviews b"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.BeforeID > 0 {
		w.Add("b.id < ?", f.BeforeID)
		where, args = w.SQL()
	}
	query := "SELECT " + badCols + badFrom + where + " ORDER BY b.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []BadReview
	for rows.Next() {
		b, err := scanBad(rows, today)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, b)
	}
	return out, total, rows.Err()
}

// ActOnBadReview takes a rectification action now.
func (s *Service) ActOnBadReview(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (BadReview, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error { return s.ActOnBadReviewTx(ctx, tx, p, id, action, body, tx.Now) })
	if err != nil {
		return BadReview{}, err
	}
	return s.GetBadReview(ctx, p, id)
}

// ActOnBadReviewTx takes a rectification action inside tx at time at.
func (s *Service) ActOnBadReviewTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte, at time.Time) error {
	b, err := s.getBad(ctx, tx, writeBadReviewScope(p), id)
	if err != nil {
		return err
	}
	step, err := BadReviewFlow.Begin(b.Status, action, p, body)
	if err != nil {
		return err
	}
	on := civil.Of(at)
	if err := flow.CheckDate("date", on, b.lastOn, civil.Of(tx.Now)); err != nil {
		return err
	}
	closed := b.ClosedOn
	if step.To == Closed {
		closed = on
		if err := txAdder(ctx, tx)(mBadClosed, on, b.orgID, siteDim(b.SiteID), 1); err != nil {
			return err
		}
	}
	if err := tx.ExecOne(ctx, "UPDATE bad_reviews SET status = ?, closed_on = ?, last_on = ?, updated_at = ? WHERE id = ?",
		step.To, closed, on, tx.Now, id); err != nil {
		return err
	}
	_, err = step.Record(ctx, tx, "bad_review", id, on)
	return err
}

// BadReviewEvents returns a bad review's history, oldest first.
func (s *Service) BadReviewEvents(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.GetBadReview(ctx, p, id); err != nil {
		return nil, err
	}
	return flow.Events(ctx, s.DB.Read(), "bad_review", id)
}

// StatusLabel is the name of the bad review's state.
func (b BadReview) StatusLabel() i18n.Text {
	st, _ := BadReviewFlow.State(b.Status)
	return st.Label
}
