-- The archive log: one append-only RFC 9162 Merkle tree per node database. Every act
-- (license issued, status changed, seal made, document stamped, ...) appends its entry
-- in the same transaction as the act. `archive_head` holds the tree size (its one row
-- is locked by each append, so the appends of every node on the database are one
-- sequence); `archive_log` the entries by index with their leaf hashes;
-- `archive_nodes` the hash of every perfect subtree above the leaves (level >= 1), so
-- roots and proofs cost O(log n) reads; `archive_checkpoints` the checkpoints the
-- node signed (C2SP signed notes); `archive_cosignatures` the peers' cosignature lines
-- of them. Hashes are lowercase hex. Times are Unix seconds.

CREATE TABLE archive_head (
    id   BIGINT PRIMARY KEY,
    size BIGINT NOT NULL
);
INSERT INTO archive_head (id, size) VALUES (1, 0);

CREATE TABLE archive_log (
    idx     BIGINT PRIMARY KEY,
    act     TEXT NOT NULL,
    subject TEXT NOT NULL,
    digest  TEXT NOT NULL,
    at      BIGINT NOT NULL,
    leaf    TEXT NOT NULL
);
CREATE INDEX archive_log_subject ON archive_log (subject);

CREATE TABLE archive_nodes (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE archive_checkpoints (
    size    BIGINT PRIMARY KEY,
    root    TEXT NOT NULL,
    note    TEXT NOT NULL,
    made_at BIGINT NOT NULL
);

CREATE TABLE archive_cosignatures (
    size    BIGINT NOT NULL,
    witness TEXT NOT NULL,
    line    TEXT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (size, witness)
);
