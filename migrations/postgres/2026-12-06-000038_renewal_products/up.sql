-- Renewals by product for a year without reading the order lines. A service period ending is
-- counted per product that renews (per owner, month of the service's end and product: the
-- orders with a line of the product, and those lines' amount) and, for the totals, per order
-- (product 0: the order's lines of products that renew, each order once); renewed when another
-- live order of the customer with a line of the same product runs past the end (the rule the
-- report and the renewal of an order apply, by product).
--
-- The rule is written once, as the views `renewal_product_lines` (a line that renews, with its
-- order's end and whether it is renewed) and `renewal_product_orders` (per order and product,
-- and per order as product 0). Whether a line
-- is renewed depends on the customer's other orders, so any change to a customer's orders or
-- lines, or to whether a product renews, sets again the rows of `renewal_product_parts` (one per
-- order and product, as the view says now) of the customers it touches; setting them is
-- idempotent, so it stays right whatever order the database fires the triggers in. Triggers on
-- the parts add their differences to `renewal_products`, the summary the report reads for whole
-- months; a period's ragged ends read the parts (products other than 0) by the service's end.
-- Recounted by the drift check.
CREATE VIEW renewal_product_lines AS
SELECT o.id AS order_id, o.customer_id, o.owner_id, o.service_end,
    date_trunc('month', o.service_end)::date AS month, l.product_id, l.amount,
    CASE WHEN EXISTS (
        SELECT 1 FROM orders n JOIN order_lines nl ON nl.order_id = n.id
        WHERE n.customer_id = o.customer_id AND n.id <> o.id
          AND n.service_end > o.service_end
          AND n.status IN ('signed', 'executing', 'completed')
          AND nl.product_id = l.product_id) THEN 1 ELSE 0 END AS renewed
FROM orders o JOIN order_lines l ON l.order_id = o.id
WHERE o.status IN ('signed', 'executing', 'completed') AND o.service_end IS NOT NULL
  -- (a lookup per line, not a list: a planner then reads a customer's orders by the customer)
  AND (SELECT p.renewable FROM products p WHERE p.id = l.product_id);

CREATE VIEW renewal_product_orders AS
SELECT order_id, product_id, customer_id, owner_id, service_end, month, SUM(amount) AS amount,
    MAX(renewed) AS renewed, SUM(renewed * amount) AS renewed_amount
FROM renewal_product_lines
GROUP BY order_id, product_id, customer_id, owner_id, service_end, month
UNION ALL
SELECT order_id, 0, customer_id, owner_id, service_end, month, SUM(amount), MAX(renewed),
    SUM(renewed * amount)
FROM renewal_product_lines GROUP BY order_id, customer_id, owner_id, service_end, month;

CREATE TABLE renewal_product_parts (
    order_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    owner_id BIGINT NOT NULL,
    service_end DATE NOT NULL,
    month DATE NOT NULL,
    amount BIGINT NOT NULL,
    renewed BIGINT NOT NULL,
    renewed_amount BIGINT NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
CREATE INDEX renewal_product_parts_customer ON renewal_product_parts (customer_id);
-- A period's ragged ends by product read from the parts by the day the service ends.
CREATE INDEX renewal_product_parts_end ON renewal_product_parts (service_end, owner_id,
    product_id, order_id, amount, renewed);

CREATE TABLE renewal_products (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    product_id BIGINT NOT NULL,
    due BIGINT NOT NULL,
    due_amount BIGINT NOT NULL,
    renewed BIGINT NOT NULL,
    renewed_amount BIGINT NOT NULL,
    PRIMARY KEY (month, owner_id, product_id)
);

-- The parts' differences, into the summary.
CREATE FUNCTION renewal_products_add(p_owner BIGINT, p_month DATE, p_product BIGINT,
    p_sign BIGINT, p_amount BIGINT, p_renewed BIGINT, p_renewed_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO renewal_products AS s (owner_id, month, product_id, due, due_amount, renewed,
        renewed_amount)
    VALUES (p_owner, p_month, p_product, p_sign, p_sign * p_amount, p_sign * p_renewed,
        p_sign * p_renewed_amount)
    ON CONFLICT (month, owner_id, product_id) DO UPDATE
    SET due = s.due + EXCLUDED.due, due_amount = s.due_amount + EXCLUDED.due_amount,
        renewed = s.renewed + EXCLUDED.renewed,
        renewed_amount = s.renewed_amount + EXCLUDED.renewed_amount;
END $$;
CREATE FUNCTION renewal_products_part() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM renewal_products_add(OLD.owner_id, OLD.month, OLD.product_id, -1, OLD.amount,
            OLD.renewed, OLD.renewed_amount);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM renewal_products_add(NEW.owner_id, NEW.month, NEW.product_id, 1, NEW.amount,
            NEW.renewed, NEW.renewed_amount);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER renewal_products_part AFTER INSERT OR UPDATE OR DELETE ON renewal_product_parts
    FOR EACH ROW EXECUTE FUNCTION renewal_products_part();

-- A customer's parts set again to what the view says now.
CREATE FUNCTION renewal_products_refresh(p_customer BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM renewal_product_parts
    WHERE customer_id = p_customer AND (order_id, product_id) NOT IN (
        SELECT order_id, product_id FROM renewal_product_orders WHERE customer_id = p_customer);
    INSERT INTO renewal_product_parts AS x (order_id, product_id, customer_id, owner_id,
        service_end, month, amount, renewed, renewed_amount)
    SELECT order_id, product_id, customer_id, owner_id, service_end, month, amount, renewed,
        renewed_amount
    FROM renewal_product_orders WHERE customer_id = p_customer
    ON CONFLICT (order_id, product_id) DO UPDATE
    SET customer_id = EXCLUDED.customer_id, owner_id = EXCLUDED.owner_id,
        service_end = EXCLUDED.service_end, month = EXCLUDED.month, amount = EXCLUDED.amount,
        renewed = EXCLUDED.renewed, renewed_amount = EXCLUDED.renewed_amount
    WHERE (x.customer_id, x.owner_id, x.service_end, x.month, x.amount, x.renewed,
           x.renewed_amount)
        IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.owner_id, EXCLUDED.service_end,
            EXCLUDED.month, EXCLUDED.amount, EXCLUDED.renewed, EXCLUDED.renewed_amount);
END $$;

CREATE FUNCTION renewal_products_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM renewal_products_refresh(OLD.customer_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.customer_id <> OLD.customer_id) THEN
        PERFORM renewal_products_refresh(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER renewal_products_order_insert_delete AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION renewal_products_order();
CREATE TRIGGER renewal_products_order_update AFTER UPDATE OF owner_id, status, service_end,
    customer_id ON orders
    FOR EACH ROW EXECUTE FUNCTION renewal_products_order();

-- (An order already gone leaves nothing to set: its own trigger did.)
CREATE FUNCTION renewal_products_line() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM renewal_products_refresh(
            (SELECT o.customer_id FROM orders o WHERE o.id = OLD.order_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.order_id <> OLD.order_id) THEN
        PERFORM renewal_products_refresh(
            (SELECT o.customer_id FROM orders o WHERE o.id = NEW.order_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER renewal_products_line AFTER INSERT OR DELETE OR UPDATE OF order_id, product_id,
    amount ON order_lines
    FOR EACH ROW EXECUTE FUNCTION renewal_products_line();

-- A product that starts or stops renewing: every customer with a line of it (an administrator's
-- rare change, read through the lines' product index).
CREATE FUNCTION renewal_products_product() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c BIGINT;
BEGIN
    FOR c IN SELECT DISTINCT o.customer_id FROM order_lines l JOIN orders o ON o.id = l.order_id
             WHERE l.product_id = NEW.id
    LOOP
        PERFORM renewal_products_refresh(c);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER renewal_products_product AFTER UPDATE OF renewable ON products
    FOR EACH ROW WHEN (OLD.renewable IS DISTINCT FROM NEW.renewable)
    EXECUTE FUNCTION renewal_products_product();

INSERT INTO renewal_product_parts (order_id, product_id, customer_id, owner_id, service_end,
    month, amount, renewed, renewed_amount)
SELECT order_id, product_id, customer_id, owner_id, service_end, month, amount, renewed,
    renewed_amount
FROM renewal_product_orders;
