DELETE FROM role_permissions WHERE permission IN ('expense.approve', 'expense.reopen');
DELETE FROM role_permissions WHERE permission = 'expense.read'
  AND role_id IN (SELECT id FROM roles WHERE code = 'administrator');
DROP TABLE expense_months;
DROP TABLE expenses;
DROP FUNCTION expense_months_track();
DROP FUNCTION expense_months_add(BIGINT, BIGINT, BIGINT, DATE, TEXT, BIGINT, BIGINT);
