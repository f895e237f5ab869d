-- Cost accounting (issue 18 item 3): what each step consumed, what each query through the query
-- service scanned, and what each table holds in storage, measured from its Iceberg metadata.
-- Prices are not stored: sluice.yaml's cost: turns these measures into money when they are read,
-- so a changed price applies to the history too. Kept apart from the quality metrics of tables.

CREATE TABLE sluice_step_usage (
    step_id           BIGINT       NOT NULL PRIMARY KEY REFERENCES sluice_steps (id),
    run_id            VARCHAR(64)  NOT NULL REFERENCES sluice_runs (id),
    asset             TEXT         NOT NULL,
    table_name        TEXT         NOT NULL,
    finished_at       BIGINT       NOT NULL,
    wall_millis       BIGINT       NOT NULL,
    cpu_millis        BIGINT       NOT NULL,
    peak_memory_bytes BIGINT       NOT NULL,
    rows_read         BIGINT       NOT NULL,
    rows_written      BIGINT       NOT NULL,
    files_read        BIGINT       NOT NULL,
    bytes_read        BIGINT       NOT NULL,
    files_written     BIGINT       NOT NULL,
    bytes_written     BIGINT       NOT NULL
);

CREATE INDEX sluice_step_usage_finished ON sluice_step_usage (finished_at);
CREATE INDEX sluice_step_usage_asset ON sluice_step_usage (asset, finished_at);

CREATE TABLE sluice_query_usage (
    id            ${identity_primary_key},
    at            BIGINT      NOT NULL,
    principal     VARCHAR(256) NOT NULL,
    tables        TEXT        NOT NULL,
    files_scanned BIGINT      NOT NULL,
    bytes_scanned BIGINT      NOT NULL,
    cpu_millis    BIGINT      NOT NULL,
    wall_millis   BIGINT      NOT NULL,
    rows_returned BIGINT      NOT NULL
);

CREATE INDEX sluice_query_usage_at ON sluice_query_usage (at);

CREATE TABLE sluice_table_storage (
    id                 ${identity_primary_key},
    table_name         TEXT    NOT NULL,
    measured_at        BIGINT  NOT NULL,
    live_bytes         BIGINT  NOT NULL,
    live_files         BIGINT  NOT NULL,
    old_snapshot_bytes BIGINT  NOT NULL,
    old_snapshot_files BIGINT  NOT NULL,
    metadata_bytes     BIGINT  NOT NULL,
    snapshots          INTEGER NOT NULL
);

CREATE INDEX sluice_table_storage_table ON sluice_table_storage (table_name, measured_at);
