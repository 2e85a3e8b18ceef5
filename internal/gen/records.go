package gen

import (
	"fmt"

	"xiaoer/internal/calendar"
	"xiaoer/internal/civil"
	"xiaoer/internal/store"
)

var caseCols = []string{"id", "number", "site_id", "org_id", "matter_id", "mode", "channel", "enterprise_id", "applicant_name", "status", "outcome",
	"received_at", "received_on", "accepted_at", "concluded_at", "last_on", "clock_start", "limit_workdays", "due_on", "stopped_on",
	"overdue_mark", "created_at", "updated_at"}

var evalCols = []string{"case_id", "site_id", "org_id", "score", "channel", "evaluated_on", "created_at"}

// cases writes cases through their lifecycle: most received, accepted and
// concluded within their limit (some late), delivered; a few not accepted;
// those received in the last days still open.
func (g *Generator) cases() error {
	for done := 0; done < g.o.Cases; {
		n := min(batchRows, g.o.Cases-done)
		err := g.write(func(tx *store.Tx) error {
			next, err := nextID(g.ctx, tx, "cases")
			if err != nil {
				return err
			}
			var rows, events, evals [][]any
			for i := range n {
				id := next + int64(i)
				c := g.oneCase(id)
				rows = append(rows, c.row)
				for _, e := range c.events {
					events = append(events, g.eventRow(e))
				}
				if c.eval != nil {
					evals = append(evals, c.eval)
				}
			}
			if err := insert(g.ctx, tx, "cases", caseCols, rows); err != nil {
				return err
			}
			if err := insert(g.ctx, tx, "flow_events", eventCols, events); err != nil {
				return err
			}
			if err := insert(g.ctx, tx, "evaluations", evalCols, evals); err != nil {
				return err
			}
			return fixSequences(g.ctx, tx, "cases")
		})
		if err != nil {
			return err
		}
		done += n
		g.Progress("cases", done, g.o.Cases)
	}
	return nil
}

type genCase struct {
	row    []any
	events []event
	eval   []any
}

func (g *Generator) oneCase(id int64) genCase {
	s := g.sites[g.r.IntN(len(g.sites))]
	m := g.matters[g.r.IntN(len(g.matters))]
	d := g.day()
	channel := "window"
	switch x := g.r.IntN(10); {
	case x < 2:
		channel = "online"
	case x < 3:
		channel = "remote"
	}
	var ent any
	name := "模拟申请人"
	if g.r.IntN(10) < 6 {
		e := g.entIDs[g.r.IntN(len(g.entIDs))]
		ent, name = e, ""
	}
	number := fmt.Sprintf("G%d-%s-%d", s.id, d.String(), id)
	ev := func(action, from, to string, on civil.Date, data map[string]any) event {
		return event{entity: "case", id: id, action: action, from: from, to: to, on: on, data: data}
	}
	c := genCase{events: []event{ev("receive", "", "received", d, nil)}}
	row := func(status, outcome string, accepted, concluded any, last civil.Date, k calendar.Clock, mark any) []any {
		return []any{id, number, s.id, s.org, m.id, "local", channel, ent, name, status, outcome,
			g.at(d).UTC(), d, accepted, concluded, last, store.Null(k.StartOn), k.Limit, store.Null(k.DueOn), store.Null(k.StoppedOn),
			mark, g.now, g.now}
	}
	if g.r.IntN(100) < 4 {
		on := g.Cal.AddWorkdays(d, g.r.IntN(2))
		if on.After(g.o.To) {
			on = d
		}
		c.events = append(c.events, ev("reject", "received", "not_accepted", on, map[string]any{"reason": "不符合受理条件"}))
		c.row = row("not_accepted", "", nil, nil, on, calendar.Clock{}, nil)
		return c
	}
	var k calendar.Clock
	acc := d
	g.Cal.Start(&k, acc, m.limit)
	c.events = append(c.events, ev("accept", "received", "accepted", acc, map[string]any{"clock": k}))
	if m.limit > 0 {
		c.events = append(c.events, ev("start_processing", "accepted", "in_process", acc, nil))
	}
	took := 0
	if m.limit > 0 {
		took = g.r.IntN(m.limit + 1)
		if g.r.IntN(100) < 5 {
			took = m.limit + 1 + g.r.IntN(5) // late
		}
	}
	end := g.Cal.AddWorkdays(acc, took)
	if end.After(g.o.To) {
		// Still being handled at the end of the period.
		state := "in_process"
		if m.limit == 0 {
			state = "accepted"
		}
		c.row = row(state, "", g.at(acc).UTC(), nil, acc, k, k.DueOn.AddDays(1))
		return c
	}
	g.Cal.Stop(&k, end)
	from := "in_process"
	if m.limit == 0 {
		from = "accepted"
	}
	c.events = append(c.events, ev("conclude", from, "concluded", end, map[string]any{"outcome": "approved", "clock": k}))
	last, status := end, "concluded"
	if del := g.Cal.AddWorkdays(end, 1+g.r.IntN(3)); !del.After(g.o.To) {
		c.events = append(c.events, ev("deliver", "concluded", "delivered", del, nil))
		last, status = del, "delivered"
	}
	c.row = row(status, "approved", g.at(acc).UTC(), g.at(end).UTC(), last, k, nil)
	if g.r.IntN(100) < 65 {
		score := 5
		switch x := g.r.IntN(100); {
		case x < 8:
			score = 3
		case x < 30:
			score = 4
		}
		evCh := "window"
		if channel == "online" {
			evCh = "online"
		}
		c.eval = []any{id, s.id, s.org, score, evCh, end, g.now}
	}
	return c
}

