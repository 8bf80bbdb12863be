-- 0002: registry tables that an earlier deployment of the same pattern created keep their
-- rows (0001 leaves existing tables alone); add whatever Pollster reads and is missing.
-- On tables made by 0001 this changes nothing. A text or json adapter_config column stays
-- as it is: Pollster reads every JSON column as text.
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS description text;
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS base_url text;
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS limits jsonb;
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS enabled boolean NOT NULL DEFAULT true;
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE toolset_inventory ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS version_id integer NOT NULL DEFAULT 1;
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS description text;
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS http_method text NOT NULL DEFAULT 'POST';
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS request_schema jsonb;
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS response_schema jsonb;
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS adapter_type text NOT NULL DEFAULT 'http';
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS enabled boolean NOT NULL DEFAULT true;
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE tool_methods ADD COLUMN IF NOT EXISTS updated_at timestamptz NOT NULL DEFAULT now();

-- `pollster registry import` upserts ON CONFLICT (inventory_key, name, version_id).
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_index x
        WHERE x.indrelid = 'tool_methods'::regclass AND x.indisunique AND x.indpred IS NULL
          AND x.indnkeyatts = 3
          AND (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a
               WHERE a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey))
              = ARRAY['inventory_key', 'name', 'version_id']
    ) THEN
        CREATE UNIQUE INDEX tool_methods_inventory_key_name_version_id_key
            ON tool_methods (inventory_key, name, version_id);
    END IF;
END;
$$;
