DROP TRIGGER plan_months_update;
DROP TRIGGER plan_months_delete;
DROP TRIGGER plan_months_insert;
DROP TABLE plan_months;
