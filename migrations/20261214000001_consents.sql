-- Holders' consents (用证授权) kept by the holder's node, and every access an agency made
-- under one. `claims` and `licenses` are JSON arrays of names / identifiers. A consent is
-- never deleted: revoking sets `revoked_at`, so the access log keeps what it refers to.
-- Times are Unix seconds.

CREATE TABLE consents (
    id               TEXT PRIMARY KEY,
    holder_code      TEXT NOT NULL,
    holder_code_type TEXT NOT NULL,
    agency_uscc      TEXT NOT NULL,
    agency_name      TEXT NOT NULL,
    agency_province  TEXT NOT NULL,
    type_code        TEXT NOT NULL,
    license          TEXT,
    purpose          TEXT NOT NULL,
    claims           TEXT NOT NULL,
    granted_at       BIGINT NOT NULL,
    valid_until      BIGINT NOT NULL,
    revoked_at       BIGINT
);
CREATE INDEX consents_holder ON consents (holder_code, granted_at);

CREATE TABLE consent_accesses (
    id          BIGINT NOT NULL,
    consent_id  TEXT NOT NULL REFERENCES consents (id),
    agency_uscc TEXT NOT NULL,
    agency_name TEXT NOT NULL,
    province    TEXT NOT NULL,
    at          BIGINT NOT NULL,
    type_code   TEXT NOT NULL,
    claims      TEXT NOT NULL,
    licenses    TEXT NOT NULL,
    PRIMARY KEY (consent_id, id)
);
