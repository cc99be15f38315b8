-- The staff scorecard's facts, read per person over a period: the columns each count needs are
-- in its index, so no row is fetched. Level moves are found among the audit entries by a partial
-- index holding only them.
CREATE INDEX activities_report ON activities (occurred_at, owner_id, type_id);
CREATE INDEX opportunities_created ON opportunities (created_at, owner_id, customer_owner_id, amount);
CREATE INDEX tickets_created_report ON tickets (created_at, customer_owner_id);
CREATE INDEX audit_log_levels ON audit_log (at, customer_id) WHERE action = 'level';
