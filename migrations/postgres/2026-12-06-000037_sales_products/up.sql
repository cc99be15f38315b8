-- Sales by product for a year without reading the order lines: per owner, month of signing (a
-- date on the company's calendar) and product, how many orders had a line of the product (an
-- order with two lines of one product counts once) and what those lines came to. The rule is
-- written once, as the views `sales_orders` (the orders that count as sales, with their month)
-- and `sales_product_lines` (their lines), which the report also reads for a period's ragged
-- ends. An order's change (signed, cancelled, moved to another owner or day) takes its old
-- contribution away before it and adds the new one after; a line's change is counted as its own
-- difference before it happens (it adds an order only where the order had no other line of the
-- product), so a statement writing several lines counts right on both databases (a row trigger
-- before a row sees the rows the statement wrote before it). Recounted by the drift check.
CREATE VIEW sales_orders AS
SELECT id AS order_id, owner_id, date_trunc('month', signed_on)::date AS month
FROM orders
WHERE signed_on IS NOT NULL AND status IN ('signed', 'executing', 'completed');

CREATE VIEW sales_product_lines AS
SELECT l.order_id, so.owner_id, so.month, l.product_id, l.amount
FROM order_lines l JOIN sales_orders so ON so.order_id = l.order_id;

CREATE TABLE sales_products (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    product_id BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (month, owner_id, product_id)
);

-- An order's contribution (1 order and its lines' amount per product), times `p_sign`.
CREATE FUNCTION sales_products_order(p_order BIGINT, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sales_products AS s (owner_id, month, product_id, orders, amount)
    SELECT owner_id, month, product_id, p_sign, p_sign * SUM(amount) FROM sales_product_lines
    WHERE order_id = p_order GROUP BY owner_id, month, product_id
    ON CONFLICT (month, owner_id, product_id) DO UPDATE
    SET orders = s.orders + EXCLUDED.orders, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION sales_products_order_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sales_products_order(OLD.id, -1);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION sales_products_order_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sales_products_order(NEW.id, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER sales_products_order_delete BEFORE DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_products_order_before();
CREATE TRIGGER sales_products_order_old BEFORE UPDATE OF owner_id, status, signed_on ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_products_order_before();
CREATE TRIGGER sales_products_order_insert AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_products_order_after();
CREATE TRIGGER sales_products_order_new AFTER UPDATE OF owner_id, status, signed_on ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_products_order_after();

-- A line's difference, times `p_sign`: its amount, and its order where the order has no other
-- line of its product (`p_line`: the line itself, not counted as another).
CREATE FUNCTION sales_products_line(p_line BIGINT, p_order BIGINT, p_product BIGINT,
    p_amount BIGINT, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sales_products AS s (owner_id, month, product_id, orders, amount)
    SELECT so.owner_id, so.month, p_product,
        p_sign * CASE WHEN EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = p_order
                      AND x.product_id = p_product AND x.id IS DISTINCT FROM p_line)
                 THEN 0 ELSE 1 END,
        p_sign * p_amount
    FROM sales_orders so WHERE so.order_id = p_order
    ON CONFLICT (month, owner_id, product_id) DO UPDATE
    SET orders = s.orders + EXCLUDED.orders, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION sales_products_line_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM sales_products_line(OLD.id, OLD.order_id, OLD.product_id, OLD.amount, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM sales_products_line(NEW.id, NEW.order_id, NEW.product_id, NEW.amount, 1);
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sales_products_line BEFORE INSERT OR DELETE OR UPDATE OF order_id, product_id,
    amount ON order_lines
    FOR EACH ROW EXECUTE FUNCTION sales_products_line_before();

INSERT INTO sales_products (owner_id, month, product_id, orders, amount)
SELECT owner_id, month, product_id, COUNT(DISTINCT order_id), SUM(amount)
FROM sales_product_lines GROUP BY owner_id, month, product_id;

-- An order's lines with their products and amounts from the index alone (a period's ragged
-- ends by product, the triggers' "another line of the product"): the one index on the order
-- made covering, so no planner picks between two.
DROP INDEX order_lines_order;
CREATE INDEX order_lines_order ON order_lines (order_id, line_no, product_id, amount);
