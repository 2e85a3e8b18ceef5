-- Factor support: labour (招工稳岗) — enterprises' labour demand, recruitment
-- events and the placements that deliver workers — and policy funds
-- (惠企政策兑现) — policies with budgets and machine-checkable rules, the
-- enterprise facts those rules read, and the applications paid from them.

CREATE TABLE labor_demands (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	-- The enterprise's org node when the demand was posted: its rollups stay
	-- where they were counted even if the enterprise moves.
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	job TEXT NOT NULL,
	headcount INTEGER NOT NULL CHECK (headcount > 0),
	-- Workers delivered by placements linked to this demand; never above
	-- the headcount (a placement that would overfill it is refused).
	filled INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0 AND filled <= headcount),
	need_by TEXT NOT NULL,
	posted_on TEXT NOT NULL,
	closed BOOLEAN NOT NULL DEFAULT FALSE,
	note TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX labor_demands_enterprise ON labor_demands(enterprise_id, id);
CREATE INDEX labor_demands_urgency ON labor_demands(closed, need_by, id);

CREATE TABLE labor_events (
	id {{id}},
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('onsite','online','stationed','campus')),
	date TEXT NOT NULL,
	-- The organising org node (the zone or a street).
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	venue TEXT NOT NULL DEFAULT '',
	positions INTEGER NOT NULL DEFAULT 0 CHECK (positions >= 0),
	attendees INTEGER NOT NULL DEFAULT 0 CHECK (attendees >= 0),
	hires INTEGER NOT NULL DEFAULT 0 CHECK (hires >= 0),
	note TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX labor_events_date ON labor_events(date, id);

CREATE TABLE labor_event_enterprises (
	event_id BIGINT NOT NULL REFERENCES labor_events(id),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	PRIMARY KEY (event_id, enterprise_id)
);
CREATE INDEX labor_event_enterprises_enterprise ON labor_event_enterprises(enterprise_id, event_id);

CREATE TABLE labor_placements (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	event_id BIGINT REFERENCES labor_events(id),
	demand_id BIGINT REFERENCES labor_demands(id),
	date TEXT NOT NULL,
	workers INTEGER NOT NULL CHECK (workers > 0),
	note TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL,
	CHECK (event_id IS NOT NULL OR demand_id IS NOT NULL)
);
CREATE INDEX labor_placements_enterprise ON labor_placements(enterprise_id, date);
CREATE INDEX labor_placements_date ON labor_placements(date, id);
CREATE INDEX labor_placements_event ON labor_placements(event_id);
CREATE INDEX labor_placements_demand ON labor_placements(demand_id);

-- What policy rules know about an enterprise beyond the registry: social
-- insurance and finance figures the office enters from the departments'
-- data (人社、税务). One row per enterprise; a missing row reads as zeros.
CREATE TABLE enterprise_facts (
	enterprise_id BIGINT PRIMARY KEY REFERENCES enterprises(id),
	insured_staff INTEGER NOT NULL DEFAULT 0 CHECK (insured_staff >= 0),
	insured_months INTEGER NOT NULL DEFAULT 0 CHECK (insured_months >= 0),
	-- 失业保险费 actually paid last year.
	insurance_paid_fen BIGINT NOT NULL DEFAULT 0 CHECK (insurance_paid_fen >= 0),
	-- Last year's layoff rate in basis points (1/10000).
	layoff_rate_bp INTEGER NOT NULL DEFAULT 0 CHECK (layoff_rate_bp >= 0 AND layoff_rate_bp <= 10000),
	revenue_fen BIGINT NOT NULL DEFAULT 0 CHECK (revenue_fen >= 0),
	rd_expense_fen BIGINT NOT NULL DEFAULT 0 CHECK (rd_expense_fen >= 0),
	as_of TEXT,
	source TEXT NOT NULL DEFAULT '',
	updated_by BIGINT REFERENCES users(id),
	updated_at {{timestamp}} NOT NULL
);

CREATE TABLE policies (
	id {{id}},
	name TEXT NOT NULL,
	doc_no TEXT NOT NULL DEFAULT '',
	issuer TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT 'other' CHECK (category IN ('labor_subsidy','innovation_reward','other')),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	mode TEXT NOT NULL CHECK (mode IN ('auto','apply')),
	rule TEXT NOT NULL,
	amount_rule TEXT NOT NULL,
	open_from TEXT NOT NULL,
	open_to TEXT,
	publicity_days INTEGER NOT NULL DEFAULT 5 CHECK (publicity_days >= 0 AND publicity_days <= 60),
	materials TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	budget_fen BIGINT NOT NULL CHECK (budget_fen > 0),
	-- The ledger: approved and not yet paid plus paid. It only grows by a
	-- conditional UPDATE that checks the budget in the same statement.
	committed_fen BIGINT NOT NULL DEFAULT 0,
	paid_fen BIGINT NOT NULL DEFAULT 0,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	CHECK (committed_fen >= 0 AND committed_fen <= budget_fen AND paid_fen >= 0 AND paid_fen <= committed_fen)
);
CREATE INDEX policies_open ON policies(open_from, id);

CREATE TABLE policy_applications (
	id {{id}},
	policy_id BIGINT NOT NULL REFERENCES policies(id),
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	mode TEXT NOT NULL CHECK (mode IN ('auto','apply')),
	state TEXT NOT NULL,
	amount_fen BIGINT NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	approved_fen BIGINT NOT NULL DEFAULT 0 CHECK (approved_fen >= 0),
	materials TEXT NOT NULL DEFAULT '',
	-- Why the rule selected the enterprise, as JSON, when it was a candidate.
	reasons TEXT NOT NULL DEFAULT '[]',
	bank_name TEXT NOT NULL DEFAULT '',
	-- Personal data: encrypted, with a blind index for exact lookups.
	bank_account_enc {{blob}},
	bank_account_idx TEXT NOT NULL DEFAULT '',
	created_on TEXT NOT NULL,
	submitted_on TEXT,
	confirmed_on TEXT,
	accepted_on TEXT,
	reviewed_on TEXT,
	publicized_on TEXT,
	publicity_ends_on TEXT,
	approved_on TEXT,
	paid_on TEXT,
	rejected_on TEXT,
	-- The business date of the latest transition: the next may not be earlier.
	last_on TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
-- One live application per enterprise and policy; a rejected one may be
-- followed by a new one.
CREATE UNIQUE INDEX policy_applications_one ON policy_applications(policy_id, enterprise_id) WHERE state <> 'rejected';
CREATE INDEX policy_applications_policy ON policy_applications(policy_id, state, id);
CREATE INDEX policy_applications_enterprise ON policy_applications(enterprise_id, id);
CREATE INDEX policy_applications_state ON policy_applications(state, id);
-- Distinct enterprises paid in a period: an index-only range scan.
CREATE INDEX policy_applications_paid ON policy_applications(paid_on, org_id, enterprise_id);
