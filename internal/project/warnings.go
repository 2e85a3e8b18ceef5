package project

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// RulesKey is the settings key of the warning rules.
const RulesKey = "project.warnings"

// Rules are the zone's warning rules (configurable by the project office).
type Rules struct {
	// A project with no stage change for this many days is yellow / red.
	StaleYellowDays int `json:"stale_yellow_days"`
	StaleRedDays    int `json:"stale_red_days"`
	// A stage whose planned date has passed without it being reached is
	// yellow, and red once it is this many days late.
	LateRedDays int `json:"late_red_days"`
	// A project under construction (started or registered) that has not
	// reported last month's investment is yellow.
	MonthlyReport bool `json:"monthly_report"`
}

// DefaultRules are the rules until the project office changes them.
var DefaultRules = Rules{StaleYellowDays: 60, StaleRedDays: 90, LateRedDays: 30, MonthlyReport: true}

// Validate checks the rules.
func (r Rules) Validate() error {
	switch {
	case r.StaleYellowDays < 1 || r.StaleYellowDays > 3650:
		return errs.Invalidf("stale_yellow_days", "黄灯天数应在1到3650之间", "stale_yellow_days must be from 1 to 3650")
	case r.StaleRedDays <= r.StaleYellowDays || r.StaleRedDays > 3650:
		return errs.Invalidf("stale_red_days", "红灯天数应大于黄灯天数且不超过3650", "stale_red_days must be above stale_yellow_days and at most 3650")
	case r.LateRedDays < 0 || r.LateRedDays > 3650:
		return errs.Invalidf("late_red_days", "逾期转红天数应在0到3650之间", "late_red_days must be from 0 to 3650")
	}
	return nil
}

// LoadRules reads the warning rules.
func LoadRules(ctx context.Context, q store.Querier) (Rules, error) {
	r := DefaultRules
	err := settings.Load(ctx, q, RulesKey, &r)
	return r, err
}

// SaveRules changes the warning rules (project office) and recomputes every
// light at once.
func (s *Service) SaveRules(ctx context.Context, p *access.Principal, r Rules) error {
	if !p.System && !p.Has(access.ProjectOffice) {
		return errs.Forbiddenf("只有项目办可以修改预警规则", "Only the project office changes the warning rules")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.DB.Write(access.With(ctx, p), func(tx *store.Tx) error {
		before, err := LoadRules(ctx, tx)
		if err != nil {
			return err
		}
		return settings.Save(access.With(ctx, p), tx, RulesKey, before, r)
	})
	if err != nil {
		return err
	}
	_, err = s.RefreshLights(ctx)
	return err
}

// Reason is one cause of a warning light. It keeps dates rather than day
// counts, so that it stays the same from one day to the next until the
// situation changes; Days is filled in when the project is shown.
type Reason struct {
	Code    string     `json:"code" doc:"stalled, stale, late or no_report"`
	Light   Light      `json:"light"`
	Stage   Stage      `json:"stage,omitempty"`
	Date    civil.Date `json:"date,omitempty" doc:"stalled since, last change, or the planned date missed"`
	Month   string     `json:"month,omitempty" doc:"the month whose progress report is missing"`
	Days    int        `json:"days,omitempty"`
	Message string     `json:"message,omitempty"`
}

// Text is the reason in words.
func (r Reason) Text() i18n.Text {
	switch r.Code {
	case "stalled":
		return i18n.F("项目自 %s 起停滞（%d天）", "Stalled since %s (%d days)", r.Date, r.Days)
	case "stale":
		return i18n.F("已 %d 天无阶段变化（上次 %s）", "No stage change for %d days (last on %s)", r.Days, r.Date)
	case "late":
		return i18n.F("计划 %s %s，已逾期 %d 天", "“%[2]s” was due on %[1]s and is %[3]d days late", r.Date, r.Stage.Label(), r.Days)
	case "no_report":
		return i18n.F("%s 月度投资进度未填报", "The investment progress report for %s is missing", r.Month)
	}
	return i18n.T(r.Code, r.Code)
}

// Localize fills the day counts (as of today) and the messages of the
// project's warnings in l.
func (p *Project) Localize(today civil.Date, l i18n.Lang) {
	for i := range p.Warnings {
		w := &p.Warnings[i]
		if !w.Date.IsZero() && w.Code != "no_report" {
			w.Days = w.Date.DaysUntil(today)
		}
		w.Message = w.Text().In(l)
	}
}

// lastMonth is the month before today's, "YYYY-MM", and its last day.
func lastMonth(today civil.Date) (string, civil.Date) {
	first := civil.New(today.Year, today.Month, 1)
	end := first.AddDays(-1)
	return end.String()[:7], end
}

// Evaluate computes a project's light on today under rules r; reported
// says whether last month's progress is in.
func Evaluate(pr *Project, r Rules, today civil.Date, reported bool) (Light, []Reason) {
	reasons := []Reason{}
	if !pr.Stage.Open() {
		return Green, reasons
	}
	worst := Green
	add := func(re Reason) {
		reasons = append(reasons, re)
		if re.Light.rank() < worst.rank() {
			worst = re.Light
		}
	}
	current := pr.Stage
	if current == Stalled {
		add(Reason{Code: "stalled", Light: Red, Date: pr.Actual[Stalled]})
		current = pr.StalledFrom
	} else if days := pr.lastStageOn.DaysUntil(today); days >= r.StaleYellowDays {
		l := Yellow
		if days >= r.StaleRedDays {
			l = Red
		}
		add(Reason{Code: "stale", Light: l, Date: pr.lastStageOn})
	}
	for _, st := range Milestones[current.order()+1:] {
		planned, ok := pr.Planned[st]
		if !ok || !planned.Before(today) {
			continue
		}
		l := Yellow
		if planned.DaysUntil(today) > r.LateRedDays {
			l = Red
		}
		add(Reason{Code: "late", Light: l, Stage: st, Date: planned})
		break
	}
	if r.MonthlyReport && pr.Stage != Stalled && (current == Started || current == Registered) {
		month, end := lastMonth(today)
		if !pr.Actual[Started].After(end) && !reported {
			add(Reason{Code: "no_report", Light: Yellow, Month: month})
		}
	}
	return worst, reasons
}

func reportedIn(ctx context.Context, q store.Querier, id int64, month string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, "SELECT COUNT(*) FROM project_progress WHERE project_id = ? AND month = ?", id, month).Scan(&n)
	return n > 0, err
}

