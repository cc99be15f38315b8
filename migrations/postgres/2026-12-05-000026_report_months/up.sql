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
);
CREATE INDEX sales_months_month ON sales_months (month, owner_id);

CREATE FUNCTION sales_months_add(p_owner BIGINT, p_month DATE, p_orders BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sales_months AS s (owner_id, month, orders, amount)
    VALUES (p_owner, p_month, p_orders, p_amount)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET orders = s.orders + EXCLUDED.orders, amount = s.amount + EXCLUDED.amount;
END $$;

-- An order counts while it is signed, executing or completed, in the month it was signed.
CREATE FUNCTION sales_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.signed_on IS NOT NULL
       AND OLD.status IN ('signed', 'executing', 'completed') THEN
        PERFORM sales_months_add(OLD.owner_id, date_trunc('month', OLD.signed_on)::date, -1, -OLD.total);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.signed_on IS NOT NULL
       AND NEW.status IN ('signed', 'executing', 'completed') THEN
        PERFORM sales_months_add(NEW.owner_id, date_trunc('month', NEW.signed_on)::date, 1, NEW.total);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_months_insert_delete AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_months_track();
CREATE TRIGGER sales_months_update AFTER UPDATE OF owner_id, status, signed_on, total ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_months_track();

INSERT INTO sales_months (owner_id, month, orders, amount)
SELECT owner_id, date_trunc('month', signed_on)::date, COUNT(*), SUM(total)::bigint
FROM orders
WHERE signed_on IS NOT NULL AND status IN ('signed', 'executing', 'completed')
GROUP BY owner_id, date_trunc('month', signed_on)::date;

-- Receipts under the owner of their order; a reversal counts -1 and its negative amount.
CREATE TABLE receipt_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    receipts BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
);
CREATE INDEX receipt_months_month ON receipt_months (month, owner_id);

CREATE FUNCTION receipt_months_add(p_owner BIGINT, p_month DATE, p_receipts BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO receipt_months AS s (owner_id, month, receipts, amount)
    VALUES (p_owner, p_month, p_receipts, p_amount)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET receipts = s.receipts + EXCLUDED.receipts, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION receipt_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- FOR SHARE: an order changing hands at the same moment waits for this receipt (and
        -- then moves it), or this receipt waits for the new owner.
        SELECT owner_id INTO owner FROM orders WHERE id = NEW.order_id FOR SHARE;
        PERFORM receipt_months_add(owner, date_trunc('month', NEW.received_on)::date,
            CASE WHEN NEW.reversal_of IS NULL THEN 1 ELSE -1 END, NEW.amount);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT owner_id INTO owner FROM orders WHERE id = OLD.order_id;
        IF FOUND THEN
            PERFORM receipt_months_add(owner, date_trunc('month', OLD.received_on)::date,
                CASE WHEN OLD.reversal_of IS NULL THEN -1 ELSE 1 END, -OLD.amount);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receipt_months_insert_delete AFTER INSERT OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipt_months_track();

-- An order changing hands takes its receipts with it.
CREATE FUNCTION receipt_months_order_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x RECORD;
BEGIN
    FOR x IN SELECT date_trunc('month', received_on)::date AS m,
                    SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END)::bigint AS n,
                    SUM(amount)::bigint AS a
             FROM receipts WHERE order_id = NEW.id GROUP BY 1
    LOOP
        PERFORM receipt_months_add(OLD.owner_id, x.m, -x.n, -x.a);
        PERFORM receipt_months_add(NEW.owner_id, x.m, x.n, x.a);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER receipt_months_order_owner AFTER UPDATE OF owner_id ON orders
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION receipt_months_order_owner();

INSERT INTO receipt_months (owner_id, month, receipts, amount)
SELECT o.owner_id, date_trunc('month', r.received_on)::date,
       SUM(CASE WHEN r.reversal_of IS NULL THEN 1 ELSE -1 END)::bigint, SUM(r.amount)::bigint
FROM receipts r JOIN orders o ON o.id = r.order_id
GROUP BY o.owner_id, date_trunc('month', r.received_on)::date;

-- New customers per owner and UTC day of `created_at`. A company month starts at a company
-- midnight, which is rarely a UTC midnight: the engine reads the days wholly inside one month
-- from here and counts the few days a month boundary cuts from the customers themselves.
CREATE TABLE customer_days (
    owner_id BIGINT NOT NULL,
    day DATE NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day)
);
CREATE INDEX customer_days_day ON customer_days (day, owner_id);

