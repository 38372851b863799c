-- +goose Up
CREATE EXTENSION IF NOT EXISTS citext;

-- Tenants mirror Clerk organizations. clerk_updated_at orders late events.
CREATE TABLE tenants (
    id               text PRIMARY KEY,
    name             text NOT NULL DEFAULT '',
    slug             citext,
    clerk_updated_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz
);
CREATE UNIQUE INDEX tenants_slug_live ON tenants (slug)
    WHERE deleted_at IS NULL AND slug IS NOT NULL;

-- Users mirror Clerk users; a deleted user stays as a tombstone.
CREATE TABLE users (
    id               text PRIMARY KEY,
    email            citext,
    first_name       text,
    last_name        text,
    banned           boolean NOT NULL DEFAULT false,
    locked           boolean NOT NULL DEFAULT false,
    clerk_updated_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz
);
CREATE UNIQUE INDEX users_email_live ON users (email)
    WHERE deleted_at IS NULL AND email IS NOT NULL;

-- Memberships mirror Clerk organization memberships, one row per tenant and user.
CREATE TABLE memberships (
    tenant_id        text NOT NULL REFERENCES tenants (id),
    user_id          text NOT NULL REFERENCES users (id),
    clerk_id         text,
    role             text NOT NULL DEFAULT '',
    clerk_updated_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    deleted_at       timestamptz,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Invitations: organization invitations arrive by webhook, application
-- invitations are read from the Backend API by the cron.
CREATE TABLE invitations (
    id               text PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('organization', 'application')),
    tenant_id        text REFERENCES tenants (id),
    email            citext,
    role             text,
    status           text NOT NULL
        CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    expires_at       timestamptz,
    clerk_created_at timestamptz,
    clerk_updated_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (kind = 'application' OR tenant_id IS NOT NULL)
);
CREATE INDEX invitations_pending_expiry ON invitations (expires_at)
    WHERE status = 'pending';
CREATE INDEX invitations_pending_created ON invitations (clerk_created_at)
    WHERE status = 'pending';
CREATE INDEX invitations_email ON invitations (email);

-- Sessions mirror Clerk sessions; ended_at is set once a session reaches a
-- terminal status, which no later event undoes.
CREATE TABLE sessions (
    id               text PRIMARY KEY,
    user_id          text NOT NULL REFERENCES users (id),
    status           text NOT NULL,
    last_active_at   timestamptz,
    expire_at        timestamptz,
    abandon_at       timestamptz,
    clerk_created_at timestamptz,
    clerk_updated_at timestamptz,
    ended_at         timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- Every webhook delivery, keyed by svix-id: the idempotency record. The raw
-- payload is kept for replay and dropped by retention.
CREATE TABLE webhook_deliveries (
    svix_id        text PRIMARY KEY,
    event_type     text NOT NULL DEFAULT '',
    status         text NOT NULL
        CHECK (status IN ('processed', 'ignored', 'rejected', 'replayed')),
    received_at    timestamptz NOT NULL DEFAULT now(),
    svix_timestamp timestamptz,
    error          text,
    payload        bytea,
    payload_dropped_at timestamptz
);
CREATE INDEX webhook_deliveries_payload_age ON webhook_deliveries (received_at)
    WHERE payload IS NOT NULL;
CREATE INDEX webhook_deliveries_rejected ON webhook_deliveries (received_at)
    WHERE status = 'rejected';

-- The outbox of Clerk side effects. A row is claimed by moving
-- next_attempt_at forward (a lease), so crashed attempts come back by themselves.
CREATE TABLE clerk_actions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN (
        'revoke_user_sessions', 'revoke_session',
        'revoke_organization_invitation', 'revoke_application_invitation')),
    target_id       text NOT NULL,
    parent_id       text,
    status          text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    svix_id         text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz
);
CREATE INDEX clerk_actions_due ON clerk_actions (next_attempt_at)
    WHERE status = 'pending';
CREATE UNIQUE INDEX clerk_actions_one_pending ON clerk_actions (kind, target_id)
    WHERE status = 'pending';

-- +goose Down
DROP TABLE clerk_actions;
DROP TABLE webhook_deliveries;
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE tenants;
