-- Where each step's wall time went (issue 20): milliseconds by phase (engine, data file, manifest,
-- metadata, catalog, checks, publish, run store, other), measured on the step's thread up to its
-- last record, as JSON of microseconds by phase name ({"ENGINE": 5120, "MANIFEST": 830, ...});
-- null for steps that were not timed (skipped, or recorded before this migration).
ALTER TABLE sluice_steps ADD COLUMN phases TEXT;
