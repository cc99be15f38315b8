UPDATE roles SET data_scope = 'department' WHERE code = 'service';
DROP TRIGGER tickets_customer_owner ON customers;
DROP FUNCTION tickets_customer_owner();
DROP TABLE ticket_events;
DROP TABLE tickets;
