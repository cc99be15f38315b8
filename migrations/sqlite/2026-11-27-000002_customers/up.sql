-- Customers (客户) and their contacts (联系人). Amounts are integer minor units (fen).
CREATE TABLE customers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    -- Normalised keys compared by customer protection (see crm-domain's customer module).
    name_key TEXT NOT NULL,
    short_name TEXT,
    customer_type TEXT NOT NULL CHECK (customer_type IN ('customer', 'supplier', 'partner', 'agent', 'competitor')),
    level TEXT NOT NULL CHECK (level IN ('lead', 'contacted', 'prospect', 'signed', 'blacklisted')),
    grade SMALLINT CHECK (grade BETWEEN 1 AND 5),
    grade_manual BOOLEAN NOT NULL DEFAULT 0,
    industry_id BIGINT REFERENCES dictionary_items (id),
    region_id BIGINT REFERENCES dictionary_items (id),
    source_id BIGINT REFERENCES dictionary_items (id),
    size TEXT,
    address TEXT,
    phone TEXT,
    phone_key TEXT,
    website TEXT,
    website_key TEXT,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    notes TEXT,
    review_status TEXT NOT NULL CHECK (review_status IN ('approved', 'pending', 'rejected')),
    signed_total BIGINT NOT NULL DEFAULT 0,
    last_contact_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customers_owner ON customers (owner_id, id);
CREATE INDEX customers_owner_level ON customers (owner_id, level, id);
CREATE INDEX customers_level ON customers (level, id);
CREATE INDEX customers_updated ON customers (updated_at, id);
CREATE INDEX customers_created ON customers (created_at, id);
CREATE INDEX customers_name ON customers (name, id);
CREATE INDEX customers_last_contact ON customers (last_contact_at, id);
CREATE INDEX customers_name_key ON customers (name_key);
CREATE INDEX customers_phone_key ON customers (phone_key);
CREATE INDEX customers_website_key ON customers (website_key);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT,
    mobile TEXT,
    phone TEXT,
    email TEXT,
    im TEXT,
    birthday DATE,
    notes TEXT,
    is_key BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_customer ON contacts (customer_id, id);

-- The customer an audit entry is about, so that a customer's history includes its contacts'.
ALTER TABLE audit_log ADD COLUMN customer_id BIGINT;
CREATE INDEX audit_log_customer ON audit_log (customer_id, id);
