DROP INDEX customers_pending;
DROP INDEX notifications_email;
DROP INDEX notifications_unread;
DROP INDEX notifications_dedup;
ALTER TABLE notifications DROP COLUMN email_state;
ALTER TABLE notifications DROP COLUMN dedup_key;
DROP TABLE reminders;
