-- E-seals made by the seal authorities this node hosts, and the esIDs they superseded.
-- Portable SQL as in the first migration: times are Unix seconds, binary data base64 TEXT.

CREATE TABLE seals (
    es_id        TEXT PRIMARY KEY,
    authority_id TEXT NOT NULL,
    name         TEXT NOT NULL,
    esl          TEXT NOT NULL,
    picture_svg  TEXT NOT NULL,
    valid_from   BIGINT NOT NULL,
    valid_to     BIGINT NOT NULL,
    superseded_by TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX seals_authority ON seals (authority_id);
