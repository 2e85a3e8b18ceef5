package service

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// RemoteOutcome is how a remote session ended.
type RemoteOutcome string

// Remote outcomes.
const (
	Answered   RemoteOutcome = "answered"   // 咨询解答
	Submitted  RemoteOutcome = "submitted"  // 远程帮办提交
	AcceptedRS RemoteOutcome = "accepted"   // 远程受理，生成办件
	Redirected RemoteOutcome = "redirected" // 转线下
)

// RemoteOutcomes lists the outcomes.
var RemoteOutcomes = []RemoteOutcome{Answered, Submitted, AcceptedRS, Redirected}

// Label is the outcome's name.
func (o RemoteOutcome) Label() i18n.Text {
	switch o {
	case Answered:
		return i18n.T("咨询解答", "Answered")
	case Submitted:
		return i18n.T("帮办提交", "Submitted")
	case AcceptedRS:
		return i18n.T("远程受理", "Accepted as a case")
	case Redirected:
		return i18n.T("转线下办理", "Redirected")
	}
	return i18n.T(string(o), string(o))
}

// RemoteSession is one remote assistance between a site and the city hall
// (云端政务超市). Live video is not part of it yet; MediaRef is where a
// recording or stream will be named once it is.
type RemoteSession struct {
	ID           int64         `json:"id,string"`
	SiteID       int64         `json:"site_id,string"`
	SiteName     string        `json:"site_name"`
	MatterID     int64         `json:"matter_id,string"`
	MatterName   string        `json:"matter_name"`
	CaseID       int64         `json:"case_id,string,omitempty"`
	CaseNumber   string        `json:"case_number,omitempty"`
	EnterpriseID int64         `json:"enterprise_id,string,omitempty"`
	StartedAt    time.Time     `json:"started_at"`
	EndedAt      *time.Time    `json:"ended_at"`
	Outcome      RemoteOutcome `json:"outcome"`
	ClerkUserID  int64         `json:"clerk_user_id,string,omitempty"`
	ClerkName    string        `json:"clerk_name,omitempty"`
	AgentName    string        `json:"agent_name" doc:"the city-hall agent at the other end"`
	Note         string        `json:"note,omitempty"`
	MediaRef     string        `json:"media_ref,omitempty" doc:"reference to a recording or live stream, when video is attached"`
	CreatedAt    time.Time     `json:"created_at"`
}

// RemoteSessionInput is the body of a remote-session record. With outcome
// accepted it either links case_id or creates the case (channel remote,
// accepted) from enterprise_id or applicant.
type RemoteSessionInput struct {
	SiteID       int64         `json:"site_id,string,omitempty" doc:"a clerk's own site by default"`
	MatterID     int64         `json:"matter_id,string"`
	CaseID       int64         `json:"case_id,string,omitempty"`
	EnterpriseID int64         `json:"enterprise_id,string,omitempty"`
	Applicant    *Applicant    `json:"applicant,omitempty"`
	Materials    []string      `json:"materials,omitempty"`
	StartedAt    time.Time     `json:"started_at"`
	EndedAt      *time.Time    `json:"ended_at,omitempty"`
	Outcome      RemoteOutcome `json:"outcome"`
	AgentName    string        `json:"agent_name"`
	Note         string        `json:"note,omitempty"`
	MediaRef     string        `json:"media_ref,omitempty"`
}

