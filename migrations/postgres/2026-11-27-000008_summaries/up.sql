-- Summaries kept by triggers, so that the reports read a few thousand rows instead of every
-- customer or installment, whatever code path (the app, the generator, a script) writes the data.

-- The pipeline: customers and signed totals per owner and level.
CREATE TABLE customer_pipeline (
    owner_id BIGINT NOT NULL,
    level TEXT NOT NULL,
    customers BIGINT NOT NULL,
    signed_total BIGINT NOT NULL,
    PRIMARY KEY (owner_id, level)
);
INSERT INTO customer_pipeline (owner_id, level, customers, signed_total)
SELECT owner_id, level, COUNT(*), SUM(signed_total) FROM customers GROUP BY owner_id, level;

CREATE FUNCTION customer_pipeline_add(p_owner BIGINT, p_level TEXT, p_customers BIGINT, p_total BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_pipeline AS cp (owner_id, level, customers, signed_total)
    VALUES (p_owner, p_level, p_customers, p_total)
    ON CONFLICT (owner_id, level) DO UPDATE
    SET customers = cp.customers + EXCLUDED.customers, signed_total = cp.signed_total + EXCLUDED.signed_total;
END $$;

CREATE FUNCTION customer_pipeline_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM customer_pipeline_add(OLD.owner_id, OLD.level, -1, -OLD.signed_total);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM customer_pipeline_add(NEW.owner_id, NEW.level, 1, NEW.signed_total);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_pipeline_insert_delete AFTER INSERT OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_pipeline_track();
CREATE TRIGGER customer_pipeline_update AFTER UPDATE OF owner_id, level, signed_total ON customers
    FOR EACH ROW
    WHEN (OLD.owner_id <> NEW.owner_id OR OLD.level <> NEW.level OR OLD.signed_total <> NEW.signed_total)
    EXECUTE FUNCTION customer_pipeline_track();

-- Receivables: each installment carries its order's owner, whether the order is in force (signed,
-- executing or completed) and what was applied to it; open installments have their own indexes.
ALTER TABLE payment_installments ADD COLUMN owner_id BIGINT;
ALTER TABLE payment_installments ADD COLUMN in_force BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE payment_installments ADD COLUMN received BIGINT NOT NULL DEFAULT 0;
UPDATE payment_installments pi SET
    owner_id = o.owner_id,
    in_force = o.status IN ('signed', 'executing', 'completed'),
    received = (SELECT COALESCE(SUM(ra.amount), 0) FROM receipt_allocations ra WHERE ra.installment_id = pi.id)
FROM orders o WHERE o.id = pi.order_id;
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
);
INSERT INTO receivable_days (owner_id, due_date, outstanding)
SELECT owner_id, due_date, SUM(amount - received) FROM payment_installments
WHERE in_force AND amount > received GROUP BY owner_id, due_date;

CREATE FUNCTION receivable_days_add(p_owner BIGINT, p_due DATE, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_owner IS NULL OR p_amount = 0 THEN
        RETURN;
    END IF;
    INSERT INTO receivable_days AS rd (owner_id, due_date, outstanding) VALUES (p_owner, p_due, p_amount)
    ON CONFLICT (owner_id, due_date) DO UPDATE SET outstanding = rd.outstanding + EXCLUDED.outstanding;
    DELETE FROM receivable_days WHERE owner_id = p_owner AND due_date = p_due AND outstanding = 0;
END $$;

CREATE FUNCTION receipt_allocations_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE payment_installments SET received = received + NEW.amount WHERE id = NEW.installment_id;
    ELSE
        UPDATE payment_installments SET received = received - OLD.amount WHERE id = OLD.installment_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receipt_allocations_track AFTER INSERT OR DELETE ON receipt_allocations
    FOR EACH ROW EXECUTE FUNCTION receipt_allocations_track();

CREATE FUNCTION orders_installments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE payment_installments SET
        owner_id = NEW.owner_id,
        in_force = NEW.status IN ('signed', 'executing', 'completed')
    WHERE order_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_installments AFTER UPDATE OF owner_id, status ON orders
    FOR EACH ROW WHEN (OLD.owner_id <> NEW.owner_id OR OLD.status <> NEW.status)
    EXECUTE FUNCTION orders_installments();

-- A new installment takes its order's owner and status, whatever the writer gave.
CREATE FUNCTION installments_of_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT o.owner_id, o.status IN ('signed', 'executing', 'completed')
    INTO NEW.owner_id, NEW.in_force
    FROM orders o WHERE o.id = NEW.order_id;
    RETURN NEW;
END $$;
CREATE TRIGGER installments_of_order BEFORE INSERT ON payment_installments
    FOR EACH ROW EXECUTE FUNCTION installments_of_order();

CREATE FUNCTION installments_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.in_force AND OLD.amount > OLD.received THEN
        PERFORM receivable_days_add(OLD.owner_id, OLD.due_date, -(OLD.amount - OLD.received));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.in_force AND NEW.amount > NEW.received THEN
        PERFORM receivable_days_add(NEW.owner_id, NEW.due_date, NEW.amount - NEW.received);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER installments_track_insert_delete AFTER INSERT OR DELETE ON payment_installments
    FOR EACH ROW EXECUTE FUNCTION installments_track();
CREATE TRIGGER installments_track_update
    AFTER UPDATE OF owner_id, in_force, amount, received, due_date ON payment_installments
    FOR EACH ROW
    WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.in_force <> NEW.in_force
        OR OLD.amount <> NEW.amount OR OLD.received <> NEW.received OR OLD.due_date <> NEW.due_date)
    EXECUTE FUNCTION installments_track();

-- The same money per owner and month: the aging report reads whole months far from its bucket
-- edges here, and days only near them. Kept from the per-day rows by a trigger.
CREATE TABLE receivable_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    outstanding BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
);
INSERT INTO receivable_months (owner_id, month, outstanding)
SELECT owner_id, date_trunc('month', due_date)::date, SUM(outstanding) FROM receivable_days
GROUP BY owner_id, date_trunc('month', due_date)::date;

CREATE FUNCTION receivable_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE receivable_months SET outstanding = outstanding - OLD.outstanding
        WHERE owner_id = OLD.owner_id AND month = date_trunc('month', OLD.due_date)::date;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO receivable_months AS rm (owner_id, month, outstanding)
        VALUES (NEW.owner_id, date_trunc('month', NEW.due_date)::date, NEW.outstanding)
        ON CONFLICT (owner_id, month) DO UPDATE SET outstanding = rm.outstanding + EXCLUDED.outstanding;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM receivable_months
        WHERE owner_id = OLD.owner_id AND month = date_trunc('month', OLD.due_date)::date AND outstanding = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receivable_months_track AFTER INSERT OR UPDATE OR DELETE ON receivable_days
    FOR EACH ROW EXECUTE FUNCTION receivable_months_track();
