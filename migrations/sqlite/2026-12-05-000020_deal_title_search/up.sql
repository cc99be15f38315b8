-- A salesperson's deal search (the deal list's `q`, and the global search's deals) walks their
-- deals newest first and checks each title. With the title and the customer's owner in the
-- owner's index, SQLite checks both from the index and reads the table only for a match: a
-- seller's 1 800 deals at a million customers in 0.5 ms instead of 3.5. The new index starts like
-- the one it replaces, which it serves in every list.
CREATE INDEX opportunities_owner_search ON opportunities (owner_id, updated_at, id, customer_owner_id, title);
DROP INDEX opportunities_owner;
