-- Summaries kept by triggers, so that the reports read a few thousand rows instead of every
-- customer or installment, whatever code path (the app, the generator, a script) writes the data.

-- The pipeline: customers and signed totals per owner and level.
CREATE TABLE customer_pipeline (
    owner_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    customers BIGINT NOT NULL,
    signed_total BIGINT NOT NULL,
    PRIMARY KEY (owner_id, level)
) WITHOUT ROWID;
INSERT INTO customer_pipeline (owner_id, level, customers, signed_total)
SELECT owner_id, level, COUNT(*), SUM(signed_total) FROM customers GROUP BY owner_id, level;

CREATE TRIGGER customer_pipeline_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customer_pipeline (owner_id, level, customers, signed_total)
    VALUES (NEW.owner_id, NEW.level, 1, NEW.signed_total)
    ON CONFLICT (owner_id, level) DO UPDATE
    SET customers = customers + 1, signed_total = signed_total + excluded.signed_total;
END;
CREATE TRIGGER customer_pipeline_delete AFTER DELETE ON customers BEGIN
    UPDATE customer_pipeline SET customers = customers - 1, signed_total = signed_total - OLD.signed_total
    WHERE owner_id = OLD.owner_id AND level = OLD.level;
END;
CREATE TRIGGER customer_pipeline_update AFTER UPDATE OF owner_id, level, signed_total ON customers
WHEN OLD.owner_id <> NEW.owner_id OR OLD.level <> NEW.level OR OLD.signed_total <> NEW.signed_total
BEGIN
    UPDATE customer_pipeline SET customers = customers - 1, signed_total = signed_total - OLD.signed_total
    WHERE owner_id = OLD.owner_id AND level = OLD.level;
    INSERT INTO customer_pipeline (owner_id, level, customers, signed_total)
    VALUES (NEW.owner_id, NEW.level, 1, NEW.signed_total)
    ON CONFLICT (owner_id, level) DO UPDATE
    SET customers = customers + 1, signed_total = signed_total + excluded.signed_total;
END;

-- Receivables: each installment carries its order's owner, whether the order is in force (signed,
-- executing or completed) and what was applied to it; open installments have their own indexes.
ALTER TABLE payment_installments ADD COLUMN owner_id BIGINT;
ALTER TABLE payment_installments ADD COLUMN in_force BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE payment_installments ADD COLUMN received BIGINT NOT NULL DEFAULT 0;
UPDATE payment_installments SET
    owner_id = (SELECT o.owner_id FROM orders o WHERE o.id = payment_installments.order_id),
    in_force = (SELECT o.status IN ('signed', 'executing', 'completed') FROM orders o WHERE o.id = payment_installments.order_id),
    received = (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = payment_installments.id);
CREATE INDEX payment_installments_open ON payment_installments (due_date, id)
    WHERE in_force AND amount > received;
CREATE INDEX payment_installments_open_owner ON payment_installments (owner_id, due_date, id)
    WHERE in_force AND amount > received;

-- The outstanding money per owner and due date, for the aging report.
CREATE TABLE receivable_days (
    owner_id BIGINT NOT NULL,
    due_date DATE NOT NULL,
    outstanding BIGINT NOT NULL,
    PRIMARY KEY (owner_id, due_date)
) WITHOUT ROWID;
INSERT INTO receivable_days (owner_id, due_date, outstanding)
SELECT owner_id, due_date, SUM(amount - received) FROM payment_installments
WHERE in_force AND amount > received GROUP BY owner_id, due_date;

CREATE TRIGGER receipt_allocations_insert AFTER INSERT ON receipt_allocations BEGIN
    UPDATE payment_installments SET received = received + NEW.amount WHERE id = NEW.installment_id;
END;
CREATE TRIGGER receipt_allocations_delete AFTER DELETE ON receipt_allocations BEGIN
    UPDATE payment_installments SET received = received - OLD.amount WHERE id = OLD.installment_id;
END;
CREATE TRIGGER orders_installments AFTER UPDATE OF owner_id, status ON orders
WHEN OLD.owner_id <> NEW.owner_id OR OLD.status <> NEW.status
BEGIN
    UPDATE payment_installments SET
        owner_id = NEW.owner_id,
        in_force = NEW.status IN ('signed', 'executing', 'completed')
    WHERE order_id = NEW.id;
