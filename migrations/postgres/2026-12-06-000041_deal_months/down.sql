DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status,
    amount, lost_to_id, lost_reason, created_at) WHERE closed_on IS NOT NULL;
DROP TRIGGER deal_months_update_new ON opportunities;
DROP TRIGGER deal_months_insert ON opportunities;
DROP TRIGGER deal_months_update_old ON opportunities;
DROP TRIGGER deal_months_delete ON opportunities;
DROP FUNCTION deal_months_after();
DROP FUNCTION deal_months_before();
DROP FUNCTION deal_months_add(BIGINT, BIGINT);
DROP TABLE deal_months;
DROP VIEW deal_month_parts;
ALTER TABLE opportunities DROP COLUMN opened_on;
