-- Enterprise appeals (企业诉求) from every channel, dispatched to a lead
-- department and co-departments, with working-day time limits; and the
-- platform's in-app notifications and webhook outbox, which the appeals are
-- the first to use.

CREATE TABLE appeals (
	id {{id}},
	-- The readable number ("SQ20230412-00123"), set right after the insert
	-- from the date received and the id, hence unique.
	no TEXT UNIQUE,
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	-- The enterprise's org node when the appeal was filed: the zone scope and
	-- the rollups hang on it.
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	channel TEXT NOT NULL CHECK (channel IN ('cadre_visit','shuangqian','tea_meeting','roundtable','bank_meeting','online','hotline','project')),
	category TEXT NOT NULL CHECK (category IN ('license','land','power','water','gas','labor','finance','policy','legal','infrastructure','other')),
	urgency TEXT NOT NULL DEFAULT 'general' CHECK (urgency IN ('general','complex','urgent')),
	content TEXT NOT NULL,
	contact_name TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	lat DOUBLE PRECISION,
	lng DOUBLE PRECISION,
	media_url TEXT NOT NULL DEFAULT '',
	-- A cadre's visit (enterprise module) and a key project (projects module,
	-- a later migration): plain references, checked by the service.
	visit_id BIGINT,
	visit_flag TEXT NOT NULL DEFAULT '',
	project_id BIGINT,
	filed_by BIGINT REFERENCES users(id),
	filed_by_name TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	supervised BOOLEAN NOT NULL DEFAULT FALSE,
	department_org_id BIGINT REFERENCES orgs(id),
	received_on TEXT NOT NULL,
	requested_at {{timestamp}} NOT NULL,
	-- The business date of the last change of state: no action may be dated
	-- before it.
	stage_on TEXT NOT NULL,
	accepted_on TEXT,
	-- The current dispatch round: its sign limit and its reply clock.
	dispatched_on TEXT,
	sign_due_on TEXT,
	signed_on TEXT,
	clock_limit INTEGER NOT NULL DEFAULT 0,
	due_on TEXT,
	extensions INTEGER NOT NULL DEFAULT 0,
	replied_on TEXT,
	reply TEXT NOT NULL DEFAULT '',
	revisited_on TEXT,
	rating TEXT CHECK (rating IN ('satisfied','basically_satisfied','unsatisfied')),
	resolved BOOLEAN,
	closed_on TEXT,
	-- The first overdue day of the current round while it counts as "open
	-- and overdue" (the day after due_on until an on-time reply); NULL
	-- otherwise.
	overdue_from TEXT,
	overdue_notified BOOLEAN NOT NULL DEFAULT FALSE,
	-- Bumped by every change: concurrent actions on one appeal conflict
	-- instead of overwriting each other.
	rev INTEGER NOT NULL DEFAULT 0,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX appeals_enterprise ON appeals(enterprise_id, id);
CREATE INDEX appeals_org ON appeals(org_id, id);
CREATE INDEX appeals_state_due ON appeals(state, due_on);
CREATE INDEX appeals_department ON appeals(department_org_id, state, due_on);
CREATE INDEX appeals_project ON appeals(project_id);
CREATE INDEX appeals_visit ON appeals(visit_id);
CREATE INDEX appeals_filed_by ON appeals(filed_by, id);
CREATE INDEX appeals_requested ON appeals(requested_at);
CREATE INDEX appeals_overdue ON appeals(overdue_from) WHERE overdue_from IS NOT NULL;

-- The departments an appeal is dispatched to now: one lead (牵头) and any
-- co-departments (协办). A department sees exactly these appeals.
CREATE TABLE appeal_departments (
	appeal_id BIGINT NOT NULL REFERENCES appeals(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	lead BOOLEAN NOT NULL,
	PRIMARY KEY (appeal_id, org_id)
);
CREATE INDEX appeal_departments_org ON appeal_departments(org_id, appeal_id);

-- In-app notifications: each lands in one user's inbox.
CREATE TABLE notifications (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	title_en TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	body_en TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	read_at {{timestamp}}
);
CREATE INDEX notifications_user ON notifications(user_id, id);
CREATE INDEX notifications_unread ON notifications(user_id) WHERE read_at IS NULL;

-- Webhooks for SMS and messaging gateways, written in the transaction of the
-- change they announce (so none is lost) and delivered by a job with
-- retries.
CREATE TABLE outbox (
	id {{id}},
	event TEXT NOT NULL,
	payload TEXT NOT NULL,
	url TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at {{timestamp}} NOT NULL,
	delivered_at {{timestamp}},
	last_error TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
