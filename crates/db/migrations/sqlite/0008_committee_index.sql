-- The campaign form lists up to 200 committees in tree order (or learns
-- there are more and offers a picker). PostgreSQL read them from the path
-- index, passing over 16.000 other units at national size (7 ms); the same
-- index here keeps one schema, though SQLite at province size prefers
-- unit_type_code and a sort of its 90 committees. The predicate is the one
-- unit::committees writes.
CREATE INDEX unit_committee_path ON unit(path) WHERE type_code IN ('dang_bo_tinh', 'cap_tren_co_so');
