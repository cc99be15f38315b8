-- Monthly summaries the report engine reads for whole months: orders signed and money received
-- per owner and month (the month of the company-calendar date the event carries), kept by
-- triggers, recounted by the drift check. A report over a year reads a few thousand of these
-- rows instead of every order and receipt.

CREATE TABLE sales_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    orders BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;
CREATE INDEX sales_months_month ON sales_months (month, owner_id);

-- An order counts while it is signed, executing or completed, in the month it was signed.
CREATE TRIGGER sales_months_insert AFTER INSERT ON orders
WHEN NEW.signed_on IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
BEGIN
    INSERT INTO sales_months (owner_id, month, orders, amount)
    VALUES (NEW.owner_id, date(NEW.signed_on, 'start of month'), 1, NEW.total)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET orders = orders + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER sales_months_delete AFTER DELETE ON orders
WHEN OLD.signed_on IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
BEGIN
    UPDATE sales_months SET orders = orders - 1, amount = amount - OLD.total
    WHERE owner_id = OLD.owner_id AND month = date(OLD.signed_on, 'start of month');
END;
CREATE TRIGGER sales_months_update AFTER UPDATE OF owner_id, status, signed_on, total ON orders
BEGIN
    UPDATE sales_months SET orders = orders - 1, amount = amount - OLD.total
    WHERE OLD.signed_on IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
      AND owner_id = OLD.owner_id AND month = date(OLD.signed_on, 'start of month');
    INSERT INTO sales_months (owner_id, month, orders, amount)
    SELECT NEW.owner_id, date(NEW.signed_on, 'start of month'), 1, NEW.total
    WHERE NEW.signed_on IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
    ON CONFLICT (owner_id, month) DO UPDATE
    SET orders = orders + 1, amount = amount + excluded.amount;
END;

INSERT INTO sales_months (owner_id, month, orders, amount)
SELECT owner_id, date(signed_on, 'start of month'), COUNT(*), SUM(total)
FROM orders
WHERE signed_on IS NOT NULL AND status IN ('signed', 'executing', 'completed')
GROUP BY owner_id, date(signed_on, 'start of month');

-- Receipts under the owner of their order; a reversal counts -1 and its negative amount.
CREATE TABLE receipt_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    receipts BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;
CREATE INDEX receipt_months_month ON receipt_months (month, owner_id);

CREATE TRIGGER receipt_months_insert AFTER INSERT ON receipts
BEGIN
    INSERT INTO receipt_months (owner_id, month, receipts, amount)
    SELECT o.owner_id, date(NEW.received_on, 'start of month'),
           CASE WHEN NEW.reversal_of IS NULL THEN 1 ELSE -1 END, NEW.amount
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT (owner_id, month) DO UPDATE
    SET receipts = receipts + excluded.receipts, amount = amount + excluded.amount;
END;
CREATE TRIGGER receipt_months_delete AFTER DELETE ON receipts
BEGIN
    UPDATE receipt_months
    SET receipts = receipts - CASE WHEN OLD.reversal_of IS NULL THEN 1 ELSE -1 END,
        amount = amount - OLD.amount
    WHERE month = date(OLD.received_on, 'start of month')
      AND owner_id = (SELECT owner_id FROM orders WHERE id = OLD.order_id);
END;
-- An order changing hands takes its receipts with it.
CREATE TRIGGER receipt_months_order_owner AFTER UPDATE OF owner_id ON orders
WHEN OLD.owner_id <> NEW.owner_id
BEGIN
    UPDATE receipt_months
    SET receipts = receipt_months.receipts - x.n, amount = receipt_months.amount - x.a
    FROM (SELECT date(received_on, 'start of month') AS m,
                 SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END) AS n, SUM(amount) AS a
          FROM receipts WHERE order_id = NEW.id GROUP BY 1) AS x
    WHERE receipt_months.owner_id = OLD.owner_id AND receipt_months.month = x.m;
    INSERT INTO receipt_months (owner_id, month, receipts, amount)
    SELECT NEW.owner_id, date(received_on, 'start of month'),
           SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END), SUM(amount)
    FROM receipts WHERE order_id = NEW.id
    GROUP BY date(received_on, 'start of month')
    ON CONFLICT (owner_id, month) DO UPDATE
    SET receipts = receipts + excluded.receipts, amount = amount + excluded.amount;
