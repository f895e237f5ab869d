-- Development environments (sluice run --env NAME): each is a set of Iceberg branches named after
-- it, one in each table it changed. The row keeps what the branches cannot: when it was built, by
-- which run, from which project revision (git commit), and for each table what it was built on.
CREATE TABLE sluice_environments (
    name        VARCHAR(64)  NOT NULL PRIMARY KEY,
    created_at  BIGINT       NOT NULL,
    updated_at  BIGINT       NOT NULL,
    run_id      VARCHAR(64),
    git_commit  VARCHAR(64),
    git_dirty   INTEGER      NOT NULL
);

-- The tables of an environment's last build: those it built into its branch (built = 1: the
-- model, its fingerprint and the branch's head) and those it read from production (built = 0).
-- base_snapshot_id is main's head when the build started, to tell later whether production moved.
CREATE TABLE sluice_environment_tables (
    environment       VARCHAR(64)  NOT NULL,
    table_name        VARCHAR(512) NOT NULL,
    built             INTEGER      NOT NULL,
    model             VARCHAR(512),
    fingerprint       VARCHAR(64),
    snapshot_id       BIGINT,
    base_snapshot_id  BIGINT,
    PRIMARY KEY (environment, table_name)
);

-- Which runs built an environment (kept when the environment is dropped): such a run is never
-- resumed into production.
CREATE TABLE sluice_environment_runs (
    run_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    environment  VARCHAR(64)  NOT NULL
);

-- Promotions of environments to production (sluice promote NAME): the plan is recorded before
-- production moves, each table is marked when its main has moved, so that a promotion killed
-- half-way is finished by 'sluice promote --resume'. At most one promotion runs at a time: the
-- partial unique index refuses a second one while one is 'running'.
CREATE TABLE sluice_promotions (
    id           VARCHAR(64)  NOT NULL PRIMARY KEY,
    environment  VARCHAR(64)  NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    started_at   BIGINT       NOT NULL,
    finished_at  BIGINT,
    principal    VARCHAR(256) NOT NULL,
    git_commit   VARCHAR(64)
);
CREATE UNIQUE INDEX sluice_promotions_one_running ON sluice_promotions (status)
    WHERE status = 'running';

CREATE TABLE sluice_promotion_tables (
    promotion_id      VARCHAR(64)  NOT NULL,
    table_name        VARCHAR(512) NOT NULL,
    position          INTEGER      NOT NULL,
    from_snapshot_id  BIGINT,
    to_snapshot_id    BIGINT       NOT NULL,
    done              INTEGER      NOT NULL,
    PRIMARY KEY (promotion_id, table_name)
);
