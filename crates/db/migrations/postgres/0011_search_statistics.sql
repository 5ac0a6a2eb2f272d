-- Word statistics for the planner. With the default target it knew about
-- 450 common words of a million documents and guessed 5.000 matches for
-- any other, so a rare word walked the whole register newest first (a
-- lone "t" took 30 s); with 1.000 it knows the common ones and guesses a
-- rare one as rare, which the GIN index answers in a millisecond.
ALTER TABLE document_fts ALTER COLUMN folded SET STATISTICS 1000,
    ALTER COLUMN exact SET STATISTICS 1000;
ANALYZE document_fts;
