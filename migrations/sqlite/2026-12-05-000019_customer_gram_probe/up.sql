-- PostgreSQL gets an index on customer_grams (customer_id, gram) for the search's row-by-row
-- probe. Here the index on customer_id of this WITHOUT ROWID table already holds the primary
-- key after it — (customer_id, gram, owner_id) — and answers the same probe: nothing to do.
SELECT 1;
