-- The regional trust lists this node (and every node on the same database) accepted,
-- one row per sequence number: the newest row is the list the nodes serve, and its
-- sequence is the one held against rollback, across restarts and between nodes.
-- The digest is the SHA-256 of the JWS text (lowercase hex); times are Unix seconds.

CREATE TABLE trust_lists (
    sequence    BIGINT PRIMARY KEY,
    jws         TEXT NOT NULL,
    digest      TEXT NOT NULL,
    accepted_at BIGINT NOT NULL
);
