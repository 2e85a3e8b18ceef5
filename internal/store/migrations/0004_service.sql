-- The service network (政务服务): sites in four levels, the matter catalog,
-- which site offers which matter, cases (办件) with their working-day
-- clocks, evaluations (好差评), bad-review rectifications and remote
-- sessions with the city hall (云端政务超市).

CREATE TABLE sites (
	id {{id}},
	-- A short code, unique, that starts every case number of the site.
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('district_hall','street_hall','community_station','micro_site')),
	kind TEXT NOT NULL DEFAULT '',
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	parent_site_id BIGINT REFERENCES sites(id),
	address TEXT NOT NULL DEFAULT '',
	lat DOUBLE PRECISION,
	lng DOUBLE PRECISION,
	opening_hours TEXT NOT NULL DEFAULT '',
	opened_on TEXT,
	windows INTEGER NOT NULL DEFAULT 0,
	staff INTEGER NOT NULL DEFAULT 0,
	phone TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX sites_org ON sites(org_id);
CREATE INDEX sites_parent ON sites(parent_site_id);
CREATE INDEX sites_level ON sites(level, opened_on);

CREATE TABLE matters (
	id {{id}},
	-- 实施编码 or 业务办理项编码: opaque, at most 50 characters.
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	department TEXT NOT NULL DEFAULT '',
	type TEXT NOT NULL,
	handling_level TEXT NOT NULL CHECK (handling_level IN ('city','district','street','community')),
	kind TEXT NOT NULL CHECK (kind IN ('instant','promised')),
	legal_limit_workdays INTEGER NOT NULL,
	promised_limit_workdays INTEGER NOT NULL,
	-- The required materials, a JSON list of names.
	materials TEXT NOT NULL DEFAULT '[]',
	online BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	CHECK (promised_limit_workdays >= 0 AND promised_limit_workdays <= legal_limit_workdays)
);
CREATE INDEX matters_name ON matters(name);
CREATE INDEX matters_department ON matters(department);

CREATE TABLE site_matters (
	site_id BIGINT NOT NULL REFERENCES sites(id),
	matter_id BIGINT NOT NULL REFERENCES matters(id),
	mode TEXT NOT NULL CHECK (mode IN ('local','remote')),
	created_at {{timestamp}} NOT NULL,
	PRIMARY KEY (site_id, matter_id)
);
CREATE INDEX site_matters_matter ON site_matters(matter_id);

-- Case numbers: one counter per site and day, taken with an upsert so that
-- concurrent receptions get consecutive numbers on either engine.
CREATE TABLE case_numbers (
	site_id BIGINT NOT NULL,
	day TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (site_id, day)
);

CREATE TABLE cases (
	id {{id}},
	number TEXT NOT NULL UNIQUE,
	site_id BIGINT NOT NULL REFERENCES sites(id),
	-- The site's org node, copied so that scopes and rollups need no join.
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	matter_id BIGINT NOT NULL REFERENCES matters(id),
	mode TEXT NOT NULL DEFAULT 'local',
	channel TEXT NOT NULL CHECK (channel IN ('window','online','remote')),
	enterprise_id BIGINT REFERENCES enterprises(id),
	applicant_name TEXT NOT NULL DEFAULT '',
	-- Personal data of a person applicant: encrypted, with blind indexes.
	applicant_id_enc {{blob}},
	applicant_id_idx TEXT NOT NULL DEFAULT '',
	applicant_phone_enc {{blob}},
	applicant_phone_idx TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	outcome TEXT NOT NULL DEFAULT '',
	materials TEXT NOT NULL DEFAULT '[]',
	supplement TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	received_at {{timestamp}} NOT NULL,
	received_on TEXT NOT NULL,
	accepted_at {{timestamp}},
	concluded_at {{timestamp}},
	last_on TEXT NOT NULL,
	-- The working-day clock (calendar.Clock), started on acceptance.
	clock_start TEXT,
	limit_workdays INTEGER NOT NULL DEFAULT 0,
	paused_on TEXT,
	paused_workdays INTEGER NOT NULL DEFAULT 0,
	due_on TEXT,
	stopped_on TEXT,
	-- The first day of the current open-and-overdue marker in the rollups.
	overdue_mark TEXT,
	-- The traffic light kept by the warning job: 2 red, 1 yellow, 0 none.
	warning INTEGER NOT NULL DEFAULT 0,
	clerk_user_id BIGINT REFERENCES users(id),
	remote_session_id BIGINT,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX cases_site ON cases(site_id, warning, id);
CREATE INDEX cases_org ON cases(org_id, warning, id);
CREATE INDEX cases_enterprise ON cases(enterprise_id, id);
CREATE INDEX cases_matter ON cases(matter_id, id);
CREATE INDEX cases_status ON cases(status, due_on);
CREATE INDEX cases_received ON cases(received_on);
CREATE INDEX cases_applicant_id ON cases(applicant_id_idx);

CREATE TABLE evaluations (
	id {{id}},
	case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id),
	site_id BIGINT NOT NULL REFERENCES sites(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
	comment TEXT NOT NULL DEFAULT '',
	channel TEXT NOT NULL CHECK (channel IN ('online','window')),
	evaluated_on TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users(id)
);
CREATE INDEX evaluations_site ON evaluations(site_id, evaluated_on);

CREATE TABLE bad_reviews (
	id {{id}},
	case_id BIGINT NOT NULL UNIQUE REFERENCES cases(id),
	evaluation_id BIGINT NOT NULL UNIQUE REFERENCES evaluations(id),
	site_id BIGINT NOT NULL REFERENCES sites(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	enterprise_id BIGINT REFERENCES enterprises(id),
	score INTEGER NOT NULL,
	status TEXT NOT NULL,
	opened_on TEXT NOT NULL,
	limit_workdays INTEGER NOT NULL,
	due_on TEXT NOT NULL,
	closed_on TEXT,
	last_on TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX bad_reviews_status ON bad_reviews(status, due_on);
CREATE INDEX bad_reviews_org ON bad_reviews(org_id, id);

CREATE TABLE remote_sessions (
	id {{id}},
	site_id BIGINT NOT NULL REFERENCES sites(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	matter_id BIGINT NOT NULL REFERENCES matters(id),
	case_id BIGINT REFERENCES cases(id),
	enterprise_id BIGINT REFERENCES enterprises(id),
	started_at {{timestamp}} NOT NULL,
	ended_at {{timestamp}},
	outcome TEXT NOT NULL CHECK (outcome IN ('answered','submitted','accepted','redirected')),
	clerk_user_id BIGINT REFERENCES users(id),
	agent_name TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	-- Where a recording or live stream can be found, once video is attached.
	media_ref TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX remote_sessions_site ON remote_sessions(site_id, id);
CREATE INDEX remote_sessions_started ON remote_sessions(started_at);
