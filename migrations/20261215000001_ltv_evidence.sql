-- The validation data kept at issuance for long-term validation: one bundle (the
-- agency's chain, the trust-list version, the CRLs held, the status list signed then)
-- shared by the licenses of one agency's status list issued under it. `body` is the
-- bundle's exact text, `digest` its SHA-256 (hex), which its `evidence.kept` entry in
-- the archive log digests. `basis` is the SHA-256 of what, besides the status list,
-- decides whether a later issuance may reuse it. Times are Unix seconds.

CREATE TABLE archive_evidence (
    digest         TEXT PRIMARY KEY,
    agency_id      TEXT NOT NULL,
    list_id        BIGINT NOT NULL,
    status_version BIGINT NOT NULL,
    basis          TEXT NOT NULL,
    at             BIGINT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX archive_evidence_latest ON archive_evidence (agency_id, list_id, at);

-- The bundle a license was issued under (NULL: none was kept, e.g. issued before).
ALTER TABLE licenses ADD COLUMN evidence TEXT;
