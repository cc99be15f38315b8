DROP TRIGGER customer_level_months_update ON customers;
DROP TRIGGER customer_level_months_insert_delete ON customers;
DROP FUNCTION customer_level_months_track();
DROP FUNCTION customer_level_months_add(BIGINT, DATE, TEXT, BIGINT);
DROP TABLE customer_level_months;
