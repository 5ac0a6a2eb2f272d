-- Each unit's own roll size, kept by every write, so a subtree's members
-- are a sum over its units (see roll.rs). The path index carries it.
ALTER TABLE unit ADD COLUMN members BIGINT NOT NULL DEFAULT 0;
UPDATE unit SET members = (SELECT COUNT(*) FROM membership m
  WHERE m.unit_id = unit.id AND m.valid_to IS NULL);
DROP INDEX unit_path;
CREATE INDEX unit_path ON unit(path, members);
-- The kept sizes are exact from the day after the last dated change.
INSERT INTO setting (key, value)
SELECT 'roll_exact_from', COALESCE(MAX(d), '0001-01-01') FROM (
  SELECT MAX(valid_from) AS d FROM membership
  UNION ALL SELECT to_char(MAX(valid_to)::date + 1, 'YYYY-MM-DD') FROM membership
  UNION ALL SELECT MAX(valid_from) FROM unit_version
  UNION ALL SELECT to_char(MAX(valid_to)::date + 1, 'YYYY-MM-DD') FROM unit_version) x;
