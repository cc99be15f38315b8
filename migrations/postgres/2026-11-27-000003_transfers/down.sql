DROP TABLE notifications;
DROP TABLE customer_transfers;
