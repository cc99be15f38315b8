DROP INDEX audit_log_customer;
ALTER TABLE audit_log DROP COLUMN customer_id;
DROP TABLE contacts;
DROP TABLE customers;
