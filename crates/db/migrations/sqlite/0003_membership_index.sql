-- membership_unit_from (unit_id, valid_from) serves every lookup by unit:
-- the single-column index only cost writes (and an import's rebuild).
DROP INDEX membership_unit;
