DELETE FROM customer_grams WHERE gram >= 4398046511104;
