DROP TRIGGER customer_grams_owner ON customers;
DROP FUNCTION customer_grams_owner();
DROP TABLE customer_grams;
