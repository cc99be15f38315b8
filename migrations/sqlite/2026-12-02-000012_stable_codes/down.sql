ALTER TABLE users DROP COLUMN language;
DROP INDEX roles_code;
ALTER TABLE roles DROP COLUMN code;
