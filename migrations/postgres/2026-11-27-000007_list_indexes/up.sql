-- Indexes for the hot lists within the visibility filter (owners) and for the pipeline's sums.
-- A salesperson's list, newest change first.
CREATE INDEX customers_owner_updated ON customers (owner_id, updated_at, id);
-- A manager's list by level, longest without contact first.
CREATE INDEX customers_owner_level_contact ON customers (owner_id, level, last_contact_at, id);
-- Pipeline counts and signed totals per level, from the index alone.
CREATE INDEX customers_level_total ON customers (level, signed_total);
-- What an installment has received, from the index alone.
CREATE INDEX receipt_allocations_installment_amount ON receipt_allocations (installment_id, amount);
DROP INDEX receipt_allocations_installment;
