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
) WITHOUT ROWID;
CREATE INDEX activity_days_day ON activity_days (day, owner_id, type_id);

CREATE TRIGGER activity_days_insert AFTER INSERT ON activities
BEGIN
    INSERT INTO activity_days (owner_id, day, type_id, activities)
    VALUES (NEW.owner_id, date(NEW.occurred_at), NEW.type_id, 1)
    ON CONFLICT (owner_id, day, type_id) DO UPDATE SET activities = activities + 1;
END;
CREATE TRIGGER activity_days_delete AFTER DELETE ON activities
BEGIN
    UPDATE activity_days SET activities = activities - 1
    WHERE owner_id = OLD.owner_id AND day = date(OLD.occurred_at) AND type_id = OLD.type_id;
END;
CREATE TRIGGER activity_days_update AFTER UPDATE OF owner_id, occurred_at, type_id ON activities
BEGIN
    UPDATE activity_days SET activities = activities - 1
    WHERE owner_id = OLD.owner_id AND day = date(OLD.occurred_at) AND type_id = OLD.type_id;
    INSERT INTO activity_days (owner_id, day, type_id, activities)
    VALUES (NEW.owner_id, date(NEW.occurred_at), NEW.type_id, 1)
    ON CONFLICT (owner_id, day, type_id) DO UPDATE SET activities = activities + 1;
END;

INSERT INTO activity_days (owner_id, day, type_id, activities)
SELECT owner_id, date(occurred_at), type_id, COUNT(*)
FROM activities GROUP BY owner_id, date(occurred_at), type_id;
