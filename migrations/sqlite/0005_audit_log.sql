-- Every push, approval, rejection, token issue and revocation: who, what, when, under which
-- request, how many rows. Entries are only ever added.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('PUSH', 'APPROVE', 'REJECT', 'ISSUE_TOKEN', 'REVOKE_TOKEN')),
    target     TEXT NOT NULL,
    row_count  BIGINT NOT NULL DEFAULT 0,
    detail     TEXT,
    request_id TEXT
);

CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
