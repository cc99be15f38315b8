-- Expenses per department, category, month and status: what the analysis reads for a viewer who
-- sees every spender (the general manager, finance). Summing expense_months for a year meant
-- thirty thousand rows at a million customers; this holds a few hundred per month. Kept from
-- expense_months by a trigger, as that is kept from the expenses.
CREATE TABLE expense_department_months (
    department_id BIGINT NOT NULL,
    category_id BIGINT NOT NULL,
    month DATE NOT NULL,
    status TEXT NOT NULL,
    expenses BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (month, status, department_id, category_id)
);

INSERT INTO expense_department_months (department_id, category_id, month, status, expenses, amount)
SELECT department_id, category_id, month, status, SUM(expenses), SUM(amount)
FROM expense_months GROUP BY department_id, category_id, month, status;

CREATE FUNCTION expense_department_months_add(p_department BIGINT, p_category BIGINT, p_month DATE,
    p_status TEXT, p_expenses BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO expense_department_months AS d (department_id, category_id, month, status, expenses, amount)
    VALUES (p_department, p_category, p_month, p_status, p_expenses, p_amount)
    ON CONFLICT (month, status, department_id, category_id) DO UPDATE
    SET expenses = d.expenses + EXCLUDED.expenses, amount = d.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION expense_department_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM expense_department_months_add(OLD.department_id, OLD.category_id, OLD.month,
            OLD.status, -OLD.expenses, -OLD.amount);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM expense_department_months_add(NEW.department_id, NEW.category_id, NEW.month,
            NEW.status, NEW.expenses, NEW.amount);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER expense_department_months_track AFTER INSERT OR UPDATE OR DELETE ON expense_months
    FOR EACH ROW EXECUTE FUNCTION expense_department_months_track();