CREATE FUNCTION customer_days_add(p_owner BIGINT, p_day DATE, p_customers BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_days AS s (owner_id, day, customers)
    VALUES (p_owner, p_day, p_customers)
    ON CONFLICT (owner_id, day) DO UPDATE SET customers = s.customers + EXCLUDED.customers;
END $$;

CREATE FUNCTION customer_days_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM customer_days_add(OLD.owner_id, OLD.created_at::date, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM customer_days_add(NEW.owner_id, NEW.created_at::date, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_days_insert_delete AFTER INSERT OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_days_track();
CREATE TRIGGER customer_days_update AFTER UPDATE OF owner_id, created_at ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_days_track();

INSERT INTO customer_days (owner_id, day, customers)
SELECT owner_id, created_at::date, COUNT(*) FROM customers GROUP BY owner_id, created_at::date;

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
);

CREATE FUNCTION sales_segments_add(p_owner BIGINT, p_month DATE, p_kind TEXT, p_segment BIGINT,
    p_orders BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sales_segments AS s (owner_id, month, kind, segment_id, orders, amount)
    VALUES (p_owner, p_month, p_kind, p_segment, p_orders, p_amount)
    ON CONFLICT (kind, month, owner_id, segment_id) DO UPDATE
    SET orders = s.orders + EXCLUDED.orders, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION sales_segments_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    industry BIGINT;
    region BIGINT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.signed_on IS NOT NULL
       AND OLD.status IN ('signed', 'executing', 'completed') THEN
        SELECT COALESCE(industry_id, 0), COALESCE(region_id, 0) INTO industry, region
        FROM customers WHERE id = OLD.customer_id FOR SHARE;
        PERFORM sales_segments_add(OLD.owner_id, date_trunc('month', OLD.signed_on)::date,
            'industry', industry, -1, -OLD.total);
        PERFORM sales_segments_add(OLD.owner_id, date_trunc('month', OLD.signed_on)::date,
            'region', region, -1, -OLD.total);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.signed_on IS NOT NULL
       AND NEW.status IN ('signed', 'executing', 'completed') THEN
        -- FOR SHARE: a customer changing industry or region at the same moment waits for this
        -- order (and then moves it), or this order waits for the new values.
        SELECT COALESCE(industry_id, 0), COALESCE(region_id, 0) INTO industry, region
        FROM customers WHERE id = NEW.customer_id FOR SHARE;
        PERFORM sales_segments_add(NEW.owner_id, date_trunc('month', NEW.signed_on)::date,
            'industry', industry, 1, NEW.total);
        PERFORM sales_segments_add(NEW.owner_id, date_trunc('month', NEW.signed_on)::date,
            'region', region, 1, NEW.total);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_segments_insert_delete AFTER INSERT OR DELETE ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_segments_track();
CREATE TRIGGER sales_segments_update AFTER UPDATE OF owner_id, status, signed_on, total ON orders
    FOR EACH ROW EXECUTE FUNCTION sales_segments_track();

CREATE FUNCTION sales_segments_customer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x RECORD;
BEGIN
    FOR x IN SELECT owner_id, date_trunc('month', signed_on)::date AS m,
                    COUNT(*)::bigint AS n, SUM(total)::bigint AS a
             FROM orders
             WHERE customer_id = NEW.id AND signed_on IS NOT NULL
               AND status IN ('signed', 'executing', 'completed')
             GROUP BY 1, 2
    LOOP
        PERFORM sales_segments_add(x.owner_id, x.m, 'industry', COALESCE(OLD.industry_id, 0), -x.n, -x.a);
        PERFORM sales_segments_add(x.owner_id, x.m, 'industry', COALESCE(NEW.industry_id, 0), x.n, x.a);
        PERFORM sales_segments_add(x.owner_id, x.m, 'region', COALESCE(OLD.region_id, 0), -x.n, -x.a);
        PERFORM sales_segments_add(x.owner_id, x.m, 'region', COALESCE(NEW.region_id, 0), x.n, x.a);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER sales_segments_customer AFTER UPDATE OF industry_id, region_id ON customers
    FOR EACH ROW WHEN (OLD.industry_id IS DISTINCT FROM NEW.industry_id
                       OR OLD.region_id IS DISTINCT FROM NEW.region_id)
    EXECUTE FUNCTION sales_segments_customer();

INSERT INTO sales_segments (owner_id, month, kind, segment_id, orders, amount)
SELECT o.owner_id, date_trunc('month', o.signed_on)::date, k.kind,
       CASE k.kind WHEN 'industry' THEN COALESCE(c.industry_id, 0) ELSE COALESCE(c.region_id, 0) END,
       COUNT(*), SUM(o.total)::bigint
FROM orders o JOIN customers c ON c.id = o.customer_id,
     (VALUES ('industry'), ('region')) AS k (kind)
WHERE o.signed_on IS NOT NULL AND o.status IN ('signed', 'executing', 'completed')
GROUP BY 1, 2, 3, 4;
