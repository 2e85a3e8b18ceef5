-- Bank–enterprise financing (政银企对接): the banks' loan products, the
-- enterprises' financing needs with their pipeline state, and the banks
-- that declined a need that was open to every bank.

CREATE TABLE finance_products (
	id {{id}},
	bank_org_id BIGINT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	min_fen BIGINT NOT NULL,
	max_fen BIGINT NOT NULL,
	-- Annual rates in basis points (3.45 % = 345): exact, and comparable
	-- as integers on both engines.
	rate_min_bp INTEGER NOT NULL,
	rate_max_bp INTEGER NOT NULL,
	term_months_max INTEGER NOT NULL,
	-- Comma-separated codes: guarantee types accepted, qualification kinds
	-- required. A product lists a handful at most.
	guarantee TEXT NOT NULL,
	requires TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	active BOOLEAN NOT NULL DEFAULT TRUE,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	UNIQUE (bank_org_id, name),
	CHECK (min_fen > 0 AND max_fen >= min_fen),
	CHECK (rate_min_bp > 0 AND rate_max_bp >= rate_min_bp)
);
CREATE INDEX finance_products_active ON finance_products(active, bank_org_id);

CREATE TABLE finance_needs (
	id {{id}},
	enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
	-- The enterprise's org node when the need was posted: the office's scope
	-- and the rollups' org.
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
	term_months INTEGER NOT NULL,
	purpose TEXT NOT NULL,
	guarantee TEXT NOT NULL CHECK (guarantee IN ('credit','mortgage','guarantee','pledge')),
	-- The preferred bank: the need is routed to it alone. NULL: open to all.
	bank_org_id BIGINT REFERENCES orgs(id),
	green_channel BOOLEAN NOT NULL DEFAULT FALSE,
	status TEXT NOT NULL CHECK (status IN ('posted','taken','declined','credit_approved','credit_denied','disbursed','cancelled')),
	-- The response clock: working days from posted_on to the bank's answer.
	posted_on TEXT NOT NULL,
	limit_workdays INTEGER NOT NULL,
	due_on TEXT NOT NULL,
	responded_on TEXT,
	closed_on TEXT,
	taken_by_org_id BIGINT REFERENCES orgs(id),
	product_id BIGINT REFERENCES finance_products(id),
	recommended_product_id BIGINT REFERENCES finance_products(id),
	credit_fen BIGINT NOT NULL DEFAULT 0,
	credit_on TEXT,
	loan_fen BIGINT NOT NULL DEFAULT 0,
	loan_on TEXT,
	-- Personal data of the person handling the loan: encrypted.
	contact_name TEXT NOT NULL DEFAULT '',
	contact_phone_enc {{blob}},
	created_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX finance_needs_enterprise ON finance_needs(enterprise_id, id);
CREATE INDEX finance_needs_org ON finance_needs(org_id, id);
CREATE INDEX finance_needs_bank ON finance_needs(bank_org_id, status, id);
CREATE INDEX finance_needs_taken ON finance_needs(taken_by_org_id, status, id);
CREATE INDEX finance_needs_status ON finance_needs(status, posted_on);

-- A bank's "no" to a need open to all banks: the need stays posted for the
-- others until one takes it or every bank has declined.
CREATE TABLE finance_declines (
	need_id BIGINT NOT NULL REFERENCES finance_needs(id),
	bank_org_id BIGINT NOT NULL REFERENCES orgs(id),
	on_date TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	PRIMARY KEY (need_id, bank_org_id)
);
CREATE INDEX finance_declines_bank ON finance_declines(bank_org_id);
