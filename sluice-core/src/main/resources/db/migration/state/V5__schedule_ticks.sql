-- The last tick of each schedule that the scheduler has dealt with (run, or skipped on purpose).
CREATE TABLE sluice_schedule_ticks (
    schedule   VARCHAR(256) PRIMARY KEY,
    last_tick  BIGINT       NOT NULL
);
