-- The campaign form lists up to 200 committees in tree order (or learns
-- there are more and offers a picker): read from the path index, it passed
-- over 16.000 other units for the first 201 committees at national size
-- (7 ms on PostgreSQL). The predicate is the one unit::committees writes.
CREATE INDEX unit_committee_path ON unit(path) WHERE type_code IN ('dang_bo_tinh', 'cap_tren_co_so');