func (in *RemoteSessionInput) validate(now time.Time) error {
	in.AgentName = strings.TrimSpace(in.AgentName)
	in.Note = strings.TrimSpace(in.Note)
	in.MediaRef = strings.TrimSpace(in.MediaRef)
	ok := false
	for _, o := range RemoteOutcomes {
		ok = ok || o == in.Outcome
	}
	switch {
	case in.MatterID == 0:
		return errs.Invalidf("matter_id", "请选择事项", "matter_id is required")
	case !ok:
		return errs.Invalidf("outcome", "结果应为 answered、submitted、accepted 或 redirected", "outcome must be answered, submitted, accepted or redirected")
	case in.StartedAt.IsZero():
		return errs.Invalidf("started_at", "请填写开始时间", "started_at is required")
	case in.StartedAt.After(now.Add(time.Minute)):
		return errs.Invalidf("started_at", "开始时间不能晚于现在", "started_at is in the future")
	case in.EndedAt != nil && in.EndedAt.Before(in.StartedAt):
		return errs.Invalidf("ended_at", "结束时间不能早于开始时间", "ended_at is before started_at")
	case in.Outcome != AcceptedRS && (in.CaseID != 0 || in.Applicant != nil):
		return errs.Invalidf("case_id", "只有远程受理的会话才关联办件", "Only an accepted session links a case")
	case utf8.RuneCountInString(in.AgentName) > 50:
		return errs.Invalidf("agent_name", "坐席姓名不能超过50字", "agent_name must be at most 50 characters")
	case utf8.RuneCountInString(in.Note) > 2000:
		return errs.Invalidf("note", "备注不能超过2000字", "note must be at most 2000 characters")
	case len(in.MediaRef) > 500:
		return errs.Invalidf("media_ref", "媒体引用不能超过500个字符", "media_ref must be at most 500 characters")
	}
	return nil
}

// readRemoteScope is who sees remote sessions: the clerks of the site, the
// service office and leaders in their subtree.
func readRemoteScope(p *access.Principal) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
	default:
		if p.Has(access.Leader, access.ServiceOffice) {
			sc.InOrgTree("r.org_id", p.OrgPath)
		}
		if p.Has(access.Clerk) && p.SiteID != 0 {
			sc.Or("r.site_id = ?", p.SiteID)
		}
	}
	return sc
}

// RecordRemoteSession records a remote session now.
func (s *Service) RecordRemoteSession(ctx context.Context, p *access.Principal, in RemoteSessionInput) (RemoteSession, error) {
	var id int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.RecordRemoteSessionTx(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return RemoteSession{}, err
	}
	return s.GetRemoteSession(ctx, p, id)
}

