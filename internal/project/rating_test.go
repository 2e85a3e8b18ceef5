package project_test

import (
	"context"
	"testing"

	"xiaoer/internal/errs"
	"xiaoer/internal/project"
)

// TestCommissionerScore checks the 金牌保姆 formula on measured service:
// moves on time against the plan, moves made, problems solved (through the
// hook the appeals module wires) and the enterprises' ratings.
func TestCommissionerScore(t *testing.T) {
	w := newWorld(t)
	in := w.input("专员一的项目", 800)
	in.Actual = map[string]string{"signed": "2023-01-05", "started": "2023-02-20", "registered": "2023-03-15", "producing": "2023-06-10"}
	in.Planned = map[string]string{"started": "2023-03-01", "producing": "2023-06-01"}
	p1 := w.create(w.office, in)
	in = w.input("专员一的老项目", 800)
	in.Actual = map[string]string{"signed": "2022-01-05", "started": "2022-05-01"}
	p2 := w.create(w.office, in)
	in = w.input("乙的项目", 800)
	in.EnterpriseID, in.CommissionerUserID = w.entB, w.cadreB.UserID
	in.Actual = map[string]string{"signed": "2023-01-05", "started": "2023-04-01"}
	in.Planned = map[string]string{"started": "2023-04-01"}
	w.create(w.office, in)

	for _, pr := range []struct {
		id    int64
		score int
	}{{p1.ID, 5}, {p2.ID, 4}} {
		if _, err := w.svc.Rate(w.ctx, w.entUser, pr.id, project.RatingInput{Score: pr.score, Comment: "服务到位"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := w.svc.Rate(w.ctx, w.entUser, p1.ID, project.RatingInput{Score: 1})
	wantErr(t, err, errs.Conflict, "")
	_, err = w.svc.Rate(w.ctx, w.entUser, p1.ID, project.RatingInput{Score: 6})
	wantErr(t, err, errs.Invalid, "score")
	if _, err := w.svc.Rate(w.ctx, w.office, p1.ID, project.RatingInput{Score: 5}); errs.CodeOf(err) != errs.Forbidden {
		t.Fatalf("the office rates: %v", err)
	}

	// Without the appeals module, problems count 0 and the ranking says so.
	rk, err := w.svc.Rank(w.ctx, w.office, 2023)
	if err != nil {
		t.Fatal(err)
	}
	if rk.ProblemsCounted || len(rk.Items) != 2 || rk.Items[0].ProblemPoints != 0 {
		t.Fatalf("ranking without problems: %+v", rk)
	}
	w.svc.ProblemsSolved = func(ctx context.Context, user int64, year int) (int, error) {
		if user == w.commissioner.UserID && year == 2023 {
			return 3, nil
		}
		return 0, nil
	}
	rk, err = w.svc.Rank(w.ctx, w.office, 2023)
	if err != nil {
		t.Fatal(err)
	}
	if !rk.ProblemsCounted || len(rk.Items) != 2 {
		t.Fatalf("ranking = %+v", rk)
	}
	first, second := rk.Items[0], rk.Items[1]
	// 专员一: 1 of 2 planned moves on time → 20; 3 moves → 12; 3 problems → 6;
	// ratings 5 and 4, average 4.5 → 20 × 3.5 ÷ 4 = 17.5; total 55.5.
	if first.UserID != w.commissioner.UserID || first.Rank != 1 || first.Projects != 2 || first.Moves != 3 || first.MovesPlanned != 2 ||
		first.MovesOnTime != 1 || first.OnTimePoints != 20 || first.MovePoints != 12 || first.ProblemsSolved != 3 ||
		first.ProblemPoints != 6 || first.Ratings != 2 || *first.RatingAvg != 4.5 || first.RatingPoints != 17.5 || first.Total != 55.5 {
		t.Fatalf("first = %+v", first)
	}
	// 包保乙: 1 of 1 on time → 40; 1 move → 4; no ratings → 0; total 44.
	if second.UserID != w.cadreB.UserID || second.Rank != 2 || second.Total != 44 || second.RatingAvg != nil {
		t.Fatalf("second = %+v", second)
	}
	// A cadre sees only their own score; 2022 measures 2022's moves.
	own, err := w.svc.Rank(w.ctx, w.cadreB, 2023)
	if err != nil || len(own.Items) != 1 || own.Items[0].UserID != w.cadreB.UserID {
		t.Fatalf("cadre's ranking: %+v %v", own, err)
	}
	old, _ := w.svc.Rank(w.ctx, w.office, 2022)
	for _, sc := range old.Items {
		if sc.UserID == w.commissioner.UserID && (sc.Moves != 1 || sc.Total != 4) {
			t.Fatalf("2022: %+v", sc)
		}
	}
}
