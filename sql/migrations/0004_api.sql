-- 0004: what the HTTP API (`pollster serve`) keeps besides tasks, so that several serve
-- processes on one database share API keys, idempotency keys, pending webhooks and the webhook
-- signing secret. The same tables as SQLiteServerStore's.
CREATE TABLE IF NOT EXISTS pollster_api_keys (
    hash       text PRIMARY KEY,
    tenant     text        NOT NULL,
    scopes     text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS pollster_api_idempotency (
    tenant    text NOT NULL,
    key       text NOT NULL,
    body_hash text NOT NULL,
    task_id   text NOT NULL,
    PRIMARY KEY (tenant, key)
);

-- A webhook is leased by pushing next_at forward when a process takes it (FOR UPDATE SKIP
-- LOCKED), so two processes never post the same attempt.
CREATE TABLE IF NOT EXISTS pollster_api_webhooks (
    task_id          text PRIMARY KEY,
    url              text        NOT NULL,
    attempts         integer     NOT NULL,
    created_at       timestamptz NOT NULL,
    next_at          timestamptz NOT NULL,
    first_attempt_at timestamptz
);
CREATE INDEX IF NOT EXISTS pollster_api_webhooks_due ON pollster_api_webhooks (next_at);

CREATE TABLE IF NOT EXISTS pollster_api_webhook_attempts (
    task_id text        NOT NULL,
    attempt integer     NOT NULL,
    at      timestamptz NOT NULL,
    status  integer,
    error   text
);
CREATE INDEX IF NOT EXISTS pollster_api_webhook_attempts_task ON pollster_api_webhook_attempts (task_id, attempt);

CREATE TABLE IF NOT EXISTS pollster_api_settings (
    name  text PRIMARY KEY,
    value text NOT NULL
);
