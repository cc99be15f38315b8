-- The service analysis of a year for whoever sees every customer without reading the year's
-- tickets: per UTC month of opening, type, status and assignee (0: none), the tickets, those
-- resolved and their minutes to resolution, those rated and their stars. The rule is written
-- once, as the view `ticket_month_parts` (one row per ticket), which the drift check recounts.
-- A ticket's contribution depends on its own row only: triggers take it away before the row
-- changes or goes and add it after it changes or comes. The customer's owner is not a key: a
-- narrower scope reads the tickets themselves, through `tickets_created_report`.
CREATE VIEW ticket_month_parts AS
SELECT id AS ticket_id, date(created_at, 'start of month') AS month, kind, status,
    COALESCE(assignee_id, 0) AS assignee_id,
    CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END AS resolved,
    COALESCE((unixepoch(resolved_at) - unixepoch(created_at)) / 60, 0) AS minutes,
    CASE WHEN satisfaction IS NULL THEN 0 ELSE 1 END AS rated,
    COALESCE(satisfaction, 0) AS stars
FROM tickets;

CREATE TABLE ticket_months (
    month DATE NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id BIGINT NOT NULL,
    tickets BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    minutes BIGINT NOT NULL,
    rated BIGINT NOT NULL,
    stars BIGINT NOT NULL,
    PRIMARY KEY (month, kind, status, assignee_id)
) WITHOUT ROWID;

-- SQLite has no functions: the triggers write (ticket, sign) into this always-empty table, whose
-- one trigger adds the ticket's share times the sign (as in migration 038).
CREATE TABLE ticket_month_changes (ticket_id BIGINT NOT NULL, sign BIGINT NOT NULL);
CREATE TRIGGER ticket_month_changes_add AFTER INSERT ON ticket_month_changes
BEGIN
    INSERT INTO ticket_months (month, kind, status, assignee_id, tickets, resolved, minutes,
        rated, stars)
    SELECT month, kind, status, assignee_id, NEW.sign, NEW.sign * resolved, NEW.sign * minutes,
        NEW.sign * rated, NEW.sign * stars
    FROM ticket_month_parts WHERE ticket_id = NEW.ticket_id
    ON CONFLICT (month, kind, status, assignee_id) DO UPDATE
    SET tickets = tickets + excluded.tickets, resolved = resolved + excluded.resolved,
        minutes = minutes + excluded.minutes, rated = rated + excluded.rated,
        stars = stars + excluded.stars;
    DELETE FROM ticket_month_changes WHERE rowid = NEW.rowid;
END;
CREATE TRIGGER ticket_months_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_month_changes (ticket_id, sign) VALUES (NEW.id, 1);
END;
CREATE TRIGGER ticket_months_delete BEFORE DELETE ON tickets
BEGIN
    INSERT INTO ticket_month_changes (ticket_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER ticket_months_update_old BEFORE UPDATE OF created_at, kind, status, assignee_id,
    resolved_at, satisfaction ON tickets
BEGIN
    INSERT INTO ticket_month_changes (ticket_id, sign) VALUES (OLD.id, -1);
END;
CREATE TRIGGER ticket_months_update_new AFTER UPDATE OF created_at, kind, status, assignee_id,
    resolved_at, satisfaction ON tickets
BEGIN
    INSERT INTO ticket_month_changes (ticket_id, sign) VALUES (NEW.id, 1);
END;

-- What is overdue depends on the moment, so it is counted from the tickets still pending, by
-- their due time, from the index alone.
DROP INDEX tickets_due;
CREATE INDEX tickets_due ON tickets (status, due_at, created_at, kind, assignee_id);

INSERT INTO ticket_months (month, kind, status, assignee_id, tickets, resolved, minutes, rated, stars)
SELECT month, kind, status, assignee_id, COUNT(*), SUM(resolved), SUM(minutes), SUM(rated),
    SUM(stars)
FROM ticket_month_parts GROUP BY month, kind, status, assignee_id;
