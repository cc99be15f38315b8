DELETE FROM role_permissions WHERE permission = 'knowledge.write'
  AND role_id IN (SELECT id FROM roles WHERE code IN ('administrator', 'sales_director', 'sales_manager'));
DELETE FROM role_permissions WHERE permission = 'knowledge.read'
  AND role_id IN (SELECT id FROM roles WHERE code IN ('administrator', 'finance'));
DROP TABLE article_grams;
DROP TABLE article_votes;
DROP TABLE article_reads;
DROP TABLE articles;