END;

INSERT INTO receipt_months (owner_id, month, receipts, amount)
SELECT o.owner_id, date(r.received_on, 'start of month'),
       SUM(CASE WHEN r.reversal_of IS NULL THEN 1 ELSE -1 END), SUM(r.amount)
FROM receipts r JOIN orders o ON o.id = r.order_id
GROUP BY o.owner_id, date(r.received_on, 'start of month');

-- New customers per owner and UTC day of `created_at`. A company month starts at a company
-- midnight, which is rarely a UTC midnight: the engine reads the days wholly inside one month
-- from here and counts the few days a month boundary cuts from the customers themselves.
CREATE TABLE customer_days (
    owner_id BIGINT NOT NULL,
    day DATE NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day)
) WITHOUT ROWID;
CREATE INDEX customer_days_day ON customer_days (day, owner_id);

CREATE TRIGGER customer_days_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_days (owner_id, day, customers)
    VALUES (NEW.owner_id, date(NEW.created_at), 1)
    ON CONFLICT (owner_id, day) DO UPDATE SET customers = customers + 1;
END;
CREATE TRIGGER customer_days_delete AFTER DELETE ON customers
BEGIN
    UPDATE customer_days SET customers = customers - 1
    WHERE owner_id = OLD.owner_id AND day = date(OLD.created_at);
END;
CREATE TRIGGER customer_days_update AFTER UPDATE OF owner_id, created_at ON customers
BEGIN
    UPDATE customer_days SET customers = customers - 1
    WHERE owner_id = OLD.owner_id AND day = date(OLD.created_at);
    INSERT INTO customer_days (owner_id, day, customers)
    VALUES (NEW.owner_id, date(NEW.created_at), 1)
    ON CONFLICT (owner_id, day) DO UPDATE SET customers = customers + 1;
END;

INSERT INTO customer_days (owner_id, day, customers)
SELECT owner_id, date(created_at), COUNT(*) FROM customers GROUP BY owner_id, date(created_at);

-- What the engine reads from the rows (the ragged ends of a period, and cuts the summaries do not
-- keep: industry, region, level, product), from indexes that hold every column it needs.
CREATE INDEX receipts_received ON receipts (received_on, order_id, amount, reversal_of);
CREATE INDEX customers_owner_created ON customers (owner_id, created_at);
CREATE INDEX customers_created_report ON customers (created_at, owner_id, industry_id, region_id, level);
CREATE INDEX orders_signed_report ON orders (signed_on, owner_id, status, total, customer_id);
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status, amount) WHERE closed_on IS NOT NULL;
CREATE INDEX expenses_report ON expenses (spent_on, spender_id, status, amount);

-- Orders signed per owner, month and the customer's industry (kind 'industry') or region
-- ('region'), 0 when the customer has none: the sales by industry and by region that the
-- dashboard shows for the year. A customer's new industry or region takes its orders along.
CREATE TABLE sales_segments (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    kind TEXT NOT NULL,
    segment_id BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (kind, month, owner_id, segment_id)
) WITHOUT ROWID;

CREATE TRIGGER sales_segments_insert AFTER INSERT ON orders
WHEN NEW.signed_on IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
BEGIN
    INSERT INTO sales_segments (owner_id, month, kind, segment_id, orders, amount)
    SELECT NEW.owner_id, date(NEW.signed_on, 'start of month'), k.kind,
           CASE k.kind WHEN 'industry' THEN COALESCE(c.industry_id, 0) ELSE COALESCE(c.region_id, 0) END,
           1, NEW.total
    FROM customers c, (SELECT 'industry' AS kind UNION ALL SELECT 'region') k
    WHERE c.id = NEW.customer_id
    ON CONFLICT (kind, month, owner_id, segment_id) DO UPDATE
    SET orders = orders + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER sales_segments_delete AFTER DELETE ON orders
WHEN OLD.signed_on IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
BEGIN
    UPDATE sales_segments SET orders = orders - 1, amount = amount - OLD.total
    WHERE month = date(OLD.signed_on, 'start of month') AND owner_id = OLD.owner_id
      AND ((kind = 'industry' AND segment_id = (SELECT COALESCE(industry_id, 0) FROM customers WHERE id = OLD.customer_id))
        OR (kind = 'region' AND segment_id = (SELECT COALESCE(region_id, 0) FROM customers WHERE id = OLD.customer_id)));
