-- The register filtered by direction (incoming / outgoing), newest first:
-- without it a filter on the rarer direction read the whole table.
CREATE INDEX document_direction_issued ON document(direction, issued_on, id);
