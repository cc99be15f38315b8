-- Phones in the customer search index (see crm-db's search module): every four consecutive ASCII
-- digits of a customer's phone, as 2^42 + the four digits read as a number (the bigrams of names
-- are all below 2^42). A phone number typed into the search then takes its candidates from here
-- instead of checking every customer in scope.
WITH RECURSIVE pos (customer_id, owner_id, t, i) AS (
    SELECT id, owner_id, phone, 1 FROM customers WHERE length(phone) >= 4
    UNION ALL SELECT customer_id, owner_id, t, i + 1 FROM pos WHERE i + 4 <= length(t)
)
INSERT OR IGNORE INTO customer_grams (gram, owner_id, customer_id)
SELECT 4398046511104 + CAST(substr(t, i, 4) AS INTEGER), owner_id, customer_id FROM pos
WHERE substr(t, i, 4) GLOB '[0-9][0-9][0-9][0-9]';
