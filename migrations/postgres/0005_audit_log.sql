-- Every push, approval, rejection, token issue and revocation: who, what, when, under which
-- request, how many rows. Entries are only ever added.
CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('PUSH', 'APPROVE', 'REJECT', 'ISSUE_TOKEN', 'REVOKE_TOKEN')),
    target     TEXT NOT NULL,
    row_count  BIGINT NOT NULL DEFAULT 0,
    detail     TEXT,
    request_id TEXT
);

CREATE INDEX audit_log_action ON audit_log (action, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
