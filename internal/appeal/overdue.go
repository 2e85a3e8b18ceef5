package appeal

import (
	"context"
	"fmt"

	"xiaoer/internal/access"
	"xiaoer/internal/audit"
	"xiaoer/internal/civil"
	"xiaoer/internal/i18n"
	"xiaoer/internal/notify"
	"xiaoer/internal/store"
)

// OverdueRun is what one run of the overdue job did.
type OverdueRun struct {
	Supervised int // appeals flagged 督办 automatically
	Notified   int // appeals whose department and office were told
	Digests    int // daily overdue lists sent to the service office
}

// RunOverdue raises 督办 on every open appeal that went overdue, tells its
// lead department and the service office (once per dispatch round), and
// sends each service-office user the day's list of overdue appeals once a
// day.
func (s *Service) RunOverdue(ctx context.Context) (OverdueRun, error) {
	var run OverdueRun
	sys := access.SystemPrincipal("job:appeals.overdue")
	ctx = access.With(ctx, sys)
	today := s.today()
	rows, err := s.DB.Read().Query(ctx, `SELECT id FROM appeals WHERE state <> ? AND overdue_from IS NOT NULL AND overdue_from <= ?
		AND (supervised = FALSE OR overdue_notified = FALSE) ORDER BY id LIMIT 1000`, StateClosed, today)
	if err != nil {
		return run, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return run, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return run, err
	}
	for _, id := range ids {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			a, err := s.getTx(ctx, tx, sys, id)
			if err != nil {
				return err
			}
			if !a.Supervised {
				if _, err := s.ActTx(ctx, tx, sys, id, "supervise", []byte(`{"note":"超期自动督办"}`)); err != nil {
					return err
				}
				run.Supervised++
				if a, err = s.getTx(ctx, tx, sys, id); err != nil {
					return err
				}
			}
			if a.notified {
				return nil
			}
			run.Notified++
			return s.noticeOverdue(ctx, tx, &a, today)
		})
		if err != nil {
			return run, fmt.Errorf("appeal %d: %w", id, err)
		}
	}
	n, err := s.digest(ctx, today)
	run.Digests = n
	return run, err
}

// noticeOverdue tells the lead department and the service office that an
// appeal is overdue and marks it told.
func (s *Service) noticeOverdue(ctx context.Context, tx *store.Tx, a *Appeal, today civil.Date) error {
	users, err := notify.UsersIn(ctx, tx, access.Department, a.DepartmentOrgID)
	if err != nil {
		return err
	}
	more, err := notify.UsersOver(ctx, tx, access.ServiceOffice, a.OrgID)
	if err != nil {
		return err
	}
	m := notify.Message{Kind: events["overdue"], Link: link(a),
		Title: i18n.F("诉求超期：%s", "Appeal overdue: %s", a.No),
		Body:  i18n.F("%s 的答复期限 %s 已过，已自动督办。", "%s: the reply was due by %s; it is now supervised.", a.DepartmentName, a.DueOn)}
	if err := notify.Send(ctx, tx, append(users, more...), m); err != nil {
		return err
	}
	if err := s.publish(ctx, tx, a, "overdue", today); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE appeals SET overdue_notified = TRUE WHERE id = ?", a.ID); err != nil {
		return err
	}
	return audit.Append(ctx, tx, audit.Entry{Action: "appeal.overdue", Object: Flow.Entity, ObjectID: a.ID,
		Summary: map[string]any{"due_on": a.DueOn.String(), "department_org_id": a.DepartmentOrgID}})
}

// digest sends each service-office user, once a day, the number of open
// overdue appeals in their subtree with a link to the list.
func (s *Service) digest(ctx context.Context, today civil.Date) (int, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT u.id, o.path FROM users u JOIN user_roles r ON r.user_id = u.id JOIN orgs o ON o.id = u.org_id
		WHERE r.role = ? AND u.disabled = FALSE ORDER BY u.id`, access.ServiceOffice)
	if err != nil {
		return 0, err
	}
	type user struct {
		id   int64
		path string
	}
	var us []user
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.id, &u.path); err != nil {
			rows.Close()
			return 0, err
		}
		us = append(us, u)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	sent := 0
	for _, u := range us {
		done, err := notify.SentToday(ctx, s.DB.Read(), u.id, "appeal.overdue_list", today.Time())
		if err != nil || done {
			if err != nil {
				return sent, err
			}
			continue
		}
		var n int
		if err := s.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM appeals a JOIN orgs o ON o.id = a.org_id
			WHERE a.state <> ? AND a.overdue_from IS NOT NULL AND a.overdue_from <= ? AND o.path LIKE ?`,
			StateClosed, today, u.path+"%").Scan(&n); err != nil {
			return sent, err
		}
		if n == 0 {
			continue
		}
		err = s.DB.Write(ctx, func(tx *store.Tx) error {
			m := notify.Message{Kind: "appeal.overdue_list", Link: "/appeals?overdue=true",
				Title: i18n.F("%s 超期未办结诉求 %d 件", "%s: %d overdue appeals", today, n),
				Body:  i18n.T("请查看超期清单并督促办理。", "See the overdue list and follow them up.")}
			if err := notify.Send(ctx, tx, []int64{u.id}, m); err != nil {
				return err
			}
			return audit.Append(ctx, tx, audit.Entry{Action: "appeal.overdue_list", Object: "user", ObjectID: u.id, Summary: map[string]any{"count": n}})
		})
		if err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}
