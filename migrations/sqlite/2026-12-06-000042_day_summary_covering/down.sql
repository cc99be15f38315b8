DROP INDEX customer_days_day;
CREATE INDEX customer_days_day ON customer_days (day, owner_id);
DROP INDEX activity_days_day;
CREATE INDEX activity_days_day ON activity_days (day, owner_id, type_id);
DROP INDEX receipt_days_day;
CREATE INDEX receipt_days_day ON receipt_days (day, owner_id);
