-- Partitions: which partition each step built, the planned steps of a run (so that a resumed
-- backfill knows what it was to do), a heartbeat (so that a server can tell a dead run), and the
-- materialization state of every partition of every partitioned asset.
ALTER TABLE sluice_steps ADD COLUMN partition_key VARCHAR(512);
ALTER TABLE sluice_runs ADD COLUMN plan TEXT;
ALTER TABLE sluice_runs ADD COLUMN heartbeat_at BIGINT;

CREATE TABLE sluice_partitions (
    asset           VARCHAR(512) NOT NULL,
    partition_key   VARCHAR(512) NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    run_id          VARCHAR(64),
    updated_at      BIGINT       NOT NULL,
    materialized_at BIGINT,
    rows_out        BIGINT,
    snapshot_id     BIGINT,
    error           TEXT,
    PRIMARY KEY (asset, partition_key)
);
