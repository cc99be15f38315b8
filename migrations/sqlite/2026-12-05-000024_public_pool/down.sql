-- What the pool holds goes to the first user (the installation's administrator) before the
-- reserved owner and department go.
UPDATE customers SET owner_id = (SELECT MIN(id) FROM users WHERE id > 0), pooled_at = NULL WHERE owner_id = -1;
UPDATE opportunities SET owner_id = (SELECT MIN(id) FROM users WHERE id > 0) WHERE owner_id = -1;
UPDATE quotes SET owner_id = (SELECT MIN(id) FROM users WHERE id > 0) WHERE owner_id = -1;
UPDATE orders SET owner_id = (SELECT MIN(id) FROM users WHERE id > 0) WHERE owner_id = -1;
UPDATE reminders SET user_id = (SELECT MIN(id) FROM users WHERE id > 0) WHERE user_id = -1;
DELETE FROM notifications WHERE user_id = -1;
DROP TABLE pool_moves;
DROP INDEX customers_owner_since;
ALTER TABLE customers DROP COLUMN pooled_at;
ALTER TABLE customers DROP COLUMN owner_since;
DELETE FROM users WHERE id = -1;
DELETE FROM departments WHERE id = -1;
