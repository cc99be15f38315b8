-- A salesperson's (or a small team's) reports and scorecard read one owner's rows of a period:
-- these hold the owner first and then the day, with every column the engine reads, so such a
-- count is a short range of one index instead of the owner's whole history looked up row by row
-- (the day-first report indexes stay for the company-wide reports).
CREATE INDEX orders_owner_signed_report ON orders (owner_id, signed_on, status, total);
CREATE INDEX opportunities_owner_created ON opportunities (owner_id, created_at, customer_owner_id, amount);
CREATE INDEX opportunities_owner_closed ON opportunities (owner_id, closed_on, customer_owner_id, status, amount)
    WHERE closed_on IS NOT NULL;
CREATE INDEX tickets_owner_created_report ON tickets (customer_owner_id, created_at);