var appealCols = []string{"id", "no", "enterprise_id", "org_id", "channel", "category", "urgency", "content", "state", "department_org_id",
	"received_on", "requested_at", "stage_on", "accepted_on", "dispatched_on", "sign_due_on", "signed_on", "clock_limit", "due_on",
	"replied_on", "reply", "revisited_on", "rating", "resolved", "closed_on", "overdue_from", "created_at", "updated_at"}

var (
	channels   = []string{"cadre_visit", "shuangqian", "tea_meeting", "roundtable", "bank_meeting", "online", "hotline"}
	categories = []string{"license", "land", "power", "water", "gas", "labor", "finance", "policy", "legal", "infrastructure", "other"}
)

// appeals writes appeals from receipt to close: dispatched to a department,
// signed (mostly in time), replied (mostly in time), revisited and closed;
// those received in the last days still with the department.
func (g *Generator) appeals() error {
	for done := 0; done < g.o.Appeals; {
		n := min(batchRows, g.o.Appeals-done)
		err := g.write(func(tx *store.Tx) error {
			next, err := nextID(g.ctx, tx, "appeals")
			if err != nil {
				return err
			}
			var rows, depts, events [][]any
			for i := range n {
				id := next + int64(i)
				row, dept, evs := g.oneAppeal(id)
				rows = append(rows, row)
				depts = append(depts, []any{id, dept, true})
				for _, e := range evs {
					events = append(events, g.eventRow(e))
				}
			}
			if err := insert(g.ctx, tx, "appeals", appealCols, rows); err != nil {
				return err
			}
			if err := insert(g.ctx, tx, "appeal_departments", []string{"appeal_id", "org_id", "lead"}, depts); err != nil {
				return err
			}
			if err := insert(g.ctx, tx, "flow_events", eventCols, events); err != nil {
				return err
			}
			return fixSequences(g.ctx, tx, "appeals")
		})
		if err != nil {
			return err
		}
		done += n
		g.Progress("appeals", done, g.o.Appeals)
	}
	return nil
}

