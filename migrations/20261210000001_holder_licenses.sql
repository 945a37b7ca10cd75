-- Holders: a holder's licenses are looked up by their holder code (the holder's own
-- node, and every other province's node over the signed federation call).
CREATE INDEX licenses_holder ON licenses (holder_code);
