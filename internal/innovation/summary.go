package innovation

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/enterprise"
	"xiaoer/internal/i18n"
	"xiaoer/internal/money"
	"xiaoer/internal/platform"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Rollup metrics of the module: both are flows counted on the business date.
const (
	// MetricEvents counts innovation events on their date, by kind.
	MetricEvents = "innovation.events"
	// MetricTransfers counts technology transfers reaching a stage on the
	// day they reached it, by stage; the stock at a stage on a day is the
	// number that reached it minus the number that reached the next one.
	MetricTransfers = "innovation.transfers.entered"
)

// Metrics are the rollup prefixes the module owns.
var Metrics = []string{"innovation."}

// pathPred limits a query to the org subtree at path, over the column col.
func pathPred(w *store.Where, col, path string) {
	if path != "" && path != "/" {
		w.Add(col+" IN (SELECT id FROM orgs WHERE path LIKE ?)", path+"%")
	}
}

// Summary fills the "innovation" section of the period summary (API.md):
//
//   - high_tech_enterprises, tech_smes: enterprises holding the qualification
//     valid on to;
//   - platforms by level: platforms recognised on or before to whose
//     recognition had not been revoked by then (a stock);
//   - events: innovation events dated in the period;
//   - partnership_universities / _enterprises: distinct universities and
//     enterprises with a partnership active in the period, that is signed on
//     or before to and not ended before from.
//
// It adds: platforms_provincial_or_higher; national_incubation_platforms
// (national incubators, maker spaces and university science parks: the
// 国家级双创平台); events_by_kind; event_participants; partnerships_active;
// partnerships_signed and partnerships_signed_fen (signed in the period);
// grants {count, enterprises, amount_fen} and rd_projects_provincial for the
// grants of the calendar years the period touches; transfers (the stock at
// each stage on to) and transfers_entered (items reaching each stage in the
// period).
func (s *Service) Summary(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, into map[string]any) error {
	path := rollup.ScopeOf(p).Path
	m := map[string]any{}
	for kind, key := range map[enterprise.QualificationKind]string{enterprise.HighTech: "high_tech_enterprises", enterprise.TechSME: "tech_smes"} {
		n, err := enterprise.CountHolding(ctx, q, path, kind, to)
		if err != nil {
			return err
		}
		m[key] = n
	}

	levels := map[string]int64{}
	for _, l := range Levels {
		levels[string(l)] = 0
	}
	var w store.Where
	w.Add("recognized_on <= ? AND (revoked_on IS NULL OR revoked_on > ?)", to, to)
	pathPred(&w, "org_id", path)
	where, args := w.SQL()
	rows, err := q.Query(ctx, "SELECT level, kind, COUNT(*) FROM inn_platforms"+where+" GROUP BY level, kind", args...)
	if err != nil {
		return err
	}
	var incubation int64
	for rows.Next() {
		var level, kind string
		var n int64
		if err := rows.Scan(&level, &kind, &n); err != nil {
			rows.Close()
			return err
		}
		levels[level] += n
		if level == string(National) && slices.Contains(IncubationKinds, PlatformKind(kind)) {
			incubation += n
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	m["platforms"] = levels
	m["platforms_provincial_or_higher"] = levels[string(National)] + levels[string(Provincial)]
	m["national_incubation_platforms"] = incubation

	sc := rollup.Scope{Path: path}
	byKind, err := rollup.SumByDim(ctx, q, sc, from, to, MetricEvents)
	if err != nil {
		return err
	}
	events := map[string]int64{}
	var total int64
	for _, k := range EventKinds {
		events[string(k)] = byKind[string(k)]
		total += byKind[string(k)]
	}
	m["events"] = total
	m["events_by_kind"] = events
	w = store.Where{}
	w.Add("date >= ? AND date <= ?", from, to)
	pathPred(&w, "org_id", path)
	where, args = w.SQL()
	var participants int64
	if err := q.QueryRow(ctx, "SELECT COALESCE(SUM(participants), 0) FROM inn_events"+where, args...).Scan(&participants); err != nil {
		return err
	}
	m["event_participants"] = participants

	w = store.Where{}
	w.Add("signed_on <= ? AND (ends_on IS NULL OR ends_on >= ?)", to, from)
	pathPred(&w, "org_id", path)
	where, args = w.SQL()
	var unis, ents, active int64
	if err := q.QueryRow(ctx, "SELECT COUNT(DISTINCT university_org_id), COUNT(DISTINCT enterprise_id), COUNT(*) FROM inn_partnerships"+where,
		args...).Scan(&unis, &ents, &active); err != nil {
		return err
	}
	m["partnership_universities"], m["partnership_enterprises"], m["partnerships_active"] = unis, ents, active
	w = store.Where{}
	w.Add("signed_on >= ? AND signed_on <= ?", from, to)
	pathPred(&w, "org_id", path)
	where, args = w.SQL()
	var signed, signedFen int64
	if err := q.QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM inn_partnerships"+where, args...).Scan(&signed, &signedFen); err != nil {
		return err
	}
	m["partnerships_signed"], m["partnerships_signed_fen"] = signed, signedFen

	w = store.Where{}
	w.Add("year >= ? AND year <= ?", from.Year, to.Year)
	pathPred(&w, "org_id", path)
	where, args = w.SQL()
	var grants, grantEnts, grantFen, rdProvincial int64
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT enterprise_id), COALESCE(SUM(amount_fen), 0),
		COALESCE(SUM(CASE WHEN kind = 'rd_project' AND level IN ('national', 'provincial') THEN 1 ELSE 0 END), 0) FROM inn_grants`+where,
		args...).Scan(&grants, &grantEnts, &grantFen, &rdProvincial); err != nil {
		return err
	}
	m["grants"] = map[string]int64{"count": grants, "enterprises": grantEnts, "amount_fen": grantFen}
	m["rd_projects_provincial"] = rdProvincial

	entered, err := rollup.SumByDim(ctx, q, sc, from, to, MetricTransfers)
	if err != nil {
		return err
	}
	reached, err := rollup.UptoByDim(ctx, q, sc, to, MetricTransfers)
	if err != nil {
		return err
	}
	stock, flow := map[string]int64{}, map[string]int64{}
	for _, st := range Stages {
		stock[string(st)] = reached[string(st)] - reached[string(st.Next())]
		flow[string(st)] = entered[string(st)]
	}
	m["transfers"] = stock
	m["transfers_entered"] = flow

	into["innovation"] = m
	return nil
}

// Drill returns the list behind a figure of the innovation section.
func Drill(key string, from, to civil.Date) string {
	k, ok := strings.CutPrefix(key, "innovation.")
	if !ok {
		return ""
	}
	period := "active_from=" + from.String() + "&active_to=" + to.String()
	switch {
	case k == "high_tech_enterprises":
		return "/enterprises?qualification=high_tech&qualified_on=" + to.String()
	case k == "tech_smes":
		return "/enterprises?qualification=tech_sme&qualified_on=" + to.String()
	case strings.HasPrefix(k, "platforms.") && Level(k[len("platforms."):]).Valid():
		return "/innovation/platforms?level=" + k[len("platforms."):] + "&active_on=" + to.String()
	case strings.HasPrefix(k, "platforms") || k == "national_incubation_platforms":
		return "/innovation/platforms?active_on=" + to.String()
	case strings.HasPrefix(k, "events") || k == "event_participants":
		return "/innovation/events?from=" + from.String() + "&to=" + to.String()
	case strings.HasPrefix(k, "partnership"):
		return "/innovation/partnerships?" + period
	case strings.HasPrefix(k, "grants") || k == "rd_projects_provincial":
		return "/innovation/grants?year=" + strconv.Itoa(to.Year)
	case strings.HasPrefix(k, "transfers"):
		// The list shows the items' stages today, the nearest there is to
		// a stage on to.
		if _, st, _ := strings.Cut(k, "."); slices.Contains(Stages, Stage(st)) {
			return "/innovation/transfers?stage=" + st
		}
		return "/innovation/transfers"
	}
	return ""
}

// Rankings returns the dashboard's league table of universities by the
// enterprises they work with in the period (partnerships active in it).
func (s *Service) Rankings(ctx context.Context, q store.Querier, p *access.Principal, from, to civil.Date, l i18n.Lang) ([]platform.Ranking, error) {
	var w store.Where
	w.Add("x.signed_on <= ? AND (x.ends_on IS NULL OR x.ends_on >= ?)", to, from)
	pathPred(&w, "x.org_id", rollup.ScopeOf(p).Path)
	where, args := w.SQL()
	rows, err := q.Query(ctx, `SELECT x.university_org_id, u.name, COUNT(DISTINCT x.enterprise_id), COUNT(*), COALESCE(SUM(x.amount_fen), 0)
		FROM inn_partnerships x JOIN orgs u ON u.id = x.university_org_id`+where+`
		GROUP BY x.university_org_id, u.name ORDER BY COUNT(DISTINCT x.enterprise_id) DESC, COUNT(*) DESC, u.name LIMIT 10`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	r := platform.Ranking{Title: i18n.T("产学研合作高校院所", "Universities in partnerships").In(l),
		Columns: []string{i18n.T("高校院所", "University").In(l), i18n.T("合作企业", "Enterprises").In(l), i18n.T("合作项目", "Agreements").In(l),
			i18n.T("合同金额", "Amount").In(l)}}
	for rows.Next() {
		var id, ents, n, fen int64
		var name string
		if err := rows.Scan(&id, &name, &ents, &n, &fen); err != nil {
			return nil, err
		}
		amt := money.Format(fen)
		if l == i18n.EN {
			amt = money.FormatEn(fen)
		}
		r.Rows = append(r.Rows, platform.RankRow{Name: name, Values: []string{strconv.FormatInt(ents, 10), strconv.FormatInt(n, 10), amt},
			Href: fmt.Sprintf("/innovation/partnerships?university_org_id=%d&active_from=%s&active_to=%s", id, from, to)})
	}
	if err := rows.Err(); err != nil || len(r.Rows) == 0 {
		return nil, err
	}
	return []platform.Ranking{r}, nil
}

// Rebuild recomputes the module's rollups from its records: each event on
// its date, each transfer at every stage it has reached.
func (s *Service) Rebuild(ctx context.Context, tx *store.Tx) error {
	type row struct {
		day  civil.Date
		org  int64
		dim  string
		n    int64
		name string
	}
	var rows []row
	collectRows := func(metric, query string) error {
		rs, err := tx.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			r := row{name: metric}
			if err := rs.Scan(&r.day, &r.org, &r.dim, &r.n); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	}
	if err := collectRows(MetricEvents, "SELECT date, org_id, kind, COUNT(*) FROM inn_events GROUP BY date, org_id, kind"); err != nil {
		return err
	}
	for _, st := range Stages {
		c := st.column()
		if err := collectRows(MetricTransfers, "SELECT "+c+", org_id, '"+string(st)+"', COUNT(*) FROM inn_transfers WHERE "+c+
			" IS NOT NULL GROUP BY "+c+", org_id"); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := rollup.Add(ctx, tx, r.name, r.day, r.org, r.dim, r.n); err != nil {
			return err
		}
	}
	return nil
}

// Home returns the figures the zone's roles see first — standing figures,
// which mean something on any day — and the self-check for enterprises and
// cadres.
func (s *Service) Home(ctx context.Context, p *access.Principal, l i18n.Lang) []platform.Card {
	var cards []platform.Card
	today := s.today()
	q := s.DB.Read()
	if p.Has(access.Leader, access.ServiceOffice, access.ProjectOffice) {
		m := map[string]any{}
		if err := s.Summary(ctx, q, p, civil.New(today.Year, 1, 1), today, m); err == nil {
			inn := m["innovation"].(map[string]any)
			cards = append(cards,
				platform.Card{Label: i18n.T("省级以上研发平台", "Provincial-or-higher R&D platforms").In(l),
					Value: fmt.Sprint(inn["platforms_provincial_or_higher"]), Unit: i18n.T("个", "").In(l), Href: "/innovation/platforms?status=active"},
				platform.Card{Label: i18n.T("转化中的科技成果", "Technology transfers under way").In(l),
					Value: fmt.Sprint(underWay(inn["transfers"])), Unit: i18n.T("项", "").In(l), Href: "/innovation/transfers"},
				platform.Card{Label: i18n.T("产学研合作高校院所", "Universities in partnerships").In(l),
					Value: fmt.Sprint(inn["partnership_universities"]), Unit: i18n.T("所", "").In(l), Href: "/innovation/partnerships"},
			)
		}
	}
	if p.Has(access.Enterprise, access.Cadre) {
		c := platform.Card{Label: i18n.T("高企/科小资质自测", "Qualification self-check").In(l), Value: i18n.T("去自测", "Start").In(l), Href: "/innovation/self-check"}
		if p.Has(access.Enterprise) {
			var last *SavedCheck
			s.SavedChecks(ctx, p, SavedFilter{Page: Page{Limit: 1}}, func(x SavedCheck) error { last = &x; return nil })
			if last != nil {
				c.Value = verdict(*last, l)
				c.Href = "/innovation/self-checks"
				if last.Eligible {
					c.Tone = "green"
				} else {
					c.Tone = "yellow"
				}
			}
		}
		cards = append(cards, c)
	}
	return cards
}

// underWay is the number of transfers not yet at market, from the summary.
func underWay(stock any) int64 {
	m, _ := stock.(map[string]int64)
	return m[string(Research)] + m[string(Incubation)] + m[string(Pilot)]
}

// verdict is a saved check in a few words.
func verdict(c SavedCheck, l i18n.Lang) string {
	s := c.Kind.Label().In(l) + " "
	if c.Score != nil {
		s += i18n.F("%d分 ", "%d points, ", *c.Score).In(l)
	}
	if c.Eligible {
		return s + i18n.T("符合", "meets the conditions").In(l)
	}
	return s + i18n.T("暂不符合", "not yet").In(l)
}

// Facts is the module's section of an enterprise's page: the platforms it
// hosts, its partnerships, grants, transfers and latest self-checks.
func (s *Service) Facts(ctx context.Context, p *access.Principal, enterpriseID int64, l i18n.Lang) (*platform.Facts, error) {
	id := strconv.FormatInt(enterpriseID, 10)
	f := &platform.Facts{Title: i18n.T("科技创新", "Innovation").In(l), Href: "/innovation/partnerships?enterprise_id=" + id}
	none := i18n.T("无", "none").In(l)

	var names []string
	err := s.Platforms(ctx, p, PlatformFilter{EnterpriseID: enterpriseID, Status: Active}, func(x Platform) error {
		names = append(names, x.Level.Label().In(l)+x.Kind.Label().In(l)+"（"+x.Name+"）")
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.Rows = append(f.Rows, platform.Fact{Label: i18n.T("研发平台", "R&D platforms").In(l), Value: join(names, none), Href: "/innovation/platforms?enterprise_id=" + id})

	var unis []string
	var nPart int
	seen := map[string]bool{}
	today := s.today()
	err = s.Partnerships(ctx, p, PartnershipFilter{EnterpriseID: enterpriseID, ActiveFrom: today}, func(x Partnership) error {
		nPart++
		if !seen[x.UniversityName] {
			seen[x.UniversityName] = true
			unis = append(unis, x.UniversityName)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v := none
	if nPart > 0 {
		v = i18n.F("%d 项：%s", "%d: %s", nPart, strings.Join(unis, "、")).In(l)
	}
	f.Rows = append(f.Rows, platform.Fact{Label: i18n.T("在执行的产学研合作", "Partnerships in force").In(l), Value: v, Href: "/innovation/partnerships?enterprise_id=" + id})

	var nGrant int
	var fen int64
	err = s.Grants(ctx, p, GrantFilter{EnterpriseID: enterpriseID}, func(g Grant) error { nGrant++; fen += g.AmountFen; return nil })
	if err != nil {
		return nil, err
	}
	v = none
	if nGrant > 0 {
		amt := money.Format(fen)
		if l == i18n.EN {
			amt = money.FormatEn(fen)
		}
		v = i18n.F("%d 项，共 %s", "%d, %s in all", nGrant, amt).In(l)
	}
	f.Rows = append(f.Rows, platform.Fact{Label: i18n.T("项目与专项支持", "Projects and special support").In(l), Value: v, Href: "/innovation/grants?enterprise_id=" + id})

	stages := map[Stage]int{}
	err = s.Transfers(ctx, p, TransferFilter{EnterpriseID: enterpriseID}, func(t Transfer) error { stages[t.Stage]++; return nil })
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, st := range Stages {
		if stages[st] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", st.Label().In(l), stages[st]))
		}
	}
	f.Rows = append(f.Rows, platform.Fact{Label: i18n.T("成果转化", "Technology transfers").In(l), Value: join(parts, none), Href: "/innovation/transfers?enterprise_id=" + id})

	for _, kind := range []CheckKind{CheckHighTech, CheckTechSME} {
		var last *SavedCheck
		err = s.SavedChecks(ctx, p, SavedFilter{Kind: kind, EnterpriseID: enterpriseID, Page: Page{Limit: 1}}, func(c SavedCheck) error { last = &c; return nil })
		if err != nil {
			return nil, err
		}
		fact := platform.Fact{Label: i18n.F("%s自测", "%s self-check", kind.Label()).In(l), Value: none, Href: "/innovation/self-checks?enterprise_id=" + id}
		if last != nil {
			fact.Value = verdict(*last, l) + "（" + last.AsOf.String() + "）"
			fact.Href = "/innovation/self-checks/" + strconv.FormatInt(last.ID, 10)
			fact.Tone = "yellow"
			if last.Eligible {
				fact.Tone = "green"
			}
		}
		f.Rows = append(f.Rows, fact)
	}
	return f, nil
}

func join(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, "；")
}
