package labor

import (
	"context"
	"fmt"
	"math/rand/v2"

	"xiaoer/internal/access"
	"xiaoer/internal/civil"
	"xiaoer/internal/platform"
	"xiaoer/internal/store"
)

// The seed's figures for the first half of 2023: 94 recruitment events and
// more than 16,000 workers delivered.
const (
	DemoEventsH1 = 94
	DemoPlacedH1 = 16_000
)

type demoLoader struct {
	svc *Service
}

type demoFirm struct {
	id        int64
	name      string
	employees int
}

var demoJobs = []string{"普工", "装配工", "焊工", "电工", "数控操作工", "质检员", "仓管员", "叉车司机", "机修工", "注塑工",
	"喷涂工", "设备维护员", "工艺工程师", "研发工程师", "生产班组长", "物流专员"}

// load builds a year of recruitment in the demo zone: the first half of
// 2023 has the seed's 94 events and 16,000+ placed workers, the second half
// a quieter season, and a few demands open now for the shortage list.
func (l *demoLoader) load(ctx context.Context, z *platform.Zone) error {
	sys := access.SystemPrincipal("demo")
	firms, err := demoFirms(ctx, l.svc.DB.Read(), z)
	if err != nil || len(firms) == 0 {
		return err
	}
	rng := rand.New(rand.NewPCG(7, 2023))
	// Every draw of an enterprise favours the big employers, as recruitment
	// drives do; 长城汽车 and 融通高科 come first.
	weights := make([]int, len(firms))
	total := 0
	for i, f := range firms {
		weights[i] = max(f.employees, 40)
		total += weights[i]
	}
	pick := func() demoFirm {
		n := rng.IntN(total)
		for i, w := range weights {
			if n < w {
				return firms[i]
			}
			n -= w
		}
		return firms[0]
	}
	h1End := civil.New(2023, 6, 30)
	type openDemand struct {
		id, enterprise int64
		posted         civil.Date
		left           int
	}
	var demands []*openDemand
	err = l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		// Demands: each sizeable enterprise reports a few shortages over 2023.
		for i, f := range firms[:min(len(firms), 60)] {
			for range 1 + rng.IntN(3) {
				posted := civil.New(2023, 1, 3).AddDays(rng.IntN(300))
				head := 10 + rng.IntN(20+f.employees/8)
				in := DemandInput{EnterpriseID: f.id, Job: demoJobs[(i+rng.IntN(len(demoJobs)))%len(demoJobs)], Headcount: head,
					NeedBy: posted.AddDays(20 + rng.IntN(40)), PostedOn: posted, Closed: true}
				id, err := l.svc.CreateDemandTx(ctx, tx, sys, in)
				if err != nil {
					return fmt.Errorf("demand: %w", err)
				}
				demands = append(demands, &openDemand{id: id, enterprise: f.id, posted: posted, left: head})
			}
		}
		// Events: 94 in the first half (春风行动 makes the spring busy), 14
		// in the second.
		kinds := make([]EventKind, 0, DemoEventsH1)
		for _, kn := range []struct {
			kind EventKind
			n    int
		}{{Onsite, 40}, {Online, 22}, {Stationed, 24}, {Campus, 8}} {
			for range kn.n {
				kinds = append(kinds, kn.kind)
			}
		}
		rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
		type plan struct {
			date civil.Date
			kind EventKind
		}
		var plans []plan
		for i, k := range kinds {
			// Spread over 181 days, denser in February and March.
			day := (i*181)/len(kinds) + rng.IntN(2)
			plans = append(plans, plan{civil.New(2023, 1, 2).AddDays(min(day, 179)), k})
		}
		for i := range 14 {
			plans = append(plans, plan{civil.New(2023, 7, 5).AddDays(i * 12), EventKinds[i%len(EventKinds)]})
		}
		counter := map[EventKind]int{}
		for _, pl := range plans {
			counter[pl.kind]++
			var who []demoFirm
			name := ""
			switch pl.kind {
			case Stationed:
				f := pick()
				who = []demoFirm{f}
				name = fmt.Sprintf("%s驻厂招聘（第%d期）", f.name, counter[pl.kind])
			case Campus:
				name = fmt.Sprintf("%s校园专场招聘会", campuses[counter[pl.kind]%len(campuses)])
			case Online:
				name = fmt.Sprintf("“云招聘”直播带岗第%d场", counter[pl.kind])
			default:
				name = fmt.Sprintf("%d年春风行动暨高新区专场招聘会（第%d场）", pl.date.Year, counter[pl.kind])
			}
			if pl.kind != Stationed {
				seen := map[int64]bool{}
				for range 4 + rng.IntN(10) {
					if f := pick(); !seen[f.id] {
						seen[f.id] = true
						who = append(who, f)
					}
				}
			}
			in := EventInput{Name: name, Kind: pl.kind, Date: pl.date, OrgID: z.ID, Venue: venues[pl.kind]}
			for _, f := range who {
				in.Enterprises = append(in.Enterprises, f.id)
				in.Positions += 20 + rng.IntN(60)
			}
			in.Attendees = in.Positions + rng.IntN(in.Positions+1)
			placed := 150 + rng.IntN(80)
			if pl.date.After(h1End) {
				placed = 60 + rng.IntN(60)
			}
			in.Hires = min(in.Attendees, placed+rng.IntN(60))
			event, err := l.svc.CreateEventTx(ctx, tx, sys, in)
			if err != nil {
				return fmt.Errorf("event %s: %w", name, err)
			}
			// Deliver the event's workers to up to four participants, on the
			// event day or within ten days (inside the half-year it belongs to).
			shares := who[:min(len(who), 4)]
			for i, f := range shares {
				n := placed / len(shares)
				if i == 0 {
					n += placed % len(shares)
				}
				date := pl.date.AddDays(rng.IntN(11))
				if !pl.date.After(h1End) && date.After(h1End) {
					date = h1End
				}
				for _, d := range demands {
					if n == 0 {
						break
					}
					if d.enterprise != f.id || d.left == 0 || d.posted.After(date) {
						continue
					}
					k := min(n, d.left)
					if _, err := l.svc.CreatePlacementTx(ctx, tx, sys, PlacementInput{EnterpriseID: f.id, EventID: event, DemandID: d.id, Date: date, Workers: k}); err != nil {
						return fmt.Errorf("placement: %w", err)
					}
					d.left -= k
					n -= k
				}
				if n > 0 {
					if _, err := l.svc.CreatePlacementTx(ctx, tx, sys, PlacementInput{EnterpriseID: f.id, EventID: event, Date: date, Workers: n}); err != nil {
						return fmt.Errorf("placement: %w", err)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// A few demands reported lately, for today's shortage list.
	today := l.svc.today()
	return l.svc.DB.Write(ctx, func(tx *store.Tx) error {
		for i, f := range firms[:min(len(firms), 8)] {
			posted := today.AddDays(-10 - 2*i)
			_, err := l.svc.CreateDemandTx(ctx, tx, sys, DemandInput{EnterpriseID: f.id, Job: demoJobs[(3*i)%len(demoJobs)],
				Headcount: 15 + 9*i, NeedBy: today.AddDays(-4 + 6*i), PostedOn: posted})
			if err != nil {
				return fmt.Errorf("demand: %w", err)
			}
		}
		return nil
	})
}

var (
	campuses = []string{"湖北理工学院", "湖北师范大学", "武汉理工大学", "黄石职业技术学院"}
	venues   = map[EventKind]string{Onsite: "大冶湖高新区人力资源市场", Online: "“黄石就业”直播间", Stationed: "企业厂区", Campus: "高校就业指导中心"}
)

// demoFirms lists the zone's enterprises, the seed's named ones first
// (长城汽车, 融通高科 …), then any others the registry holds.
func demoFirms(ctx context.Context, q store.Querier, z *platform.Zone) ([]demoFirm, error) {
	rows, err := q.Query(ctx, "SELECT id, name, employees FROM enterprises ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	first := map[int64]int{z.Enterprises["长城汽车"]: 1, z.Enterprises["融通高科"]: 2}
	var named, rest []demoFirm
	for rows.Next() {
		var f demoFirm
		if err := rows.Scan(&f.id, &f.name, &f.employees); err != nil {
			return nil, err
		}
		switch {
		case first[f.id] > 0:
			named = append(named, f)
		default:
			rest = append(rest, f)
		}
	}
	if len(named) == 2 && named[0].id != z.Enterprises["长城汽车"] {
		named[0], named[1] = named[1], named[0]
	}
	// 长城汽车 is the zone's largest employer.
	for i := range named {
		named[i].employees = max(named[i].employees, 1500-600*i)
	}
	return append(named, rest...), rows.Err()
}
