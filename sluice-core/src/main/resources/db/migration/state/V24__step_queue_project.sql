-- The digest of the project a run was planned from (ProjectFiles.digest: the definition files'
-- paths and contents), with each step it queues: a worker serving another revision of the project
-- fails the step instead of running another version of its SQL (issue 19).
ALTER TABLE sluice_step_queue ADD COLUMN project_digest VARCHAR(64);
