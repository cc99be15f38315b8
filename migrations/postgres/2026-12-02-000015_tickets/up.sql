-- Service tickets (服务工单): complaints, feedback, consultations and after-sale requests, each with
-- a timeline of status moves, assignments and comments. A ticket is seen by who sees its customer
-- (`customer_owner_id`, kept by a trigger as for opportunities); service staff read every customer.

CREATE TABLE tickets (
    id BIGSERIAL PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'feedback', 'consultation', 'after_sale')),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    customer_owner_id BIGINT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    priority TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    subject TEXT NOT NULL,
    description TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    assignee_id BIGINT REFERENCES users (id),
    resolution TEXT,
    satisfaction SMALLINT CHECK (satisfaction BETWEEN 1 AND 5),
    due_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_customer_owner ON tickets (customer_owner_id, updated_at, id);
CREATE INDEX tickets_customer ON tickets (customer_id, updated_at, id);
CREATE INDEX tickets_assignee ON tickets (assignee_id, status, updated_at, id);
CREATE INDEX tickets_status ON tickets (status, updated_at, id);
CREATE INDEX tickets_due ON tickets (status, due_at);
CREATE INDEX tickets_order ON tickets (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE ticket_events (
    id BIGSERIAL PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    -- created, assigned, status, comment
    kind TEXT NOT NULL,
    status TEXT,
    assignee_id BIGINT REFERENCES users (id),
    body TEXT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, at, id);

CREATE FUNCTION tickets_customer_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tickets SET customer_owner_id = NEW.owner_id WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER tickets_customer_owner AFTER UPDATE OF owner_id ON customers
    FOR EACH ROW WHEN (OLD.owner_id <> NEW.owner_id) EXECUTE FUNCTION tickets_customer_owner();

-- Service staff read every customer and order (read-only) to serve them.
UPDATE roles SET data_scope = 'all' WHERE code = 'service';
