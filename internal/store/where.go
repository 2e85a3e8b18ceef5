package store

import (
	"strings"

	"xiaoer/internal/access"
)

// Where collects the conditions of a query's WHERE clause with their
// parameters, so that optional filters read as a list of Adds.
type Where struct {
	conds []string
	args  []any
}

// Add appends a condition with its parameters.
func (w *Where) Add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// Scope appends the predicate of a scope.
func (w *Where) Scope(s *access.Scope) {
	sql, args := s.SQL()
	if sql != "1=1" {
		w.Add(sql, args...)
	}
}

// SQL returns " WHERE a AND b" (or "") and the parameters.
func (w *Where) SQL() (string, []any) {
	if len(w.conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(w.conds, " AND "), w.args
}

// Args returns the parameters collected so far.
func (w *Where) Args() []any { return w.args }

// Like escapes s for a LIKE pattern and wraps it: Like("%", "a_b", "%") is
// a "contains a_b" pattern matched literally (use with ESCAPE '\').
func Like(prefix, s, suffix string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return prefix + r.Replace(s) + suffix
}
