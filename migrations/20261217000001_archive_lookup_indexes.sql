-- How an act's entry is found by the digest of its record, without an index whose
-- inserts land at random: a license's issuance entry by (at, digest), `at` being the
-- issuer-signed JWT's `iat` (the time of the issuance's transaction), so each append's
-- keys sort after those before it and a batch of 1,000 writes a few index pages instead
-- of a page per entry; the acts issued one at a time and looked up by digest alone (a
-- seal made, a document stamped, a show token issued, validation data kept) in a
-- partial digest index. Entries of other acts are never looked up by digest.
DROP INDEX archive_log_digest;
CREATE INDEX archive_log_at_digest ON archive_log (at, digest);
CREATE INDEX archive_log_digest ON archive_log (digest)
    WHERE act = 'seal.made' OR act = 'document.stamped' OR act = 'show.issued'
       OR act = 'evidence.kept';
