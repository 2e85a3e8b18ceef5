-- The innovation registry (科创): R&D platforms, innovation events,
-- university–enterprise partnerships, grants and provincial R&D projects,
-- technology transfers through 研发 → 孵化 → 中试 → 市场, saved qualification
-- self-checks; and the industry–city places (产城融合).
--
-- Every record carries org_id, the org node it is counted under for scopes
-- and rollups: the node of its enterprise (at the time of recording), or the
-- university, park or zone that hosts it.

CREATE TABLE inn_platforms (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('national','provincial','municipal','district')),
	-- Exactly one host: an enterprise, or a university, park or the zone.
	host_enterprise_id BIGINT REFERENCES enterprises(id),
	host_org_id BIGINT REFERENCES orgs(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	recognized_on TEXT NOT NULL,
	recognized_by TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
	revoked_on TEXT,
	notes TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	CHECK ((host_enterprise_id IS NULL) <> (host_org_id IS NULL)),
	CHECK ((status = 'revoked') = (revoked_on IS NOT NULL))
);
CREATE INDEX inn_platforms_level ON inn_platforms(level, recognized_on);
CREATE INDEX inn_platforms_org ON inn_platforms(org_id, id);
CREATE INDEX inn_platforms_host_enterprise ON inn_platforms(host_enterprise_id);
CREATE INDEX inn_platforms_host_org ON inn_platforms(host_org_id);

CREATE TABLE inn_events (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('contest','conference','roadshow','training')),
	date TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	organizer TEXT NOT NULL DEFAULT '',
	venue TEXT NOT NULL DEFAULT '',
	participants INTEGER NOT NULL DEFAULT 0 CHECK (participants >= 0),
	enterprises INTEGER NOT NULL DEFAULT 0 CHECK (enterprises >= 0),
	results TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX inn_events_date ON inn_events(date, id);
CREATE INDEX inn_events_org ON inn_events(org_id, date);

CREATE TABLE inn_partnerships (
	id {{id}},
	university_org_id BIGINT NOT NULL REFERENCES orgs(id),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL CHECK (kind IN ('commissioned','joint_development','joint_platform','talent_training','license_transfer')),
	title TEXT NOT NULL DEFAULT '',
	amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	signed_on TEXT NOT NULL,
	-- NULL: open-ended. A partnership is active in a period when it was
	-- signed on or before the period's end and did not end before its start.
	ends_on TEXT,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX inn_partnerships_signed ON inn_partnerships(signed_on);
CREATE INDEX inn_partnerships_enterprise ON inn_partnerships(enterprise_id);
CREATE INDEX inn_partnerships_university ON inn_partnerships(university_org_id);
CREATE INDEX inn_partnerships_org ON inn_partnerships(org_id, id);

CREATE TABLE inn_grants (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('rd_project','special_support')),
	program TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('national','provincial','municipal','district')),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	year INTEGER NOT NULL,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX inn_grants_year ON inn_grants(year, level);
CREATE INDEX inn_grants_enterprise ON inn_grants(enterprise_id);
CREATE INDEX inn_grants_org ON inn_grants(org_id, id);

CREATE TABLE inn_transfers (
	id {{id}},
	name TEXT NOT NULL,
	enterprise_id BIGINT REFERENCES enterprises(id),
	university_org_id BIGINT REFERENCES orgs(id),
	-- The platform that hosts the item, e.g. the offshore innovation centre.
	host_platform_id BIGINT REFERENCES inn_platforms(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	description TEXT NOT NULL DEFAULT '',
	amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	stage TEXT NOT NULL CHECK (stage IN ('research','incubation','pilot','market')),
	-- The business date each stage was reached.
	research_on TEXT NOT NULL,
	incubation_on TEXT,
	pilot_on TEXT,
	market_on TEXT,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	CHECK (enterprise_id IS NOT NULL OR university_org_id IS NOT NULL)
);
CREATE INDEX inn_transfers_stage ON inn_transfers(stage, id);
CREATE INDEX inn_transfers_enterprise ON inn_transfers(enterprise_id);
CREATE INDEX inn_transfers_org ON inn_transfers(org_id, id);
CREATE INDEX inn_transfers_host ON inn_transfers(host_platform_id);

-- A saved qualification self-check: the figures as entered and the verdict
-- they gave. Advisory only; it is not a qualification.
CREATE TABLE inn_self_checks (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL CHECK (kind IN ('high_tech','tech_sme')),
	as_of TEXT NOT NULL,
	eligible BOOLEAN NOT NULL,
	score INTEGER,
	figures TEXT NOT NULL,
	created_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX inn_self_checks_enterprise ON inn_self_checks(enterprise_id, id);
CREATE INDEX inn_self_checks_org ON inn_self_checks(org_id, id);

-- The summary counts enterprises holding a qualification valid on a day:
-- kind and valid_to lead (most certificates of a long history have expired
-- by the day asked, so valid_to >= day is the selective bound), and the
-- enterprise id makes the count an index-only scan.
CREATE INDEX inn_qualifications_valid ON qualifications(kind, valid_to, valid_from, enterprise_id);

-- 产城融合: residential clusters, service centres, neighbourhood centres and
-- public facilities, with their place on the map.
CREATE TABLE places (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('residential_cluster','service_center','neighbourhood_center','school','hospital','culture','sports','transport')),
	status TEXT NOT NULL CHECK (status IN ('planned','building','open')),
	lat DOUBLE PRECISION NOT NULL CHECK (lat >= -90 AND lat <= 90),
	lng DOUBLE PRECISION NOT NULL CHECK (lng >= -180 AND lng <= 180),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	address TEXT NOT NULL DEFAULT '',
	opened_on TEXT,
	description TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX places_org ON places(org_id, id);
CREATE INDEX places_kind ON places(kind, status);
