package appeal

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Service files appeals and moves them through the workflow.
type Service struct {
	DB          *store.DB
	Cal         *calendar.Calendar
	Enterprises *enterprise.Service
	// CheckProject, when set, checks that a key project exists and belongs
	// to the enterprise; the projects module sets it. Without it a project
	// id is taken as given.
	CheckProject func(ctx context.Context, q store.Querier, projectID, enterpriseID int64) error
}

func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

// ReadScope returns the predicate of the appeals p may see, over the table
// alias: leaders and the service office their org subtree; the project
// office the project problems in its subtree; a clerk what it filed; a
// cadre its assigned enterprises' appeals and what it filed; a department
// what is dispatched to it (as lead or co-department); an enterprise its
// own. Administrators see none.
func (s *Service) ReadScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if p.Has(access.ProjectOffice) {
			if p.OrgPath == "/" || p.OrgPath == "" {
				sc.Or(alias + ".project_id IS NOT NULL")
			} else {
				sc.Or(alias+".project_id IS NOT NULL AND "+alias+".org_id IN (SELECT id FROM orgs WHERE path LIKE ?)", p.OrgPath+"%")
			}
		}
		if p.Has(access.Clerk) {
			sc.Or(alias+".filed_by = ?", p.UserID)
		}
		if p.Has(access.Cadre) {
			sc.Or(alias+".filed_by = ? OR "+alias+".enterprise_id IN (SELECT id FROM enterprises WHERE cadre_user_id = ?)", p.UserID, p.UserID)
		}
		if p.Has(access.Department) && validPath(p.OrgPath) {
			sc.Or(alias+".id IN (SELECT ad.appeal_id FROM appeal_departments ad JOIN orgs ado ON ado.id = ad.org_id WHERE ado.path LIKE ?)", p.OrgPath+"%")
		}
		if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
			sc.Or(alias+".enterprise_id = ?", p.EnterpriseID)
		}
	}
	return sc
}

// validPath reports whether a department user's org path is a real node
// below the root: a department term must never widen to everything.
func validPath(path string) bool { return len(path) > 1 && strings.HasPrefix(path, "/") }

// EnterpriseTerm lets a department see the enterprises whose appeals are
// dispatched to it (enterprise.ScopeTerm).
func EnterpriseTerm(p *access.Principal, sc *access.Scope, alias string) {
	if p.Has(access.Department) && validPath(p.OrgPath) {
		sc.Or(alias+".id IN (SELECT ta.enterprise_id FROM appeals ta JOIN appeal_departments tad ON tad.appeal_id = ta.id "+
			"JOIN orgs tao ON tao.id = tad.org_id WHERE tao.path LIKE ?)", p.OrgPath+"%")
	}
}

const cols = `a.id, COALESCE(a.no, ''), a.enterprise_id, e.name, a.org_id, a.channel, a.category, a.urgency, a.content,
	a.contact_name, a.address, a.lat, a.lng, a.media_url, a.visit_id, a.visit_flag, a.project_id, a.filed_by, a.filed_by_name,
	a.state, a.supervised, a.department_org_id, COALESCE(d.name, ''), COALESCE(d.path, ''), a.received_on, a.requested_at,
	a.accepted_on, a.dispatched_on, a.sign_due_on, a.signed_on, a.clock_limit, a.due_on, a.extensions, a.replied_on, a.reply,
	a.revisited_on, a.rating, a.resolved, a.closed_on, a.overdue_from, a.overdue_notified, a.stage_on, a.rev, a.created_at, a.updated_at`

const from = ` FROM appeals a JOIN enterprises e ON e.id = a.enterprise_id LEFT JOIN orgs d ON d.id = a.department_org_id`

