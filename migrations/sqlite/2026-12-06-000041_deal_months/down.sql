DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status,
    amount, lost_to_id, lost_reason, created_at) WHERE closed_on IS NOT NULL;
DROP TRIGGER deal_months_update_new;
DROP TRIGGER deal_months_update_old;
DROP TRIGGER deal_months_delete;
DROP TRIGGER deal_months_insert;
DROP TRIGGER deal_month_changes_add;
DROP TABLE deal_month_changes;
DROP TABLE deal_months;
DROP VIEW deal_month_parts;
ALTER TABLE opportunities DROP COLUMN opened_on;
