-- The dashboard's warning counts the open appeals under supervision: an
-- index finds those few instead of reading every appeal of the zone.
CREATE INDEX appeals_supervised ON appeals(supervised, state);
