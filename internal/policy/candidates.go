package policy

import (
	"context"
	"encoding/json"
	"strconv"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/flow"
	"xiaoer/internal/store"
)

// Evaluation is what a policy's rules say about one enterprise.
type Evaluation struct {
	EnterpriseID   int64       `json:"enterprise_id,string"`
	EnterpriseName string      `json:"enterprise_name"`
	Eligible       bool        `json:"eligible"`
	AmountFen      int64       `json:"amount_fen"`
	Reasons        []Reason    `json:"reasons" doc:"each top-level condition of the rule with its outcome"`
	Facts          []FactValue `json:"facts" doc:"the facts the rules read, with the enterprise's values"`
	Error          string      `json:"error,omitempty" doc:"why the rules could not be evaluated"`
	// The enterprise's live application under the policy, if any.
	ApplicationID    int64  `json:"application_id,string,omitempty"`
	ApplicationState string `json:"application_state,omitempty"`
}

// rules are a policy's compiled rules with the placements period.
type rules struct {
	cond, amount *Rule
	from, to     civil.Date
}

// compiled compiles a policy's rules for evaluation on day on: placements
// count from the policy's opening to on (or its closing, if earlier).
func compiled(pol *Policy, on civil.Date) (*rules, error) {
	cond, err := CompileCondition(pol.Rule)
	if err != nil {
		return nil, err
	}
	amount, err := CompileAmount(pol.AmountRule)
	if err != nil {
		return nil, err
	}
	to := on
	if !pol.OpenTo.IsZero() && pol.OpenTo.Before(to) {
		to = pol.OpenTo
	}
	return &rules{cond: cond, amount: amount, from: pol.OpenFrom, to: to}, nil
}

// run evaluates the rules for one enterprise. A rule that fails at run time
// (a division by zero for this enterprise) makes it not eligible, with the
// error as the reason.
func (r *rules) run(sub *subject) Evaluation {
	ev := Evaluation{EnterpriseID: sub.ID, EnterpriseName: sub.Name, Facts: Used(&sub.Facts, r.cond, r.amount)}
	ok, err := r.cond.Holds(&sub.Facts)
	ev.Reasons = r.cond.Reasons(&sub.Facts)
	if err != nil {
		ev.Error = errs.As(err).Msg.Zh
		return ev
	}
	if !ok {
		return ev
	}
	if ev.AmountFen, err = r.amount.Amount(&sub.Facts); err != nil {
		ev.Error = errs.As(err).Msg.Zh
		return ev
	}
	ev.Eligible = ev.AmountFen > 0
	return ev
}

// evaluate runs a policy's rules for one enterprise on day on.
func (s *Service) evaluate(ctx context.Context, q store.Querier, pol *Policy, enterpriseID int64, on civil.Date) (Evaluation, error) {
	r, err := compiled(pol, on)
	if err != nil {
		return Evaluation{}, err
	}
	subs, err := loadSubjects(ctx, q, nil, []int64{enterpriseID}, on, r.from, r.to)
	if err != nil {
		return Evaluation{}, err
	}
	if len(subs) == 0 {
		return Evaluation{}, errs.ErrNotFound
	}
	return r.run(&subs[0]), nil
}

// TestInput is a rule under edit, tried against one enterprise before it
// is saved.
type TestInput struct {
	Rule         string     `json:"rule"`
	AmountRule   string     `json:"amount_rule"`
	EnterpriseID int64      `json:"enterprise_id,string"`
	On           civil.Date `json:"on,omitempty" doc:"the evaluation date, default today"`
	OpenFrom     civil.Date `json:"open_from,omitempty" doc:"start of the placements period, default 1 January of on's year"`
	OpenTo       civil.Date `json:"open_to,omitempty"`
}

// TestRule evaluates rules that are not saved yet against one enterprise p
// may see. Rules that do not compile are a 400 naming the position.
func (s *Service) TestRule(ctx context.Context, p *access.Principal, in TestInput) (Evaluation, error) {
	if in.On.IsZero() {
		in.On = s.today()
	}
	if in.OpenFrom.IsZero() {
		in.OpenFrom = civil.New(in.On.Year, 1, 1)
	}
	pol := Policy{Rule: in.Rule, AmountRule: in.AmountRule, OpenFrom: in.OpenFrom, OpenTo: in.OpenTo}
	if _, err := compiled(&pol, in.On); err != nil {
		return Evaluation{}, err
	}
	if in.EnterpriseID == 0 {
		return Evaluation{}, errs.Invalidf("enterprise_id", "请选择用来试算的企业", "Choose an enterprise to test against")
	}
	q := s.DB.Read()
	var w store.Where
	w.Add("e.id = ?", in.EnterpriseID)
	w.Scope(enterpriseScope(p, "e"))
	where, args := w.SQL()
	var one int
	if err := q.QueryRow(ctx, "SELECT 1 FROM enterprises e"+where, args...).Scan(&one); err != nil {
		return Evaluation{}, err
	}
	return s.evaluate(ctx, q, &pol, in.EnterpriseID, in.On)
}

