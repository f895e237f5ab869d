-- Locks and leases between processes: one row per held resource (an asset being built, the
-- scheduler lease). A holder renews expires_at while it lives; an expired row may be taken over.
CREATE TABLE sluice_locks (
    resource     VARCHAR(512) PRIMARY KEY,
    owner        VARCHAR(128) NOT NULL,
    acquired_at  BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL
);
