-- Opportunities (机会), their key contacts, the competitors met in them, quotes (报价) and the
-- pipeline by stage, kept by triggers like the customer pipeline.

-- Each stage has a default probability; won and lost are a deal's status, not stages.
-- (Plain columns where a table gains one: SQLite cannot drop a column that has a constraint.)
ALTER TABLE dictionary_items ADD COLUMN probability SMALLINT;
UPDATE dictionary_items SET probability = 10 WHERE kind = 'opportunity_stage' AND name = '初步接触';
UPDATE dictionary_items SET probability = 30 WHERE kind = 'opportunity_stage' AND name = '需求确认';
UPDATE dictionary_items SET probability = 60 WHERE kind = 'opportunity_stage' AND name = '方案报价';
UPDATE dictionary_items SET probability = 80 WHERE kind = 'opportunity_stage' AND name = '商务谈判';
UPDATE dictionary_items SET enabled = 0 WHERE kind = 'opportunity_stage' AND name IN ('赢单', '输单');

-- Readable numbers of every kind of document (SO…, QT…), one counter per kind and day.
CREATE TABLE document_numbers (
    kind TEXT NOT NULL,
    day DATE NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (kind, day)
) WITHOUT ROWID;
INSERT INTO document_numbers (kind, day, last_seq) SELECT 'SO', day, last_seq FROM order_numbers;
DROP TABLE order_numbers;

CREATE TABLE competitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    website TEXT,
    strengths TEXT,
    weaknesses TEXT,
    products TEXT,
    pricing TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE opportunities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    -- The customer's owner, kept by a trigger: a deal is seen by who sees its owner and its customer.
    customer_owner_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    stage_id BIGINT NOT NULL REFERENCES dictionary_items (id),
    amount BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
    probability SMALLINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    -- Set by hand: a stage move keeps it; otherwise it follows the stage's default.
    probability_set BOOLEAN NOT NULL DEFAULT 0,
    expected_close_on DATE,
    source_id BIGINT REFERENCES dictionary_items (id),
    description TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
    lost_reason TEXT,
    lost_to_id BIGINT REFERENCES competitors (id),
    closed_on DATE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_updated ON opportunities (updated_at, id);
CREATE INDEX opportunities_owner ON opportunities (owner_id, updated_at, id);
CREATE INDEX opportunities_customer ON opportunities (customer_id, updated_at, id);
CREATE INDEX opportunities_board ON opportunities (status, stage_id, updated_at, id);
CREATE INDEX opportunities_owner_board ON opportunities (owner_id, status, stage_id, updated_at, id);
CREATE INDEX opportunities_close ON opportunities (expected_close_on, id);
CREATE INDEX opportunities_lost_to ON opportunities (lost_to_id) WHERE lost_to_id IS NOT NULL;

-- Where a deal has been: each row is a stage (and status) entered, by whom and when.
CREATE TABLE opportunity_moves (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    stage_id BIGINT NOT NULL REFERENCES dictionary_items (id),
    status TEXT NOT NULL,
    moved_by BIGINT NOT NULL REFERENCES users (id),
    moved_at TIMESTAMP NOT NULL
);
CREATE INDEX opportunity_moves_deal ON opportunity_moves (opportunity_id, moved_at, id);

CREATE TABLE opportunity_contacts (
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('decision_maker', 'influencer', 'user', 'gatekeeper', 'other')),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (opportunity_id, contact_id)
);
CREATE INDEX opportunity_contacts_contact ON opportunity_contacts (contact_id);

CREATE TABLE opportunity_competitors (
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    competitor_id BIGINT NOT NULL REFERENCES competitors (id),
    strengths TEXT,
    weaknesses TEXT,
    threat SMALLINT NOT NULL CHECK (threat BETWEEN 1 AND 5),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (opportunity_id, competitor_id)
);
CREATE INDEX opportunity_competitors_competitor ON opportunity_competitors (competitor_id, opportunity_id);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    opportunity_id BIGINT NOT NULL REFERENCES opportunities (id) ON DELETE CASCADE,
    number TEXT NOT NULL UNIQUE,
    -- The quote's version within its deal: 1, 2, …
    version INTEGER NOT NULL,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'accepted', 'rejected', 'expired')),
    valid_until DATE NOT NULL,
    notes TEXT,
    total BIGINT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (opportunity_id, version)
);
CREATE INDEX quotes_due ON quotes (status, valid_until);

