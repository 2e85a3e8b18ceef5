// Package flow is the one workflow mechanism of xiaoer. A module declares
// its workflow as data — states, actions, the roles that may take each
// action, the fields each action takes and what each does to the time-limit
// clock — and the engine checks every transition against it, decodes the
// action's body, and records the transition as an immutable event with its
// audit record.
package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/store"
)

// ClockOp is what an action does to the record's time-limit clock.
type ClockOp string

// Clock operations.
const (
	NoClock ClockOp = ""
	Start   ClockOp = "start"
	Pause   ClockOp = "pause"
	Resume  ClockOp = "resume"
	Stop    ClockOp = "stop"
)

// Kind is the type of an action field.
type Kind string

// Field kinds.
const (
	Text  Kind = "text"
	Date  Kind = "date"  // YYYY-MM-DD, not in the future
	Money Kind = "money" // int64 fen, > 0
	Int   Kind = "int"
	Bool  Kind = "bool"
	Enum  Kind = "enum"
	ID    Kind = "id"  // an opaque id: a string (or number) naming a record
	IDs   Kind = "ids" // a list of ids
)

// Field is one field of an action's body.
type Field struct {
	Name     string
	Kind     Kind
	Required bool
	Enum     []string // for Enum
	Label    i18n.Text
}

// State is one state of a workflow.
type State struct {
	Name     string
	Label    i18n.Text
	Terminal bool
	// Paused marks states in which the clock stands still; the actions that
	// enter and leave them carry Pause and Resume.
	Paused bool
}

// Action is one transition, possible from several states.
type Action struct {
	Name  string
	Label i18n.Text
	From  []string
	// To is the state after the action; empty means the state does not
	// change (a flag such as 督办, or an extension).
	To     string
	Roles  []access.Role
	Fields []Field
	Clock  ClockOp
}

// Def is a workflow declaration.
type Def struct {
	Entity  string // the record type: "case", "appeal"
	Initial string
	States  []State
	Actions []Action
}

// Check validates the declaration; modules call it from a test.
func (d *Def) Check() error {
	states := map[string]bool{}
	for _, s := range d.States {
		if states[s.Name] {
			return fmt.Errorf("flow %s: state %s declared twice", d.Entity, s.Name)
		}
		if s.Label.IsZero() {
			return fmt.Errorf("flow %s: state %s has no label", d.Entity, s.Name)
		}
		states[s.Name] = true
	}
	if !states[d.Initial] {
		return fmt.Errorf("flow %s: initial state %s is not declared", d.Entity, d.Initial)
	}
	seen := map[string]bool{}
	for _, a := range d.Actions {
		if seen[a.Name] {
			return fmt.Errorf("flow %s: action %s declared twice", d.Entity, a.Name)
		}
		seen[a.Name] = true
		if a.Label.IsZero() || len(a.From) == 0 || len(a.Roles) == 0 {
			return fmt.Errorf("flow %s: action %s needs a label, from-states and roles", d.Entity, a.Name)
		}
		for _, f := range a.From {
			if !states[f] {
				return fmt.Errorf("flow %s: action %s from unknown state %s", d.Entity, a.Name, f)
			}
			if s, _ := d.State(f); s.Terminal {
				return fmt.Errorf("flow %s: action %s leaves terminal state %s", d.Entity, a.Name, f)
			}
		}
		if a.To != "" && !states[a.To] {
			return fmt.Errorf("flow %s: action %s to unknown state %s", d.Entity, a.Name, a.To)
		}
		for _, f := range a.Fields {
			if f.Name == "note" || (f.Kind == Enum && len(f.Enum) == 0) {
				return fmt.Errorf("flow %s: action %s has a bad field %s", d.Entity, a.Name, f.Name)
			}
		}
	}
	return nil
}

// State returns the declared state called name.
func (d *Def) State(name string) (State, bool) {
	for _, s := range d.States {
		if s.Name == name {
			return s, true
		}
	}
	return State{}, false
}

// Action returns the declared action called name.
func (d *Def) Action(name string) (Action, bool) {
	for _, a := range d.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return Action{}, false
}

// StateLabel returns the label of a state in l (the name itself if unknown).
func (d *Def) StateLabel(name string, l i18n.Lang) string {
	if s, ok := d.State(name); ok {
		return s.Label.In(l)
	}
	return name
}

// Allowed returns the actions p may take from state, in declaration order:
// the buttons a page shows.
func (d *Def) Allowed(state string, p *access.Principal) []Action {
	var out []Action
	for _, a := range d.Actions {
		if slices.Contains(a.From, state) && p.Has(a.Roles...) {
			out = append(out, a)
		}
	}
	return out
}

// Step is a checked transition with its decoded input.
type Step struct {
	Action Action
	From   string
	To     string // the state after the step (From when the action keeps it)
	Input  Input
}

