-- When each customer first reached each level of the pipeline, and whether it entered the level
-- itself (not jumped over it): the level funnel's medians read a row per customer from here
-- instead of parsing the level moves out of the audit log. The rule is written once, as the view
-- `customer_levels_reached` over the customer's level moves (the audit log's `level` entries,
-- which only customers have); triggers on the audit log set a customer's row again from it,
-- a trigger on the customers keeps the row's copy of the owner, the arrival and the level now.
-- Customers that never went past `lead` have no row. Checked against the view by the drift
-- recount.
CREATE VIEW customer_levels_reached AS
SELECT c.id AS customer_id, c.owner_id AS owner_id, c.created_at AS created_at, c.level AS level,
    MIN(CASE WHEN m.level IN ('contacted', 'prospect', 'signed') THEN m.at END) AS contacted_at,
    MIN(CASE WHEN m.level IN ('prospect', 'signed') THEN m.at END) AS prospect_at,
    MIN(CASE WHEN m.level = 'signed' THEN m.at END) AS signed_at,
    COALESCE(bool_or(m.level = 'contacted'), false) AS entered_contacted,
    COALESCE(bool_or(m.level = 'prospect'), false) AS entered_prospect,
    COALESCE(bool_or(m.level = 'signed'), false) AS entered_signed
FROM customers c
JOIN (
    SELECT a.customer_id AS customer_id, a.at AS at,
        (a.changes::jsonb) #>> '{level,new}' AS level
    FROM audit_log a
    WHERE a.action = 'level'
) m ON m.customer_id = c.id
GROUP BY c.id
HAVING bool_or(m.level IN ('contacted', 'prospect', 'signed'));

CREATE TABLE customer_level_times (
    customer_id BIGINT PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
    owner_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    level TEXT NOT NULL,
    contacted_at TIMESTAMP,
    prospect_at TIMESTAMP,
    signed_at TIMESTAMP,
    entered_contacted BOOLEAN NOT NULL,
    entered_prospect BOOLEAN NOT NULL,
    entered_signed BOOLEAN NOT NULL
);
-- The funnel reads a period's rows from the index alone.
CREATE INDEX customer_level_times_created ON customer_level_times (created_at, owner_id, level,
    contacted_at, prospect_at, signed_at, entered_contacted, entered_prospect, entered_signed);
CREATE INDEX customer_level_times_owner ON customer_level_times (owner_id, created_at);
-- The staff scorecard's level upgrades: the customers that first reached a level in a period,
-- by the latest of their first times (the expression `reports::scorecard` writes the same way).
CREATE INDEX customer_level_times_reached ON customer_level_times
    ((COALESCE(signed_at, prospect_at, contacted_at)), owner_id, contacted_at, prospect_at, signed_at);
CREATE INDEX customer_level_times_owner_reached ON customer_level_times
    (owner_id, (COALESCE(signed_at, prospect_at, contacted_at)), contacted_at, prospect_at, signed_at);

CREATE FUNCTION customer_level_times_set(p_customer BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_customer IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM customer_level_times WHERE customer_id = p_customer;
    INSERT INTO customer_level_times
    SELECT * FROM customer_levels_reached WHERE customer_id = p_customer;
END $$;

CREATE FUNCTION customer_level_times_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.action = 'level' THEN
        PERFORM customer_level_times_set(OLD.customer_id);
    END IF;
    -- (An update that keeps the customer and the action was set again above.)
    IF TG_OP = 'INSERT' AND NEW.action = 'level'
        OR TG_OP = 'UPDATE' AND NEW.action = 'level'
            AND (OLD.action <> 'level' OR NEW.customer_id IS DISTINCT FROM OLD.customer_id) THEN
        PERFORM customer_level_times_set(NEW.customer_id);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_level_times_move AFTER INSERT OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION customer_level_times_moves();
CREATE TRIGGER customer_level_times_move_update AFTER UPDATE OF at, action, changes, customer_id ON audit_log
    FOR EACH ROW EXECUTE FUNCTION customer_level_times_moves();

CREATE FUNCTION customer_level_times_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE customer_level_times
    SET owner_id = NEW.owner_id, created_at = NEW.created_at, level = NEW.level
    WHERE customer_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER customer_level_times_customer AFTER UPDATE OF owner_id, created_at, level ON customers
    FOR EACH ROW EXECUTE FUNCTION customer_level_times_customer();

INSERT INTO customer_level_times SELECT * FROM customer_levels_reached;