// RecordRemoteSessionTx records a remote session inside tx.
func (s *Service) RecordRemoteSessionTx(ctx context.Context, tx *store.Tx, p *access.Principal, in RemoteSessionInput) (int64, error) {
	if !p.System && !p.Has(access.Clerk, access.ServiceOffice) {
		return 0, errs.Forbiddenf("远程会话由站点帮办员或营商办登记", "Remote sessions are recorded by a site clerk or the service office")
	}
	if in.SiteID == 0 && p.Has(access.Clerk) {
		in.SiteID = p.SiteID
	}
	if err := in.validate(tx.Now); err != nil {
		return 0, err
	}
	site, err := siteForWrite(ctx, tx, in.SiteID)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("site_id", "站点不存在", "No such site")
		}
		return 0, err
	}
	if !p.System && !(p.Has(access.Clerk) && p.SiteID == site.ID) && !(p.Has(access.ServiceOffice) && strings.HasPrefix(site.orgPath, p.OrgPath)) {
		return 0, errs.Forbiddenf("您只能登记本站点的远程会话", "You record remote sessions of your own site only")
	}
	if _, err := getMatter(ctx, tx, in.MatterID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return 0, errs.Invalidf("matter_id", "事项不存在", "No such matter")
		}
		return 0, err
	}
	var clerk int64
	if p.Has(access.Clerk) {
		clerk = p.UserID
	}
	id, err := tx.Insert(ctx, `INSERT INTO remote_sessions (site_id, org_id, matter_id, enterprise_id, started_at, ended_at, outcome,
		clerk_user_id, agent_name, note, media_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		site.ID, site.OrgID, in.MatterID, store.Null(in.EnterpriseID), in.StartedAt.UTC(), utcPtr(in.EndedAt), in.Outcome,
		store.Null(clerk), in.AgentName, in.Note, in.MediaRef, tx.Now)
	if err != nil {
		return 0, err
	}
	if err := audit.Append(ctx, tx, audit.Entry{Action: "remote_session.create", Object: "remote_session", ObjectID: id,
		Summary: map[string]any{"site_id": site.ID, "matter_id": in.MatterID, "outcome": in.Outcome}}); err != nil {
		return 0, err
	}
	if err := txAdder(ctx, tx)(mRemoteSessions, civil.Of(in.StartedAt), site.OrgID, siteDim(site.ID), 1); err != nil {
		return 0, err
	}
	if in.Outcome != AcceptedRS {
		return id, nil
	}
	caseID := in.CaseID
	if caseID != 0 {
		var siteID, matterID int64
		if err := tx.QueryRow(ctx, "SELECT site_id, matter_id FROM cases WHERE id = ?", caseID).Scan(&siteID, &matterID); err != nil || siteID != site.ID || matterID != in.MatterID {
			return 0, errs.Invalidf("case_id", "关联的办件须是本站点同一事项的办件", "The linked case must be of this site and matter")
		}
	} else {
		at := in.StartedAt
		if in.EndedAt != nil {
			at = *in.EndedAt
		}
		caseID, err = s.ReceiveTx(ctx, tx, p, CaseInput{MatterID: in.MatterID, SiteID: site.ID, Channel: RemoteChannel,
			EnterpriseID: in.EnterpriseID, Applicant: in.Applicant, Materials: in.Materials,
			Note: in.Note, Then: []byte(`{"action":"accept"}`)}, at)
		if err != nil {
			return 0, err
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE remote_sessions SET case_id = ? WHERE id = ?", caseID, id); err != nil {
		return 0, err
	}
	_, err = tx.Exec(ctx, "UPDATE cases SET remote_session_id = ? WHERE id = ?", id, caseID)
	return id, err
}

const remoteCols = `r.id, r.site_id, st.name, r.matter_id, m.name, r.case_id, COALESCE(c.number, ''), r.enterprise_id, r.started_at, r.ended_at,
	r.outcome, r.clerk_user_id, COALESCE(u.name, ''), r.agent_name, r.note, r.media_ref, r.created_at`

const remoteFrom = ` FROM remote_sessions r JOIN sites st ON st.id = r.site_id JOIN matters m ON m.id = r.matter_id
	LEFT JOIN cases c ON c.id = r.case_id LEFT JOIN users u ON u.id = r.clerk_user_id`

func scanRemote(sc interface{ Scan(...any) error }) (RemoteSession, error) {
	var r RemoteSession
	err := sc.Scan(&r.ID, &r.SiteID, &r.SiteName, &r.MatterID, &r.MatterName, store.Z(&r.CaseID), &r.CaseNumber, store.Z(&r.EnterpriseID),
		&r.StartedAt, &r.EndedAt, &r.Outcome, store.Z(&r.ClerkUserID), &r.ClerkName, &r.AgentName, &r.Note, &r.MediaRef, &r.CreatedAt)
	return r, err
}

// GetRemoteSession returns one remote session within p's scope.
func (s *Service) GetRemoteSession(ctx context.Context, p *access.Principal, id int64) (RemoteSession, error) {
	var w store.Where
	w.Add("r.id = ?", id)
	w.Scope(readRemoteScope(p))
	where, args := w.SQL()
	return scanRemote(s.DB.Read().QueryRow(ctx, "SELECT "+remoteCols+remoteFrom+where, args...))
}

// RemoteFilter selects remote sessions.
type RemoteFilter struct {
	SiteID   int64
	Outcome  RemoteOutcome
	BeforeID int64
	Limit    int
}

// ListRemoteSessions returns remote sessions, newest first, and the total.
func (s *Service) ListRemoteSessions(ctx context.Context, p *access.Principal, f RemoteFilter) ([]RemoteSession, int, error) {
	var w store.Where
	w.Scope(readRemoteScope(p))
	if f.SiteID != 0 {
		w.Add("r.site_id = ?", f.SiteID)
	}
	if f.Outcome != "" {
		w.Add("r.outcome = ?", f.Outcome)
	}
	q := s.DB.Read()
	where, args := w.SQL()
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM remote_sessions r"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.BeforeID > 0 {
		w.Add("r.id < ?", f.BeforeID)
		where, args = w.SQL()
	}
	query := "SELECT " + remoteCols + remoteFrom + where + " ORDER BY r.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []RemoteSession
	for rows.Next() {
		r, err := scanRemote(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
