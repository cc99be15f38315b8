DROP INDEX orders_contract_no;
ALTER TABLE orders DROP COLUMN contract_no;
