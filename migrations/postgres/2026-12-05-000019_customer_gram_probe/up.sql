-- A customer search that walks the list (a common word) asks, row by row, whether the customer
-- holds the word's bigram: one probe of (customer_id, gram), answered from the index alone.
-- It replaces the index on customer_id, which it serves as well.
CREATE INDEX customer_grams_customer_gram ON customer_grams (customer_id, gram);
DROP INDEX customer_grams_customer;