// saveLight recomputes and stores the light of pr inside tx.
func (s *Service) saveLight(ctx context.Context, tx *store.Tx, pr *Project, today civil.Date) error {
	r, err := LoadRules(ctx, tx)
	if err != nil {
		return err
	}
	month, _ := lastMonth(today)
	reported, err := reportedIn(ctx, tx, pr.ID, month)
	if err != nil {
		return err
	}
	light, reasons := Evaluate(pr, r, today, reported)
	b, _ := json.Marshal(reasons)
	if light == pr.Light && string(b) == mustJSON(pr.Warnings) {
		return nil
	}
	pr.Light, pr.Warnings = light, reasons
	_, err = tx.Exec(ctx, "UPDATE projects SET light_rank = ?, light_reasons = ?, light_on = ? WHERE id = ?", light.rank(), string(b), today, pr.ID)
	return err
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// RefreshLights recomputes the light of every open project (the daily
// job; also after the rules change) and stores those that changed, with
// one audit record for the run. It returns how many changed.
func (s *Service) RefreshLights(ctx context.Context) (int, error) {
	ctx = access.With(ctx, access.SystemPrincipal("project-warnings"))
	changed := 0
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		changed = 0
		today := civil.Of(tx.Now)
		r, err := LoadRules(ctx, tx)
		if err != nil {
			return err
		}
		month, _ := lastMonth(today)
		reported := map[int64]bool{}
		rows, err := tx.Query(ctx, "SELECT project_id FROM project_progress WHERE month = ?", month)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			reported[id] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
		var projects []Project
		// Closed projects keep the light they were given when they closed.
		err = each(ctx, tx, whereOpen(), Filter{}, func(pr Project) error { projects = append(projects, pr); return nil })
		if err != nil {
			return err
		}
		counts := map[Light]int{}
		for i := range projects {
			pr := &projects[i]
			light, reasons := Evaluate(pr, r, today, reported[pr.ID])
			counts[light]++
			b := mustJSON(reasons)
			if light == pr.Light && b == mustJSON(pr.Warnings) {
				continue
			}
			if _, err := tx.Exec(ctx, "UPDATE projects SET light_rank = ?, light_reasons = ?, light_on = ? WHERE id = ?", light.rank(), b, today, pr.ID); err != nil {
				return err
			}
			changed++
		}
		if changed == 0 {
			return errUnchanged // roll back: nothing to store or audit
		}
		return audit.Append(ctx, tx, audit.Entry{Action: "project.warnings", Object: Entity,
			Summary: map[string]any{"changed": changed, "red": counts[Red], "yellow": counts[Yellow], "green": counts[Green], "on": today.String()}})
	})
	if errors.Is(err, errUnchanged) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("project warnings: %w", err)
	}
	return changed, nil
}

var errUnchanged = errors.New("no light changed")

func whereOpen() store.Where {
	var w store.Where
	w.Add("pr.stage NOT IN ('effective', 'terminated')")
	return w
}