END;
CREATE TRIGGER installments_insert AFTER INSERT ON payment_installments BEGIN
    INSERT INTO receivable_days (owner_id, due_date, outstanding)
    SELECT NEW.owner_id, NEW.due_date, NEW.amount - NEW.received
    WHERE NEW.owner_id IS NOT NULL AND NEW.in_force AND NEW.amount > NEW.received
    ON CONFLICT (owner_id, due_date) DO UPDATE SET outstanding = outstanding + excluded.outstanding;
    -- The order's owner and status, whatever the writer gave (an update, summed by the trigger below).
    UPDATE payment_installments SET
        owner_id = (SELECT o.owner_id FROM orders o WHERE o.id = NEW.order_id),
        in_force = (SELECT o.status IN ('signed', 'executing', 'completed') FROM orders o WHERE o.id = NEW.order_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER installments_update AFTER UPDATE OF owner_id, in_force, amount, received, due_date ON payment_installments
WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.in_force <> NEW.in_force OR OLD.amount <> NEW.amount
    OR OLD.received <> NEW.received OR OLD.due_date <> NEW.due_date
BEGIN
    UPDATE receivable_days SET outstanding = outstanding - (OLD.amount - OLD.received)
    WHERE owner_id = OLD.owner_id AND due_date = OLD.due_date AND OLD.in_force AND OLD.amount > OLD.received;
    DELETE FROM receivable_days WHERE owner_id = OLD.owner_id AND due_date = OLD.due_date AND outstanding = 0;
    INSERT INTO receivable_days (owner_id, due_date, outstanding)
    SELECT NEW.owner_id, NEW.due_date, NEW.amount - NEW.received
    WHERE NEW.owner_id IS NOT NULL AND NEW.in_force AND NEW.amount > NEW.received
    ON CONFLICT (owner_id, due_date) DO UPDATE SET outstanding = outstanding + excluded.outstanding;
END;
CREATE TRIGGER installments_delete AFTER DELETE ON payment_installments BEGIN
    UPDATE receivable_days SET outstanding = outstanding - (OLD.amount - OLD.received)
    WHERE owner_id = OLD.owner_id AND due_date = OLD.due_date AND OLD.in_force AND OLD.amount > OLD.received;
    DELETE FROM receivable_days WHERE owner_id = OLD.owner_id AND due_date = OLD.due_date AND outstanding = 0;
END;

-- The same money per owner and month: the aging report reads whole months far from its bucket
-- edges here, and days only near them. Kept from the per-day rows by triggers.
CREATE TABLE receivable_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    outstanding BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;
INSERT INTO receivable_months (owner_id, month, outstanding)
SELECT owner_id, strftime('%Y-%m-01', due_date), SUM(outstanding) FROM receivable_days
GROUP BY owner_id, strftime('%Y-%m-01', due_date);

CREATE TRIGGER receivable_months_insert AFTER INSERT ON receivable_days BEGIN
    INSERT INTO receivable_months (owner_id, month, outstanding)
    VALUES (NEW.owner_id, strftime('%Y-%m-01', NEW.due_date), NEW.outstanding)
    ON CONFLICT (owner_id, month) DO UPDATE SET outstanding = outstanding + excluded.outstanding;
END;
CREATE TRIGGER receivable_months_update AFTER UPDATE ON receivable_days BEGIN
    UPDATE receivable_months SET outstanding = outstanding - OLD.outstanding
    WHERE owner_id = OLD.owner_id AND month = strftime('%Y-%m-01', OLD.due_date);
    INSERT INTO receivable_months (owner_id, month, outstanding)
    VALUES (NEW.owner_id, strftime('%Y-%m-01', NEW.due_date), NEW.outstanding)
    ON CONFLICT (owner_id, month) DO UPDATE SET outstanding = outstanding + excluded.outstanding;
    DELETE FROM receivable_months WHERE owner_id = OLD.owner_id AND month = strftime('%Y-%m-01', OLD.due_date) AND outstanding = 0;
END;
CREATE TRIGGER receivable_months_delete AFTER DELETE ON receivable_days BEGIN
    UPDATE receivable_months SET outstanding = outstanding - OLD.outstanding
    WHERE owner_id = OLD.owner_id AND month = strftime('%Y-%m-01', OLD.due_date);
    DELETE FROM receivable_months WHERE owner_id = OLD.owner_id AND month = strftime('%Y-%m-01', OLD.due_date) AND outstanding = 0;
END;
