-- Expenses (费用): what selling costs, filed by (or for) the spender, approved by a manager over
-- them, and summed per month for the analysis by triggers, like the other summaries.

CREATE TABLE expenses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    spender_id BIGINT NOT NULL REFERENCES users (id),
    -- The spender's department when filed: the analysis by department keeps to it.
    department_id BIGINT NOT NULL REFERENCES departments (id),
    spent_on DATE NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    category_id BIGINT NOT NULL REFERENCES dictionary_items (id),
    description TEXT NOT NULL,
    customer_id BIGINT REFERENCES customers (id),
    opportunity_id BIGINT REFERENCES opportunities (id),
    order_id BIGINT REFERENCES orders (id),
    -- The receipt's image, once documents exist.
    receipt_document_id BIGINT,
    status TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'rejected')),
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    reason TEXT,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX expenses_date ON expenses (spent_on, id);
CREATE INDEX expenses_spender ON expenses (spender_id, spent_on, id);
CREATE INDEX expenses_queue ON expenses (status, spent_on, id);
CREATE INDEX expenses_spender_queue ON expenses (spender_id, status, spent_on, id);
CREATE INDEX expenses_department ON expenses (department_id, spent_on, id);
CREATE INDEX expenses_category ON expenses (category_id, spent_on, id);
CREATE INDEX expenses_customer ON expenses (customer_id, spent_on, id) WHERE customer_id IS NOT NULL;
CREATE INDEX expenses_opportunity ON expenses (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX expenses_order ON expenses (order_id) WHERE order_id IS NOT NULL;

-- Expenses per spender, department, category, month and status: the analysis reads whole months
-- here (a few thousand rows a year, whatever the number of expenses).
CREATE TABLE expense_months (
    spender_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    month DATE NOT NULL,
    status TEXT NOT NULL,
    expenses BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (spender_id, department_id, category_id, month, status)
) WITHOUT ROWID;
CREATE INDEX expense_months_month ON expense_months (month, status);

CREATE TRIGGER expense_months_insert AFTER INSERT ON expenses BEGIN
    INSERT INTO expense_months (spender_id, department_id, category_id, month, status, expenses, amount)
    VALUES (NEW.spender_id, NEW.department_id, NEW.category_id, date(NEW.spent_on, 'start of month'),
            NEW.status, 1, NEW.amount)
    ON CONFLICT (spender_id, department_id, category_id, month, status) DO UPDATE
    SET expenses = expenses + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER expense_months_delete AFTER DELETE ON expenses BEGIN
    UPDATE expense_months SET expenses = expenses - 1, amount = amount - OLD.amount
    WHERE spender_id = OLD.spender_id AND department_id = OLD.department_id
      AND category_id = OLD.category_id AND month = date(OLD.spent_on, 'start of month')
      AND status = OLD.status;
END;
CREATE TRIGGER expense_months_update
AFTER UPDATE OF spender_id, department_id, category_id, spent_on, status, amount ON expenses
BEGIN
    UPDATE expense_months SET expenses = expenses - 1, amount = amount - OLD.amount
    WHERE spender_id = OLD.spender_id AND department_id = OLD.department_id
      AND category_id = OLD.category_id AND month = date(OLD.spent_on, 'start of month')
      AND status = OLD.status;
    INSERT INTO expense_months (spender_id, department_id, category_id, month, status, expenses, amount)
    VALUES (NEW.spender_id, NEW.department_id, NEW.category_id, date(NEW.spent_on, 'start of month'),
            NEW.status, 1, NEW.amount)
    ON CONFLICT (spender_id, department_id, category_id, month, status) DO UPDATE
    SET expenses = expenses + 1, amount = amount + excluded.amount;
END;

-- Managers approve their people's expenses; administrators may reopen a decided one and read
-- them to find it.
INSERT INTO role_permissions (role_id, permission)
SELECT id, 'expense.approve' FROM roles
WHERE code IN ('general_manager', 'sales_director', 'sales_manager');
INSERT INTO role_permissions (role_id, permission)
SELECT id, p.permission FROM roles, (SELECT 'expense.read' AS permission UNION ALL SELECT 'expense.reopen') p
WHERE code = 'administrator';

-- The seed's categories that a new installation did not have.
INSERT INTO dictionary_items (kind, name, name_en, sort_order, enabled, created_at, updated_at)
SELECT 'expense_category', x.name, x.name_en, x.sort_order, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (SELECT '差旅' AS name, 'Business trips' AS name_en, 100 AS sort_order
      UNION ALL SELECT '推广物料', 'Promotional material', 101) x
WHERE EXISTS (SELECT 1 FROM dictionary_items WHERE kind = 'expense_category')
  AND NOT EXISTS (SELECT 1 FROM dictionary_items d WHERE d.kind = 'expense_category' AND d.name = x.name);
