CREATE INDEX customer_grams_customer ON customer_grams (customer_id);
DROP INDEX customer_grams_customer_gram;
