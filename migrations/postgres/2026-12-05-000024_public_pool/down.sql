DROP TABLE pool_moves;
DROP INDEX customers_owner_since;
ALTER TABLE customers DROP COLUMN pooled_at;
ALTER TABLE customers DROP COLUMN owner_since;
DELETE FROM users WHERE id = -1;
DELETE FROM departments WHERE id = -1;
