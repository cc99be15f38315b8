-- The deal analysis of a year for whoever sees every deal without reading the year's closed
-- deals. Days to win run from the company-calendar day a deal was opened: the deal keeps that
-- day (`opened_on`, written when it is opened, like `closed_on` when it is closed; the server
-- fills it in for the deals opened before, on the calendar of the company's time zone), as on
-- SQLite, which cannot work it out in SQL.
ALTER TABLE opportunities ADD COLUMN opened_on DATE;

-- Per month of closing, status, rival (0: none) and reason ('': none): the deals won or lost,
-- their amount and, for the won, the days from opening to winning. The rule is written once, as
-- the view `deal_month_parts` (one row per closed deal), which the drift check recounts. A
-- deal's contribution depends on its own row only. Owners are not a key: a narrower scope reads
-- the deals through `opportunities_closed`.
CREATE VIEW deal_month_parts AS
SELECT id AS deal_id, date_trunc('month', closed_on)::date AS month, status,
    COALESCE(lost_to_id, 0) AS lost_to_id, COALESCE(lost_reason, '') AS lost_reason, amount,
    CASE WHEN status = 'won' AND closed_on > opened_on
        THEN CAST(closed_on - opened_on AS BIGINT) ELSE 0 END AS win_days
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
);

-- One deal's contribution, times `p_sign`.
CREATE FUNCTION deal_months_add(p_deal BIGINT, p_sign BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deal_months AS s (month, status, lost_to_id, lost_reason, deals, amount, win_days)
    SELECT month, status, lost_to_id, lost_reason, p_sign, p_sign * amount, p_sign * win_days
    FROM deal_month_parts WHERE deal_id = p_deal
    ON CONFLICT (month, status, lost_to_id, lost_reason) DO UPDATE
    SET deals = s.deals + EXCLUDED.deals, amount = s.amount + EXCLUDED.amount,
        win_days = s.win_days + EXCLUDED.win_days;
END $$;
CREATE FUNCTION deal_months_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deal_months_add(OLD.id, -1);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION deal_months_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM deal_months_add(NEW.id, 1);
    RETURN NULL;
END $$;
CREATE TRIGGER deal_months_delete BEFORE DELETE ON opportunities
    FOR EACH ROW EXECUTE FUNCTION deal_months_before();
CREATE TRIGGER deal_months_update_old BEFORE UPDATE OF status, closed_on, amount, lost_to_id, lost_reason, opened_on ON opportunities
    FOR EACH ROW EXECUTE FUNCTION deal_months_before();
CREATE TRIGGER deal_months_insert AFTER INSERT ON opportunities
    FOR EACH ROW EXECUTE FUNCTION deal_months_after();
CREATE TRIGGER deal_months_update_new AFTER UPDATE OF status, closed_on, amount, lost_to_id, lost_reason, opened_on ON opportunities
    FOR EACH ROW EXECUTE FUNCTION deal_months_after();

-- The rows the summary's months do not cover, and a narrower scope's, from the index alone.
DROP INDEX opportunities_closed;
CREATE INDEX opportunities_closed ON opportunities (closed_on, owner_id, customer_owner_id, status,
    amount, lost_to_id, lost_reason, opened_on) WHERE closed_on IS NOT NULL;

INSERT INTO deal_months (month, status, lost_to_id, lost_reason, deals, amount, win_days)
SELECT month, status, lost_to_id, lost_reason, COUNT(*), SUM(amount), SUM(win_days)
FROM deal_month_parts GROUP BY month, status, lost_to_id, lost_reason;
