package appeal

import (
	"context"

	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"

	"xiaoer/internal/errs"
	"xiaoer/internal/settings"
	"xiaoer/internal/store"
)

// Limits are the time limits of appeals, in working days, counted from the
// day of dispatch (not counted itself): the department signs within
// SignWorkdays and replies within the reply limit of the appeal's urgency,
// or of its category and urgency where the zone set one.
type Limits struct {
	SignWorkdays int                          `json:"sign_workdays"`
	Reply        map[Urgency]int              `json:"reply_workdays"`
	Categories   map[Category]map[Urgency]int `json:"category_reply_workdays" doc:"overrides by category, e.g. {\"land\": {\"complex\": 25}}"`
	// MaxExtensions is how often a department may extend one dispatch.
	MaxExtensions int `json:"max_extensions"`
}

// LimitsKey is the settings key of the limits.
const LimitsKey = "appeals.limits"

// DefaultLimits are the limits until the zone sets its own: sign within one
// working day; reply within 5 (general), 15 (complex) or 1 (urgent).
func DefaultLimits() Limits {
	return Limits{SignWorkdays: 1, Reply: map[Urgency]int{General: 5, Complex: 15, Urgent: 1},
		Categories: map[Category]map[Urgency]int{}, MaxExtensions: 2}
}

// ReplyWorkdays returns the reply limit for a category and urgency.
func (l Limits) ReplyWorkdays(c Category, u Urgency) int {
	if n, ok := l.Categories[c][u]; ok && n > 0 {
		return n
	}
	if n := l.Reply[u]; n > 0 {
		return n
	}
	return DefaultLimits().Reply[u]
}

// Validate checks the limits.
func (l *Limits) Validate() error {
	if l.SignWorkdays < 0 || l.SignWorkdays > 10 {
		return errs.Invalidf("sign_workdays", "签收时限应为0到10个工作日", "sign_workdays must be from 0 to 10")
	}
	for _, u := range Urgencies {
		if n := l.Reply[u]; n < 1 || n > 120 {
			return errs.Invalidf("reply_workdays", "答复时限应为1到120个工作日（%s）", "reply_workdays must be from 1 to 120 (%s)", u.Label())
		}
	}
	for u := range l.Reply {
		if !u.Valid() {
			return errs.Invalidf("reply_workdays", "紧急程度 %s 无效", "Unknown urgency %s", string(u))
		}
	}
	for c, m := range l.Categories {
		if !c.Valid() {
			return errs.Invalidf("category_reply_workdays", "类别 %s 无效", "Unknown category %s", string(c))
		}
		for u, n := range m {
			if !u.Valid() || n < 0 || n > 120 {
				return errs.Invalidf("category_reply_workdays", "%s 的答复时限应为0（用默认）到120个工作日", "The limit of %s must be from 0 (default) to 120", c.Label())
			}
		}
	}
	if l.MaxExtensions < 0 || l.MaxExtensions > 5 {
		return errs.Invalidf("max_extensions", "延期次数上限应为0到5", "max_extensions must be from 0 to 5")
	}
	return nil
}

// LoadLimits reads the limits: the defaults, overridden by what is stored.
func LoadLimits(ctx context.Context, q store.Querier) (Limits, error) {
	l := DefaultLimits()
	err := settings.Load(ctx, q, LimitsKey, &l)
	if l.Categories == nil {
		l.Categories = map[Category]map[Urgency]int{}
	}
	return l, err
}

// SaveLimits stores new limits (audited); they apply to later dispatches.
func SaveLimits(ctx context.Context, db *store.DB, l Limits) error {
	if err := l.Validate(); err != nil {
		return err
	}
	for c, m := range l.Categories {
		for u, n := range m {
			if n == 0 {
				delete(m, u)
			}
		}
		if len(m) == 0 {
			delete(l.Categories, c)
		}
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		old, err := LoadLimits(ctx, tx)
		if err != nil {
			return err
		}
		return settings.Save(ctx, tx, LimitsKey, old, l)
	})
}

// Notice tells a filer what to expect of an appeal of a category and
// urgency (Open311's service_notice).
func (l Limits) Notice(c Category, u Urgency) i18n.Text {
	return i18n.F("受理后派给责任部门办理：%d个工作日内签收，%d个工作日内答复（节假日不计）。",
		"Once accepted it goes to the responsible department, which signs within %d and replies within %d working days.",
		l.SignWorkdays, l.ReplyWorkdays(c, u))
}

// Expected returns the day an appeal received on a day can expect its reply
// at the latest, if it were accepted and dispatched that day.
func (l Limits) Expected(cal *calendar.Calendar, received civil.Date, c Category, u Urgency) civil.Date {
	return cal.AddWorkdays(received, l.ReplyWorkdays(c, u))
}
