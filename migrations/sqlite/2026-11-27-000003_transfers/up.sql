-- Customer transfers (客户转移) and the in-app notifications they send.
CREATE TABLE customer_transfers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    from_user_id BIGINT NOT NULL REFERENCES users (id),
    to_user_id BIGINT NOT NULL REFERENCES users (id),
    reason TEXT NOT NULL,
    -- What moved, counted per kind: {"customers": 12, "contacts": 30, ...}
    moved TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX customer_transfers_from ON customer_transfers (from_user_id, id);
CREATE INDEX customer_transfers_to ON customer_transfers (to_user_id, id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    entity TEXT,
    entity_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id);
