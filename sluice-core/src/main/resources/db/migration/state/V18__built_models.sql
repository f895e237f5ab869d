-- What each model was built from (issue 17 item 2): its rendered SQL and its metadata, by the
-- fingerprint its tables' snapshots carry (sluice.model-fingerprint), so that 'sluice plan' can
-- compare the project with what production or an environment holds and classify each change as
-- breaking, non-breaking or metadata-only. One row per fingerprint: the same SQL and configuration
-- built twice is one row, its metadata the last build's (metadata does not change the fingerprint).
CREATE TABLE sluice_built_models (
    fingerprint   VARCHAR(64)  NOT NULL PRIMARY KEY,
    model         TEXT         NOT NULL,
    table_name    TEXT         NOT NULL,
    compiled_sql  TEXT         NOT NULL,
    metadata      TEXT         NOT NULL,
    recorded_at   BIGINT       NOT NULL
);
