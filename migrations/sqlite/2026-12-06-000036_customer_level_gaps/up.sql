-- The level funnel's medians for the whole company without reading a row per customer: how long
-- each step took (1: lead → contacted, 2: contacted → prospect, 3: prospect → signed), in tenths
-- of a day rounded half up, counted per UTC month of the customers' arrival; and how many got
-- further than where they stand now (blacklisted, or moved back), per month, level now and
-- furthest level. The rules are written once, as the views `customer_level_steps` and
-- `customer_level_beyond` over `customer_level_times`, which the report also reads for narrower
-- scopes and for a period's ragged ends. Triggers on `customer_level_times` take a customer's
-- old contribution away before its row changes or goes and add the new one after it changes or
-- comes. The owner is not a key: a transfer changes nothing here, and only a caller who sees
-- every customer reads the summaries. Recounted by the drift check.
CREATE VIEW customer_level_steps AS
SELECT customer_id, owner_id, created_at, date(created_at, 'start of month') AS month, 1 AS step,
    ((unixepoch(contacted_at) - unixepoch(created_at)) * 10 + 43200) / 86400 AS tenths
FROM customer_level_times
WHERE entered_contacted AND contacted_at IS NOT NULL
UNION ALL
SELECT customer_id, owner_id, created_at, date(created_at, 'start of month'), 2,
    ((unixepoch(prospect_at) - unixepoch(contacted_at)) * 10 + 43200) / 86400
FROM customer_level_times
WHERE entered_contacted AND entered_prospect AND contacted_at IS NOT NULL
    AND prospect_at IS NOT NULL
UNION ALL
SELECT customer_id, owner_id, created_at, date(created_at, 'start of month'), 3,
    ((unixepoch(signed_at) - unixepoch(prospect_at)) * 10 + 43200) / 86400
FROM customer_level_times
WHERE entered_prospect AND entered_signed AND prospect_at IS NOT NULL AND signed_at IS NOT NULL;

-- Ranks in the pipeline: lead 0 … signed 3; a blacklisted customer stands at 0 and is counted by
-- how far it got.
CREATE VIEW customer_level_beyond AS
SELECT customer_id, owner_id, created_at, date(created_at, 'start of month') AS month,
    level_rank, furthest
FROM (
    SELECT customer_id, owner_id, created_at,
        CASE level WHEN 'contacted' THEN 1 WHEN 'prospect' THEN 2 WHEN 'signed' THEN 3 ELSE 0 END
            AS level_rank,
        CASE WHEN signed_at IS NOT NULL THEN 3 WHEN prospect_at IS NOT NULL THEN 2
            WHEN contacted_at IS NOT NULL THEN 1 ELSE 0 END AS furthest
    FROM customer_level_times
) x
WHERE furthest > level_rank;

-- A period's rows for the views from the index alone: a compound view reads every column its
-- arms name, the customer too.
DROP INDEX customer_level_times_created;
CREATE INDEX customer_level_times_created ON customer_level_times (created_at, owner_id, level,
    contacted_at, prospect_at, signed_at, entered_contacted, entered_prospect, entered_signed,
    customer_id);

CREATE TABLE customer_level_gap_months (
    month DATE NOT NULL,
    step INTEGER NOT NULL,
    tenths BIGINT NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (month, step, tenths)
) WITHOUT ROWID;
CREATE TABLE customer_level_beyond_months (
    month DATE NOT NULL,
    level_rank INTEGER NOT NULL,
    furthest INTEGER NOT NULL,
    customers BIGINT NOT NULL,
    PRIMARY KEY (month, level_rank, furthest)
) WITHOUT ROWID;

CREATE TRIGGER customer_level_gaps_insert AFTER INSERT ON customer_level_times
BEGIN
    INSERT INTO customer_level_gap_months (month, step, tenths, customers)
    SELECT month, step, tenths, 1 FROM customer_level_steps WHERE customer_id = NEW.customer_id
    ON CONFLICT (month, step, tenths) DO UPDATE SET customers = customers + 1;
    INSERT INTO customer_level_beyond_months (month, level_rank, furthest, customers)
    SELECT month, level_rank, furthest, 1 FROM customer_level_beyond
    WHERE customer_id = NEW.customer_id
    ON CONFLICT (month, level_rank, furthest) DO UPDATE SET customers = customers + 1;
END;
CREATE TRIGGER customer_level_gaps_delete BEFORE DELETE ON customer_level_times
BEGIN
    UPDATE customer_level_gap_months SET customers = customers - 1
    WHERE (month, step, tenths) IN (
        SELECT month, step, tenths FROM customer_level_steps WHERE customer_id = OLD.customer_id);
    UPDATE customer_level_beyond_months SET customers = customers - 1
    WHERE (month, level_rank, furthest) IN (
        SELECT month, level_rank, furthest FROM customer_level_beyond
        WHERE customer_id = OLD.customer_id);
END;
CREATE TRIGGER customer_level_gaps_update_old BEFORE UPDATE OF created_at, level, contacted_at,
    prospect_at, signed_at, entered_contacted, entered_prospect, entered_signed
    ON customer_level_times
BEGIN
    UPDATE customer_level_gap_months SET customers = customers - 1
    WHERE (month, step, tenths) IN (
        SELECT month, step, tenths FROM customer_level_steps WHERE customer_id = OLD.customer_id);
    UPDATE customer_level_beyond_months SET customers = customers - 1
    WHERE (month, level_rank, furthest) IN (
        SELECT month, level_rank, furthest FROM customer_level_beyond
        WHERE customer_id = OLD.customer_id);
END;
CREATE TRIGGER customer_level_gaps_update_new AFTER UPDATE OF created_at, level, contacted_at,
    prospect_at, signed_at, entered_contacted, entered_prospect, entered_signed
    ON customer_level_times
BEGIN
    INSERT INTO customer_level_gap_months (month, step, tenths, customers)
    SELECT month, step, tenths, 1 FROM customer_level_steps WHERE customer_id = NEW.customer_id
    ON CONFLICT (month, step, tenths) DO UPDATE SET customers = customers + 1;
    INSERT INTO customer_level_beyond_months (month, level_rank, furthest, customers)
    SELECT month, level_rank, furthest, 1 FROM customer_level_beyond
    WHERE customer_id = NEW.customer_id
    ON CONFLICT (month, level_rank, furthest) DO UPDATE SET customers = customers + 1;
END;

INSERT INTO customer_level_gap_months (month, step, tenths, customers)
SELECT month, step, tenths, COUNT(*) FROM customer_level_steps GROUP BY month, step, tenths;
INSERT INTO customer_level_beyond_months (month, level_rank, furthest, customers)
SELECT month, level_rank, furthest, COUNT(*) FROM customer_level_beyond
GROUP BY month, level_rank, furthest;
