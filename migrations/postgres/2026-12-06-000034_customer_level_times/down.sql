DROP TRIGGER customer_level_times_customer ON customers;
DROP FUNCTION customer_level_times_customer();
DROP TRIGGER customer_level_times_move_update ON audit_log;
DROP TRIGGER customer_level_times_move ON audit_log;
DROP FUNCTION customer_level_times_moves();
DROP FUNCTION customer_level_times_set(BIGINT);
DROP TABLE customer_level_times;
DROP VIEW customer_levels_reached;
