package project

import (
	"context"
	"math"
	"sort"
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

// RatingInput is an enterprise's rating of the commissioner serving its
// project.
type RatingInput struct {
	Score   int    `json:"score" doc:"1 (very dissatisfied) … 5 (very satisfied)"`
	Comment string `json:"comment,omitempty"`
}

// Rating is one stored rating.
type Rating struct {
	ProjectID          int64     `json:"project_id,string"`
	Year               int       `json:"year"`
	CommissionerUserID int64     `json:"commissioner_user_id,string"`
	CommissionerName   string    `json:"commissioner_name"`
	Score              int       `json:"score"`
	Comment            string    `json:"comment,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
}

// Rate records the enterprise's rating of its project's commissioner for
// this year: once per project and year, by a user of the project's
// enterprise.
func (s *Service) Rate(ctx context.Context, p *access.Principal, id int64, in RatingInput) (Rating, error) {
	in.Comment = strings.TrimSpace(in.Comment)
	if in.Score < 1 || in.Score > 5 {
		return Rating{}, errs.Invalidf("score", "评分应为1到5", "score must be from 1 to 5")
	}
	if utf8.RuneCountInString(in.Comment) > 500 {
		return Rating{}, errs.Invalidf("comment", "评语不能超过500字", "comment must be at most 500 characters")
	}
	var r Rating
	err := s.DB.Write(access.With(ctx, p), func(tx *store.Tx) error {
		pr, err := getQ(ctx, tx, ReadScope(p, "pr"), id)
		if err != nil {
			return err
		}
		if !p.Has(access.Enterprise) || p.EnterpriseID == 0 || p.EnterpriseID != pr.EnterpriseID {
			return errs.Forbiddenf("只有项目所属企业可以评价项目专员", "Only the project's enterprise rates its commissioner")
		}
		return s.RateTx(access.With(ctx, p), tx, &pr, civil.Of(tx.Now).Year, in, p.UserID, &r)
	})
	return r, err
}

// RateTx stores a rating of pr's commissioner for year, given by user
// (the demo back-dates ratings with it).
func (s *Service) RateTx(ctx context.Context, tx *store.Tx, pr *Project, year int, in RatingInput, user int64, out *Rating) error {
	if pr.CommissionerUserID == 0 {
		return errs.Conflictf("该项目尚未指定项目专员", "The project has no commissioner to rate")
	}
	_, err := tx.Insert(ctx, `INSERT INTO project_ratings (project_id, year, commissioner_user_id, score, comment, rated_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, pr.ID, year, pr.CommissionerUserID, in.Score, in.Comment, store.Null(user), tx.Now)
	if errs.Is(err, errs.Conflict) {
		return errs.Conflictf("本项目%d年已评价过项目专员", "The commissioner of this project has already been rated for %d", year)
	}
	if err != nil {
		return err
	}
	*out = Rating{ProjectID: pr.ID, Year: year, CommissionerUserID: pr.CommissionerUserID, CommissionerName: pr.CommissionerName,
		Score: in.Score, Comment: in.Comment, CreatedAt: tx.Now}
	return audit.Append(ctx, tx, audit.Entry{Action: "project.rate", Object: Entity, ObjectID: pr.ID,
		Summary: map[string]any{"year": year, "commissioner_user_id": pr.CommissionerUserID, "score": in.Score}})
}

// RatingOf returns the rating given for a project in year, or nil.
func (s *Service) RatingOf(ctx context.Context, p *access.Principal, id int64, year int) (*Rating, error) {
	if _, err := s.Get(ctx, p, id); err != nil {
		return nil, err
	}
	var r Rating
	err := s.DB.Read().QueryRow(ctx, `SELECT r.project_id, r.year, r.commissioner_user_id, COALESCE(u.name, ''), r.score, r.comment, r.created_at
		FROM project_ratings r LEFT JOIN users u ON u.id = r.commissioner_user_id WHERE r.project_id = ? AND r.year = ?`, id, year).
		Scan(&r.ProjectID, &r.Year, &r.CommissionerUserID, &r.CommissionerName, &r.Score, &r.Comment, &r.CreatedAt)
	if errs.Is(err, errs.NotFound) {
		return nil, nil
	}
	return &r, err
}

// The commissioner score (金牌保姆), out of 100:
//
//	on time     40 × moves on or before their planned date ÷ moves with a planned date
//	moves        4 per stage move (开工, 入库, 投产, 达效) in the year, at most 20
//	problems     2 per problem of their projects solved in the year, at most 20
//	ratings     20 × (average enterprise rating − 1) ÷ 4
//
// A part with nothing to measure scores 0.
const (
	PointsOnTime     = 40.0
	PointsPerMove    = 4.0
	MaxMovePoints    = 20.0
	PointsPerProblem = 2.0
	MaxProblemPoints = 20.0
	PointsRatings    = 20.0
)

// Formula is the score's formula in words, shown with the ranking.
var Formula = i18n.T("总分 = 按期推进 40 × 按期节点数 ÷ 有计划日期的节点数 + 推进节点 每个4分（最多20分）+ 解决问题 每个2分（最多20分）+ 企业评价 20 × (平均分 − 1) ÷ 4；无可计量的部分计0分。推进节点指年内实际发生的开工、入库、投产、达效；按期指实际日期不晚于计划日期。",
	"Score = on time 40 × moves on or before their planned date ÷ moves with a planned date + moves 4 each (at most 20) + problems solved 2 each (at most 20) + enterprise ratings 20 × (average − 1) ÷ 4; a part with nothing to measure scores 0. Moves are the starts, registrations, productions and effects dated in the year; on time means the actual date is not after the planned one.")

// Score is one commissioner's yearly score with what it is made of.
type Score struct {
	Rank           int      `json:"rank"`
	UserID         int64    `json:"user_id,string"`
	Name           string   `json:"name"`
	Projects       int      `json:"projects" doc:"projects they serve now"`
	Moves          int      `json:"moves" doc:"stage moves dated in the year"`
	MovesPlanned   int      `json:"moves_planned" doc:"moves that had a planned date"`
	MovesOnTime    int      `json:"moves_on_time" doc:"moves on or before the planned date"`
	ProblemsSolved int      `json:"problems_solved"`
	Ratings        int      `json:"ratings"`
	RatingAvg      *float64 `json:"rating_avg"`
	OnTimePoints   float64  `json:"on_time_points"`
	MovePoints     float64  `json:"move_points"`
	ProblemPoints  float64  `json:"problem_points"`
	RatingPoints   float64  `json:"rating_points"`
	Total          float64  `json:"score"`
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// finish computes the points and the total from the measured figures.
func (sc *Score) finish() {
	sc.OnTimePoints, sc.MovePoints, sc.ProblemPoints, sc.RatingPoints = 0, 0, 0, 0
	if sc.MovesPlanned > 0 {
		sc.OnTimePoints = round1(PointsOnTime * float64(sc.MovesOnTime) / float64(sc.MovesPlanned))
	}
	sc.MovePoints = math.Min(MaxMovePoints, PointsPerMove*float64(sc.Moves))
	sc.ProblemPoints = math.Min(MaxProblemPoints, PointsPerProblem*float64(sc.ProblemsSolved))
	if sc.RatingAvg != nil {
		sc.RatingPoints = round1(PointsRatings * (*sc.RatingAvg - 1) / 4)
	}
	sc.Total = round1(sc.OnTimePoints + sc.MovePoints + sc.ProblemPoints + sc.RatingPoints)
}

// Ranking is the yearly commissioner ranking.
type Ranking struct {
	Year            int       `json:"year"`
	Formula         string    `json:"formula"`
	ProblemsCounted bool      `json:"problems_counted" doc:"false until the appeals module reports solved problems"`
	Items           []Score   `json:"items"`
	formula         i18n.Text // Formula, localised by the handler
}

// Localize writes the formula in l.
func (r *Ranking) Localize(l i18n.Lang) { r.Formula = r.formula.In(l) }

// Rank scores the commissioners of the projects p may see for year, best
// first. A cadre sees only their own score.
func (s *Service) Rank(ctx context.Context, p *access.Principal, year int) (Ranking, error) {
	out := Ranking{Year: year, ProblemsCounted: s.ProblemsSolved != nil, Items: []Score{}, formula: Formula}
	if year < 1990 || year > 2100 {
		return out, errs.Invalidf("year", "年份无效", "Invalid year")
	}
	q := s.DB.Read()
	scores := map[int64]*Score{}
	get := func(id int64, name string) *Score {
		sc, ok := scores[id]
		if !ok {
			sc = &Score{UserID: id, Name: name}
			scores[id] = sc
		}
		return sc
	}
	var w store.Where
	w.Add("pr.commissioner_user_id IS NOT NULL")
	w.Scope(ReadScope(p, "pr"))
	err := each(ctx, q, w, Filter{}, func(pr Project) error {
		sc := get(pr.CommissionerUserID, pr.CommissionerName)
		sc.Projects++
		for _, st := range Milestones[1:] {
			d, ok := pr.Actual[st]
			if !ok || d.Year != year {
				continue
			}
			sc.Moves++
			if pl, ok := pr.Planned[st]; ok {
				sc.MovesPlanned++
				if !d.After(pl) {
					sc.MovesOnTime++
				}
			}
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	w = store.Where{}
	w.Add("r.year = ?", year)
	w.Scope(ReadScope(p, "pr"))
	where, args := w.SQL()
	rows, err := q.Query(ctx, `SELECT r.commissioner_user_id, COALESCE(u.name, ''), COUNT(*), SUM(r.score) FROM project_ratings r
		JOIN projects pr ON pr.id = r.project_id LEFT JOIN users u ON u.id = r.commissioner_user_id`+where+`
		GROUP BY r.commissioner_user_id, u.name`, args...)
	if err != nil {
		return out, err
	}
	for rows.Next() {
		var id, n, sum int64
		var name string
		if err := rows.Scan(&id, &name, &n, &sum); err != nil {
			rows.Close()
			return out, err
		}
		sc := get(id, name)
		sc.Ratings = int(n)
		avg := math.Round(float64(sum)/float64(n)*100) / 100
		sc.RatingAvg = &avg
	}
	if err := rows.Close(); err != nil {
		return out, err
	}
	for id, sc := range scores {
		if !p.System && p.Has(access.Cadre) && !p.Has(access.ProjectOffice, access.Leader) && id != p.UserID {
			continue
		}
		if s.ProblemsSolved != nil {
			n, err := s.ProblemsSolved(ctx, id, year)
			if err != nil {
				return out, err
			}
			sc.ProblemsSolved = n
		}
		sc.finish()
		out.Items = append(out.Items, *sc)
	}
	sort.Slice(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		return a.Name < b.Name
	})
	for i := range out.Items {
		out.Items[i].Rank = i + 1
	}
	return out, nil
}
