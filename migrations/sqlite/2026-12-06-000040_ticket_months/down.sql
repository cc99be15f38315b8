DROP INDEX tickets_due;
CREATE INDEX tickets_due ON tickets (status, due_at);
DROP TRIGGER ticket_months_update_new;
DROP TRIGGER ticket_months_update_old;
DROP TRIGGER ticket_months_delete;
DROP TRIGGER ticket_months_insert;
DROP TABLE ticket_months;
DROP VIEW ticket_month_parts;
