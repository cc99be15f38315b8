-- Service periods ending per owner and month, and how many of them have been renewed: the renewal
-- report over a year reads these rows instead of every order ending in it with, for each, a look
-- for a later order of its customer.
--
-- `orders.renewed` is that look, kept on the order: another live order of the customer whose
-- service runs past this one's end (the rule the renewal risk list applies). An order written,
-- cancelled, moved in time or to another customer sets it again on every order of the customers
-- it touches; setting it fires none of these triggers again (they watch other columns).
ALTER TABLE orders ADD COLUMN renewed BOOLEAN NOT NULL DEFAULT FALSE;

-- The rule, written once: what `renewed` of each order should be.
CREATE VIEW order_renewals AS
SELECT o.id, o.customer_id, EXISTS (
    SELECT 1 FROM orders n
    WHERE n.customer_id = o.customer_id AND n.id <> o.id
      AND n.service_end > o.service_end
      AND n.status IN ('signed', 'executing', 'completed')) AS renewed
FROM orders o;

UPDATE orders SET renewed = v.renewed FROM order_renewals v
WHERE v.id = orders.id AND orders.renewed <> v.renewed;

CREATE FUNCTION orders_renewed_set(p_customer BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET renewed = v.renewed FROM order_renewals v
    WHERE v.customer_id = p_customer AND v.id = orders.id AND orders.renewed <> v.renewed;
END $$;

CREATE FUNCTION orders_renewed_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM orders_renewed_set(OLD.customer_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.customer_id <> OLD.customer_id) THEN
        PERFORM orders_renewed_set(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_renewed_insert_delete AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_renewed_track();
CREATE TRIGGER orders_renewed_update AFTER UPDATE OF status, service_end, customer_id ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_renewed_track();

-- An order counts while it is signed, executing or completed and has a service end, in the month
-- its service ends.
CREATE TABLE renewal_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    due BIGINT NOT NULL,
    due_amount BIGINT NOT NULL,
    renewed BIGINT NOT NULL,
    renewed_amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
);
CREATE INDEX renewal_months_month ON renewal_months (month, owner_id);

CREATE FUNCTION renewal_months_add(p_owner BIGINT, p_end DATE, p_sign BIGINT, p_total BIGINT,
                                   p_renewed BOOLEAN)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO renewal_months AS s (owner_id, month, due, due_amount, renewed, renewed_amount)
    VALUES (p_owner, date_trunc('month', p_end)::date, p_sign, p_sign * p_total,
            CASE WHEN p_renewed THEN p_sign ELSE 0 END,
            CASE WHEN p_renewed THEN p_sign * p_total ELSE 0 END)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET due = s.due + EXCLUDED.due, due_amount = s.due_amount + EXCLUDED.due_amount,
        renewed = s.renewed + EXCLUDED.renewed,
        renewed_amount = s.renewed_amount + EXCLUDED.renewed_amount;
END $$;

CREATE FUNCTION renewal_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.service_end IS NOT NULL
       AND OLD.status IN ('signed', 'executing', 'completed') THEN
        PERFORM renewal_months_add(OLD.owner_id, OLD.service_end, -1, OLD.total, OLD.renewed);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.service_end IS NOT NULL
       AND NEW.status IN ('signed', 'executing', 'completed') THEN
        PERFORM renewal_months_add(NEW.owner_id, NEW.service_end, 1, NEW.total, NEW.renewed);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER renewal_months_insert_delete AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION renewal_months_track();
CREATE TRIGGER renewal_months_update AFTER UPDATE OF owner_id, status, service_end, total, renewed
    ON orders FOR EACH ROW EXECUTE FUNCTION renewal_months_track();

INSERT INTO renewal_months (owner_id, month, due, due_amount, renewed, renewed_amount)
SELECT owner_id, date_trunc('month', service_end)::date, COUNT(*), SUM(total)::bigint,
       COUNT(*) FILTER (WHERE renewed), COALESCE(SUM(total) FILTER (WHERE renewed), 0)::bigint
FROM orders
WHERE service_end IS NOT NULL AND status IN ('signed', 'executing', 'completed')
GROUP BY owner_id, date_trunc('month', service_end)::date;
