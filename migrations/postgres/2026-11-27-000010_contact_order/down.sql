CREATE INDEX customers_owner_level_contact ON customers (owner_id, level, last_contact_at, id);
DROP INDEX customers_owner_level_contact_order;
DROP INDEX customers_owner_contact_order;
