DELETE FROM role_permissions WHERE permission = 'competitor.manage';
DROP TRIGGER opportunity_pipeline_update;
DROP TRIGGER opportunity_pipeline_delete;
DROP TRIGGER opportunity_pipeline_insert;
DROP TRIGGER opportunities_customer_owner;
DROP TABLE opportunity_pipeline;
DROP INDEX activities_opportunity;
ALTER TABLE reminders DROP COLUMN opportunity_id;
ALTER TABLE activities DROP COLUMN opportunity_id;
DROP INDEX orders_opportunity;
DROP TABLE quote_lines;
DROP TABLE quotes;
DROP TABLE opportunity_competitors;
DROP TABLE opportunity_contacts;
DROP TABLE opportunity_moves;
DROP TABLE opportunities;
DROP TABLE competitors;
CREATE TABLE order_numbers (
    day DATE PRIMARY KEY NOT NULL,
    last_seq INTEGER NOT NULL
);
INSERT INTO order_numbers (day, last_seq) SELECT day, last_seq FROM document_numbers WHERE kind = 'SO';
DROP TABLE document_numbers;
UPDATE dictionary_items SET enabled = 1 WHERE kind = 'opportunity_stage' AND name IN ('赢单', '输单');
ALTER TABLE dictionary_items DROP COLUMN probability;
