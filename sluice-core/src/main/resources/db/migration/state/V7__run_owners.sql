-- Who runs a run, so that a run whose process is gone can be told from a live one: the host and
-- process id of the process running it. And fencing: a run's owner generation, which taking the
-- run over (marking it interrupted) increments and which every state write of the run's process
-- checks, so that a process paused past its heartbeat that continues stops instead of writing
-- over what the process that took over did.
ALTER TABLE sluice_runs ADD COLUMN host VARCHAR(255);
ALTER TABLE sluice_runs ADD COLUMN pid BIGINT;
ALTER TABLE sluice_runs ADD COLUMN generation BIGINT NOT NULL DEFAULT 1;

-- What each partition was built from: the snapshot id of every table its build read, as a JSON
-- object {"raw.app_events": 123, ...}, so that a change of an input in the partition's window
-- marks it stale.
ALTER TABLE sluice_partitions ADD COLUMN inputs TEXT;
