-- Issuance: licenses, per-agency status lists, proof requests, idempotency keys.
-- Portable SQL: the same file serves SQLite and PostgreSQL. Times are Unix seconds
-- (BIGINT), binary data is base64 TEXT, so both engines store identical values.

CREATE TABLE agency_counters (
    agency_id   TEXT PRIMARY KEY,
    next_seq    BIGINT NOT NULL
);

CREATE TABLE status_lists (
    agency_id   TEXT NOT NULL,
    list_id     BIGINT NOT NULL,
    bits        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (agency_id, list_id)
);

CREATE TABLE licenses (
    identifier   TEXT PRIMARY KEY,
    agency_id    TEXT NOT NULL,
    type_code    TEXT NOT NULL,
    holder_code  TEXT NOT NULL,
    credential   TEXT NOT NULL,
    status_list  BIGINT NOT NULL,
    status_index BIGINT NOT NULL,
    status       TEXT NOT NULL,
    reason       TEXT,
    version      BIGINT NOT NULL,
    issued_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (agency_id, status_list, status_index)
);
CREATE INDEX licenses_agency ON licenses (agency_id);

CREATE TABLE proof_requests (
    id          TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL,
    type_code   TEXT NOT NULL,
    request     TEXT NOT NULL,
    state       TEXT NOT NULL,
    identifier  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE idempotency_keys (
    agency_id     TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    response      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (agency_id, idem_key)
);
