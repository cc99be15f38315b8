-- The public pool (公海): customers nobody owns. They belong to a reserved owner, id -1, alone in a
-- reserved top-level department, id -1: no one's department scope reaches it, so only scope `all`
-- sees pooled customers as customers, while everyone may see the pool's own list. The reserved
-- user cannot log in (disabled, no usable password) and is never listed as a user.
INSERT INTO departments (id, name, parent_id, sort_order, created_at, updated_at)
VALUES (-1, '公海 Public pool', NULL, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
INSERT INTO users (id, username, display_name, password_hash, department_id, enabled, created_at, updated_at)
VALUES (-1, 'pool$', '公海 Public pool', '!', -1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

-- Since when the current owner has the customer (the unsigned rule counts from it), and since
-- when it has been in the pool (null while someone owns it).
ALTER TABLE customers ADD COLUMN owner_since TIMESTAMP;
ALTER TABLE customers ADD COLUMN pooled_at TIMESTAMP;
UPDATE customers SET owner_since = created_at;
CREATE INDEX customers_owner_since ON customers (owner_since, id);

-- Every move into or out of the pool: the pool's history, and the count of today's claims.
CREATE TABLE pool_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    action TEXT NOT NULL CHECK (action IN ('release', 'reclaim', 'claim', 'assign')),
    -- The owner before (release, reclaim) or after (claim, assign).
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- Who did it; null for the scheduler's reclaim.
    actor_id BIGINT REFERENCES users (id),
    rule TEXT CHECK (rule IN ('no_contact', 'unsigned')),
    reason TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pool_moves_user ON pool_moves (user_id, action, created_at);
CREATE INDEX pool_moves_customer ON pool_moves (customer_id, id);
