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
) WITHOUT ROWID;
CREATE INDEX receipt_days_day ON receipt_days (day, owner_id);

CREATE TRIGGER receipt_days_insert AFTER INSERT ON receipts
BEGIN
    INSERT INTO receipt_days (owner_id, day, receipts, amount)
    SELECT o.owner_id, NEW.received_on, CASE WHEN NEW.reversal_of IS NULL THEN 1 ELSE -1 END, NEW.amount
    FROM orders o WHERE o.id = NEW.order_id
    ON CONFLICT (owner_id, day) DO UPDATE
    SET receipts = receipts + excluded.receipts, amount = amount + excluded.amount;
END;
CREATE TRIGGER receipt_days_delete AFTER DELETE ON receipts
BEGIN
    UPDATE receipt_days
    SET receipts = receipts - CASE WHEN OLD.reversal_of IS NULL THEN 1 ELSE -1 END,
        amount = amount - OLD.amount
    WHERE day = OLD.received_on
      AND owner_id = (SELECT owner_id FROM orders WHERE id = OLD.order_id);
END;
-- An order changing hands takes its receipts with it.
CREATE TRIGGER receipt_days_order_owner AFTER UPDATE OF owner_id ON orders
WHEN OLD.owner_id <> NEW.owner_id
BEGIN
    UPDATE receipt_days
    SET receipts = receipt_days.receipts - x.n, amount = receipt_days.amount - x.a
    FROM (SELECT received_on AS d,
                 SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END) AS n, SUM(amount) AS a
          FROM receipts WHERE order_id = NEW.id GROUP BY 1) AS x
    WHERE receipt_days.owner_id = OLD.owner_id AND receipt_days.day = x.d;
    INSERT INTO receipt_days (owner_id, day, receipts, amount)
    SELECT NEW.owner_id, received_on, SUM(CASE WHEN reversal_of IS NULL THEN 1 ELSE -1 END), SUM(amount)
    FROM receipts WHERE order_id = NEW.id
    GROUP BY received_on
    ON CONFLICT (owner_id, day) DO UPDATE
    SET receipts = receipts + excluded.receipts, amount = amount + excluded.amount;
END;

INSERT INTO receipt_days (owner_id, day, receipts, amount)
SELECT o.owner_id, r.received_on, SUM(CASE WHEN r.reversal_of IS NULL THEN 1 ELSE -1 END), SUM(r.amount)
FROM receipts r JOIN orders o ON o.id = r.order_id
GROUP BY o.owner_id, r.received_on;
