-- Online show tokens as made: the license's issuing node records, when a holder's node
-- makes an online token, which license and which claims the token id stands for, so
-- that the QR code carries only the token id. Per signing province, until the token
-- has expired (plus the clock-skew allowance); shared by every node of the province.
-- `claims` is a JSON array of claim names. Times are Unix seconds.

CREATE TABLE show_tokens (
    province   TEXT NOT NULL,
    token_id   TEXT NOT NULL,
    license_id TEXT NOT NULL,
    claims     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (province, token_id)
);
CREATE INDEX show_tokens_expiry ON show_tokens (expires_at);