// CandidateList is the result of running a policy's rules over the
// registry: one page of the selected enterprises, and the count and amount
// of all of them.
type CandidateList struct {
	Items      []Evaluation `json:"items"`
	NextCursor string       `json:"next_cursor"`
	Total      int          `json:"total"`
	AmountFen  int64        `json:"amount_fen" doc:"what all the selected enterprises would get"`
	On         civil.Date   `json:"on"`
}

// subjectBatch is how many enterprises are read and evaluated at a time.
const subjectBatch = 1000

// Candidates runs a policy's rules now (or on day on) over every enterprise
// in p's scope and returns those it selects, by enterprise id after
// afterID, at most limit (0: all), with the count and the amount of all.
func (s *Service) Candidates(ctx context.Context, p *access.Principal, policyID int64, on civil.Date, afterID int64, limit int) (CandidateList, error) {
	list := CandidateList{Items: []Evaluation{}, On: on}
	q := s.DB.Read()
	pol, err := s.getPolicy(ctx, q, policyScope(p, "o"), policyID)
	if err != nil {
		return list, err
	}
	if list.On.IsZero() {
		list.On = s.today()
	}
	r, err := compiled(&pol, list.On)
	if err != nil {
		return list, err
	}
	sc := enterpriseScope(p, "e")
	for last := int64(0); ; {
		subs, err := loadSubjects(ctx, q, sc, nil, list.On, r.from, r.to, last, subjectBatch)
		if err != nil {
			return list, err
		}
		for i := range subs {
			ev := r.run(&subs[i])
			if !ev.Eligible {
				continue
			}
			list.Total++
			list.AmountFen += ev.AmountFen
			if subs[i].ID > afterID && (limit == 0 || len(list.Items) < limit) {
				list.Items = append(list.Items, ev)
			}
		}
		if len(subs) < subjectBatch {
			break
		}
		last = subs[len(subs)-1].ID
	}
	return list, s.markApplications(ctx, q, policyID, list.Items)
}

// markApplications fills in the live applications of the enterprises.
func (s *Service) markApplications(ctx context.Context, q store.Querier, policyID int64, evs []Evaluation) error {
	if len(evs) == 0 {
		return nil
	}
	ids := make([]int64, len(evs))
	index := map[int64]int{}
	for i, ev := range evs {
		ids[i] = ev.EnterpriseID
		index[ev.EnterpriseID] = i
	}
	in, args := store.In(ids)
	rows, err := q.Query(ctx, "SELECT enterprise_id, id, state FROM policy_applications WHERE policy_id = ? AND state <> ? AND enterprise_id IN ("+in+")",
		append([]any{policyID, Rejected}, args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ent, id int64
		var state string
		if err := rows.Scan(&ent, &id, &state); err != nil {
			return err
		}
		evs[index[ent]].ApplicationID, evs[index[ent]].ApplicationState = id, state
	}
	return rows.Err()
}

// PublishInput is the body of publishing 免申即享 candidates.
type PublishInput struct {
	EnterpriseIDs []string   `json:"enterprise_ids,omitempty" doc:"only these of the selected enterprises; default all"`
	Date          civil.Date `json:"date,omitempty" doc:"the evaluation and publishing date, default today"`
}

// PublishResult says what publishing created.
type PublishResult struct {
	Created   int        `json:"created"`
	AmountFen int64      `json:"amount_fen"`
	Skipped   int        `json:"skipped" doc:"selected enterprises that already have a live application"`
	On        civil.Date `json:"on"`
}

// Publish runs a 免申即享 policy's rules and turns the enterprises they
// select into candidate applications, for each enterprise to confirm with
// one click. Enterprises with a live application are skipped.
func (s *Service) Publish(ctx context.Context, p *access.Principal, policyID int64, in PublishInput) (PublishResult, error) {
	var res PublishResult
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.PublishTx(ctx, tx, p, policyID, in)
		return err
	})
	return res, err
}

