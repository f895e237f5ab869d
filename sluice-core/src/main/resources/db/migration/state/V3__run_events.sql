-- The timeline of a run: one row per thing that happened (queued, started, retrying, published, ...).
CREATE TABLE sluice_events (
    id       ${identity_primary_key},
    run_id   VARCHAR(64) NOT NULL REFERENCES sluice_runs (id),
    asset    TEXT,
    at       BIGINT      NOT NULL,
    kind     VARCHAR(32) NOT NULL,
    message  TEXT
);
CREATE INDEX sluice_events_run ON sluice_events (run_id, id);
