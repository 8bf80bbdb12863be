-- 0005: a task's `record` is `json`, which keeps the text as Pollster wrote it. `jsonb` orders
-- object members by key length, then bytes, so a stored task's input came back in another
-- order than the user's and a worker sent it to the provider so. Nothing queries into
-- `record`; Pollster reads it as text. Running this again changes nothing.
ALTER TABLE pollster_tasks ALTER COLUMN record TYPE json USING record::json;
