-- The "last contact" order puts never-contacted customers first: the list sorts by
-- COALESCE(last_contact_at, '1970-01-01 00:00:00'), written the same way in the query, so that each
-- owner's rows come from an index in that order (a manager's page is merged from them).
CREATE INDEX customers_owner_contact_order
    ON customers (owner_id, COALESCE(last_contact_at, '1970-01-01 00:00:00'), id);
CREATE INDEX customers_owner_level_contact_order
    ON customers (owner_id, level, COALESCE(last_contact_at, '1970-01-01 00:00:00'), id);
DROP INDEX customers_owner_level_contact;
-- Fresh statistics, or the planner may take a new index without them for the owner's other orders
-- (a bounded sample: quick on a million rows).
PRAGMA analysis_limit = 1000;
ANALYZE customers;