// Begin checks that p may take action from state and decodes the body.
// Unknown action: 404; role not allowed: 403; state does not allow it: 409;
// bad body: 400 naming the field.
func (d *Def) Begin(state, action string, p *access.Principal, body []byte) (*Step, error) {
	a, ok := d.Action(action)
	if !ok {
		return nil, errs.NotFoundf("没有名为「%s」的操作", "There is no action %q", action)
	}
	if !p.Has(a.Roles...) {
		return nil, errs.Forbiddenf("您的角色不能执行「%s」", "Your role may not take the action “%s”", a.Label)
	}
	if !slices.Contains(a.From, state) {
		st, _ := d.State(state)
		return nil, errs.Conflictf("当前状态为「%s」，不能执行「%s」", "The action “%[2]s” is not allowed while the record is “%[1]s”",
			st.Label, a.Label)
	}
	in, err := decode(a, body)
	if err != nil {
		return nil, err
	}
	to := a.To
	if to == "" {
		to = state
	}
	return &Step{Action: a, From: state, To: to, Input: in}, nil
}

// Input is an action's decoded body.
type Input struct {
	Note   string
	values map[string]any
}

// MaxNote is the longest note accepted with an action.
const MaxNote = 4000

func decode(a Action, body []byte) (Input, error) {
	in := Input{values: map[string]any{}}
	raw := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(&raw); err != nil {
			return in, errs.Invalidf("", "请求内容不是有效的JSON对象", "The request body is not a valid JSON object")
		}
	}
	for k := range raw {
		if k == "note" {
			continue
		}
		if !slices.ContainsFunc(a.Fields, func(f Field) bool { return f.Name == k }) {
			return in, errs.Invalidf(k, "「%s」操作不接受字段 %s", "The action “%s” does not take the field %s", a.Label, k)
		}
	}
	if v, ok := raw["note"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &in.Note); err != nil {
			return in, errs.Invalidf("note", "备注必须是文字", "note must be a string")
		}
		in.Note = strings.TrimSpace(in.Note)
		if len([]rune(in.Note)) > MaxNote {
			return in, errs.Invalidf("note", "备注不能超过%d字", "note must be at most %d characters", MaxNote)
		}
	}
	for _, f := range a.Fields {
		v, ok := raw[f.Name]
		if !ok || string(v) == "null" {
			if f.Required {
				return in, errs.Invalidf(f.Name, "请填写「%s」", "%s is required", f.Label)
			}
			continue
		}
		val, err := decodeField(f, v)
		if err != nil {
			return in, err
		}
		in.values[f.Name] = val
	}
	return in, nil
}

