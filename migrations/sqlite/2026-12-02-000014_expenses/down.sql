DELETE FROM role_permissions WHERE permission IN ('expense.approve', 'expense.reopen');
DELETE FROM role_permissions WHERE permission = 'expense.read'
  AND role_id IN (SELECT id FROM roles WHERE code = 'administrator');
DROP TRIGGER expense_months_update;
DROP TRIGGER expense_months_delete;
DROP TRIGGER expense_months_insert;
DROP TABLE expense_months;
DROP TABLE expenses;
