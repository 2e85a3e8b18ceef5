-- Rollups with a dimension (a site, a department, a category) are now kept,
-- like the totals, at the record's node and at every ancestor of it: a
-- ranking for a scope reads the few rows of the scope's own node instead of
-- the rows of every node in its subtree (at a province's scale, hundreds of
-- thousands of rows for a year's department league table).
--
-- The rows already kept at each node are added to its ancestors here, from
-- the tables themselves, rather than rebuilt from the records: each row
-- joins the few (node, ancestor) pairs of the tree, worked out first.

INSERT INTO rollup_day (metric, org_id, dim, day, value)
WITH up (node, ancestor) AS MATERIALIZED (
	SELECT o.id, a.id FROM orgs o JOIN orgs a ON a.id <> o.id AND substr(o.path, 1, length(a.path)) = a.path
)
SELECT r.metric, up.ancestor, r.dim, r.day, SUM(r.value)
FROM rollup_day r JOIN up ON up.node = r.org_id
WHERE r.dim <> ''
GROUP BY r.metric, up.ancestor, r.dim, r.day
ON CONFLICT (metric, org_id, dim, day) DO UPDATE SET value = rollup_day.value + excluded.value;

INSERT INTO rollup_month (metric, org_id, dim, month, value)
WITH up (node, ancestor) AS MATERIALIZED (
	SELECT o.id, a.id FROM orgs o JOIN orgs a ON a.id <> o.id AND substr(o.path, 1, length(a.path)) = a.path
)
SELECT r.metric, up.ancestor, r.dim, r.month, SUM(r.value)
FROM rollup_month r JOIN up ON up.node = r.org_id
WHERE r.dim <> ''
GROUP BY r.metric, up.ancestor, r.dim, r.month
ON CONFLICT (metric, org_id, dim, month) DO UPDATE SET value = rollup_month.value + excluded.value;

-- A ranking reads one node's rows with a dimension over a period.
DROP INDEX rollup_day_dims;
DROP INDEX rollup_month_dims;
CREATE INDEX rollup_day_dims ON rollup_day(metric, org_id, day, dim, value) WHERE dim <> '';
CREATE INDEX rollup_month_dims ON rollup_month(metric, org_id, month, dim, value) WHERE dim <> '';

-- The dashboard's warnings count the cases showing a yellow or red light,
-- which only open cases do: an index of those few, covering the count.
CREATE INDEX cases_warned ON cases(warning, status, org_id) WHERE warning > 0;

-- The enterprises holding a qualification on a day are now counted from a
-- rollup of +1/−1 markers (enterprises.holding.*) instead of a distinct
-- count over the qualifications: xiaoer builds it from the qualifications
-- when it next starts.
INSERT INTO settings (key, value, updated_at) VALUES ('rollups.stale', 'enterprise', CURRENT_TIMESTAMP)
ON CONFLICT (key) DO UPDATE SET value = CASE WHEN settings.value = 'true' THEN 'true' ELSE settings.value || ',enterprise' END;

-- The innovation migration made a second index identical to the registry's
-- qualifications_kind.
DROP INDEX inn_qualifications_valid;
