-- Reminders (提醒): the next step of an activity, due for one user on a day of the company's calendar.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    customer_id BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    activity_id BIGINT REFERENCES activities (id) ON DELETE SET NULL,
    due_on DATE NOT NULL,
    note TEXT NOT NULL,
    done_at TIMESTAMP,
    -- The due date the scheduler last announced; a snooze makes the two differ again.
    notified_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX reminders_activity ON reminders (activity_id);
CREATE INDEX reminders_open ON reminders (user_id, due_on, id) WHERE done_at IS NULL;
CREATE INDEX reminders_done ON reminders (user_id, done_at, id) WHERE done_at IS NOT NULL;
CREATE INDEX reminders_customer ON reminders (customer_id) WHERE done_at IS NULL;
CREATE INDEX reminders_due ON reminders (due_on) WHERE done_at IS NULL;

-- What the scheduler creates must exist once however many instances run: a key per piece of news.
ALTER TABLE notifications ADD COLUMN dedup_key TEXT;
-- E-mail delivery: NULL not yet considered, then sending / sent / failed / no_address.
ALTER TABLE notifications ADD COLUMN email_state TEXT;
CREATE UNIQUE INDEX notifications_dedup ON notifications (dedup_key);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_email ON notifications (created_at) WHERE email_state IS NULL;

-- The review queue and the scheduler's daily review digest read the pending customers.
CREATE INDEX customers_pending ON customers (owner_id, id) WHERE review_status = 'pending';
