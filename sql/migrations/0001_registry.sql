-- 0001: the tool registry. Admins add providers by inserting rows; every change
-- notifies running processes on the channel pollster_registry.
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

CREATE OR REPLACE FUNCTION pollster_registry_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('pollster_registry', TG_TABLE_NAME || ' ' || lower(TG_OP));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS toolset_inventory_notify ON toolset_inventory;
CREATE TRIGGER toolset_inventory_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON toolset_inventory
    FOR EACH STATEMENT EXECUTE FUNCTION pollster_registry_notify();

DROP TRIGGER IF EXISTS tool_methods_notify ON tool_methods;
CREATE TRIGGER tool_methods_notify
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tool_methods
    FOR EACH STATEMENT EXECUTE FUNCTION pollster_registry_notify();