CREATE TABLE quote_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    quote_id BIGINT NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    product_id BIGINT NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL,
    unit_price BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    UNIQUE (quote_id, line_no)
);

CREATE INDEX orders_opportunity ON orders (opportunity_id) WHERE opportunity_id IS NOT NULL;

ALTER TABLE activities ADD COLUMN opportunity_id BIGINT;
CREATE INDEX activities_opportunity ON activities (opportunity_id, occurred_at, id) WHERE opportunity_id IS NOT NULL;
ALTER TABLE reminders ADD COLUMN opportunity_id BIGINT;

-- The pipeline: open deals, their amounts and weighted amounts (amount × probability, in fen ×
-- percent) per owner, customer owner and stage.
CREATE TABLE opportunity_pipeline (
    owner_id BIGINT NOT NULL,
    customer_owner_id BIGINT NOT NULL,
    stage_id BIGINT NOT NULL,
    deals BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    weighted BIGINT NOT NULL,
    PRIMARY KEY (owner_id, customer_owner_id, stage_id)
) WITHOUT ROWID;

CREATE TRIGGER opportunities_customer_owner AFTER UPDATE OF owner_id ON customers
WHEN OLD.owner_id <> NEW.owner_id
BEGIN
    UPDATE opportunities SET customer_owner_id = NEW.owner_id WHERE customer_id = NEW.id;
END;
CREATE TRIGGER opportunity_pipeline_insert AFTER INSERT ON opportunities WHEN NEW.status = 'open' BEGIN
    INSERT INTO opportunity_pipeline (owner_id, customer_owner_id, stage_id, deals, amount, weighted)
    VALUES (NEW.owner_id, NEW.customer_owner_id, NEW.stage_id, 1, NEW.amount, NEW.amount * NEW.probability)
    ON CONFLICT (owner_id, customer_owner_id, stage_id) DO UPDATE
    SET deals = deals + 1, amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER opportunity_pipeline_delete AFTER DELETE ON opportunities WHEN OLD.status = 'open' BEGIN
    UPDATE opportunity_pipeline
    SET deals = deals - 1, amount = amount - OLD.amount, weighted = weighted - OLD.amount * OLD.probability
    WHERE owner_id = OLD.owner_id AND customer_owner_id = OLD.customer_owner_id AND stage_id = OLD.stage_id;
END;
CREATE TRIGGER opportunity_pipeline_update
AFTER UPDATE OF owner_id, customer_owner_id, stage_id, amount, probability, status ON opportunities
WHEN OLD.status = 'open' OR NEW.status = 'open'
BEGIN
    UPDATE opportunity_pipeline
    SET deals = deals - 1, amount = amount - OLD.amount, weighted = weighted - OLD.amount * OLD.probability
    WHERE OLD.status = 'open' AND owner_id = OLD.owner_id AND customer_owner_id = OLD.customer_owner_id
      AND stage_id = OLD.stage_id;
    INSERT INTO opportunity_pipeline (owner_id, customer_owner_id, stage_id, deals, amount, weighted)
    SELECT NEW.owner_id, NEW.customer_owner_id, NEW.stage_id, 1, NEW.amount, NEW.amount * NEW.probability
    WHERE NEW.status = 'open'
    ON CONFLICT (owner_id, customer_owner_id, stage_id) DO UPDATE
    SET deals = deals + 1, amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;

-- Managers keep the company's competitor profiles.
INSERT INTO role_permissions (role_id, permission)
SELECT id, 'competitor.manage' FROM roles
WHERE code IN ('general_manager', 'sales_director', 'sales_manager');
