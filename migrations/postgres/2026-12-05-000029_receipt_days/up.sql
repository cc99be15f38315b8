-- Money received per owner and day, beside the monthly summary: a report's whole months come from
-- `receipt_months`, its ragged ends (the days before the first whole month and after the last, a
-- month to date) from here instead of every receipt of those days joined to its order. Kept by
-- triggers as `receipt_months` is, recounted by the drift check.
CREATE TABLE receipt_days (
    owner_id BIGINT NOT NULL,
    day DATE NOT NULL,
    receipts BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day)
);
CREATE INDEX receipt_days_day ON receipt_days (day, owner_id);

CREATE FUNCTION receipt_days_add(p_owner BIGINT, p_day DATE, p_receipts BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO receipt_days AS s (owner_id, day, receipts, amount)
    VALUES (p_owner, p_day, p_receipts, p_amount)
    ON CONFLICT (owner_id, day) DO UPDATE
    SET receipts = s.receipts + EXCLUDED.receipts, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION receipt_days_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    owner BIGINT;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- FOR SHARE: an order changing hands at the same moment waits for this receipt (and
        -- then moves it), or this receipt waits for the new owner.
        SELECT owner_id INTO owner FROM orders WHERE id = NEW.order_id FOR SHARE;
        PERFORM receipt_days_add(owner, NEW.received_on,
            CASE WHEN NEW.reversal_of IS NULL THEN 1 ELSE -1 END, NEW.amount);
    ELSIF TG_OP = 'DELETE' THEN
        SELECT owner_id INTO owner FROM orders WHERE id = OLD.order_id;
        IF FOUND THEN
            PERFORM receipt_days_add(owner, OLD.received_on,
                CASE WHEN OLD.reversal_of IS NULL THEN -1 ELSE 1 END, -OLD.amount);
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER receipt_days_insert_delete AFTER INSERT OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipt_days_track();

-- An order changing hands takes its receipts with it.
CREATE FUNCTION receipt_days_order_owner() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    x RECORD;
BEGIN
    FOR x IN SELECT received_on AS d,
                    SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END)::bigint AS n,
                    SUM(amount)::bigint AS a
             FROM receipts WHERE order_id = NEW.id GROUP BY 1
    LOOP
        PERFORM receipt_days_add(OLD.owner_id, x.d, -x.n, -x.a);
        PERFORM receipt_days_add(NEW.owner_id, x.d, x.n, x.a);
    END LOOP;
    RETURN NULL;
END $$;
CREATE TRIGGER receipt_days_order_owner AFTER UPDATE OF owner_id ON orders
    FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION receipt_days_order_owner();

INSERT INTO receipt_days (owner_id, day, receipts, amount)
SELECT o.owner_id, r.received_on,
       SUM(CASE WHEN r.reversal_of IS NULL THEN 1 ELSE -1 END)::bigint, SUM(r.amount)::bigint
FROM receipts r JOIN orders o ON o.id = r.order_id
GROUP BY o.owner_id, r.received_on;
