-- The company's own number of an order's contract (合同号), as written on the paper: a customer has
-- at most one order with a given number, so a contract entered or imported twice is refused.
ALTER TABLE orders ADD COLUMN contract_no TEXT;
CREATE UNIQUE INDEX orders_contract_no ON orders (customer_id, contract_no) WHERE contract_no IS NOT NULL;