func scan(sc interface{ Scan(...any) error }) (Appeal, error) {
	var a Appeal
	var rating string
	err := sc.Scan(&a.ID, &a.No, &a.EnterpriseID, &a.EnterpriseName, &a.OrgID, &a.Channel, &a.Category, &a.Urgency, &a.Content,
		&a.ContactName, &a.Address, &a.Lat, &a.Lng, &a.MediaURL, store.Z(&a.VisitID), &a.VisitFlag, store.Z(&a.ProjectID), store.Z(&a.FiledBy), &a.FiledByName,
		&a.State, &a.Supervised, store.Z(&a.DepartmentOrgID), &a.DepartmentName, &a.leadPath, &a.ReceivedOn, &a.RequestedAt,
		&a.AcceptedOn, &a.DispatchedOn, &a.SignDueOn, &a.SignedOn, &a.LimitWorkdays, &a.DueOn, &a.Extensions, &a.RepliedOn, &a.Reply,
		&a.RevisitedOn, store.Z(&rating), &a.Resolved, &a.ClosedOn, &a.overdueFrom, &a.notified, &a.stageOn, &a.rev, &a.CreatedAt, &a.UpdatedAt)
	a.Rating = Rating(rating)
	return a, err
}

// present fills what is derived for the reader: the state's label, the
// overdue flag and light, the co-departments and the actions p may take.
func (s *Service) present(ctx context.Context, q store.Querier, p *access.Principal, lang i18n.Lang, as []Appeal) error {
	if len(as) == 0 {
		return nil
	}
	today := s.today()
	ids := make([]int64, len(as))
	index := map[int64]int{}
	for i := range as {
		ids[i] = as[i].ID
		index[as[i].ID] = i
		as[i].CoDepartmentIDs, as[i].CoDepartmentNames = []int64{}, []string{}
	}
	in, args := store.In(ids)
	rows, err := q.Query(ctx, `SELECT ad.appeal_id, ad.org_id, o.name FROM appeal_departments ad JOIN orgs o ON o.id = ad.org_id
		WHERE ad.lead = FALSE AND ad.appeal_id IN (`+in+`) ORDER BY ad.appeal_id, o.id`, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, oid int64
		var name string
		if err := rows.Scan(&id, &oid, &name); err != nil {
			rows.Close()
			return err
		}
		a := &as[index[id]]
		a.CoDepartmentIDs = append(a.CoDepartmentIDs, oid)
		a.CoDepartmentNames = append(a.CoDepartmentNames, name)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for i := range as {
		a := &as[i]
		a.StateLabel = Flow.StateLabel(a.State, lang)
		a.Overdue = a.Open() && !a.overdueFrom.IsZero() && !a.overdueFrom.After(today)
		a.Light = string(s.light(a, today))
		a.Actions = []string{}
		for _, act := range Flow.Allowed(a.State, actorOf(p)) {
			if s.mayTake(p, a, act.Name, today) == nil {
				a.Actions = append(a.Actions, act.Name)
			}
		}
	}
	return nil
}

// light is the traffic light of the appeal's current deadline: the reply
// clock while it runs, the sign limit before the department signs.
func (s *Service) light(a *Appeal, today civil.Date) calendar.Signal {
	switch {
	case a.Overdue:
		return calendar.Red
	case !slices.Contains(runningStates, a.State):
		return calendar.Green
	case a.State == StateDispatched && today.After(a.SignDueOn):
		return calendar.Yellow
	}
	k := a.clock()
	return s.Cal.Light(&k, today)
}

// actorOf is the principal the workflow checks: the system (jobs, the
// demo) may take every action.
func actorOf(p *access.Principal) *access.Principal {
	if p == nil || !p.System {
		return p
	}
	cp := *p
	cp.Roles = nil
	for _, r := range access.Roles {
		if !r.IsAdmin() {
			cp.Roles = append(cp.Roles, r)
		}
	}
	return &cp
}

// mayTake applies the rules beyond role and state: only the lead
// department acts on a dispatch, and extends it only before it is due; only
// an unsatisfied revisit reopens.
func (s *Service) mayTake(p *access.Principal, a *Appeal, action string, on civil.Date) error {
	switch action {
	case "sign", "request_return", "extend", "reply":
		if !p.System && !(a.leadPath != "" && validPath(p.OrgPath) && strings.HasPrefix(a.leadPath, p.OrgPath)) {
			return errs.Forbiddenf("只有牵头部门可以签收、退单、延期和答复", "Only the lead department signs, returns, extends and replies")
		}
		if action == "extend" && on.After(a.DueOn) {
			return errs.Conflictf("已超过答复期限，不能再延期", "The due day has passed; it can no longer be extended")
		}
	case "reopen":
		if a.Rating != Unsatisfied {
			return errs.Conflictf("只有回访不满意的诉求可以重办", "Only an appeal rated unsatisfied can be reopened")
		}
	}
	return nil
}

func (s *Service) getTx(ctx context.Context, q store.Querier, p *access.Principal, id int64) (Appeal, error) {
	var w store.Where
	w.Add("a.id = ?", id)
	w.Scope(s.ReadScope(p, "a"))
	where, args := w.SQL()
	return scan(q.QueryRow(ctx, "SELECT "+cols+from+where, args...))
}

// Get returns one appeal within p's scope (404 otherwise).
func (s *Service) Get(ctx context.Context, p *access.Principal, id int64) (Appeal, error) {
	q := s.DB.Read()
	a, err := s.getTx(ctx, q, p, id)
	if err != nil {
		return a, err
	}
	as := []Appeal{a}
	err = s.present(ctx, q, p, i18n.From(ctx), as)
	return as[0], err
}

// ByNo returns the appeal with a number within p's scope.
func (s *Service) ByNo(ctx context.Context, p *access.Principal, no string) (Appeal, error) {
	var id int64
	if err := s.DB.Read().QueryRow(ctx, "SELECT id FROM appeals WHERE no = ?", no).Scan(&id); err != nil {
		return Appeal{}, err
	}
	return s.Get(ctx, p, id)
}

// Events returns the history of an appeal p may see, oldest first.
func (s *Service) Events(ctx context.Context, p *access.Principal, id int64) ([]flow.Event, error) {
	if _, err := s.getTx(ctx, s.DB.Read(), p, id); err != nil {
		return nil, err
	}
	evs, err := flow.Events(ctx, s.DB.Read(), Flow.Entity, id)
	if evs == nil {
		evs = []flow.Event{}
	}
	return evs, err
}

// Filter selects appeals.
type Filter struct {
	Q               string
	State           string // a state, or "open"
	Category        Category
	Channel         Channel
	Urgency         Urgency
	EnterpriseID    int64
	DepartmentOrgID int64 // dispatched to it, as lead or co-department
	ProjectID       int64
	VisitID         int64
	Supervised      *bool
	Overdue         bool
	// Inbox keeps the appeals waiting for a department: dispatched, return
	// requested or signed, soonest due first.
	Inbox    bool
	From, To civil.Date // received between
	// Requested between (inclusive), for Open311 clients.
	RequestedFrom, RequestedTo time.Time
	Categories                 []Category // any of these
	Nos                        []string   // any of these numbers
	ByDue                      bool       // soonest due first instead of newest first
	After                      string     // cursor
	Limit                      int
}

func (s *Service) where(p *access.Principal, f Filter) (store.Where, error) {
	var w store.Where
	w.Scope(s.ReadScope(p, "a"))
	today := s.today()
	if f.Q != "" {
		like := store.Like("%", f.Q, "%")
		w.Add("(a.no = ? OR a.content LIKE ? ESCAPE '\\' OR e.name LIKE ? ESCAPE '\\')", strings.ToUpper(f.Q), like, like)
	}
	switch {
	case f.State == "open":
		w.Add("a.state <> ?", StateClosed)
	case f.State != "":
		if _, ok := Flow.State(f.State); !ok {
			return w, errs.Invalidf("state", "状态 %s 无效", "Unknown state %s", f.State)
		}
		w.Add("a.state = ?", f.State)
	}
	if f.Category != "" {
		if !f.Category.Valid() {
			return w, errs.Invalidf("category", "类别 %s 无效", "Unknown category %s", string(f.Category))
		}
		w.Add("a.category = ?", f.Category)
	}
	if f.Channel != "" {
		if !f.Channel.Valid() {
			return w, errs.Invalidf("channel", "渠道 %s 无效", "Unknown channel %s", string(f.Channel))
		}
		w.Add("a.channel = ?", f.Channel)
	}
	if f.Urgency != "" {
		if !f.Urgency.Valid() {
			return w, errs.Invalidf("urgency", "紧急程度 %s 无效", "Unknown urgency %s", string(f.Urgency))
		}
		w.Add("a.urgency = ?", f.Urgency)
	}
	if f.EnterpriseID != 0 {
		w.Add("a.enterprise_id = ?", f.EnterpriseID)
	}
	if f.DepartmentOrgID != 0 {
		w.Add("a.id IN (SELECT appeal_id FROM appeal_departments WHERE org_id = ?)", f.DepartmentOrgID)
	}
	if f.ProjectID != 0 {
		w.Add("a.project_id = ?", f.ProjectID)
	}
	if f.VisitID != 0 {
		w.Add("a.visit_id = ?", f.VisitID)
	}
	if f.Supervised != nil {
		w.Add("a.supervised = ?", *f.Supervised)
	}
	if f.Overdue {
		w.Add("a.state <> ? AND a.overdue_from IS NOT NULL AND a.overdue_from <= ?", StateClosed, today)
	}
	if f.Inbox {
		in, args := store.In(runningStates)
		w.Add("a.state IN ("+in+")", args...)
	}
	if !f.From.IsZero() {
		w.Add("a.received_on >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.Add("a.received_on <= ?", f.To)
	}
	if !f.RequestedFrom.IsZero() {
		w.Add("a.requested_at >= ?", f.RequestedFrom.UTC())
	}
	if !f.RequestedTo.IsZero() {
		w.Add("a.requested_at <= ?", f.RequestedTo.UTC())
	}
	if len(f.Categories) > 0 {
		in, args := store.In(f.Categories)
		w.Add("a.category IN ("+in+")", args...)
	}
	if len(f.Nos) > 0 {
		in, args := store.In(f.Nos)
		w.Add("a.no IN ("+in+")", args...)
	}
	return w, nil
}

// List returns one page of appeals and the total; the next cursor is the
// last row's.
func (s *Service) List(ctx context.Context, p *access.Principal, f Filter) ([]Appeal, int, string, error) {
	q := s.DB.Read()
	w, err := s.where(p, f)
	if err != nil {
		return nil, 0, "", err
	}
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+from+where, args...).Scan(&total); err != nil {
		return nil, 0, "", err
	}
	var out []Appeal
	err = s.each(ctx, q, p, w, f, func(a Appeal) error { out = append(out, a); return nil })
	if err != nil {
		return nil, 0, "", err
	}
	if err := s.present(ctx, q, p, i18n.From(ctx), out); err != nil {
		return nil, 0, "", err
	}
	next := ""
	if f.Limit > 0 && len(out) == f.Limit {
		last := out[len(out)-1]
		if f.ByDue || f.Inbox {
			next = encodeCursor(dueKey(last.DueOn), last.ID)
		} else {
			next = encodeCursor("", last.ID)
		}
	}
	return out, total, next, nil
}

// Each streams every appeal matching f (exports), presenting them in
// batches over other connections of the reader pool.
func (s *Service) Each(ctx context.Context, p *access.Principal, f Filter, yield func(Appeal) error) error {
	q := s.DB.Read()
	w, err := s.where(p, f)
	if err != nil {
		return err
	}
	f.Limit = 0
	lang := i18n.From(ctx)
	batch := make([]Appeal, 0, 100)
	flush := func() error {
		if err := s.present(ctx, q, p, lang, batch); err != nil {
			return err
		}
		for _, a := range batch {
			if err := yield(a); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err = s.each(ctx, q, p, w, f, func(a Appeal) error {
		batch = append(batch, a)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

func dueKey(d civil.Date) string {
	if d.IsZero() {
		return "9999-12-31"
	}
	return d.String()
}

func encodeCursor(due string, id int64) string { return due + "|" + strconv.FormatInt(id, 10) }

func decodeCursor(c string) (string, int64, error) {
	due, idS, ok := strings.Cut(c, "|")
	id, err := strconv.ParseInt(idS, 10, 64)
	if !ok || err != nil || id <= 0 {
		return "", 0, errs.Invalidf("cursor", "翻页游标无效，请从第一页重新查询", "The cursor is invalid; start again from the first page")
	}
	return due, id, nil
}

func (s *Service) each(ctx context.Context, q store.Querier, p *access.Principal, w store.Where, f Filter, yield func(Appeal) error) error {
	order := " ORDER BY a.id DESC"
	byDue := f.ByDue || f.Inbox
	if byDue {
		order = " ORDER BY COALESCE(a.due_on, '9999-12-31'), a.id"
	}
	if f.After != "" {
		due, id, err := decodeCursor(f.After)
		if err != nil {
			return err
		}
		if byDue {
			w.Add("(COALESCE(a.due_on, '9999-12-31') > ? OR (COALESCE(a.due_on, '9999-12-31') = ? AND a.id > ?))", due, due, id)
		} else {
			w.Add("a.id < ?", id)
		}
	}
	where, args := w.SQL()
	query := "SELECT " + cols + from + where + order
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return err
		}
		if err := yield(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// staffRoles file appeals for any enterprise they can see; filers add the
// enterprise, which files for itself.
var (
	staffRoles = []access.Role{access.Cadre, access.Clerk, access.ServiceOffice}
	filers     = append([]access.Role{access.Enterprise}, staffRoles...)
)

// Create files an appeal and returns it.
func (s *Service) Create(ctx context.Context, p *access.Principal, in Input) (Appeal, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.CreateTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return Appeal{}, err
	}
	return s.Get(ctx, p, id)
}

// CreateTx files an appeal inside tx. An enterprise files online for
// itself; staff file for an enterprise they can see, from any other
// channel ("report as" the enterprise), and may back-enter the day a
// meeting received it.
func (s *Service) CreateTx(ctx context.Context, tx *store.Tx, p *access.Principal, in Input) (int64, error) {
	if !p.System && !p.Has(filers...) {
		return 0, errs.Forbiddenf("您的角色不能登记诉求", "Your role may not file appeals")
	}
	staff := p.System || p.Has(staffRoles...)
	_, replaying := replayOf(ctx)
	if !staff {
		if in.EnterpriseID == 0 {
			in.EnterpriseID = p.EnterpriseID
		}
		if in.EnterpriseID != p.EnterpriseID || p.EnterpriseID == 0 {
			return 0, errs.Invalidf("enterprise_id", "企业用户只能为本企业提出诉求", "An enterprise user files appeals for its own enterprise only")
		}
		in.Channel = Online
		if !in.ReceivedOn.IsZero() && in.ReceivedOn != s.today() && !replaying {
			return 0, errs.Invalidf("received_on", "企业提交的诉求以当天为登记日期", "An enterprise's appeal is received on the day it is filed")
		}
	} else if in.Channel == Online {
		return 0, errs.Invalidf("channel", "“企业网上提交”是企业自己的渠道；代企业登记请选择热线或其他渠道",
			"online is the enterprise's own channel; staff filing for an enterprise choose the hotline or another channel")
	}
	if err := in.Validate(); err != nil {
		return 0, err
	}
	today := s.today()
	if in.ReceivedOn.IsZero() {
		in.ReceivedOn = today
	}
	if err := flow.CheckDate("received_on", in.ReceivedOn, civil.Date{}, today); err != nil {
		return 0, err
	}
	// The enterprise must be one the filer can see.
	var w store.Where
	w.Add("e.id = ?", in.EnterpriseID)
	w.Scope(s.Enterprises.ReadScope(p, "e"))
	where, args := w.SQL()
	var orgID int64
	var address string
	err := tx.QueryRow(ctx, "SELECT e.org_id, e.address FROM enterprises e"+where, args...).Scan(&orgID, &address)
	if errs.Is(err, errs.NotFound) {
		return 0, errs.Invalidf("enterprise_id", "企业不存在或不在您的服务范围内", "No such enterprise within your scope")
	}
	if err != nil {
		return 0, err
	}
	if in.Address == "" {
		in.Address = address
	}
	if in.VisitID != 0 {
		var ent int64
		err := tx.QueryRow(ctx, "SELECT enterprise_id FROM visits WHERE id = ?", in.VisitID).Scan(&ent)
		if errs.Is(err, errs.NotFound) || (err == nil && ent != in.EnterpriseID) {
			return 0, errs.Invalidf("visit_id", "走访记录不存在或不是该企业的", "No such visit of this enterprise")
		}
		if err != nil {
			return 0, err
		}
	}
	if in.ProjectID != 0 && s.CheckProject != nil {
		if err := s.CheckProject(ctx, tx, in.ProjectID, in.EnterpriseID); err != nil {
			return 0, err
		}
	}
	requested := tx.Now.UTC()
	if in.ReceivedOn != today {
		requested = in.ReceivedOn.Time().UTC()
	}
	id, err := tx.Insert(ctx, `INSERT INTO appeals (enterprise_id, org_id, channel, category, urgency, content, contact_name, address, lat, lng,
		media_url, visit_id, visit_flag, project_id, filed_by, filed_by_name, state, received_on, requested_at, stage_on, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.EnterpriseID, orgID, in.Channel, in.Category, in.Urgency, in.Content, in.ContactName, in.Address, in.Lat, in.Lng,
		in.MediaURL, store.Null(in.VisitID), in.VisitFlag, store.Null(in.ProjectID), store.Null(p.UserID), p.Actor(), Flow.Initial,
		in.ReceivedOn, requested, in.ReceivedOn, tx.Now.UTC(), tx.Now.UTC())
	if err != nil {
		return 0, err
	}
	no := fmt.Sprintf("SQ%04d%02d%02d-%05d", in.ReceivedOn.Year, in.ReceivedOn.Month, in.ReceivedOn.Day, id)
	if _, err := tx.Exec(ctx, "UPDATE appeals SET no = ? WHERE id = ?", no, id); err != nil {
		return 0, err
	}
	ev := &flow.Event{Entity: Flow.Entity, EntityID: id, Action: "create", To: Flow.Initial, On: in.ReceivedOn, ActorID: p.UserID,
		Actor: p.Actor(), Data: map[string]any{"channel": in.Channel, "category": in.Category, "urgency": in.Urgency}}
	if err := flow.Insert(ctx, tx, ev); err != nil {
		return 0, err
	}
	l := &ledger{org: orgID, cat: in.Category}
	if err := l.write(ctx, tx, l.apply(moveOf(*ev))); err != nil {
		return 0, err
	}
	if err := audit.Append(ctx, tx, audit.Entry{Action: "appeal.create", Object: "appeal", ObjectID: id,
		Summary: map[string]any{"no": no, "enterprise_id": in.EnterpriseID, "channel": in.Channel, "category": in.Category,
			"urgency": in.Urgency, "received_on": in.ReceivedOn.String(), "visit_id": in.VisitID, "project_id": in.ProjectID}}); err != nil {
		return 0, err
	}
	if isQuiet(ctx) {
		return id, nil
	}
	a, err := s.getTx(ctx, tx, access.SystemPrincipal("appeal"), id)
	if err != nil {
		return 0, err
	}
	return id, s.announce(ctx, tx, &a, ev)
}

// Act takes an action on an appeal p can see and returns it updated.
// Unknown action: 404; role: 403; state: 409; body: 400.
func (s *Service) Act(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (Appeal, error) {
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := s.ActTx(ctx, tx, p, id, action, body)
		return err
	})
	if err != nil {
		return Appeal{}, err
	}
	return s.Get(ctx, p, id)
}

// ActTx takes an action inside tx. The optional "date" of every action
// back-enters a paper record; only the service office (and the system) may
// give it, so that no one dates their own work earlier than it was done.
func (s *Service) ActTx(ctx context.Context, tx *store.Tx, p *access.Principal, id int64, action string, body []byte) (*flow.Event, error) {
	ctx = access.With(ctx, p)
	a, err := s.getTx(ctx, tx, p, id)
	if err != nil {
		return nil, err
	}
	st, err := Flow.Begin(a.State, action, actorOf(p), body)
	if err != nil {
		return nil, err
	}
	today := s.today()
	on := today
	if st.Input.Has("date") {
		if _, replaying := replayOf(ctx); !replaying && !p.System && !p.Has(access.ServiceOffice) {
			return nil, errs.Invalidf("date", "只有营商办可以补录日期；其他操作以当天为准", "Only the service office back-enters dates; other actions are dated today")
		}
		on = st.Input.Date("date")
	}
	if err := s.mayTake(p, &a, action, on); err != nil {
		return nil, err
	}
	if err := flow.CheckDate("date", on, a.stageOn, today); err != nil {
		return nil, err
	}
	if err := s.rules(ctx, tx, &a, st, on); err != nil {
		return nil, err
	}
	ev, err := st.Record(ctx, tx, Flow.Entity, id, on)
	if err != nil {
		return nil, err
	}
	l := &ledger{org: a.OrgID, cat: a.Category, dept: a.DepartmentOrgID, dispatchedOn: a.DispatchedOn, signDue: a.SignDueOn,
		due: a.DueOn, overdueFrom: a.overdueFrom, resolved: a.Resolved != nil && *a.Resolved, supervised: a.Supervised}
	if err := l.write(ctx, tx, l.apply(moveOf(*ev))); err != nil {
		return nil, err
	}
	if st.To != st.From {
		a.stageOn = on
	}
	a.State = st.To
	a.DepartmentOrgID, a.DispatchedOn, a.SignDueOn, a.DueOn, a.overdueFrom, a.Supervised = l.dept, l.dispatchedOn, l.signDue, l.due, l.overdueFrom, l.supervised
	if err := s.save(ctx, tx, &a); err != nil {
		return nil, err
	}
	if action == "dispatch" {
		if err := s.assign(ctx, tx, id, st.Input.ID("department_org_id"), st.Input.IDs("co_department_org_ids")); err != nil {
			return nil, err
		}
	}
	if isQuiet(ctx) {
		return ev, nil
	}
	fresh, err := s.getTx(ctx, tx, access.SystemPrincipal("appeal"), id)
	if err != nil {
		return nil, err
	}
	return ev, s.announce(ctx, tx, &fresh, ev)
}

// rules applies an action's business rules to the appeal and fills the
// values computed for the event (due dates of a dispatch).
func (s *Service) rules(ctx context.Context, tx *store.Tx, a *Appeal, st *flow.Step, on civil.Date) error {
	in := st.Input
	switch st.Action.Name {
	case "accept":
		a.AcceptedOn = on
		if u := in.String("urgency"); u != "" {
			a.Urgency = Urgency(u)
		}
	case "answer":
		a.Reply, a.RepliedOn = in.String("reply"), on
	case "dispatch":
		lead := in.ID("department_org_id")
		if err := checkDepartment(ctx, tx, "department_org_id", lead); err != nil {
			return err
		}
		if a.State == StateReturnRequested && lead == a.DepartmentOrgID {
			return errs.Invalidf("department_org_id", "改派须派给另一个部门；要求原部门继续办理请“驳回退单”",
				"A re-dispatch goes to another department; to keep the same one, refuse the return")
		}
		co := in.IDs("co_department_org_ids")
		seen := map[int64]bool{lead: true}
		for _, c := range co {
			if seen[c] {
				return errs.Invalidf("co_department_org_ids", "协办部门不能重复，也不能是牵头部门", "Co-departments must differ from each other and from the lead")
			}
			seen[c] = true
			if err := checkDepartment(ctx, tx, "co_department_org_ids", c); err != nil {
				return err
			}
		}
		limits, err := LoadLimits(ctx, tx)
		if err != nil {
			return err
		}
		var k calendar.Clock
		limit := limits.ReplyWorkdays(a.Category, a.Urgency)
		st.ApplyClock(s.Cal, &k, on, limit)
		signDue := s.Cal.AddWorkdays(on, limits.SignWorkdays)
		in.Set("sign_due_on", signDue)
		in.Set("due_on", k.DueOn)
		in.Set("limit_workdays", limit)
		a.LimitWorkdays, a.Extensions = limit, 0
		a.SignedOn, a.RepliedOn, a.Reply = civil.Date{}, civil.Date{}, ""
		a.notified = false
	case "request_return":
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM flow_events WHERE entity = ? AND entity_id = ? AND action = 'refuse_return'
			AND id > (SELECT MAX(id) FROM flow_events WHERE entity = ? AND entity_id = ? AND action = 'dispatch')`,
			Flow.Entity, a.ID, Flow.Entity, a.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflictf("退单申请已被驳回，请签收办理", "The return was refused; sign and handle the appeal")
		}
	case "sign":
		a.SignedOn = on
	case "extend":
		due := in.Date("due_on")
		limits, err := LoadLimits(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case a.Extensions >= limits.MaxExtensions:
			return errs.Conflictf("每次派单最多延期%d次", "A dispatch may be extended at most %d times", limits.MaxExtensions)
		case !due.After(a.DueOn):
			return errs.Invalidf("due_on", "新的期限须晚于当前期限 %s", "The new due date must be after the current one, %s", a.DueOn)
		}
		a.Extensions++
		a.LimitWorkdays = s.Cal.WorkdaysBetween(a.DispatchedOn, due)
	case "reply":
		a.Reply, a.RepliedOn = in.String("reply"), on
	case "revisit":
		r := in.Bool("resolved")
		a.Rating, a.Resolved, a.RevisitedOn = Rating(in.String("rating")), &r, on
	case "close":
		a.ClosedOn = on
	case "supervise":
		if p := access.From(ctx); p != nil && p.System {
			in.Set("auto", true)
		}
	}
	return nil
}

func checkDepartment(ctx context.Context, q store.Querier, field string, id int64) error {
	o, err := org.GetTx(ctx, q, id)
	if errs.Is(err, errs.NotFound) || (err == nil && o.Kind != org.Department) {
		return errs.Invalidf(field, "部门不存在（须是职能部门）", "No such department")
	}
	return err
}

// save writes the appeal's changing columns, refusing if someone else
// changed it since it was read.
func (s *Service) save(ctx context.Context, tx *store.Tx, a *Appeal) error {
	err := tx.ExecOne(ctx, `UPDATE appeals SET state = ?, urgency = ?, supervised = ?, department_org_id = ?, accepted_on = ?, dispatched_on = ?,
		sign_due_on = ?, signed_on = ?, clock_limit = ?, due_on = ?, extensions = ?, replied_on = ?, reply = ?, revisited_on = ?, rating = ?,
		resolved = ?, closed_on = ?, overdue_from = ?, overdue_notified = ?, stage_on = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ?`,
		a.State, a.Urgency, a.Supervised, store.Null(a.DepartmentOrgID), a.AcceptedOn, a.DispatchedOn, a.SignDueOn, a.SignedOn,
		a.LimitWorkdays, a.DueOn, a.Extensions, a.RepliedOn, a.Reply, a.RevisitedOn, store.Null(string(a.Rating)), a.Resolved, a.ClosedOn,
		a.overdueFrom, a.notified, a.stageOn, tx.Now.UTC(), a.ID, a.rev)
	if errs.Is(err, errs.NotFound) {
		return errs.Conflictf("诉求刚被他人更新，请刷新后重试", "The appeal was changed meanwhile; reload and try again")
	}
	if err == nil {
		a.rev++
	}
	return err
}

// assign records the departments of a dispatch, replacing the last ones.
func (s *Service) assign(ctx context.Context, tx *store.Tx, id, lead int64, co []int64) error {
	if _, err := tx.Exec(ctx, "DELETE FROM appeal_departments WHERE appeal_id = ?", id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "INSERT INTO appeal_departments (appeal_id, org_id, lead) VALUES (?, ?, TRUE)", id, lead); err != nil {
		return err
	}
	for _, c := range co {
		if _, err := tx.Exec(ctx, "INSERT INTO appeal_departments (appeal_id, org_id, lead) VALUES (?, ?, FALSE)", id, c); err != nil {
			return err
		}
	}
	return nil
}

// Departments lists the departments appeals are dispatched to.
func Departments(ctx context.Context, q store.Querier) ([]org.Org, error) {
	rows, err := q.Query(ctx, "SELECT id, name FROM orgs WHERE kind = ? ORDER BY id", org.Department)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []org.Org
	for rows.Next() {
		o := org.Org{Kind: org.Department}
		if err := rows.Scan(&o.ID, &o.Name); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SolvedOnProjects counts the problems raised on a commissioner's key
// projects that were closed as resolved in a year: the projects module's
// commissioner rating (金牌保姆) counts them.
func SolvedOnProjects(ctx context.Context, q store.Querier, commissionerID int64, year int) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT COUNT(*) FROM appeals a JOIN projects p ON p.id = a.project_id
		WHERE p.commissioner_user_id = ? AND a.state = 'closed' AND a.resolved = TRUE AND a.closed_on >= ? AND a.closed_on <= ?`,
		commissionerID, fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)).Scan(&n)
	return n, err
}
