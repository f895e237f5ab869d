-- A run can be asked to stop from another process: the runner polls this column.
ALTER TABLE sluice_runs ADD COLUMN cancel_requested_at BIGINT;
