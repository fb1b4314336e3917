-- The first summary of each push sent with an idempotency key, per caller: a retry with
-- the same key gets it back and writes nothing.
CREATE TABLE push_receipts (
    subject         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    summary         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);

CREATE INDEX observations_status ON observations (status);
