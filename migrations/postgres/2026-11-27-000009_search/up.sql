-- The customer search index (see crm-db's search module): bigrams of the name, the short name and
-- the contacts' names, as `first code point << 21 | second`, lower-cased in ASCII, with the owner so
-- that a search is narrowed to the caller's scope inside the index.
CREATE TABLE customer_grams (
    gram BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (gram, owner_id, customer_id)
);
CREATE INDEX customer_grams_customer ON customer_grams (customer_id);

-- The customers already there. The application leaves out bigrams with spaces and legal forms;
-- these extra rows only widen a candidate list, which the search checks anyway.
INSERT INTO customer_grams (gram, owner_id, customer_id)
SELECT DISTINCT ascii(substr(t, i, 1))::BIGINT * 2097152 + ascii(substr(t, i + 1, 1)), owner_id, customer_id
FROM (
    SELECT customer_id, owner_id, translate(raw, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS t
    FROM (
        SELECT id AS customer_id, owner_id, name AS raw FROM customers
        UNION ALL SELECT id, owner_id, short_name FROM customers WHERE short_name IS NOT NULL
        UNION ALL SELECT k.customer_id, c.owner_id, k.name FROM contacts k JOIN customers c ON c.id = k.customer_id
    ) raw_texts
) texts
CROSS JOIN LATERAL generate_series(1, length(t) - 1) AS i
WHERE length(t) >= 2;

-- A transfer moves the customer's index rows to the new owner.
CREATE FUNCTION customer_grams_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_grams SET owner_id = NEW.owner_id WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_grams_owner AFTER UPDATE OF owner_id ON customers
    FOR EACH ROW WHEN (OLD.owner_id <> NEW.owner_id)
    EXECUTE FUNCTION customer_grams_owner();
