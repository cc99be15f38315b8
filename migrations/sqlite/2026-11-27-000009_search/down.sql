DROP TRIGGER customer_grams_owner;
DROP TABLE customer_grams;
