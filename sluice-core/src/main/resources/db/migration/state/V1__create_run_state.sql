-- Run state: runs, their steps and the checks each step ran.
-- Portable between SQLite and PostgreSQL. The one difference, how a generated id column is
-- declared, comes in through the ${identity_primary_key} placeholder (see StateDatabase.Vendor).
-- Timestamps are epoch milliseconds (UTC); statuses are the Java enum constant names.

CREATE TABLE sluice_runs (
    id          VARCHAR(64)  NOT NULL PRIMARY KEY,
    command     VARCHAR(255) NOT NULL,
    selection   TEXT         NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    started_at  BIGINT       NOT NULL,
    finished_at BIGINT,
    error       TEXT
);

CREATE INDEX sluice_runs_started_at ON sluice_runs (started_at);

CREATE TABLE sluice_steps (
    id            ${identity_primary_key},
    run_id        VARCHAR(64) NOT NULL REFERENCES sluice_runs (id),
    asset         TEXT        NOT NULL,
    kind          VARCHAR(16) NOT NULL,
    status        VARCHAR(16) NOT NULL,
    started_at    BIGINT      NOT NULL,
    finished_at   BIGINT,
    rows_in       BIGINT      NOT NULL DEFAULT 0,
    rows_out      BIGINT      NOT NULL DEFAULT 0,
    bytes_in      BIGINT      NOT NULL DEFAULT 0,
    bytes_out     BIGINT      NOT NULL DEFAULT 0,
    rejected_rows BIGINT      NOT NULL DEFAULT 0,
    snapshot_id   BIGINT,
    detail        TEXT,
    error         TEXT
);

CREATE INDEX sluice_steps_run_id ON sluice_steps (run_id);
CREATE INDEX sluice_steps_asset_status ON sluice_steps (asset, status, finished_at);

CREATE TABLE sluice_check_results (
    id           ${identity_primary_key},
    step_id      BIGINT      NOT NULL REFERENCES sluice_steps (id),
    asset        TEXT        NOT NULL,
    name         TEXT        NOT NULL,
    column_name  TEXT,
    severity     VARCHAR(16) NOT NULL,
    status       VARCHAR(16) NOT NULL,
    failing_rows BIGINT      NOT NULL DEFAULT 0,
    sample_json  TEXT,
    message      TEXT
);

CREATE INDEX sluice_check_results_step_id ON sluice_check_results (step_id);
