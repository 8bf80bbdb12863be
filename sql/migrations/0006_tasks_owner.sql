-- 0006: a tenant's unfinished tasks are counted on every submit through the HTTP API
-- (`pollster serve --max-tasks-per-tenant`); this index keeps that count to the tenant's rows.
CREATE INDEX IF NOT EXISTS pollster_tasks_owner ON pollster_tasks (owner, state);
