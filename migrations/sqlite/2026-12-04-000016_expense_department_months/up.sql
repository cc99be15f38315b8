-- Expenses per department, category, month and status: what the analysis reads for a viewer who
-- sees every spender (the general manager, finance). Summing expense_months for a year meant
-- thirty thousand rows at a million customers; this holds a few hundred per month. Kept from
-- expense_months by triggers, as that is kept from the expenses.
CREATE TABLE expense_department_months (
    department_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    month DATE NOT NULL,
    status TEXT NOT NULL,
    expenses BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (month, status, department_id, category_id)
) WITHOUT ROWID;

INSERT INTO expense_department_months (department_id, category_id, month, status, expenses, amount)
SELECT department_id, category_id, month, status, SUM(expenses), SUM(amount)
FROM expense_months GROUP BY department_id, category_id, month, status;

CREATE TRIGGER expense_department_months_insert AFTER INSERT ON expense_months BEGIN
    INSERT INTO expense_department_months (department_id, category_id, month, status, expenses, amount)
    VALUES (NEW.department_id, NEW.category_id, NEW.month, NEW.status, NEW.expenses, NEW.amount)
    ON CONFLICT (month, status, department_id, category_id) DO UPDATE
    SET expenses = expenses + excluded.expenses, amount = amount + excluded.amount;
END;
CREATE TRIGGER expense_department_months_delete AFTER DELETE ON expense_months BEGIN
    UPDATE expense_department_months
    SET expenses = expenses - OLD.expenses, amount = amount - OLD.amount
    WHERE month = OLD.month AND status = OLD.status AND department_id = OLD.department_id
      AND category_id = OLD.category_id;
END;
CREATE TRIGGER expense_department_months_update AFTER UPDATE ON expense_months BEGIN
    UPDATE expense_department_months
    SET expenses = expenses - OLD.expenses, amount = amount - OLD.amount
    WHERE month = OLD.month AND status = OLD.status AND department_id = OLD.department_id
      AND category_id = OLD.category_id;
    INSERT INTO expense_department_months (department_id, category_id, month, status, expenses, amount)
    VALUES (NEW.department_id, NEW.category_id, NEW.month, NEW.status, NEW.expenses, NEW.amount)
    ON CONFLICT (month, status, department_id, category_id) DO UPDATE
    SET expenses = expenses + excluded.expenses, amount = amount + excluded.amount;
END;
