-- Activities (客户接触): every contact with a customer, by whom, when, what came of it, what is next.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    type_id BIGINT NOT NULL REFERENCES dictionary_items (id),
    occurred_at TIMESTAMP NOT NULL,
    summary TEXT NOT NULL,
    outcome TEXT,
    next_step_on DATE,
    next_step_note TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX activities_customer ON activities (customer_id, occurred_at, id);
CREATE INDEX activities_owner ON activities (owner_id, occurred_at, id);
CREATE INDEX activities_occurred ON activities (occurred_at, id);
