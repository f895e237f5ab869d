-- A view's identity in environments and promotions (issue 17): a view's version number alone does
-- not say whether production changed it, since a view dropped and created again starts its versions
-- at 1 again. With the view's UUID (Iceberg's view-uuid, new for every created view, kept when it is
-- replaced), a view is where it was only when both its UUID and its version are.
-- base_view_uuid: production's view the environment was built on (null: a table, or no view).
-- from_view_uuid / to_view_uuid: production's view before the promotion, and once replaced by it.
ALTER TABLE sluice_environment_tables ADD COLUMN base_view_uuid VARCHAR(64);
ALTER TABLE sluice_promotion_tables ADD COLUMN from_view_uuid VARCHAR(64);
ALTER TABLE sluice_promotion_tables ADD COLUMN to_view_uuid VARCHAR(64);
