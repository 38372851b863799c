package webhook

import "errors"

var membershipColumns = []string{"tenant_id", "role", "deleted_at"}

func planMembership(env *Envelope, a auditRow) (*plan, error) {
	var m Membership
	if err := decodeData(env.Data, &m, func() string { return m.ID }); err != nil {
		return nil, err
	}
	org, user := m.Organization.ID, m.PublicUserData.UserID
	if org == "" || user == "" {
		return nil, errors.New("decode data: membership without organization or user")
	}
	deleted := env.Type == "organizationMembership.deleted"
	updated := millis(m.UpdatedAt)
	a.subjectType, a.subjectID, a.tenantID = "membership", m.ID, org
	a.ids = map[string]string{"user_id": user, "role": m.Role}
	t := tracked{table: "memberships", where: "tenant_id = %s AND user_id = %s",
		keyArgs: []any{org, user}, columns: membershipColumns}
	p := &plan{subjectType: "membership", subjectID: m.ID, steps: []step{
		ensureTenant(org, m.Organization.Name),
		ensureUser(user),
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO memberships AS m (tenant_id, user_id, clerk_id, role,
				clerk_updated_at, deleted_at)
				VALUES (%s, %s, %s, %s, %s, CASE WHEN %s OR EXISTS (
					SELECT 1 FROM users WHERE id = %s AND deleted_at IS NOT NULL
					UNION ALL
					SELECT 1 FROM tenants WHERE id = %s AND deleted_at IS NOT NULL)
					THEN now() END)
				ON CONFLICT (tenant_id, user_id) DO UPDATE SET clerk_id = EXCLUDED.clerk_id,
					role = EXCLUDED.role, clerk_updated_at = EXCLUDED.clerk_updated_at,
					deleted_at = CASE WHEN EXCLUDED.deleted_at IS NOT NULL
						THEN coalesce(m.deleted_at, EXCLUDED.deleted_at) END,
					updated_at = now()
				WHERE m.clerk_updated_at IS NULL OR m.clerk_updated_at < EXCLUDED.clerk_updated_at
					OR (m.clerk_updated_at = EXCLUDED.clerk_updated_at
						AND (%s OR m.deleted_at IS NULL))`,
				org, user, m.ID, m.Role, updated, deleted, user, org, deleted)
		}, a),
	}}
	if deleted {
		p.steps = append(p.steps, revokeUserSessions(user, a.svixID,
			`EXISTS (SELECT 1 FROM memberships WHERE tenant_id = %s AND user_id = u.id
				AND deleted_at IS NOT NULL AND clerk_updated_at = %s)`, org, updated))
	}
	return p, nil
}
