-- PostgreSQL's planner statistics for search (see its 0011); SQLite's
-- FTS5 needs none. Kept so both trees have the same versions.
SELECT 1;
