-- Stable codes where programs look things up: the standard roles get a code (`create-admin` finds
-- the administrator role by it, not by its display name, which a company may rename), and each
-- user may choose the language the server answers them in (problems, e-mails).
ALTER TABLE roles ADD COLUMN code TEXT;
CREATE UNIQUE INDEX roles_code ON roles (code) WHERE code IS NOT NULL;
UPDATE roles SET code = 'administrator' WHERE name = '系统管理员';
UPDATE roles SET code = 'general_manager' WHERE name = '总经理';
UPDATE roles SET code = 'sales_director' WHERE name = '销售总监';
UPDATE roles SET code = 'sales_manager' WHERE name = '销售经理';
UPDATE roles SET code = 'salesperson' WHERE name = '业务员';
UPDATE roles SET code = 'service' WHERE name = '客服';
UPDATE roles SET code = 'finance' WHERE name = '财务';
ALTER TABLE users ADD COLUMN language TEXT;
