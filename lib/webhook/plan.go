package webhook

import (
	"fmt"
	"strings"
)

// plan is the statements one event needs, run in order in the delivery's
// transaction after its webhook_deliveries row is written.
type plan struct {
	steps []step
	// subject names what the event is about, for the log line.
	subjectType, subjectID string
}

// ErrUnsupported marks an event type the portal does not apply.
var errUnsupported = fmt.Errorf("unsupported event type")

// planFor decodes env's data and returns its plan. It returns errUnsupported
// for types the portal ignores and another error when the data cannot be
// decoded.
func planFor(env *Envelope, svixID string) (*plan, error) {
	a := auditRow{
		action:    env.Type,
		svixID:    svixID,
		clientIP:  env.Attributes.HTTPRequest.ClientIP,
		userAgent: truncate(env.Attributes.HTTPRequest.UserAgent, 512),
	}
	family, _, _ := strings.Cut(env.Type, ".")
	switch {
	case env.Type == "user.created" || env.Type == "user.updated":
		return planUser(env, a)
	case env.Type == "user.deleted":
		return planUserDeleted(env, a)
	case family == "session" && sessionEvents[env.Type]:
		return planSession(env, a)
	case env.Type == "organization.created" || env.Type == "organization.updated":
		return planOrganization(env, a)
	case env.Type == "organization.deleted":
		return planOrganizationDeleted(env, a)
	case family == "organizationMembership" && membershipEvents[env.Type]:
		return planMembership(env, a)
	case family == "organizationInvitation" && invitationStatus[env.Type] != "":
		return planInvitation(env, a)
	}
	return nil, errUnsupported
}

var sessionEvents = map[string]bool{
	"session.created": true, "session.ended": true,
	"session.removed": true, "session.revoked": true,
}

var membershipEvents = map[string]bool{
	"organizationMembership.created": true,
	"organizationMembership.updated": true,
	"organizationMembership.deleted": true,
}

var invitationStatus = map[string]string{
	"organizationInvitation.created":  "pending",
	"organizationInvitation.accepted": "accepted",
	"organizationInvitation.revoked":  "revoked",
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ensureUser writes a minimal user row when none exists, so a child row
// arriving before its parent's event can be stored; the parent's own event
// fills it in later.
func ensureUser(id string) step {
	var q query
	q.add(`INSERT INTO users (id) VALUES (%s) ON CONFLICT (id) DO NOTHING`, id)
	return q.step()
}

// ensureTenant is ensureUser for tenants.
func ensureTenant(id, name string) step {
	var q query
	q.add(`INSERT INTO tenants (id, name) VALUES (%s, %s) ON CONFLICT (id) DO NOTHING`, id, name)
	return q.step()
}

// revokeUserSessions queues the revocation of every session of the user
// when cond (SQL over table alias u, users) holds.
func revokeUserSessions(userID, svixID, cond string, condArgs ...any) step {
	var q query
	q.add(`INSERT INTO clerk_actions (kind, target_id, svix_id)
		SELECT 'revoke_user_sessions', u.id, %s FROM users u WHERE u.id = %s AND `,
		svixID, userID)
	q.add(cond, condArgs...)
	q.sql.WriteString(onConflictRequeue)
	return q.queueStep()
}

// onConflictRequeue makes a queued action that is already pending due now
// instead of queueing it twice.
const onConflictRequeue = ` ON CONFLICT (kind, target_id) WHERE status = 'pending'
	DO UPDATE SET next_attempt_at = least(clerk_actions.next_attempt_at, now()),
	              updated_at = now()
	RETURNING id`
