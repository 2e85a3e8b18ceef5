// Package innovation is the zone's innovation registry (科创): R&D platforms
// by kind and level, innovation events, university–enterprise partnerships
// (产学研), grants and provincial R&D projects, technology transfers through
// 研发 → 孵化 → 中试 → 市场 on the workflow engine, and the qualification
// self-checks that help enterprises see how far they are from 高新技术企业
// and 科技型中小企业 status. The qualifications themselves live in the
// enterprise registry; this module counts them for the period summary.
package innovation

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/org"
	"xiaoer/internal/store"
)

// Service reads and writes the innovation registry.
type Service struct {
	DB *store.DB
	// Enterprises registers the enterprises the demo needs when the
	// registry holds too few.
	Enterprises *enterprise.Service
}

// today is the current date by the database's clock.
func (s *Service) today() civil.Date { return civil.Of(s.DB.Now()) }

// Level is the level of the authority that recognised a platform or funds a
// project.
type Level string

// Levels.
const (
	National   Level = "national"
	Provincial Level = "provincial"
	Municipal  Level = "municipal"
	District   Level = "district"
)

// Levels lists every level, highest first.
var Levels = []Level{National, Provincial, Municipal, District}

// Label is the level's name.
func (l Level) Label() i18n.Text {
	switch l {
	case National:
		return i18n.T("国家级", "National")
	case Provincial:
		return i18n.T("省级", "Provincial")
	case Municipal:
		return i18n.T("市级", "Municipal")
	case District:
		return i18n.T("区级", "District")
	}
	return i18n.T(string(l), string(l))
}

// Valid reports whether l is a known level.
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

func levelStrings() []string {
	out := make([]string, len(Levels))
	for i, l := range Levels {
		out[i] = string(l)
	}
	return out
}

// readScope is the predicate of the records p may see, over a table alias
// whose org_id anchors each record and whose column entCol names the
// record's enterprise ("" for records that have none). Public records
// (published events) are seen by every business role.
func readScope(p *access.Principal, alias, entCol string, public bool) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.IsAdmin():
		// Administrators see no business records.
	case public:
		sc.All()
	default:
		if p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice) {
			sc.InOrgTree(alias+".org_id", p.OrgPath)
		}
		if entCol != "" {
			if p.Has(access.Cadre) {
				sc.Or(alias+"."+entCol+" IN (SELECT id FROM enterprises WHERE cadre_user_id = ?)", p.UserID)
			}
			if p.Has(access.Enterprise) && p.EnterpriseID != 0 {
				sc.Or(alias+"."+entCol+" = ?", p.EnterpriseID)
			}
		}
	}
	return sc
}

// writeScope is the predicate of the records p may change: the service
// office within its subtree.
func writeScope(p *access.Principal, alias string) *access.Scope {
	sc := &access.Scope{}
	switch {
	case p == nil:
	case p.System:
		sc.All()
	case p.Has(access.ServiceOffice):
		sc.InOrgTree(alias+".org_id", p.OrgPath)
	}
	return sc
}

// mayWrite checks that p may record innovation data at all.
func mayWrite(p *access.Principal) error {
	if p != nil && (p.System || p.Has(access.ServiceOffice)) {
		return nil
	}
	return errs.Forbiddenf("只有营商办可以登记科创信息", "Only the service office records innovation data")
}

// anchor is the org node a record is counted under.
type anchor struct {
	OrgID int64
	Path  string
}

// within checks that the anchor lies in p's subtree (field names the input
// that placed it there).
func (a anchor) within(p *access.Principal, field string) error {
	if p.System || strings.HasPrefix(a.Path, p.OrgPath) {
		return nil
	}
	return errs.Invalidf(field, "所选对象不在您的管辖范围内", "This is outside your scope")
}

