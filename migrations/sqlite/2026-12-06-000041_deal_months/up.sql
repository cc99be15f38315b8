-- The deal analysis of a year for whoever sees every deal without reading the year's closed
-- deals. Days to win run from the company-calendar day a deal was opened, which SQL cannot work
-- out from the opening instant for a named time zone, so the deal keeps that day (`opened_on`,
-- written when it is opened, like `closed_on` when it is closed; the server fills it in for the
-- deals opened before, on the calendar of the company's time zone).
ALTER TABLE opportunities ADD COLUMN opened_on DATE;

-- Per month of closing, status, rival (0: none) and reason ('': none): the deals won or lost,
-- their amount and, for the won, the days from opening to winning. The rule is written once, as
-- the view `deal_month_parts` (one row per closed deal), which the drift check recounts. A
-- deal's contribution depends on its own row only. Owners are not a key: a narrower scope reads
-- the deals through `opportunities_closed`.
CREATE VIEW deal_month_parts AS
SELECT id AS deal_id, date(closed_on, 'start of month') AS month, status,
    COALESCE(lost_to_id, 0) AS lost_to_id, COALESCE(lost_reason, '') AS lost_reason, amount,
    CASE WHEN status = 'won' AND closed_on > opened_on
        THEN CAST(julianday(closed_on) - julianday(opened_on) AS INTEGER) ELSE 0 END AS win_days
FROM opportunities WHERE closed_on IS NOT NULL AND status IN ('won', 'lost');

CREATE TABLE deal_months (
    month DATE NOT NULL,
    status TEXT NOT NULL,
    lost_to_id BIGINT NOT NULL,
    lost_reason TEXT NOT NULL,
    deals BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    win_days BIGINT NOT NULL,
    PRIMARY KEY (month, status, lost_to_id, lost_reason)
) WITHOUT ROWID;

-- SQLite has no functions: the triggers write (deal, sign) into this always-empty table, whose
-- one trigger adds the deal's share times the sign (as in migration 038).
CREATE TABLE deal_month_changes (deal_id BIGINT NOT NULL, sign BIGINT NOT NULL);
CREATE TRIGGER deal_month_changes_add AFTER INSERT ON deal_month_changes
BEGIN
    INSERT INTO deal_months (month, status, lost_to_id, lost_reason, deals, amount, win_days)
    SELECT month, status, lost_to_id, lost_reason, NEW.sign, NEW.sign * amount,
        NEW.sign * win_days
    FROM deal_month_parts WHERE deal_id = NEW.deal_id
    ON CONFLICT (month, status, lost_to_id, lost_reason) DO UPDATE
    SET deals = deals + excluded.deals, amount = amount + excluded.amount,
        win_days = win_days + excluded.win_days;
    DELETE FROM deal_month_changes WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER deal_months_insert AFTER INSERT ON opportunities
BEGIN
    INSERT INTO deal_month_changes (deal_id, sign) VALUES (NEW.id, 1);
END;
CREATE TRIGGER deal_months_delete BEFORE DELETE ON opportunities
BEGIN
    INSERT INTO deal_month_changes (deal_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER deal_months_update_old BEFORE UPDATE OF status, closed_on, amount, lost_to_id,
    lost_reason, opened_on ON opportunities
BEGIN
    INSERT INTO deal_month_changes (deal_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER deal_months_update_new AFTER UPDATE OF status, closed_on, amount, lost_to_id,
    lost_reason, opened_on ON opportunities
BEGIN
    INSERT INTO deal_month_changes (deal_id, sign) VALUES (NEW.id, 1);
END;

-- The rows the summary's months do not cover, and a narrower scope's, from the index alone.
DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status,
    amount, lost_to_id, lost_reason, opened_on) WHERE closed_on IS NOT NULL;

INSERT INTO deal_months (month, status, lost_to_id, lost_reason, deals, amount, win_days)
SELECT month, status, lost_to_id, lost_reason, COUNT(*), SUM(amount), SUM(win_days)
FROM deal_month_parts GROUP BY month, status, lost_to_id, lost_reason;
