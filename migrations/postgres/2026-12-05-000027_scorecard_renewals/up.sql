-- The staff scorecard's and the renewal report's facts, read over a period: the columns each
-- count needs are in its index, so no row is fetched. Level moves are found among the audit
-- entries by a partial index holding only them.
CREATE INDEX activities_report ON activities (occurred_at, owner_id, type_id);
CREATE INDEX opportunities_created ON opportunities (created_at, owner_id, customer_owner_id, amount);
CREATE INDEX tickets_created_report ON tickets (created_at, customer_owner_id);
CREATE INDEX audit_log_levels ON audit_log (at, customer_id) WHERE action = 'level';
-- Service periods ending in a period, and whether the customer has signed one running further.
CREATE INDEX orders_service_end_report ON orders (service_end, owner_id, status, total, customer_id);
CREATE INDEX orders_customer_end ON orders (customer_id, service_end, status);
-- The payment plans receipts are set against, by due date.
CREATE INDEX payment_installments_plan ON payment_installments (due_date, owner_id, in_force, amount);