// enterpriseAnchor returns the org node of an enterprise and its name; an
// unknown enterprise is a 400 on field.
func enterpriseAnchor(ctx context.Context, q store.Querier, id int64, field string) (anchor, string, error) {
	var a anchor
	var name string
	err := q.QueryRow(ctx, "SELECT e.org_id, o.path, e.name FROM enterprises e JOIN orgs o ON o.id = e.org_id WHERE e.id = ?", id).Scan(&a.OrgID, &a.Path, &name)
	if errs.Is(err, errs.NotFound) {
		return a, "", errs.Invalidf(field, "企业不存在", "No such enterprise")
	}
	return a, name, err
}

// orgAnchor returns an org node that must be of one of kinds.
func orgAnchor(ctx context.Context, q store.Querier, id int64, field string, kinds ...org.Kind) (anchor, error) {
	o, err := org.GetTx(ctx, q, id)
	if errs.Is(err, errs.NotFound) {
		return anchor{}, errs.Invalidf(field, "组织不存在", "No such org")
	}
	if err != nil {
		return anchor{}, err
	}
	if !slices.Contains(kinds, o.Kind) {
		names := make([]string, len(kinds))
		namesEn := make([]string, len(kinds))
		for i, k := range kinds {
			names[i], namesEn[i] = k.Label().Zh, k.Label().En
		}
		return anchor{}, errs.Invalidf(field, "应选择%s", "must be a %s", i18n.T(strings.Join(names, "、"), strings.Join(namesEn, ", ")))
	}
	return anchor{OrgID: o.ID, Path: o.Path}, nil
}

// text checks a free-text field's length after trimming it.
func text(field string, s *string, max int, required bool, zh, en string) error {
	*s = strings.TrimSpace(*s)
	if required && *s == "" {
		return errs.Invalidf(field, "请填写%s", "%s is required", i18n.T(zh, en))
	}
	if utf8.RuneCountInString(*s) > max {
		return errs.Invalidf(field, "%s不能超过%d字", "%s must be at most %d characters", i18n.T(zh, en), max)
	}
	return nil
}

// pastDate checks a required business date that cannot lie in the future.
func pastDate(field string, d, today civil.Date, zh, en string) error {
	if d.IsZero() {
		return errs.Invalidf(field, "请填写%s", "%s is required", i18n.T(zh, en))
	}
	if d.After(today) {
		return errs.Invalidf(field, "%s %s 晚于今天", "%s %s is in the future", i18n.T(zh, en), d)
	}
	return nil
}

// Page is the cursor part of a list filter: rows with ids below BeforeID,
// at most Limit of them (0: all).
type Page struct {
	BeforeID int64
	Limit    int
}

type scanner interface{ Scan(...any) error }

// each runs "SELECT cols FROM <from> <where> ORDER BY idCol DESC" one page
// at a time and yields each scanned row.
func each[T any](ctx context.Context, q store.Querier, sel string, w store.Where, idCol string, pg Page, scan func(scanner) (T, error), yield func(T) error) error {
	if pg.BeforeID > 0 {
		w.Add(idCol+" < ?", pg.BeforeID)
	}
	where, args := w.SQL()
	query := sel + where + " ORDER BY " + idCol + " DESC"
	if pg.Limit > 0 {
		query += " LIMIT " + strconv.Itoa(pg.Limit)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := yield(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// count runs "SELECT COUNT(*) FROM <from> <where>".
func count(ctx context.Context, q store.Querier, from string, w store.Where) (int, error) {
	where, args := w.SQL()
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+from+where, args...).Scan(&n)
	return n, err
}

// collect gathers the rows of one page.
func collect[T any](run func(yield func(T) error) error) ([]T, error) {
	var out []T
	err := run(func(v T) error { out = append(out, v); return nil })
	return out, err
}

// like adds a "name contains q" condition over cols.
func like(w *store.Where, q string, cols ...string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return
	}
	conds := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		conds[i] = c + " LIKE ? ESCAPE '\\'"
		args[i] = store.Like("%", q, "%")
	}
	w.Add("("+strings.Join(conds, " OR ")+")", args...)
}
