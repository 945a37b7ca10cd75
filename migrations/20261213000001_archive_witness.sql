-- Witnessing the other provinces' archive logs: the last checkpoint of each peer log
-- this node cosigned (`archive_witnessed`, one row per origin, only ever moved forward
-- along a consistency proof), and the conflicting checkpoints it refused
-- (`archive_forks`: a peer that signed two roots for one size, or shrank). The
-- cosignatures peers make of this node's own checkpoints are in
-- `archive_cosignatures`. Hashes are lowercase hex. Times are Unix seconds.

CREATE TABLE archive_witnessed (
    origin TEXT PRIMARY KEY,
    size   BIGINT NOT NULL,
    root   TEXT NOT NULL,
    note   TEXT NOT NULL,
    at     BIGINT NOT NULL
);

CREATE TABLE archive_forks (
    origin     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    seen_size  BIGINT NOT NULL,
    seen_root  TEXT NOT NULL,
    other_note TEXT NOT NULL,
    reason     TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX archive_forks_origin ON archive_forks (origin);

-- A verifier asks for a license's issuance entry by the digest of its issuer-signed
-- JWT (a presentation need not disclose its identifier).
CREATE INDEX archive_log_digest ON archive_log (digest);
