-- The enterprise registry (一企一档): every service in the zone is about an
-- enterprise, keyed by its unified social credit code.

CREATE TABLE enterprises (
	id {{id}},
	uscc TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	-- The name without the place words it starts with (湖北、黄石市、大冶市 …),
	-- normalised: what a name search matches the start of.
	name_key TEXT NOT NULL DEFAULT '',
	short_name TEXT NOT NULL DEFAULT '',
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	industry_code TEXT NOT NULL DEFAULT '',
	scale TEXT NOT NULL DEFAULT 'small' CHECK (scale IN ('large','medium','small','micro')),
	above_scale BOOLEAN NOT NULL DEFAULT FALSE,
	address TEXT NOT NULL DEFAULT '',
	legal_rep TEXT NOT NULL DEFAULT '',
	contact_name TEXT NOT NULL DEFAULT '',
	-- Personal data: encrypted, with a blind index for exact lookups.
	contact_phone_enc {{blob}},
	contact_phone_idx TEXT NOT NULL DEFAULT '',
	cadre_user_id BIGINT REFERENCES users(id),
	employees INTEGER NOT NULL DEFAULT 0,
	registered_on TEXT,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
-- if postgres
-- Searches match the start of the code or the name with a range
-- (name_key >= 'p' AND name_key < 'p\U0010FFFF') and page in the same order,
-- so both come from one index. That needs code-point order, which SQLite's
-- BINARY collation has and PostgreSQL has under "C" whatever the
-- database's locale.
ALTER TABLE enterprises ALTER COLUMN uscc TYPE TEXT COLLATE "C";
ALTER TABLE enterprises ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE enterprises ALTER COLUMN name_key TYPE TEXT COLLATE "C";
-- end
-- The search indexes hand over matches in page order (key, id) and carry
-- org_id, so that counting the matches in an org subtree reads no table row.
CREATE INDEX enterprises_name ON enterprises(name, id, org_id);
CREATE INDEX enterprises_name_key ON enterprises(name_key, id, org_id);
CREATE INDEX enterprises_uscc_org ON enterprises(uscc, org_id);
CREATE INDEX enterprises_org ON enterprises(org_id, id);
CREATE INDEX enterprises_cadre ON enterprises(cadre_user_id, id);
CREATE INDEX enterprises_industry ON enterprises(industry_code, id);
CREATE INDEX enterprises_phone ON enterprises(contact_phone_idx);

CREATE TABLE qualifications (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	kind TEXT NOT NULL CHECK (kind IN ('high_tech','tech_sme','specialized_sme','innovative_sme')),
	cert_no TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	CHECK (valid_to >= valid_from),
	UNIQUE (enterprise_id, kind, valid_from)
);
-- "Holding on D" is valid_from <= D <= valid_to; certificates pile up over
-- the years while few are still running, so valid_to leads the range.
CREATE INDEX qualifications_kind ON qualifications(kind, valid_to, valid_from, enterprise_id);
CREATE INDEX qualifications_enterprise ON qualifications(enterprise_id);

CREATE TABLE visits (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	cadre_user_id BIGINT NOT NULL REFERENCES users(id),
	date TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	-- Red flags as a comma-separated list of codes (expanding, downsizing …).
	flags TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX visits_enterprise ON visits(enterprise_id, date);
CREATE INDEX visits_cadre ON visits(cadre_user_id, date);
