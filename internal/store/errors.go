package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"xiaoer/internal/errs"
)

// translate turns driver errors into storage-neutral ones: a duplicate key
// is a 409 on either engine, a transient lock conflict is retried, and
// anything unknown stays an internal error with its cause for the log.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return fmt.Errorf("%w: %v", errRetry, err)
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Code: errs.Conflict, Msg: msgDuplicate, Err: fmt.Errorf("%w: %v", ErrDuplicate, err)}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &errs.Error{Code: errs.Invalid, Msg: msgReference, Err: fmt.Errorf("%w: %v", ErrReference, err)}
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return &errs.Error{Code: errs.Invalid, Msg: msgCheck, Err: fmt.Errorf("%w: %v", ErrCheck, err)}
		case sqlite3.SQLITE_CONSTRAINT_TRIGGER:
			if strings.Contains(se.Error(), "append-only") {
				return &errs.Error{Code: errs.Forbidden, Msg: msgAppend, Err: fmt.Errorf("%w: %v", ErrAppendOnly, err)}
			}
		}
		return errs.Wrap(err, "sqlite")
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "40001", "40P01", "55P03":
			return fmt.Errorf("%w: %v", errRetry, err)
		case "23505":
			return &errs.Error{Code: errs.Conflict, Msg: msgDuplicate, Err: fmt.Errorf("%w: %v", ErrDuplicate, err)}
		case "23503":
			return &errs.Error{Code: errs.Invalid, Msg: msgReference, Err: fmt.Errorf("%w: %v", ErrReference, err)}
		case "23514":
			return &errs.Error{Code: errs.Invalid, Msg: msgCheck, Err: fmt.Errorf("%w: %v", ErrCheck, err)}
		case "P0001":
			if strings.Contains(pe.Message, "append-only") {
				return &errs.Error{Code: errs.Forbidden, Msg: msgAppend, Err: fmt.Errorf("%w: %v", ErrAppendOnly, err)}
			}
		}
		return errs.Wrap(err, "postgres")
	}
	return errs.Wrap(err, "store")
}
