-- Entries are looked up by digest (indexed since 20261213000001: a verifier asking for
-- the entry of a credential, a seal, a stamp or a show token; the validation data a
-- license names), never by subject on a serving path: the subject index only cost every
-- append a second index to maintain.
DROP INDEX archive_log_subject;
