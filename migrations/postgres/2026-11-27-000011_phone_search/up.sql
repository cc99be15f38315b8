-- Phones in the customer search index (see crm-db's search module): every four consecutive ASCII
-- digits of a customer's phone, as 2^42 + the four digits read as a number (the bigrams of names
-- are all below 2^42). A phone number typed into the search then takes its candidates from here
-- instead of checking every customer in scope.
INSERT INTO customer_grams (gram, owner_id, customer_id)
SELECT DISTINCT 4398046511104 + substr(phone, i, 4)::BIGINT, owner_id, id
FROM customers CROSS JOIN LATERAL generate_series(1, length(phone) - 3) AS i
WHERE length(phone) >= 4 AND substr(phone, i, 4) ~ '^[0-9]{4}$'
ON CONFLICT DO NOTHING;
