-- The platform: the org tree, accounts, sessions, API tokens, the audit log,
-- the working-day calendar's local changes, workflow events, settings and
-- scheduled-job bookkeeping.

CREATE TABLE orgs (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('zone','street','community','park','department','bank','university')),
	parent_id BIGINT REFERENCES orgs(id),
	code TEXT UNIQUE,
	-- Materialised path "/1/4/12/": a subtree is one prefix match, so a
	-- scope predicate needs no recursion.
	path TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX orgs_parent ON orgs(parent_id);
CREATE INDEX orgs_path ON orgs(path);
CREATE INDEX orgs_kind ON orgs(kind);

CREATE TABLE users (
	id {{id}},
	username TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	-- Sites and enterprises live in their modules' tables; the reference is
	-- checked by the service, since those tables come in later migrations.
	site_id BIGINT,
	enterprise_id BIGINT,
	phone_enc {{blob}},
	password_hash TEXT NOT NULL,
	password_changed_at {{timestamp}},
	demo BOOLEAN NOT NULL DEFAULT FALSE,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until {{timestamp}},
	last_login_at {{timestamp}},
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX users_org ON users(org_id);
CREATE INDEX users_enterprise ON users(enterprise_id);
CREATE INDEX users_site ON users(site_id);

CREATE TABLE user_roles (
	user_id BIGINT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL,
	PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_role ON user_roles(role);

CREATE TABLE sessions (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	-- Only the SHA-256 of the token is kept: a stolen database opens no session.
	token_hash TEXT NOT NULL UNIQUE,
	csrf TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	last_seen_at {{timestamp}} NOT NULL,
	expires_at {{timestamp}} NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	ended_at {{timestamp}}
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	created_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users(id),
	last_used_at {{timestamp}},
	expires_on TEXT,
	revoked_at {{timestamp}}
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at {{timestamp}} NOT NULL,
	user_id BIGINT,
	username TEXT NOT NULL,
	action TEXT NOT NULL,
	object_type TEXT NOT NULL DEFAULT '',
	object_id TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
CREATE INDEX audit_log_object ON audit_log(object_type, object_id, seq);

-- The head of the hash chain: one row, locked by every appending transaction
-- so that records are chained in commit order on either engine.
CREATE TABLE audit_head (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

-- if sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- end
-- if postgres
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
-- end

-- Local changes to the shipped national holiday table.
CREATE TABLE calendar_days (
	day TEXT PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('holiday','workday','normal')),
	name TEXT NOT NULL DEFAULT '',
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users(id)
);

-- Every workflow transition of every module, immutable.
CREATE TABLE flow_events (
	id {{id}},
	entity TEXT NOT NULL,
	entity_id BIGINT NOT NULL,
	action TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	-- The business date of the transition (back-entered paper records carry
	-- their real date); "at" is when it was recorded.
	on_date TEXT NOT NULL,
	at {{timestamp}} NOT NULL,
	actor_id BIGINT,
	actor TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX flow_events_entity ON flow_events(entity, entity_id, id);
CREATE INDEX flow_events_on ON flow_events(entity, to_state, on_date);

-- if sqlite
CREATE TRIGGER flow_events_no_update BEFORE UPDATE ON flow_events
BEGIN SELECT RAISE(ABORT, 'flow_events is append-only'); END;
CREATE TRIGGER flow_events_no_delete BEFORE DELETE ON flow_events
BEGIN SELECT RAISE(ABORT, 'flow_events is append-only'); END;
-- end
-- if postgres
CREATE TRIGGER flow_events_no_update BEFORE UPDATE OR DELETE ON flow_events
FOR EACH ROW EXECUTE FUNCTION append_only();
-- end

CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users(id)
);

CREATE TABLE jobs (
	name TEXT PRIMARY KEY,
	last_started_at {{timestamp}},
	last_ok_at {{timestamp}},
	last_error TEXT NOT NULL DEFAULT '',
	runs BIGINT NOT NULL DEFAULT 0
);