func (g *Generator) oneAppeal(id int64) ([]any, int64, []event) {
	ent := g.entIDs[g.r.IntN(len(g.entIDs))]
	dept := g.departments[g.r.IntN(len(g.departments))]
	d := g.day()
	ev := func(action, from, to string, on civil.Date, data map[string]any) event {
		return event{entity: "appeal", id: id, action: action, from: from, to: to, on: on, data: data}
	}
	limit := 5
	if g.r.IntN(10) == 0 {
		limit = 15
	}
	signDue, due := g.Cal.AddWorkdays(d, 1), g.Cal.AddWorkdays(d, limit)
	evs := []event{
		ev("create", "", "received", d, nil),
		ev("accept", "received", "accepted", d, nil),
		ev("dispatch", "accepted", "dispatched", d, map[string]any{"department_org_id": fmt.Sprint(dept), "sign_due_on": signDue, "due_on": due}),
	}
	cat := categories[g.r.IntN(len(categories))]
	row := func(state string, stage civil.Date, signed, replied, revisited, rating, resolved, closed, overdue any) []any {
		return []any{id, fmt.Sprintf("SQ%s-%d", d.String(), id), ent, g.entOrg[ent], channels[g.r.IntN(len(channels))], cat, "general",
			"模拟企业诉求", state, dept, d, g.at(d).UTC(), stage, d, d, signDue, signed, limit, due, replied, "已办理", revisited, rating,
			resolved, closed, overdue, g.now, g.now}
	}
	sign := g.Cal.AddWorkdays(d, g.r.IntN(2)+boolInt(g.r.IntN(10) == 0))
	took := 1 + g.r.IntN(limit)
	if g.r.IntN(100) < 12 {
		took = limit + 1 + g.r.IntN(4)
	}
	reply := g.Cal.AddWorkdays(d, took)
	if sign.After(reply) {
		sign = reply
	}
	if reply.After(g.o.To) {
		// Still with the department.
		var signed any
		if !sign.After(g.o.To) {
			signed = sign
			evs = append(evs, ev("sign", "dispatched", "signed", sign, nil))
		}
		state := "dispatched"
		if signed != nil {
			state = "signed"
		}
		return row(state, d, signed, nil, nil, nil, nil, nil, due.AddDays(1)), dept, evs
	}
	revisit := reply.AddDays(1 + g.r.IntN(3))
	if revisit.After(g.o.To) {
		revisit = reply
	}
	rating, resolved := "satisfied", true
	switch x := g.r.IntN(100); {
	case x < 8:
		rating, resolved = "unsatisfied", false
	case x < 20:
		rating = "basically_satisfied"
	}
	evs = append(evs,
		ev("sign", "dispatched", "signed", sign, nil),
		ev("reply", "signed", "replied", reply, nil),
		ev("revisit", "replied", "revisited", revisit, map[string]any{"rating": rating, "resolved": resolved}),
		ev("close", "revisited", "closed", revisit, nil))
	return row("closed", revisit, sign, reply, revisit, rating, resolved, revisit, nil), dept, evs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var projectCols = []string{"id", "name", "enterprise_id", "org_id", "industry_code", "total_investment_fen", "fixed_investment_fen", "is_key",
	"stage", "last_stage_on", "signed_on", "started_on", "registered_on", "producing_on", "effective_on", "planned_started", "planned_producing",
	"created_at", "updated_at"}

// projects writes key projects signed over the period, most started, many
// registered and in production, some effective.
func (g *Generator) projects() error {
	for done := 0; done < g.o.Projects; {
		n := min(batchRows, g.o.Projects-done)
		err := g.write(func(tx *store.Tx) error {
			next, err := nextID(g.ctx, tx, "projects")
			if err != nil {
				return err
			}
			var rows, events [][]any
			for i := range n {
				id := next + int64(i)
				row, evs := g.oneProject(id)
				rows = append(rows, row)
				for _, e := range evs {
					events = append(events, g.eventRow(e))
				}
			}
			if err := insert(g.ctx, tx, "projects", projectCols, rows); err != nil {
				return err
			}
			if err := insert(g.ctx, tx, "flow_events", eventCols, events); err != nil {
				return err
			}
			return fixSequences(g.ctx, tx, "projects")
		})
		if err != nil {
			return err
		}
		done += n
		g.Progress("projects", done, g.o.Projects)
	}
	return nil
}

func (g *Generator) oneProject(id int64) ([]any, []event) {
	ent := g.entIDs[g.r.IntN(len(g.entIDs))]
	signed := g.day()
	total := int64(500+g.r.IntN(50000)) * 1_000_000 // 500万 to 5亿元, in fen
	ev := func(action, from, to string, on civil.Date) event {
		return event{entity: "project", id: id, action: action, from: from, to: to, on: on}
	}
	evs := []event{ev("create", "", "signed", signed)}
	dates := map[string]any{"started": nil, "registered": nil, "producing": nil, "effective": nil}
	stage, last := "signed", signed
	step := func(action, to string, after civil.Date, days int) bool {
		on := after.AddDays(days)
		if on.After(g.o.To) {
			return false
		}
		evs = append(evs, ev(action, stage, to, on))
		dates[to], stage, last = on, to, on
		return true
	}
	if g.r.IntN(10) < 8 && step("start", "started", signed, 30+g.r.IntN(90)) {
		if g.r.IntN(10) < 8 {
			step("register", "registered", last, 20+g.r.IntN(40))
		}
		if g.r.IntN(10) < 6 && step("produce", "producing", last, 180+g.r.IntN(320)) {
			if g.r.IntN(10) < 3 {
				step("reach_effect", "effective", last, 180+g.r.IntN(180))
			}
		}
	}
	planned := signed.AddMonths(3)
	return []any{id, fmt.Sprintf("模拟重点项目%d", id), ent, g.entOrg[ent], "38", total, total * 8 / 10, g.r.IntN(10) < 3,
		stage, last, signed, dates["started"], dates["registered"], dates["producing"], dates["effective"], planned, planned.AddMonths(15),
		g.now, g.now}, evs
}
