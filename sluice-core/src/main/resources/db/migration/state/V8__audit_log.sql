-- The audit log: append-only and tamper-evident. Each record carries the SHA-256 hash of its own
-- canonical encoding, which includes the hash of the record before it, so that a changed, removed
-- or re-ordered record breaks the chain (sluice audit verify). Records are never updated or
-- deleted by Sluice.
--
-- sluice_audit_head is the chain's head: one row with the last sequence and hash. Every append
-- updates it first, in the same transaction as its insert, so concurrent writers (threads or
-- processes on one state database) wait for each other and never fork the chain; it also tells a
-- record removed from the end.
CREATE TABLE sluice_audit (
    sequence       BIGINT       NOT NULL PRIMARY KEY,
    at             BIGINT       NOT NULL,
    principal      VARCHAR(256) NOT NULL,
    action         VARCHAR(32)  NOT NULL,
    target_tables  TEXT         NOT NULL,
    target_columns TEXT         NOT NULL,
    details        TEXT         NOT NULL,
    previous_hash  VARCHAR(64)  NOT NULL,
    hash           VARCHAR(64)  NOT NULL
);

CREATE INDEX sluice_audit_at ON sluice_audit (at);
CREATE INDEX sluice_audit_principal ON sluice_audit (principal, sequence);

-- Which tables each record concerns, to find the records of a table (sluice audit --table).
CREATE TABLE sluice_audit_tables (
    table_name VARCHAR(512) NOT NULL,
    sequence   BIGINT       NOT NULL,
    PRIMARY KEY (table_name, sequence)
);

CREATE TABLE sluice_audit_head (
    id       INTEGER     NOT NULL PRIMARY KEY,
    sequence BIGINT      NOT NULL,
    hash     VARCHAR(64) NOT NULL
);

INSERT INTO sluice_audit_head (id, sequence, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
