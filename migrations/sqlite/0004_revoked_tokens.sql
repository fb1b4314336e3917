-- Tokens withdrawn before they expire, by `jti`. Every request checks here, so a revoked
-- token fails on every replica as soon as the row is committed.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    revoked_by TEXT NOT NULL,
    revoked_at TEXT NOT NULL
);
