// Package org keeps the org tree every scope hangs on: the zone, its
// streets, communities and parks, and the departments, banks and
// universities that work with it.
package org

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"xiaoer/internal/audit"
	"xiaoer/internal/errs"
	"xiaoer/internal/i18n"
	"xiaoer/internal/rollup"
	"xiaoer/internal/store"
)

// Kind is the kind of an org node.
type Kind string

// Org kinds.
const (
	Zone       Kind = "zone"
	Street     Kind = "street"
	Community  Kind = "community"
	Park       Kind = "park"
	Department Kind = "department"
	Bank       Kind = "bank"
	University Kind = "university"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{Zone, Street, Community, Park, Department, Bank, University}

// Label is the kind's name in both languages.
func (k Kind) Label() i18n.Text {
	switch k {
	case Zone:
		return i18n.T("园区/开发区", "Zone")
	case Street:
		return i18n.T("街道/乡镇", "Street")
	case Community:
		return i18n.T("村(社区)", "Community")
	case Park:
		return i18n.T("产业园区", "Park")
	case Department:
		return i18n.T("职能部门", "Department")
	case Bank:
		return i18n.T("金融机构", "Bank")
	case University:
		return i18n.T("高校院所", "University")
	}
	return i18n.T(string(k), string(k))
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Org is one node of the tree.
type Org struct {
	ID        int64     `json:"id,string"`
	Name      string    `json:"name"`
	Kind      Kind      `json:"kind"`
	ParentID  int64     `json:"parent_id,string,omitempty"`
	Code      string    `json:"code,omitempty"`
	Path      string    `json:"path" doc:"materialised path of ids, /1/4/12/"`
	CreatedAt time.Time `json:"created_at"`
}

// Input is the body of create and update.
type Input struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	ParentID int64  `json:"parent_id,string,omitempty"`
	Code     string `json:"code,omitempty"`
}

// Validate checks the fields that need no database.
func (in *Input) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Code = strings.TrimSpace(in.Code)
	switch {
	case in.Name == "":
		return errs.Invalidf("name", "请填写名称", "name is required")
	case utf8.RuneCountInString(in.Name) > 100:
		return errs.Invalidf("name", "名称不能超过100字", "name must be at most 100 characters")
	case !in.Kind.Valid():
		return errs.Invalidf("kind", "类型无效，应为 zone、street、community、park、department、bank 或 university", "kind must be one of zone, street, community, park, department, bank, university")
	case in.Kind != Zone && in.ParentID == 0:
		return errs.Invalidf("parent_id", "除园区外，每个组织都要有上级", "every org except a zone needs a parent")
	case len(in.Code) > 50:
		return errs.Invalidf("code", "代码不能超过50个字符", "code must be at most 50 characters")
	}
	return nil
}

// Service reads and changes the tree.
type Service struct{ DB *store.DB }

const cols = "id, name, kind, parent_id, code, path, created_at"

func scan(sc interface{ Scan(...any) error }) (Org, error) {
	var o Org
	err := sc.Scan(&o.ID, &o.Name, &o.Kind, store.Z(&o.ParentID), store.Z(&o.Code), &o.Path, &o.CreatedAt)
	return o, err
}

// Get returns one org.
func (s *Service) Get(ctx context.Context, id int64) (Org, error) {
	return scan(s.DB.Read().QueryRow(ctx, "SELECT "+cols+" FROM orgs WHERE id = ?", id))
}

// CoversAll reports whether the subtree at path holds every org, as the
// zone's own node does: a query scoped to it then needs no join to orgs.
func CoversAll(ctx context.Context, q store.Querier, path string) (bool, error) {
	if path == "" || path == "/" {
		return true, nil
	}
	var outside bool
	err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM orgs WHERE path NOT LIKE ?)", path+"%").Scan(&outside)
	return !outside, err
}

// GetTx returns one org inside a transaction.
func GetTx(ctx context.Context, q store.Querier, id int64) (Org, error) {
	return scan(q.QueryRow(ctx, "SELECT "+cols+" FROM orgs WHERE id = ?", id))
}

// Filter selects orgs.
type Filter struct {
	Q        string
	Kind     Kind
	ParentID int64
	Under    string // path prefix: the subtree
	AfterID  int64
	Limit    int
}

