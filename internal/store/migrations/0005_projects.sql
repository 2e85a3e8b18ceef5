-- Key projects (项目全生命周期): the project register with its stage dates,
-- evidence files, monthly investment progress and the enterprises' ratings
-- of the project commissioners. Stage transitions are flow_events; the
-- dashboard's totals are rollups written with each transition.

CREATE TABLE projects (
	id {{id}},
	name TEXT NOT NULL,
	-- NULL for public projects (产城融合, infrastructure) run by the zone.
	enterprise_id BIGINT REFERENCES enterprises(id),
	-- Where the project is: its scope and its place in the rollups.
	org_id BIGINT NOT NULL REFERENCES orgs(id),
	industry_code TEXT NOT NULL DEFAULT '',
	total_investment_fen BIGINT NOT NULL CHECK (total_investment_fen > 0),
	fixed_investment_fen BIGINT NOT NULL DEFAULT 0 CHECK (fixed_investment_fen >= 0),
	-- Land in thousandths of a 亩 (120.35 亩 = 120350).
	land_milli_mu BIGINT NOT NULL DEFAULT 0 CHECK (land_milli_mu >= 0),
	is_key BOOLEAN NOT NULL DEFAULT FALSE,
	leader_user_id BIGINT REFERENCES users(id),
	commissioner_user_id BIGINT REFERENCES users(id),
	lead_department_id BIGINT REFERENCES orgs(id),
	stage TEXT NOT NULL CHECK (stage IN ('signed','started','registered','producing','effective','stalled','terminated')),
	-- The stage a stalled project returns to when it resumes.
	stalled_from TEXT NOT NULL DEFAULT '',
	-- The business date of the last transition: warnings count from it and
	-- the next transition may not be dated before it.
	last_stage_on TEXT NOT NULL,
	-- Actual dates of each stage, mirroring the transition events.
	signed_on TEXT NOT NULL,
	started_on TEXT,
	registered_on TEXT,
	producing_on TEXT,
	effective_on TEXT,
	stalled_on TEXT,
	terminated_on TEXT,
	-- Planned dates: the deadlines of the investment agreement.
	planned_started TEXT,
	planned_registered TEXT,
	planned_producing TEXT,
	planned_effective TEXT,
	-- The agreement's indicators at full production (per year), and what
	-- the project achieved; 达效 needs the achieved figures to reach them.
	contract_no TEXT NOT NULL DEFAULT '',
	committed_output_fen BIGINT NOT NULL DEFAULT 0,
	committed_tax_fen BIGINT NOT NULL DEFAULT 0,
	achieved_output_fen BIGINT NOT NULL DEFAULT 0,
	achieved_tax_fen BIGINT NOT NULL DEFAULT 0,
	-- The warning light (0 red, 1 yellow, 2 green, so red sorts first) and
	-- its reasons as JSON, recomputed on every change and by a daily job.
	light_rank INTEGER NOT NULL DEFAULT 2,
	light_reasons TEXT NOT NULL DEFAULT '[]',
	light_on TEXT,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL
);
CREATE INDEX projects_rank ON projects(light_rank, id);
CREATE INDEX projects_org ON projects(org_id, light_rank, id);
CREATE INDEX projects_stage ON projects(stage, light_rank, id);
CREATE INDEX projects_enterprise ON projects(enterprise_id);
CREATE INDEX projects_leader ON projects(leader_user_id);
CREATE INDEX projects_commissioner ON projects(commissioner_user_id);
CREATE INDEX projects_name ON projects(name);

-- Evidence of a stage (site photos, contracts, 入库 documents), kept in the
-- database so that it is backed up, replicated and access-checked with the
-- project; only sniffed images, PDFs and Office documents are accepted.
CREATE TABLE project_files (
	id {{id}},
	project_id BIGINT NOT NULL REFERENCES projects(id),
	stage TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL,
	sha256 TEXT NOT NULL,
	content {{blob}} NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	uploaded_by BIGINT REFERENCES users(id),
	uploaded_at {{timestamp}} NOT NULL
);
CREATE INDEX project_files_project ON project_files(project_id, stage, id);

-- Monthly investment progress: one report per project and month.
CREATE TABLE project_progress (
	id {{id}},
	project_id BIGINT NOT NULL REFERENCES projects(id),
	month TEXT NOT NULL,
	invested_fen BIGINT NOT NULL CHECK (invested_fen >= 0),
	notes TEXT NOT NULL DEFAULT '',
	updated_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	UNIQUE (project_id, month)
);
CREATE INDEX project_progress_month ON project_progress(month);

-- An enterprise's yearly rating (1–5) of the commissioner serving its
-- project: one per project and year.
CREATE TABLE project_ratings (
	id {{id}},
	project_id BIGINT NOT NULL REFERENCES projects(id),
	year INTEGER NOT NULL,
	commissioner_user_id BIGINT NOT NULL REFERENCES users(id),
	score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
	comment TEXT NOT NULL DEFAULT '',
	rated_by BIGINT REFERENCES users(id),
	created_at {{timestamp}} NOT NULL,
	UNIQUE (project_id, year)
);
CREATE INDEX project_ratings_commissioner ON project_ratings(commissioner_user_id, year);
