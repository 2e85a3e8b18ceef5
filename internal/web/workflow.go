package web

import (
	"context"
	"net/http"

	"xiaoer/internal/access"
)

// ActionAPI serves POST …/{id}/actions/{action} of a workflow: the body goes
// to act as it came, and the answer is the record as the action left it.
func ActionAPI[T any](act func(ctx context.Context, p *access.Principal, id int64, action string, body []byte) (T, error)) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		body, err := ReadBody(r)
		if err != nil {
			return err
		}
		rec, err := act(r.Context(), Principal(r), id, r.PathValue("action"), body)
		if err != nil {
			return err
		}
		return OK(w, rec)
	}
}

// HistoryAPI serves GET …/{id}/events: a record's workflow events, oldest
// first, and an empty list rather than null for a record without any.
func HistoryAPI[E any](events func(ctx context.Context, p *access.Principal, id int64) ([]E, error)) Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		evs, err := events(r.Context(), Principal(r), id)
		if err != nil {
			return err
		}
		if evs == nil {
			evs = []E{}
		}
		return OK(w, evs)
	}
}
