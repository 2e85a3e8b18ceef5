package web

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
)

// DefaultMaxBody is the largest request body accepted: 10 MiB.
const DefaultMaxBody = 10 << 20

// status is the one mapping from error codes to HTTP status.
var status = map[errs.Code]int{
	errs.Invalid:         http.StatusBadRequest,
	errs.Unauthenticated: http.StatusUnauthorized,
	errs.Forbidden:       http.StatusForbidden,
	errs.NotFound:        http.StatusNotFound,
	errs.Conflict:        http.StatusConflict,
	errs.TooLarge:        http.StatusRequestEntityTooLarge,
	errs.Locked:          http.StatusLocked,
	errs.RateLimited:     http.StatusTooManyRequests,
	errs.Internal:        http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int {
	if s, ok := status[errs.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the error shape of API.md.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    errs.Code `json:"code"`
	Message string    `json:"message"`
	Field   string    `json:"field,omitempty"`
}

// WriteError writes err in the API's error shape, in the request's
// language. Internal errors are logged with their cause; the client sees a
// plain message.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		slog.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", e.Err)
	}
	JSON(w, StatusOf(e), ErrorBody{ErrorDetail{Code: e.Code, Message: e.Msg.In(i18n.From(r.Context())), Field: e.Field}})
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// OK writes v with status 200.
func OK(w http.ResponseWriter, v any) error { return JSON(w, http.StatusOK, v) }

// Created writes v with status 201.
func Created(w http.ResponseWriter, v any) error { return JSON(w, http.StatusCreated, v) }

// Decode reads the request body as one JSON value into v. Unknown fields,
// wrong types, malformed or trailing JSON and oversize bodies are refused
// with a 4xx naming the field where there is one.
func Decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err)
		}
		return errs.Invalidf("", "请求内容只能包含一个JSON对象", "The request body must hold exactly one JSON value")
	}
	return nil
}

// ReadBody reads the whole (size-limited) body: action bodies are decoded
// by the workflow engine.
func ReadBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, decodeError(err)
	}
	return b, nil
}

func decodeError(err error) error {
	var (
		mbe   *http.MaxBytesError
		syn   *json.SyntaxError
		typ   *json.UnmarshalTypeError
		coded *errs.Error
	)
	switch {
	case errors.As(err, &mbe):
		return errs.New(errs.TooLarge, "", i18n.F("请求内容超过%d MiB的上限", "The request body exceeds the limit of %d MiB", mbe.Limit>>20))
	case errors.As(err, &coded):
		return coded
	case errors.Is(err, io.EOF):
		return errs.Invalidf("", "请求内容为空，应为JSON对象", "The request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Invalidf("", "请求内容不完整，不是有效的JSON", "The request body is cut short: not valid JSON")
	case errors.As(err, &syn):
		return errs.Invalidf("", "请求内容不是有效的JSON（约第%d字节处）", "The request body is not valid JSON (near byte %d)", syn.Offset)
	case errors.As(err, &typ):
		zh, en := jsonTypeName(typ.Type.Kind().String())
		return errs.New(errs.Invalid, typ.Field, i18n.F("字段 %s 的类型错误：应为%s", "The field %s has the wrong type: %s expected", typ.Field, i18n.T(zh, en)))
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return errs.Invalidf(f, "不认识的字段：%s", "Unknown field: %s", f)
	}
	return errs.Invalidf("", "请求内容无效：%s", "Invalid request body: %s", msg)
}

func jsonTypeName(kind string) (zh, en string) {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "整数", "an integer"
	case strings.HasPrefix(kind, "float"):
		return "数字", "a number"
	case kind == "bool":
		return "true 或 false", "true or false"
	case kind == "slice", kind == "array":
		return "列表", "a list"
	case kind == "struct", kind == "map":
		return "对象", "an object"
	case kind == "string":
		return "文字", "a string"
	}
	return kind, kind
}
