DROP TRIGGER receipt_days_order_owner ON orders;
DROP FUNCTION receipt_days_order_owner();
DROP TRIGGER receipt_days_insert_delete ON receipts;
DROP FUNCTION receipt_days_track();
DROP FUNCTION receipt_days_add(BIGINT, DATE, BIGINT, BIGINT);
DROP TABLE receipt_days;
