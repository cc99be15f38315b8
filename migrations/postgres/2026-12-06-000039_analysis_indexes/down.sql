DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status, amount) WHERE closed_on IS NOT NULL;
DROP INDEX tickets_created_report;
CREATE INDEX tickets_created_report ON tickets (created_at, customer_owner_id);
