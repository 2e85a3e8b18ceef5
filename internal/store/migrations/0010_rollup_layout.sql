-- Rollups, second layout. A value counted for a record is now added to the
-- record's own org node and to every ancestor of it with dim '' (the
-- subtree's total), so that a reader's figures are read from the one node
-- their scope starts at instead of summed over a subtree; rows with a
-- dimension (a site, a department, a category) are kept at the record's own
-- node only, under the metric's name with '@' after it, for rankings.
--
-- The key starts with metric and org, so that one node's totals over a
-- period are a range seek on the day. Metric names are compared byte by
-- byte, so that a module's metrics are one range of the key.
--
-- Rollups are derived from the records: the tables are made anew, and the
-- flag below has xiaoer rebuild them from the records when it next starts.

DROP TABLE rollup_day;
DROP TABLE rollup_month;

-- On SQLite the rows are kept in their key's b-tree (WITHOUT ROWID): one
-- b-tree to write and read instead of a table and its key's index.
CREATE TABLE rollup_day (
	metric {{bytetext}} NOT NULL,
	org_id BIGINT NOT NULL,
	dim TEXT NOT NULL DEFAULT '',
	day TEXT NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (metric, org_id, dim, day)
)
-- if sqlite
WITHOUT ROWID
-- end
;

CREATE TABLE rollup_month (
	metric {{bytetext}} NOT NULL,
	org_id BIGINT NOT NULL,
	dim TEXT NOT NULL DEFAULT '',
	month TEXT NOT NULL,
	value BIGINT NOT NULL,
	PRIMARY KEY (metric, org_id, dim, month)
)
-- if sqlite
WITHOUT ROWID
-- end
;

-- Rankings read every row of a dimension in a period: by day or month
-- first, for the rows with a dimension only, covering what they sum.
CREATE INDEX rollup_day_dims ON rollup_day(metric, day, org_id, dim, value) WHERE dim <> '';
CREATE INDEX rollup_month_dims ON rollup_month(metric, month, org_id, dim, value) WHERE dim <> '';

INSERT INTO settings (key, value, updated_at) VALUES ('rollups.stale', 'true', CURRENT_TIMESTAMP);
