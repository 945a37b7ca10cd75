-- Request-token jti's already used, per caller, until the token has expired: the replay
-- record every node of a province shares (a restart or another node behind the same
-- load balancer must refuse a captured token too). Times are Unix seconds.

CREATE TABLE request_token_uses (
    caller     TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (caller, jti)
);
CREATE INDEX request_token_uses_expiry ON request_token_uses (expires_at);
