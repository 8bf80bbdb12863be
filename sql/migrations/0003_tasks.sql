-- 0003: durable tasks. Workers on any number of machines lease due rows with FOR UPDATE SKIP
-- LOCKED. The columns serve claiming, listing and counting live leases, `record` holds the
-- whole task as JSON (its lease and cancel fields are read from the columns, never from it).
-- `id` compares byte-wise (COLLATE "C"), as the SQLite store does, so the list cursor and
-- the claim order do not depend on the database's locale.
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
    record           jsonb       NOT NULL
);

-- Claiming: unfinished states whose run_after has come.
CREATE INDEX IF NOT EXISTS pollster_tasks_due ON pollster_tasks (state, run_after);

-- Listing: newest first, ties by id (the order of the list cursor).
CREATE INDEX IF NOT EXISTS pollster_tasks_created ON pollster_tasks (created_at DESC, id DESC);

-- Live leases per inventory (limits.maxConcurrent across all workers).
CREATE INDEX IF NOT EXISTS pollster_tasks_leases ON pollster_tasks (inventory, lease_expires_at);
