-- Sales by product for a year without reading the order lines: per owner, month of signing (a
-- date on the company's calendar) and product, how many orders had a line of the product (an
-- order with two lines of one product counts once) and what those lines came to. The rule is
-- written once, as the views `sales_orders` (the orders that count as sales, with their month)
-- and `sales_product_lines` (their lines), which the report also reads for a period's ragged
-- ends. An order's change (signed, cancelled, moved to another owner or day) takes its old
-- contribution away before it and adds the new one after; a line's change is counted as its own
-- difference before it happens (it adds an order only where the order had no other line of the
-- product), so a statement writing several lines counts right on both databases. Recounted by
-- the drift check.
CREATE VIEW sales_orders AS
SELECT id AS order_id, owner_id, date(signed_on, 'start of month') AS month
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
) WITHOUT ROWID;

-- SQLite has no functions to share a statement between triggers: each trigger writes what
-- changed into an always-empty table, whose one trigger holds the statement (as in migration
-- 038). Triggers of triggers run at once, so a "before" trigger's statement still sees the row
-- as it was.

-- An order's contribution (1 order and its lines' amount per product), times `sign`.
CREATE TABLE sales_product_order_changes (order_id BIGINT NOT NULL, sign BIGINT NOT NULL);
CREATE TRIGGER sales_product_order_changes_add AFTER INSERT ON sales_product_order_changes
BEGIN
    INSERT INTO sales_products (owner_id, month, product_id, orders, amount)
    SELECT owner_id, month, product_id, NEW.sign, NEW.sign * SUM(amount)
    FROM sales_product_lines WHERE order_id = NEW.order_id
    GROUP BY owner_id, month, product_id
    ON CONFLICT (month, owner_id, product_id) DO UPDATE
    SET orders = orders + excluded.orders, amount = amount + excluded.amount;
    DELETE FROM sales_product_order_changes WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER sales_products_order_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO sales_product_order_changes (order_id, sign) VALUES (NEW.id, 1);
END;
CREATE TRIGGER sales_products_order_delete BEFORE DELETE ON orders
BEGIN
    INSERT INTO sales_product_order_changes (order_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER sales_products_order_old BEFORE UPDATE OF owner_id, status, signed_on ON orders
BEGIN
    INSERT INTO sales_product_order_changes (order_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER sales_products_order_new AFTER UPDATE OF owner_id, status, signed_on ON orders
BEGIN
    INSERT INTO sales_product_order_changes (order_id, sign) VALUES (NEW.id, 1);
END;

-- A line's difference, times `sign`: its amount, and its order where the order has no other
-- line of its product (`IS NOT`: a line being inserted may not have its id yet).
CREATE TABLE sales_product_line_changes (line_id BIGINT, order_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL, amount BIGINT NOT NULL, sign BIGINT NOT NULL);
CREATE TRIGGER sales_product_line_changes_add AFTER INSERT ON sales_product_line_changes
BEGIN
    INSERT INTO sales_products (owner_id, month, product_id, orders, amount)
    SELECT so.owner_id, so.month, NEW.product_id,
        NEW.sign * CASE WHEN EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = NEW.order_id
                   AND x.product_id = NEW.product_id AND x.id IS NOT NEW.line_id)
                   THEN 0 ELSE 1 END,
        NEW.sign * NEW.amount
    FROM sales_orders so WHERE so.order_id = NEW.order_id
    ON CONFLICT (month, owner_id, product_id) DO UPDATE
    SET orders = orders + excluded.orders, amount = amount + excluded.amount;
    DELETE FROM sales_product_line_changes WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER sales_products_line_insert BEFORE INSERT ON order_lines
BEGIN
    INSERT INTO sales_product_line_changes (line_id, order_id, product_id, amount, sign)
    VALUES (NEW.id, NEW.order_id, NEW.product_id, NEW.amount, 1);
END;
CREATE TRIGGER sales_products_line_delete BEFORE DELETE ON order_lines
BEGIN
    INSERT INTO sales_product_line_changes (line_id, order_id, product_id, amount, sign)
    VALUES (OLD.id, OLD.order_id, OLD.product_id, OLD.amount, -1);
END;
CREATE TRIGGER sales_products_line_update BEFORE UPDATE OF order_id, product_id, amount
    ON order_lines
BEGIN
    INSERT INTO sales_product_line_changes (line_id, order_id, product_id, amount, sign)
    VALUES (OLD.id, OLD.order_id, OLD.product_id, OLD.amount, -1);
    INSERT INTO sales_product_line_changes (line_id, order_id, product_id, amount, sign)
    VALUES (NEW.id, NEW.order_id, NEW.product_id, NEW.amount, 1);
END;

-- An order's lines with their products and amounts from the index alone (a period's ragged
-- ends by product, the triggers' "another line of the product"): the one index on the order
-- made covering, so no planner picks between two.
DROP INDEX order_lines_order;
CREATE INDEX order_lines_order ON order_lines (order_id, line_no, product_id, amount);