// List returns orgs in tree order (by path), one page.
func (s *Service) List(ctx context.Context, f Filter) ([]Org, int, error) {
	var w store.Where
	if f.Q != "" {
		w.Add("(name LIKE ? ESCAPE '\\' OR code = ?)", store.Like("%", f.Q, "%"), f.Q)
	}
	if f.Kind != "" {
		w.Add("kind = ?", f.Kind)
	}
	if f.ParentID != 0 {
		w.Add("parent_id = ?", f.ParentID)
	}
	if f.Under != "" {
		w.Add("path LIKE ?", f.Under+"%")
	}
	where, args := w.SQL()
	var total int
	if err := s.DB.Read().QueryRow(ctx, "SELECT COUNT(*) FROM orgs"+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if f.AfterID > 0 {
		w.Add("id > ?", f.AfterID)
		where, args = w.SQL()
	}
	q := "SELECT " + cols + " FROM orgs" + where + " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		o, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// Create adds a node under its parent.
func (s *Service) Create(ctx context.Context, in Input) (Org, error) {
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	var o Org
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		o, err = CreateTx(ctx, tx, in)
		return err
	})
	return o, err
}

// CreateTx adds a node inside tx (the demo loader builds the tree in one go).
func CreateTx(ctx context.Context, tx *store.Tx, in Input) (Org, error) {
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	parentPath := "/"
	if in.ParentID != 0 {
		p, err := GetTx(ctx, tx, in.ParentID)
		if errs.Is(err, errs.NotFound) {
			return Org{}, errs.Invalidf("parent_id", "上级组织不存在", "The parent org does not exist")
		}
		if err != nil {
			return Org{}, err
		}
		parentPath = p.Path
	}
	id, err := tx.Insert(ctx, "INSERT INTO orgs (name, kind, parent_id, code, path, created_at) VALUES (?, ?, ?, ?, '', ?) RETURNING id",
		in.Name, in.Kind, store.Null(in.ParentID), store.Null(in.Code), tx.Now)
	if errs.Is(err, errs.Conflict) {
		return Org{}, errs.New(errs.Conflict, "code", i18n.F("代码 %s 已被使用", "The code %s is already in use", in.Code))
	}
	if err != nil {
		return Org{}, err
	}
	path := parentPath + strconv.FormatInt(id, 10) + "/"
	if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? WHERE id = ?", path, id); err != nil {
		return Org{}, err
	}
	o := Org{ID: id, Name: in.Name, Kind: in.Kind, ParentID: in.ParentID, Code: in.Code, Path: path, CreatedAt: tx.Now}
	return o, audit.Append(ctx, tx, audit.Entry{Action: "org.create", Object: "org", ObjectID: id, Summary: audit.Change(nil, in)})
}

// Update renames, recodes or moves a node; moving carries its subtree along.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Org, error) {
	if err := in.Validate(); err != nil {
		return Org{}, err
	}
	var o Org
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		old, err := GetTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Kind != old.Kind {
			return errs.Invalidf("kind", "组织类型不能修改", "An org's kind cannot change")
		}
		newPath := old.Path
		if in.ParentID != old.ParentID {
			tx.AfterCommit(func() { rollup.Forget(s.DB) })
			if in.ParentID == 0 {
				return errs.Invalidf("parent_id", "除园区外，每个组织都要有上级", "every org except a zone needs a parent")
			}
			p, err := GetTx(ctx, tx, in.ParentID)
			if errs.Is(err, errs.NotFound) {
				return errs.Invalidf("parent_id", "上级组织不存在", "The parent org does not exist")
			}
			if err != nil {
				return err
			}
			if strings.HasPrefix(p.Path, old.Path) {
				return errs.Invalidf("parent_id", "不能把组织移到它自己的下级之下", "An org cannot move under its own subtree")
			}
			newPath = p.Path + strconv.FormatInt(id, 10) + "/"
			if _, err := tx.Exec(ctx, "UPDATE orgs SET path = ? || substr(path, CAST(? AS INTEGER)) WHERE path LIKE ?",
				newPath, len(old.Path)+1, old.Path+"%"); err != nil {
				return err
			}
			if err := rollup.Move(ctx, tx, old.Path, newPath); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, "UPDATE orgs SET name = ?, parent_id = ?, code = ? WHERE id = ?", in.Name, store.Null(in.ParentID), store.Null(in.Code), id)
		if errs.Is(err, errs.Conflict) {
			return errs.New(errs.Conflict, "code", i18n.F("代码 %s 已被使用", "The code %s is already in use", in.Code))
		}
		if err != nil {
			return err
		}
		o = Org{ID: id, Name: in.Name, Kind: in.Kind, ParentID: in.ParentID, Code: in.Code, Path: newPath, CreatedAt: old.CreatedAt}
		return audit.Append(ctx, tx, audit.Entry{Action: "org.update", Object: "org", ObjectID: id,
			Summary: audit.Change(Input{Name: old.Name, Kind: old.Kind, ParentID: old.ParentID, Code: old.Code}, in)})
	})
	return o, err
}
