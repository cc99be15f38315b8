DROP TRIGGER customer_level_gaps_update_new;
DROP TRIGGER customer_level_gaps_update_old;
DROP TRIGGER customer_level_gaps_delete;
DROP TRIGGER customer_level_gaps_insert;
DROP TABLE customer_level_beyond_months;
DROP TABLE customer_level_gap_months;
DROP INDEX customer_level_times_created;
CREATE INDEX customer_level_times_created ON customer_level_times (created_at, owner_id, level,
    contacted_at, prospect_at, signed_at, entered_contacted, entered_prospect, entered_signed);
DROP VIEW customer_level_beyond;
DROP VIEW customer_level_steps;
