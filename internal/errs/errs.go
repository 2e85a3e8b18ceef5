// Package errs is xiaoer's one error type: a code that says what kind of
// failure it is, the field at fault, and a message safe to show the user in
// either language. Anything else that reaches the HTTP layer is an internal
// error whose detail is logged, never shown.
package errs

import (
	"errors"
	"fmt"

	"xiaoer/internal/i18n"
)

// Code is a kind of failure. The HTTP layer maps each to one status.
type Code string

// The codes of API.md.
const (
	Invalid         Code = "invalid"         // 400
	Unauthenticated Code = "unauthenticated" // 401
	Forbidden       Code = "forbidden"       // 403
	NotFound        Code = "not_found"       // 404
	Conflict        Code = "conflict"        // 409
	TooLarge        Code = "too_large"       // 413
	Locked          Code = "locked"          // 423
	RateLimited     Code = "rate_limited"    // 429
	Internal        Code = "internal"        // 500
)

// Error is a failure the user can be told about.
type Error struct {
	Code  Code
	Field string    // the request field at fault, if any
	Msg   i18n.Text // safe to show
	Err   error     // the cause, for logs only
}

// Error returns the English message, with the cause if any.
func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Msg.In(i18n.EN)
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with code, field and message.
func New(code Code, field string, msg i18n.Text) *Error {
	return &Error{Code: code, Field: field, Msg: msg}
}

// Invalidf is a 400 for field with a message formatted in both languages.
func Invalidf(field, zh, en string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Msg: i18n.F(zh, en, args...)}
}

// Conflictf is a 409 with a message formatted in both languages.
func Conflictf(zh, en string, args ...any) *Error {
	return &Error{Code: Conflict, Msg: i18n.F(zh, en, args...)}
}

// Forbiddenf is a 403 with a message formatted in both languages.
func Forbiddenf(zh, en string, args ...any) *Error {
	return &Error{Code: Forbidden, Msg: i18n.F(zh, en, args...)}
}

// NotFoundf is a 404 with a message formatted in both languages.
func NotFoundf(zh, en string, args ...any) *Error {
	return &Error{Code: NotFound, Msg: i18n.F(zh, en, args...)}
}

// ErrNotFound is the plain 404 for a record that does not exist or that the
// caller may not see; the two are deliberately indistinguishable.
var ErrNotFound = &Error{Code: NotFound, Msg: i18n.T("记录不存在", "No such record")}

// Wrap turns any error into an internal error, keeping it for the log.
func Wrap(err error, what string) *Error {
	return &Error{Code: Internal, Msg: i18n.T("系统内部错误，请稍后重试", "Internal error; please try again later"), Err: fmt.Errorf("%s: %w", what, err)}
}

// As returns err as an *Error; any other error becomes an internal one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(err, "unexpected")
}

// CodeOf returns the code of err, Internal for foreign errors, "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
