-- Activities per owner, UTC day and type: the staff scorecard's activities by type (and any
-- report of activities by owner or type) read the days wholly inside its period from here, and
-- only the day a company month boundary cuts from the activities. Kept by triggers as
-- `customer_days` is, recounted by the drift check.
CREATE TABLE activity_days (
    owner_id BIGINT NOT NULL,
    day DATE NOT NULL,
    type_id BIGINT NOT NULL,
    activities BIGINT NOT NULL,
    PRIMARY KEY (owner_id, day, type_id)
);
CREATE INDEX activity_days_day ON activity_days (day, owner_id, type_id);

CREATE FUNCTION activity_days_add(p_owner BIGINT, p_day DATE, p_type BIGINT, p_n BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO activity_days AS s (owner_id, day, type_id, activities)
    VALUES (p_owner, p_day, p_type, p_n)
    ON CONFLICT (owner_id, day, type_id) DO UPDATE SET activities = s.activities + EXCLUDED.activities;
END $$;

CREATE FUNCTION activity_days_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM activity_days_add(OLD.owner_id, OLD.occurred_at::date, OLD.type_id, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM activity_days_add(NEW.owner_id, NEW.occurred_at::date, NEW.type_id, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_days_insert_delete AFTER INSERT OR DELETE ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_days_track();
CREATE TRIGGER activity_days_update AFTER UPDATE OF owner_id, occurred_at, type_id ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_days_track();

INSERT INTO activity_days (owner_id, day, type_id, activities)
SELECT owner_id, occurred_at::date, type_id, COUNT(*)
FROM activities GROUP BY owner_id, occurred_at::date, type_id;
