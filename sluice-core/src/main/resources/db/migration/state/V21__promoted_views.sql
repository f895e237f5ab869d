-- Views in environments (issue 17): an environment's version of a view model is an Iceberg view of
-- its own, and promoting it replaces production's view with its definition. For such a row of a
-- promotion, from_snapshot_id and to_snapshot_id are production's view versions (before, and once
-- replaced), and view_before keeps production's definition before the promotion (JSON: sql,
-- schema, properties; null when production had no such view), which a rollback restores.
ALTER TABLE sluice_promotion_tables ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'table';
ALTER TABLE sluice_promotion_tables ADD COLUMN view_before TEXT;
