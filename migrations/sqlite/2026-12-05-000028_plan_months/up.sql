-- The payment plans in force per owner and month of their due dates: what the receipts report
-- sets the money received against, for whole months without reading every installment. Kept by
-- triggers (an installment carries its order's owner and whether the order is in force),
-- recounted by the drift check.
CREATE TABLE plan_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    installments BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
) WITHOUT ROWID;
CREATE INDEX plan_months_month ON plan_months (month, owner_id);

CREATE TRIGGER plan_months_insert AFTER INSERT ON payment_installments
WHEN NEW.owner_id IS NOT NULL AND NEW.in_force
BEGIN
    INSERT INTO plan_months (owner_id, month, installments, amount)
    VALUES (NEW.owner_id, date(NEW.due_date, 'start of month'), 1, NEW.amount)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET installments = installments + 1, amount = amount + excluded.amount;
END;
CREATE TRIGGER plan_months_delete AFTER DELETE ON payment_installments
WHEN OLD.owner_id IS NOT NULL AND OLD.in_force
BEGIN
    UPDATE plan_months SET installments = installments - 1, amount = amount - OLD.amount
    WHERE owner_id = OLD.owner_id AND month = date(OLD.due_date, 'start of month');
END;
CREATE TRIGGER plan_months_update AFTER UPDATE OF owner_id, in_force, amount, due_date ON payment_installments
BEGIN
    UPDATE plan_months SET installments = installments - 1, amount = amount - OLD.amount
    WHERE OLD.owner_id IS NOT NULL AND OLD.in_force
      AND owner_id = OLD.owner_id AND month = date(OLD.due_date, 'start of month');
    INSERT INTO plan_months (owner_id, month, installments, amount)
    SELECT NEW.owner_id, date(NEW.due_date, 'start of month'), 1, NEW.amount
    WHERE NEW.owner_id IS NOT NULL AND NEW.in_force
    ON CONFLICT (owner_id, month) DO UPDATE
    SET installments = installments + 1, amount = amount + excluded.amount;
END;

INSERT INTO plan_months (owner_id, month, installments, amount)
SELECT owner_id, date(due_date, 'start of month'), COUNT(*), SUM(amount)
FROM payment_installments
WHERE owner_id IS NOT NULL AND in_force
GROUP BY owner_id, date(due_date, 'start of month');
