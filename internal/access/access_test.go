package access

import (
	"reflect"
	"testing"
)

func TestScopeFailsClosed(t *testing.T) {
	var s Scope
	if got, _ := s.SQL(); got != "1=0" {
		t.Fatalf("empty scope = %q, want 1=0", got)
	}
}

func TestScopeOrsTerms(t *testing.T) {
	var s Scope
	s.Or("e.cadre_user_id = ?", int64(7))
	s.InOrgTree("e.org_id", "/1/4/")
	got, args := s.SQL()
	want := "((e.cadre_user_id = ?) OR (e.org_id IN (SELECT id FROM orgs WHERE path LIKE ?)))"
	if got != want {
		t.Fatalf("SQL = %q", got)
	}
	if !reflect.DeepEqual(args, []any{int64(7), "/1/4/%"}) {
		t.Fatalf("args = %v", args)
	}
	s.InOrgTree("e.org_id", "/")
	if got, _ := s.SQL(); got != "1=1" {
		t.Fatalf("root subtree = %q, want 1=1", got)
	}
}

func TestHas(t *testing.T) {
	p := &Principal{Roles: []Role{Clerk}}
	if !p.Has(Leader, Clerk) || p.Has(Leader) || p.IsAdmin() {
		t.Fatal("Has is wrong")
	}
	var nilp *Principal
	if nilp.Has(Clerk) {
		t.Fatal("nil principal has a role")
	}
}
