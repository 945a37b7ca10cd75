-- Other provinces' signed lists — license status lists and seal revocation lists — as
-- this node (and every node on the same database)
-- holds them: the last token accepted and when it was fetched (Unix seconds), and the
-- last fetch attempt with its failure, so a failing peer is not asked on every
-- verification. `refused` is 1 when what was fetched was refused (signature, sub,
-- expiry), 0 for a network failure.

CREATE TABLE held_lists (
    uri          TEXT PRIMARY KEY,
    token        TEXT,
    fetched_at   BIGINT,
    attempted_at BIGINT NOT NULL,
    failure      TEXT,
    refused      BIGINT NOT NULL
);
