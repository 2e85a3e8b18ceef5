-- The enterprise registry (一企一档): every service in the zone is about an
-- enterprise, keyed by its unified social credit code.

CREATE TABLE enterprises (
	id {{id}},
	uscc TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
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
CREATE INDEX enterprises_name ON enterprises(name);
CREATE INDEX enterprises_short_name ON enterprises(short_name);
CREATE INDEX enterprises_org ON enterprises(org_id, id);
CREATE INDEX enterprises_cadre ON enterprises(cadre_user_id, id);
CREATE INDEX enterprises_industry ON enterprises(industry_code, id);
CREATE INDEX enterprises_phone ON enterprises(contact_phone_idx);
-- if postgres
-- Prefix search (name LIKE '湖北%') uses an index only with pattern ops
-- under a non-C collation.
CREATE INDEX enterprises_name_prefix ON enterprises(name text_pattern_ops);
CREATE INDEX enterprises_short_name_prefix ON enterprises(short_name text_pattern_ops);
-- end

CREATE TABLE qualifications (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	kind TEXT NOT NULL CHECK (kind IN ('high_tech','tech_sme','specialized_sme','innovative_sme')),
	cert_no TEXT NOT NULL DEFAULT '',
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	UNIQUE (enterprise_id, kind, valid_from)
);
CREATE INDEX qualifications_kind ON qualifications(kind, valid_from, valid_to);
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
