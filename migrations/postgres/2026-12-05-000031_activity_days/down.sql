DROP TRIGGER activity_days_update ON activities;
DROP TRIGGER activity_days_insert_delete ON activities;
DROP FUNCTION activity_days_track();
DROP FUNCTION activity_days_add(BIGINT, DATE, BIGINT, BIGINT);
DROP TABLE activity_days;
