DROP TRIGGER renewal_months_update;
DROP TRIGGER renewal_months_delete;
DROP TRIGGER renewal_months_insert;
DROP TABLE renewal_months;
DROP TRIGGER orders_renewed_delete;
DROP TRIGGER orders_renewed_update;
DROP TRIGGER orders_renewed_insert;
DROP VIEW order_renewals;
ALTER TABLE orders DROP COLUMN renewed;
