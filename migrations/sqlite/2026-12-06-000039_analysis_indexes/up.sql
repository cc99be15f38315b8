-- The service and deal analyses count a period's rows per group in the database, each from one
-- index that carries every column it reads, so a year is read from the index alone. (The same
-- names: the scorecard and the engine read them too, and no planner picks between two.)
DROP INDEX tickets_created_report;
CREATE INDEX tickets_created_report ON tickets (created_at, customer_owner_id, kind, status,
    assignee_id, customer_id, due_at, resolved_at, satisfaction);
DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status,
    amount, lost_to_id, lost_reason, created_at) WHERE closed_on IS NOT NULL;
