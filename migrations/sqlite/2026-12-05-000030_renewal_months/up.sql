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

CREATE TRIGGER orders_renewed_insert AFTER INSERT ON orders
BEGIN
    UPDATE orders SET renewed = v.renewed FROM order_renewals v
    WHERE v.customer_id = NEW.customer_id AND v.id = orders.id AND orders.renewed <> v.renewed;
END;
CREATE TRIGGER orders_renewed_update AFTER UPDATE OF status, service_end, customer_id ON orders
BEGIN
    UPDATE orders SET renewed = v.renewed FROM order_renewals v
    WHERE v.customer_id IN (OLD.customer_id, NEW.customer_id) AND v.id = orders.id
      AND orders.renewed <> v.renewed;
END;
CREATE TRIGGER orders_renewed_delete AFTER DELETE ON orders
BEGIN
    UPDATE orders SET renewed = v.renewed FROM order_renewals v
    WHERE v.customer_id = OLD.customer_id AND v.id = orders.id AND orders.renewed <> v.renewed;
END;

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
) WITHOUT ROWID;
CREATE INDEX renewal_months_month ON renewal_months (month, owner_id);

CREATE TRIGGER renewal_months_insert AFTER INSERT ON orders
WHEN NEW.service_end IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
BEGIN
    INSERT INTO renewal_months (owner_id, month, due, due_amount, renewed, renewed_amount)
    VALUES (NEW.owner_id, date(NEW.service_end, 'start of month'), 1, NEW.total,
            NEW.renewed, CASE WHEN NEW.renewed THEN NEW.total ELSE 0 END)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET due = due + 1, due_amount = due_amount + excluded.due_amount,
        renewed = renewed + excluded.renewed, renewed_amount = renewed_amount + excluded.renewed_amount;
END;
CREATE TRIGGER renewal_months_delete AFTER DELETE ON orders
WHEN OLD.service_end IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
BEGIN
    UPDATE renewal_months
    SET due = due - 1, due_amount = due_amount - OLD.total,
        renewed = renewed - OLD.renewed,
        renewed_amount = renewed_amount - CASE WHEN OLD.renewed THEN OLD.total ELSE 0 END
    WHERE owner_id = OLD.owner_id AND month = date(OLD.service_end, 'start of month');
END;
CREATE TRIGGER renewal_months_update AFTER UPDATE OF owner_id, status, service_end, total, renewed ON orders
BEGIN
    UPDATE renewal_months
    SET due = due - 1, due_amount = due_amount - OLD.total,
        renewed = renewed - OLD.renewed,
        renewed_amount = renewed_amount - CASE WHEN OLD.renewed THEN OLD.total ELSE 0 END
    WHERE OLD.service_end IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
      AND owner_id = OLD.owner_id AND month = date(OLD.service_end, 'start of month');
    INSERT INTO renewal_months (owner_id, month, due, due_amount, renewed, renewed_amount)
    SELECT NEW.owner_id, date(NEW.service_end, 'start of month'), 1, NEW.total,
           NEW.renewed, CASE WHEN NEW.renewed THEN NEW.total ELSE 0 END
    WHERE NEW.service_end IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
    ON CONFLICT (owner_id, month) DO UPDATE
    SET due = due + 1, due_amount = due_amount + excluded.due_amount,
        renewed = renewed + excluded.renewed, renewed_amount = renewed_amount + excluded.renewed_amount;
END;

INSERT INTO renewal_months (owner_id, month, due, due_amount, renewed, renewed_amount)
SELECT owner_id, date(service_end, 'start of month'), COUNT(*), SUM(total),
       SUM(renewed), SUM(CASE WHEN renewed THEN total ELSE 0 END)
FROM orders
WHERE service_end IS NOT NULL AND status IN ('signed', 'executing', 'completed')
GROUP BY owner_id, date(service_end, 'start of month');