// PublishTx publishes candidates inside tx.
func (s *Service) PublishTx(ctx context.Context, tx *store.Tx, p *access.Principal, policyID int64, in PublishInput) (PublishResult, error) {
	res := PublishResult{On: in.Date}
	if !p.System && !p.Has(access.ServiceOffice) {
		return res, errs.Forbiddenf("只有营商办可以推送免申即享名单", "Only the service office publishes candidates")
	}
	today := civil.Of(tx.Now)
	if res.On.IsZero() {
		res.On = today
	}
	if err := flow.CheckDate("date", res.On, civil.Date{}, today); err != nil {
		return res, err
	}
	pol, err := s.getPolicy(ctx, tx, policyWriteScope(p, "o"), policyID)
	if err != nil {
		return res, err
	}
	if pol.Mode != Auto {
		return res, errs.Conflictf("「%s」依申请兑现，由企业申报，不推送名单", "“%s” is paid on application; there are no candidates to publish", pol.Name)
	}
	if !pol.OpenOn(res.On) {
		return res, errs.Conflictf("「%s」的兑现期为 %s 至 %s，%s 不在其内", "“%s” runs from %s to %s, not on %s", pol.Name, pol.OpenFrom, openTo(pol.OpenTo), res.On)
	}
	only := map[int64]bool{}
	for _, s := range in.EnterpriseIDs {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return res, errs.Invalidf("enterprise_ids", "「%s」不是有效的企业编号", "%s is not a valid enterprise id", s)
		}
		only[id] = true
	}
	r, err := compiled(&pol, res.On)
	if err != nil {
		return res, err
	}
	// The office publishes for the enterprises in its own subtree.
	sc := officeScope(p, "e")
	var picked []Evaluation
	orgs := map[int64]int64{}
	for last := int64(0); ; {
		subs, err := loadSubjects(ctx, tx, sc, nil, res.On, r.from, r.to, last, subjectBatch)
		if err != nil {
			return res, err
		}
		for i := range subs {
			if len(only) > 0 && !only[subs[i].ID] {
				continue
			}
			if ev := r.run(&subs[i]); ev.Eligible {
				picked = append(picked, ev)
				orgs[ev.EnterpriseID] = subs[i].OrgID
			}
		}
		if len(subs) < subjectBatch {
			break
		}
		last = subs[len(subs)-1].ID
	}
	if err := s.markApplications(ctx, tx, policyID, picked); err != nil {
		return res, err
	}
	for _, ev := range picked {
		if ev.ApplicationID != 0 {
			res.Skipped++
			continue
		}
		reasons, _ := json.Marshal(ev.Reasons)
		id, err := tx.Insert(ctx, `INSERT INTO policy_applications (policy_id, enterprise_id, org_id, mode, state, amount_fen, approved_fen,
			reasons, created_on, last_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?) RETURNING id`,
			policyID, ev.EnterpriseID, orgs[ev.EnterpriseID], Auto, Candidate, ev.AmountFen, string(reasons), res.On, res.On, tx.Now, tx.Now)
		if err != nil {
			return res, err
		}
		if err := flow.Insert(ctx, tx, &flow.Event{Entity: Entity, EntityID: id, Action: "publish", To: Candidate, On: res.On,
			ActorID: p.UserID, Actor: p.Actor(), Data: map[string]any{"amount_fen": ev.AmountFen}}); err != nil {
			return res, err
		}
		if err := audit.Append(ctx, tx, audit.Entry{Action: "policy_application.publish", Object: Entity, ObjectID: id,
			Summary: map[string]any{"policy_id": policyID, "enterprise_id": ev.EnterpriseID, "amount_fen": ev.AmountFen}}); err != nil {
			return res, err
		}
		res.Created++
		res.AmountFen += ev.AmountFen
	}
	if res.Created == 0 {
		// Nothing new: the run itself is still worth a line in the log.
		return res, audit.Append(ctx, tx, audit.Entry{Action: "policy.publish", Object: "policy", ObjectID: policyID,
			Summary: map[string]any{"created": 0, "skipped": res.Skipped, "on": res.On.String()}})
	}
	return res, nil
}

// Eligible returns the open policies whose rules select an enterprise now
// (政策找企业): for an enterprise user its own, for the office any in scope.
func (s *Service) Eligible(ctx context.Context, p *access.Principal, enterpriseID int64) ([]EligiblePolicy, error) {
	if enterpriseID == 0 {
		enterpriseID = p.EnterpriseID
	}
	if enterpriseID == 0 {
		return nil, errs.Invalidf("enterprise_id", "请选择企业", "enterprise_id is required")
	}
	q := s.DB.Read()
	var w store.Where
	w.Add("e.id = ?", enterpriseID)
	w.Scope(enterpriseScope(p, "e"))
	where, args := w.SQL()
	var one int
	if err := q.QueryRow(ctx, "SELECT 1 FROM enterprises e"+where, args...).Scan(&one); err != nil {
		return nil, err
	}
	today := s.today()
	pols, _, err := s.ListPolicies(ctx, p, PolicyFilter{OpenOn: today})
	if err != nil {
		return nil, err
	}
	out := []EligiblePolicy{}
	for i := range pols {
		ev, err := s.evaluate(ctx, q, &pols[i], enterpriseID, today)
		if err != nil {
			// A policy whose stored rule no longer compiles selects no one.
			continue
		}
		if !ev.Eligible {
			continue
		}
		evs := []Evaluation{ev}
		if err := s.markApplications(ctx, q, pols[i].ID, evs); err != nil {
			return nil, err
		}
		out = append(out, EligiblePolicy{Policy: pols[i], Evaluation: evs[0]})
	}
	return out, nil
}

// EligiblePolicy is a policy an enterprise may be eligible for.
type EligiblePolicy struct {
	Policy     Policy     `json:"policy"`
	Evaluation Evaluation `json:"evaluation"`
}
