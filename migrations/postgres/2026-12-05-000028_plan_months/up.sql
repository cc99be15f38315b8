-- The payment plans in force per owner and month of their due dates: what the receipts report
-- sets the money received against, for whole months without reading every installment. Kept by
-- triggers (an installment carries its order's owner and whether the order is in force, set
-- before it is written), recounted by the drift check.
CREATE TABLE plan_months (
    owner_id BIGINT NOT NULL,
    month DATE NOT NULL,
    installments BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (owner_id, month)
);
CREATE INDEX plan_months_month ON plan_months (month, owner_id);

CREATE FUNCTION plan_months_add(p_owner BIGINT, p_month DATE, p_installments BIGINT, p_amount BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO plan_months AS s (owner_id, month, installments, amount)
    VALUES (p_owner, p_month, p_installments, p_amount)
    ON CONFLICT (owner_id, month) DO UPDATE
    SET installments = s.installments + EXCLUDED.installments, amount = s.amount + EXCLUDED.amount;
END $$;

CREATE FUNCTION plan_months_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.owner_id IS NOT NULL AND OLD.in_force THEN
        PERFORM plan_months_add(OLD.owner_id, date_trunc('month', OLD.due_date)::date, -1, -OLD.amount);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.owner_id IS NOT NULL AND NEW.in_force THEN
        PERFORM plan_months_add(NEW.owner_id, date_trunc('month', NEW.due_date)::date, 1, NEW.amount);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER plan_months_insert_delete AFTER INSERT OR DELETE ON payment_installments
    FOR EACH ROW EXECUTE FUNCTION plan_months_track();
CREATE TRIGGER plan_months_update AFTER UPDATE OF owner_id, in_force, amount, due_date ON payment_installments
    FOR EACH ROW EXECUTE FUNCTION plan_months_track();

INSERT INTO plan_months (owner_id, month, installments, amount)
SELECT owner_id, date_trunc('month', due_date)::date, COUNT(*), SUM(amount)::bigint
FROM payment_installments
WHERE owner_id IS NOT NULL AND in_force
GROUP BY owner_id, date_trunc('month', due_date)::date;
