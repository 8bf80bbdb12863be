-- The current schema (all of sql/migrations applied), for reading. Change it through a new
-- file in sql/migrations/ (and the embedded copy, see sql/README.md); `pollster db migrate`
-- applies and records them.

-- Written by `pollster db migrate` itself: one row per applied migration.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS toolset_inventory (
    key         text PRIMARY KEY,
    name        text,
    description text,
    base_url    text,
    limits      jsonb,
    enabled     boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS tool_methods (
    id              bigserial PRIMARY KEY,
    inventory_key   text        NOT NULL REFERENCES toolset_inventory (key) ON DELETE CASCADE,
    version_id      integer     NOT NULL DEFAULT 1,
    name            text        NOT NULL,
    description     text,
    endpoint        text        NOT NULL,
    http_method     text        NOT NULL DEFAULT 'POST',
    request_schema  jsonb,
    response_schema jsonb,
    adapter_type    text        NOT NULL DEFAULT 'http',
    adapter_config  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    enabled         boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (inventory_key, name, version_id)
);

-- Every change to either table sends NOTIFY pollster_registry ('<table> <operation>');
-- a running PostgresRegistry reloads on it.
CREATE OR REPLACE FUNCTION pollster_registry_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('pollster_registry', TG_TABLE_NAME || ' ' || lower(TG_OP));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER toolset_inventory_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolset_inventory
    FOR EACH STATEMENT EXECUTE FUNCTION pollster_registry_notify();

CREATE TRIGGER tool_methods_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tool_methods
    FOR EACH STATEMENT EXECUTE FUNCTION pollster_registry_notify();

-- Durable tasks (TaskStore): lease and cancel fields and what claiming, listing and counting
-- live leases need in columns, the whole task as JSON in `record`.
CREATE TABLE IF NOT EXISTS pollster_tasks (
    id               text COLLATE "C" PRIMARY KEY,
    tool             text        NOT NULL,
    inventory        text        NOT NULL,
    state            text        NOT NULL,
    priority         bigint      NOT NULL DEFAULT 0,
    owner            text,
    run_after        timestamptz NOT NULL,
    lease_owner      text,
    lease_expires_at timestamptz,
    cancel_requested boolean     NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz,
    record           json        NOT NULL
);

CREATE INDEX IF NOT EXISTS pollster_tasks_due ON pollster_tasks (state, run_after);
CREATE INDEX IF NOT EXISTS pollster_tasks_created ON pollster_tasks (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS pollster_tasks_leases ON pollster_tasks (inventory, lease_expires_at);
CREATE INDEX IF NOT EXISTS pollster_tasks_owner ON pollster_tasks (owner, state);
