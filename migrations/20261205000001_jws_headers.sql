-- Licenses of one agency share their JWS header (alg, typ and the x5c chain, about
-- three quarters of a credential): it is kept once here, keyed by the SHA-256 (hex) of
-- its base64url text, and a license row whose header_id is set stores its credential
-- from the first '.' on. header || credential is the credential byte for byte.
CREATE TABLE jws_headers (
    id      TEXT PRIMARY KEY,
    header  TEXT NOT NULL
);
ALTER TABLE licenses ADD COLUMN header_id TEXT;
