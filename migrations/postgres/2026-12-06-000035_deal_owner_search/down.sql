CREATE INDEX opportunities_owner ON opportunities (owner_id, updated_at, id);
DROP INDEX opportunities_owner_search;
DROP STATISTICS opportunities_owners;
