-- Online show tokens already redeemed, per signing province, until the token has
-- expired: the single-use record every node of the issuing province shares (a second
-- node behind the same load balancer, or a restarted one, must refuse a replay too).
-- Times are Unix seconds.

CREATE TABLE show_token_uses (
    province   TEXT NOT NULL,
    token_id   TEXT NOT NULL,
    license_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (province, token_id)
);
CREATE INDEX show_token_uses_expiry ON show_token_uses (expires_at);
