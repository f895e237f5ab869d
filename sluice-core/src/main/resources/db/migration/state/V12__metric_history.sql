-- Metric history: what each step wrote, per table and per partition (issue 15 item 1), computed by
-- the engine in one pass over the newly written data files. One row per table or partition written
-- (sluice_table_metrics) and one per column of it (sluice_column_metrics). The minimum and maximum
-- of a classified column (pii, ...) are never kept: they are raw values. accepted_at marks the
-- metrics of a write that an anomaly check flagged and a user accepted as expected
-- (sluice checks accept): they count as history even though the step did not publish.
CREATE TABLE sluice_table_metrics (
    id            ${identity_primary_key},
    step_id       BIGINT      NOT NULL REFERENCES sluice_steps (id),
    asset         TEXT        NOT NULL,
    table_name    TEXT        NOT NULL,
    partition_key TEXT,
    recorded_at   BIGINT      NOT NULL,
    row_count     BIGINT      NOT NULL,
    bytes         BIGINT      NOT NULL,
    files         BIGINT      NOT NULL,
    accepted_at   BIGINT
);

CREATE INDEX sluice_table_metrics_table ON sluice_table_metrics (table_name, partition_key, recorded_at);
CREATE INDEX sluice_table_metrics_step_id ON sluice_table_metrics (step_id);

CREATE TABLE sluice_column_metrics (
    metric_id         BIGINT           NOT NULL REFERENCES sluice_table_metrics (id),
    position          INTEGER          NOT NULL,
    column_name       TEXT             NOT NULL,
    column_type       TEXT             NOT NULL,
    null_fraction     DOUBLE PRECISION,
    distinct_estimate BIGINT,
    min_value         TEXT,
    max_value         TEXT,
    mean              DOUBLE PRECISION,
    min_length        BIGINT,
    max_length        BIGINT,
    mean_length       DOUBLE PRECISION,
    PRIMARY KEY (metric_id, position)
);
