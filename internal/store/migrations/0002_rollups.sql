-- Rollups: running totals kept in the same transaction as each business
-- transition, so that the period summary adds up a few hundred rows instead
-- of scanning millions of records. Every metric is kept per day and per
-- month, per org node (the record's street, community or park) and per
-- dimension (a site, a department, a category; '' when none).

CREATE TABLE rollup_day (
	metric TEXT NOT NULL,
	day TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	dim TEXT NOT NULL DEFAULT '',
	value BIGINT NOT NULL,
	PRIMARY KEY (metric, day, org_id, dim)
);

CREATE TABLE rollup_month (
	metric TEXT NOT NULL,
	month TEXT NOT NULL,
	org_id BIGINT NOT NULL,
	dim TEXT NOT NULL DEFAULT '',
	value BIGINT NOT NULL,
	PRIMARY KEY (metric, month, org_id, dim)
);
