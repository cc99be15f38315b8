-- The summaries per owner and day are read by day for everyone at once: a month of days at a
-- time (new customers, activities), a period's ragged ends (receipts). Their indexes by day hold
-- the counts too, so such a read never looks a row up in the table.
DROP INDEX customer_days_day;
CREATE INDEX customer_days_day ON customer_days (day, owner_id, customers);
DROP INDEX activity_days_day;
CREATE INDEX activity_days_day ON activity_days (day, owner_id, type_id, activities);
DROP INDEX receipt_days_day;
CREATE INDEX receipt_days_day ON receipt_days (day, owner_id, receipts, amount);
