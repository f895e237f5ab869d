-- Several Sluice workers sharing one (PostgreSQL) state database (issue 19 item 4).
--
-- sluice_workers: one row per worker process ('sluice serve --worker'), with the Sluice version it
-- runs (workers of different versions refuse to share a state database), its last sign of life and
-- the step it is running, for 'sluice workers'.
CREATE TABLE sluice_workers (
    id               VARCHAR(128) NOT NULL PRIMARY KEY,
    host             VARCHAR(255) NOT NULL,
    pid              BIGINT       NOT NULL,
    version          VARCHAR(64)  NOT NULL,
    slots            INTEGER      NOT NULL,
    started_at       BIGINT       NOT NULL,
    heartbeat_at     BIGINT       NOT NULL,
    stopped_at       BIGINT,
    run_id           VARCHAR(64),
    step             TEXT,
    step_started_at  BIGINT
);

-- sluice_step_queue: the steps a run hands to the workers. The run's process queues a step once
-- its upstream steps succeeded; a worker claims it (status CLAIMED, a lease it renews while it
-- runs the step), records the step in sluice_steps and marks it DONE with the step's id. A claim
-- whose lease expired (its worker was killed) is claimed again by another worker: attempt counts
-- the claims, and a worker finishes only the claim it holds. pool and pool_size carry the step's
-- pool, whose size is a limit across all workers.
CREATE TABLE sluice_step_queue (
    id               ${identity_primary_key},
    run_id           VARCHAR(64)  NOT NULL REFERENCES sluice_runs (id),
    step             TEXT         NOT NULL,
    pool             VARCHAR(255),
    pool_size        INTEGER,
    full_refresh     INTEGER      NOT NULL DEFAULT 0,
    run_started_at   BIGINT       NOT NULL,
    version          VARCHAR(64)  NOT NULL,
    status           VARCHAR(16)  NOT NULL,
    queued_at        BIGINT       NOT NULL,
    worker           VARCHAR(128),
    attempt          INTEGER      NOT NULL DEFAULT 0,
    claimed_at       BIGINT,
    lease_expires_at BIGINT,
    step_id          BIGINT,
    finished_at      BIGINT
);

CREATE INDEX sluice_step_queue_status ON sluice_step_queue (status, id);
CREATE INDEX sluice_step_queue_run ON sluice_step_queue (run_id);