func decodeField(f Field, v json.RawMessage) (any, error) {
	bad := func(zh, en string) error {
		return errs.Invalidf(f.Name, "「%s」"+zh, "%s "+en, f.Label)
	}
	switch f.Kind {
	case Text, Enum:
		var s string
		if json.Unmarshal(v, &s) != nil {
			return nil, bad("必须是文字", "must be a string")
		}
		s = strings.TrimSpace(s)
		if f.Required && s == "" {
			return nil, bad("不能为空", "must not be empty")
		}
		if f.Kind == Enum && !slices.Contains(f.Enum, s) {
			return nil, bad("的取值无效，可选："+strings.Join(f.Enum, "、"), "must be one of "+strings.Join(f.Enum, ", "))
		}
		return s, nil
	case Date:
		var d civil.Date
		if json.Unmarshal(v, &d) != nil || d.IsZero() {
			return nil, bad("必须是日期，格式为YYYY-MM-DD", "must be a date YYYY-MM-DD")
		}
		return d, nil
	case Money, Int:
		var n int64
		if json.Unmarshal(v, &n) != nil {
			return nil, bad("必须是整数", "must be a whole number")
		}
		if f.Kind == Money && n <= 0 {
			return nil, bad("必须大于零（单位：分）", "must be a positive number of fen")
		}
		return n, nil
	case Bool:
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return nil, bad("必须是 true 或 false", "must be true or false")
		}
		return b, nil
	case ID:
		id, err := parseID(v)
		if err != nil {
			return nil, bad("必须是记录编号", "must be a record id")
		}
		return id, nil
	case IDs:
		var list []json.RawMessage
		if json.Unmarshal(v, &list) != nil {
			return nil, bad("必须是编号列表", "must be a list of ids")
		}
		ids := make([]int64, 0, len(list))
		for _, x := range list {
			id, err := parseID(x)
			if err != nil {
				return nil, bad("必须是编号列表", "must be a list of ids")
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	return nil, fmt.Errorf("flow: field %s has unknown kind %s", f.Name, f.Kind)
}

func parseID(v json.RawMessage) (int64, error) {
	var s string
	if json.Unmarshal(v, &s) == nil {
		var id int64
		if _, err := fmt.Sscan(s, &id); err != nil || id <= 0 || fmt.Sprint(id) != s {
			return 0, fmt.Errorf("bad id")
		}
		return id, nil
	}
	var id int64
	if err := json.Unmarshal(v, &id); err != nil || id <= 0 {
		return 0, fmt.Errorf("bad id")
	}
	return id, nil
}

// Has reports whether the field was given.
func (in Input) Has(name string) bool { _, ok := in.values[name]; return ok }

// String returns a text or enum field ("" if absent).
func (in Input) String(name string) string { s, _ := in.values[name].(string); return s }

// Date returns a date field (zero if absent).
func (in Input) Date(name string) civil.Date { d, _ := in.values[name].(civil.Date); return d }

// Int returns an int or money field (0 if absent).
func (in Input) Int(name string) int64 { n, _ := in.values[name].(int64); return n }

// Bool returns a bool field (false if absent).
func (in Input) Bool(name string) bool { b, _ := in.values[name].(bool); return b }

// ID returns an id field (0 if absent).
func (in Input) ID(name string) int64 { n, _ := in.values[name].(int64); return n }

// IDs returns an id-list field.
func (in Input) IDs(name string) []int64 { n, _ := in.values[name].([]int64); return n }

// Values returns the decoded fields, for the event's data.
func (in Input) Values() map[string]any { return in.values }

// Set stores a value computed by the module into the input, so that it is
// kept in the event's data.
func (in Input) Set(name string, v any) { in.values[name] = v }

// CheckDate enforces the rule for dates of actions: they may lie in the past
// (back-entry of paper records) but not in the future, and not before the
// business date of the record's previous stage.
func CheckDate(field string, on, previous, today civil.Date) error {
	switch {
	case on.After(today):
		return errs.Invalidf(field, "日期 %s 晚于今天，不能登记未来的日期", "The date %s is in the future", on)
	case !previous.IsZero() && on.Before(previous):
		return errs.Invalidf(field, "日期 %s 早于上一环节的日期 %s", "The date %s is before the previous stage's date %s", on, previous)
	}
	return nil
}

// ApplyClock performs the step's clock operation on k, on day on; limit is
// used when the clock starts.
func (s *Step) ApplyClock(cal *calendar.Calendar, k *calendar.Clock, on civil.Date, limit int) {
	switch s.Action.Clock {
	case Start:
		cal.Start(k, on, limit)
	case Pause:
		cal.Pause(k, on)
	case Resume:
		cal.Resume(k, on)
	case Stop:
		cal.Stop(k, on)
	}
}

// Event is one recorded transition.
type Event struct {
	ID       int64          `json:"id,string"`
	Entity   string         `json:"-"`
	EntityID int64          `json:"-"`
	Action   string         `json:"action"`
	From     string         `json:"from"`
	To       string         `json:"to"`
	On       civil.Date     `json:"on"`
	At       time.Time      `json:"at"`
	ActorID  int64          `json:"actor_id,string,omitempty"`
	Actor    string         `json:"actor"`
	Note     string         `json:"note,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
}

// Record stores the step as an event of entity id, dated on, and appends its
// audit record, inside tx.
func (s *Step) Record(ctx context.Context, tx *store.Tx, entity string, id int64, on civil.Date) (*Event, error) {
	p := access.From(ctx)
	ev := &Event{Entity: entity, EntityID: id, Action: s.Action.Name, From: s.From, To: s.To, On: on,
		At: tx.Now, Note: s.Input.Note, Data: s.Input.values}
	if p != nil {
		ev.ActorID, ev.Actor = p.UserID, p.Actor()
	}
	if err := Insert(ctx, tx, ev); err != nil {
		return nil, err
	}
	err := audit.Append(ctx, tx, audit.Entry{Action: entity + "." + s.Action.Name, Object: entity, ObjectID: id,
		Summary: map[string]any{"from": s.From, "to": s.To, "on": on.String()}})
	return ev, err
}

// Insert stores an event (the creation of a record is an event too).
func Insert(ctx context.Context, tx *store.Tx, ev *Event) error {
	data := "{}"
	if len(ev.Data) > 0 {
		b, err := json.Marshal(ev.Data)
		if err != nil {
			return err
		}
		data = string(b)
	}
	if ev.At.IsZero() {
		ev.At = tx.Now
	}
	id, err := tx.Insert(ctx, `INSERT INTO flow_events (entity, entity_id, action, from_state, to_state, on_date, at, actor_id, actor, note, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ev.Entity, ev.EntityID, ev.Action, ev.From, ev.To, ev.On, ev.At.UTC(), store.Null(ev.ActorID), ev.Actor, ev.Note, data)
	ev.ID = id
	return err
}

// Events returns the history of one record, oldest first.
func Events(ctx context.Context, q store.Querier, entity string, id int64) ([]Event, error) {
	rows, err := q.Query(ctx, `SELECT id, action, from_state, to_state, on_date, at, actor_id, actor, note, data
		FROM flow_events WHERE entity = ? AND entity_id = ? ORDER BY id`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		ev := Event{Entity: entity, EntityID: id}
		var data string
		if err := rows.Scan(&ev.ID, &ev.Action, &ev.From, &ev.To, &ev.On, &ev.At, store.Z(&ev.ActorID), &ev.Actor, &ev.Note, &data); err != nil {
			return nil, err
		}
		if data != "" && data != "{}" {
			json.Unmarshal([]byte(data), &ev.Data)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
