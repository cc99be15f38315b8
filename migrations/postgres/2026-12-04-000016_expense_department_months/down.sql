DROP TRIGGER expense_department_months_track ON expense_months;
DROP FUNCTION expense_department_months_track();
DROP FUNCTION expense_department_months_add(BIGINT, BIGINT, DATE, TEXT, BIGINT, BIGINT);
DROP TABLE expense_department_months;
