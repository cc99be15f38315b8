-- New customers per owner, UTC month of `created_at` and level now: a report of new customers
-- by level (the level funnel) over a period reads the UTC months wholly inside it from here and
-- only the period's ragged ends from the customers. A customer that changes level, owner or
-- arrival moves from one row to another. Recounted by the drift check.
CREATE TABLE customer_level_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    level TEXT NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month, level)
);
CREATE INDEX customer_level_months_month ON customer_level_months (month, owner_id, level);

CREATE FUNCTION customer_level_months_add(p_owner BIGINT, p_month DATE, p_level TEXT, p_n BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO customer_level_months AS s (owner_id, month, level, customers)
    VALUES (p_owner, p_month, p_level, p_n)
    ON CONFLICT (owner_id, month, level) DO UPDATE SET customers = s.customers + EXCLUDED.customers;
END $$;

CREATE FUNCTION customer_level_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM customer_level_months_add(
            OLD.owner_id, date_trunc('month', OLD.created_at)::date, OLD.level, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM customer_level_months_add(
            NEW.owner_id, date_trunc('month', NEW.created_at)::date, NEW.level, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_level_months_insert_delete AFTER INSERT OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_level_months_track();
CREATE TRIGGER customer_level_months_update AFTER UPDATE OF owner_id, created_at, level ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_level_months_track();

INSERT INTO customer_level_months (owner_id, month, level, customers)
SELECT owner_id, date_trunc('month', created_at)::date, level, COUNT(*)
FROM customers GROUP BY owner_id, date_trunc('month', created_at)::date, level;
