-- Products (产品), orders (订单) with their lines, payment plans (收款计划), receipts (回款) applied to
-- installments, and order records (execution progress, after-sale service). Money is in fen.
CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    list_price BIGINT NOT NULL CHECK (list_price >= 0),
    renewable BOOLEAN NOT NULL DEFAULT FALSE,
    service_months INTEGER CHECK (service_months BETWEEN 1 AND 120),
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- The last order number handed out per day of the company's calendar.
CREATE TABLE order_numbers (
    day DATE PRIMARY KEY,
    last_seq INTEGER NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    owner_id BIGINT NOT NULL REFERENCES users (id),
    opportunity_id BIGINT,
    status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'executing', 'completed', 'cancelled')),
    signed_on DATE,
    service_start DATE,
    service_end DATE,
    total BIGINT NOT NULL CHECK (total >= 0),
    notes TEXT,
    -- The service end the scheduler last sent a renewal reminder for.
    renewal_notified_on DATE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (service_end IS NULL OR service_start IS NULL OR service_end >= service_start)
);
CREATE INDEX orders_owner ON orders (owner_id, id);
CREATE INDEX orders_customer ON orders (customer_id, id);
CREATE INDEX orders_status ON orders (status, id);
CREATE INDEX orders_signed_on ON orders (signed_on, id);
CREATE INDEX orders_service_end ON orders (service_end) WHERE status IN ('signed', 'executing');

CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price BIGINT NOT NULL CHECK (unit_price >= 0),
    discount BIGINT NOT NULL CHECK (discount >= 0),
    amount BIGINT NOT NULL CHECK (amount >= 0)
);
CREATE INDEX order_lines_order ON order_lines (order_id, line_no);
CREATE INDEX order_lines_product ON order_lines (product_id);

CREATE TABLE payment_installments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    due_date DATE NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    -- How far dunning has gone: 0 nothing, 1 reminded before due, 2 overdue told, 3 escalated.
    dunning_stage SMALLINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX payment_installments_order ON payment_installments (order_id, due_date, id);
CREATE INDEX payment_installments_due ON payment_installments (due_date, id);

CREATE TABLE receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    amount BIGINT NOT NULL CHECK (amount <> 0),
    received_on DATE NOT NULL,
    method_id BIGINT NOT NULL REFERENCES dictionary_items (id),
    note TEXT,
    -- A reversal (冲销) points at the receipt it undoes; a receipt is reversed at most once.
    reversal_of BIGINT UNIQUE REFERENCES receipts (id),
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX receipts_order ON receipts (order_id, id);

CREATE TABLE receipt_allocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_id BIGINT NOT NULL REFERENCES receipts (id),
    installment_id BIGINT NOT NULL REFERENCES payment_installments (id),
    amount BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX receipt_allocations_installment ON receipt_allocations (installment_id);
CREATE INDEX receipt_allocations_receipt ON receipt_allocations (receipt_id);

CREATE TABLE order_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('progress', 'service')),
    happened_on DATE NOT NULL,
    note TEXT NOT NULL,
    satisfaction SMALLINT CHECK (satisfaction BETWEEN 1 AND 5),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_records_order ON order_records (order_id, id);
