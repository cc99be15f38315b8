-- Exports (customer lists in Excel) are what a leaving salesperson takes along: a permission of
-- their own, held by the general manager, the sales managers and finance.
INSERT INTO role_permissions (role_id, permission)
SELECT id, 'data.export' FROM roles
WHERE code IN ('general_manager', 'sales_director', 'sales_manager', 'finance')
  AND NOT EXISTS (SELECT 1 FROM role_permissions rp
                  WHERE rp.role_id = roles.id AND rp.permission = 'data.export');
