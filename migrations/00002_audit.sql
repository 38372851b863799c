-- +goose Up
-- The audit log is append-only and hash-chained: row N stores
-- sha256(hash of row N-1 || its own length-prefixed fields), so a changed,
-- removed or reordered row breaks every hash after it. Ids are assigned by the
-- trigger under a transaction-scoped lock, so the chain has no gaps and its
-- order is the commit order.
CREATE TABLE audit_events (
    id           bigint PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    action       text NOT NULL,
    actor_id     text,
    subject_type text NOT NULL,
    subject_id   text NOT NULL,
    tenant_id    text,
    source       text NOT NULL,
    svix_id      text,
    client_ip    text,
    user_agent   text,
    data         jsonb NOT NULL DEFAULT '{}',
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, occurred_at)
    WHERE tenant_id IS NOT NULL;
CREATE INDEX audit_events_svix ON audit_events (svix_id) WHERE svix_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT octet_length(coalesce(v, ''))::text || ':' || coalesce(v, '')
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_events_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_id   bigint;
    last_hash bytea;
BEGIN
    -- One writer at a time extends the chain; the lock ends with the transaction.
    PERFORM pg_advisory_xact_lock(7207417250386195201);
    SELECT id, hash INTO last_id, last_hash
      FROM audit_events ORDER BY id DESC LIMIT 1;
    NEW.id := coalesce(last_id, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    NEW.occurred_at := date_trunc('microseconds', coalesce(NEW.occurred_at, now()));
    NEW.hash := sha256(NEW.prev_hash || convert_to(
        audit_field(NEW.id::text) ||
        audit_field(((extract(epoch FROM NEW.occurred_at) * 1000000)::bigint)::text) ||
        audit_field(NEW.action) ||
        audit_field(NEW.actor_id) ||
        audit_field(NEW.subject_type) ||
        audit_field(NEW.subject_id) ||
        audit_field(NEW.tenant_id) ||
        audit_field(NEW.source) ||
        audit_field(NEW.svix_id) ||
        audit_field(NEW.client_ip) ||
        audit_field(NEW.user_agent) ||
        audit_field(NEW.data::text), 'UTF8'));
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_chain();
CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_refuse_change();
DROP FUNCTION audit_events_chain();
DROP FUNCTION audit_field(text);
