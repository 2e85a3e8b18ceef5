package store

import "context"

// MigrateTo applies the migrations up to and including version, so that a
// test can put rows in the layout a later migration converts.
func (db *DB) MigrateTo(ctx context.Context, version int) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	_, err = db.migrate(ctx, ms[:version])
	return err
}
