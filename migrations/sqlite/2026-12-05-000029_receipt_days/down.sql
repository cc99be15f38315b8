DROP TRIGGER receipt_days_order_owner;
DROP TRIGGER receipt_days_delete;
DROP TRIGGER receipt_days_insert;
DROP TABLE receipt_days;
