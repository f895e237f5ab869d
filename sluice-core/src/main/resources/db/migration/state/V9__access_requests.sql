-- Requests for access to a table (sluice access request) and their decisions (sluice access
-- approve, deny). An approved request is a time-bound read grant: the query service adds it to the
-- grants of policies.yaml while the time is before expires_at, and never after. Rows are never
-- deleted: they are the record of who could read what, and when (the audit log holds the same
-- facts, chained).
CREATE TABLE sluice_access_requests (
    id              ${identity_primary_key},
    principal       VARCHAR(256) NOT NULL,
    table_name      VARCHAR(512) NOT NULL,
    -- a JSON list of column names; [] for every column
    column_names    TEXT         NOT NULL,
    reason          TEXT         NOT NULL,
    period_seconds  BIGINT       NOT NULL,
    requested_at    BIGINT       NOT NULL,
    -- PENDING, APPROVED or DENIED (an approved request past expires_at reads as expired)
    status          VARCHAR(16)  NOT NULL,
    decided_by      VARCHAR(256),
    decided_at      BIGINT,
    decision_reason TEXT,
    expires_at      BIGINT
);

CREATE INDEX sluice_access_requests_status ON sluice_access_requests (status, expires_at);
