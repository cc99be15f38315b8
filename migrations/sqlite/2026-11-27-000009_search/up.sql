-- The customer search index (see crm-db's search module): bigrams of the name, the short name and
-- the contacts' names, as `first code point << 21 | second`, lower-cased in ASCII, with the owner so
-- that a search is narrowed to the caller's scope inside the index.
CREATE TABLE customer_grams (
    gram BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, owner_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX customer_grams_customer ON customer_grams (customer_id);

-- The customers already there. The application leaves out bigrams with spaces and legal forms;
-- these extra rows only widen a candidate list, which the search checks anyway.
WITH RECURSIVE texts (customer_id, owner_id, t) AS (
    SELECT id, owner_id, lower(name) FROM customers
    UNION ALL SELECT id, owner_id, lower(short_name) FROM customers WHERE short_name IS NOT NULL
    UNION ALL SELECT k.customer_id, c.owner_id, lower(k.name) FROM contacts k JOIN customers c ON c.id = k.customer_id
), pos (customer_id, owner_id, t, i) AS (
    SELECT customer_id, owner_id, t, 1 FROM texts WHERE length(t) >= 2
    UNION ALL SELECT customer_id, owner_id, t, i + 1 FROM pos WHERE i + 1 < length(t)
)
INSERT OR IGNORE INTO customer_grams (gram, owner_id, customer_id)
SELECT unicode(substr(t, i, 1)) * 2097152 + unicode(substr(t, i + 1, 1)), owner_id, customer_id FROM pos;

-- A transfer moves the customer's index rows to the new owner.
CREATE TRIGGER customer_grams_owner AFTER UPDATE OF owner_id ON customers
WHEN OLD.owner_id <> NEW.owner_id
BEGIN
    UPDATE customer_grams SET owner_id = NEW.owner_id WHERE customer_id = NEW.id;
END;
