-- The environment a queued step builds ('sluice run --env NAME --on-workers'), null for production:
-- the worker writes the step's table into that environment's branch and reads its inputs through
-- it, as the run's own process would (issue 19, issue 17).
ALTER TABLE sluice_step_queue ADD COLUMN environment VARCHAR(64);
