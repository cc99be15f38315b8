-- The summaries per owner and day are read by day for everyone at once: a month of days at a
-- time (new customers, activities), a period's ragged ends (receipts). Their indexes by day hold
-- the counts too, so such a read never visits the table (at 1M customers a year of new customers
-- by month read 65 000 rows of `customer_days` from the table: 35 ms, 18 from the index alone).
DROP INDEX customer_days_day;
CREATE INDEX customer_days_day ON customer_days (day, owner_id) INCLUDE (customers);
DROP INDEX activity_days_day;
CREATE INDEX activity_days_day ON activity_days (day, owner_id, type_id) INCLUDE (activities);
DROP INDEX receipt_days_day;
CREATE INDEX receipt_days_day ON receipt_days (day, owner_id) INCLUDE (receipts, amount);
