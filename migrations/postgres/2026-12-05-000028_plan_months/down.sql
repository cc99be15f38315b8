DROP TRIGGER plan_months_update ON payment_installments;
DROP TRIGGER plan_months_insert_delete ON payment_installments;
DROP FUNCTION plan_months_track();
DROP FUNCTION plan_months_add(BIGINT, DATE, BIGINT, BIGINT);
DROP TABLE plan_months;