END;
CREATE TRIGGER sales_segments_update AFTER UPDATE OF owner_id, status, signed_on, total ON orders
BEGIN
    UPDATE sales_segments SET orders = orders - 1, amount = amount - OLD.total
    WHERE OLD.signed_on IS NOT NULL AND OLD.status IN ('signed', 'executing', 'completed')
      AND month = date(OLD.signed_on, 'start of month') AND owner_id = OLD.owner_id
      AND ((kind = 'industry' AND segment_id = (SELECT COALESCE(industry_id, 0) FROM customers WHERE id = OLD.customer_id))
        OR (kind = 'region' AND segment_id = (SELECT COALESCE(region_id, 0) FROM customers WHERE id = OLD.customer_id)));
    INSERT INTO sales_segments (owner_id, month, kind, segment_id, orders, amount)
    SELECT NEW.owner_id, date(NEW.signed_on, 'start of month'), k.kind,
           CASE k.kind WHEN 'industry' THEN COALESCE(c.industry_id, 0) ELSE COALESCE(c.region_id, 0) END,
           1, NEW.total
    FROM customers c, (SELECT 'industry' AS kind UNION ALL SELECT 'region') k
    WHERE c.id = NEW.customer_id
      AND NEW.signed_on IS NOT NULL AND NEW.status IN ('signed', 'executing', 'completed')
    ON CONFLICT (kind, month, owner_id, segment_id) DO UPDATE
    SET orders = orders + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER sales_segments_customer AFTER UPDATE OF industry_id, region_id ON customers
WHEN COALESCE(OLD.industry_id, 0) <> COALESCE(NEW.industry_id, 0)
  OR COALESCE(OLD.region_id, 0) <> COALESCE(NEW.region_id, 0)
BEGIN
    UPDATE sales_segments
    SET orders = sales_segments.orders - x.n, amount = sales_segments.amount - x.a
    FROM (SELECT o.owner_id AS owner, date(o.signed_on, 'start of month') AS m, k.kind AS kind,
                 CASE k.kind WHEN 'industry' THEN COALESCE(OLD.industry_id, 0) ELSE COALESCE(OLD.region_id, 0) END AS seg,
                 COUNT(*) AS n, SUM(o.total) AS a
          FROM orders o, (SELECT 'industry' AS kind UNION ALL SELECT 'region') k
          WHERE o.customer_id = NEW.id AND o.signed_on IS NOT NULL
            AND o.status IN ('signed', 'executing', 'completed')
          GROUP BY 1, 2, 3, 4) AS x
    WHERE sales_segments.kind = x.kind AND sales_segments.month = x.m
      AND sales_segments.owner_id = x.owner AND sales_segments.segment_id = x.seg;
    INSERT INTO sales_segments (owner_id, month, kind, segment_id, orders, amount)
    SELECT o.owner_id, date(o.signed_on, 'start of month'), k.kind,
           CASE k.kind WHEN 'industry' THEN COALESCE(NEW.industry_id, 0) ELSE COALESCE(NEW.region_id, 0) END,
           COUNT(*), SUM(o.total)
    FROM orders o, (SELECT 'industry' AS kind UNION ALL SELECT 'region') k
    WHERE o.customer_id = NEW.id AND o.signed_on IS NOT NULL
      AND o.status IN ('signed', 'executing', 'completed')
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (kind, month, owner_id, segment_id) DO UPDATE
    SET orders = orders + excluded.orders, amount = amount + excluded.amount;
END;

INSERT INTO sales_segments (owner_id, month, kind, segment_id, orders, amount)
SELECT o.owner_id, date(o.signed_on, 'start of month'), k.kind,
       CASE k.kind WHEN 'industry' THEN COALESCE(c.industry_id, 0) ELSE COALESCE(c.region_id, 0) END,
       COUNT(*), SUM(o.total)
FROM orders o JOIN customers c ON c.id = o.customer_id,
     (SELECT 'industry' AS kind UNION ALL SELECT 'region') k
WHERE o.signed_on IS NOT NULL AND o.status IN ('signed', 'executing', 'completed')
GROUP BY 1, 2, 3, 4;
