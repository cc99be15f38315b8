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
) WITHOUT ROWID;
CREATE INDEX customer_level_months_month ON customer_level_months (month, owner_id, level);

CREATE TRIGGER customer_level_months_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO customer_level_months (owner_id, month, level, customers)
    VALUES (NEW.owner_id, date(NEW.created_at, 'start of month'), NEW.level, 1)
    ON CONFLICT (owner_id, month, level) DO UPDATE SET customers = customers + 1;
END;
CREATE TRIGGER customer_level_months_delete AFTER DELETE ON customers
BEGIN
    UPDATE customer_level_months SET customers = customers - 1
    WHERE owner_id = OLD.owner_id AND month = date(OLD.created_at, 'start of month')
      AND level = OLD.level;
END;
CREATE TRIGGER customer_level_months_update AFTER UPDATE OF owner_id, created_at, level ON customers
BEGIN
    UPDATE customer_level_months SET customers = customers - 1
    WHERE owner_id = OLD.owner_id AND month = date(OLD.created_at, 'start of month')
      AND level = OLD.level;
    INSERT INTO customer_level_months (owner_id, month, level, customers)
    VALUES (NEW.owner_id, date(NEW.created_at, 'start of month'), NEW.level, 1)
    ON CONFLICT (owner_id, month, level) DO UPDATE SET customers = customers + 1;
END;

INSERT INTO customer_level_months (owner_id, month, level, customers)
SELECT owner_id, date(created_at, 'start of month'), level, COUNT(*)
FROM customers GROUP BY owner_id, date(created_at, 'start of month'), level;
