DELETE FROM role_permissions WHERE permission = 'data.export';
