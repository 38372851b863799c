package webhook

import "errors"

var invitationColumns = []string{"id", "status", "role", "expires_at"}

func planInvitation(env *Envelope, a auditRow) (*plan, error) {
	var inv Invitation
	if err := decodeData(env.Data, &inv, func() string { return inv.ID }); err != nil {
		return nil, err
	}
	if inv.OrganizationID == "" {
		return nil, errors.New("decode data: invitation without organization_id")
	}
	status := invitationStatus[env.Type]
	a.subjectType, a.subjectID, a.tenantID = "invitation", inv.ID, inv.OrganizationID
	a.ids = map[string]string{"role": inv.Role}
	t := tracked{table: "invitations", where: "id = %s", keyArgs: []any{inv.ID},
		columns: invitationColumns}
	return &plan{subjectType: "invitation", subjectID: inv.ID, steps: []step{
		ensureTenant(inv.OrganizationID, ""),
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO invitations AS i (id, kind, tenant_id, email, role, status,
				expires_at, clerk_created_at, clerk_updated_at)
				SELECT %s, 'organization', %s, nullif(%s, '')::citext, %s,
					CASE WHEN %s = 'pending' AND EXISTS (SELECT 1 FROM tenants
						WHERE id = %s AND deleted_at IS NOT NULL) THEN 'revoked' ELSE %s END,
					%s, %s, %s
				ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, role = EXCLUDED.role,
					expires_at = EXCLUDED.expires_at,
					clerk_updated_at = EXCLUDED.clerk_updated_at, updated_at = now()
				WHERE (i.status = 'pending' OR EXCLUDED.status <> 'pending')
					AND (i.clerk_updated_at IS NULL
						OR i.clerk_updated_at <= EXCLUDED.clerk_updated_at)`,
				inv.ID, inv.OrganizationID, inv.EmailAddress, inv.Role, status,
				inv.OrganizationID, status,
				millis(inv.ExpiresAt), millis(inv.CreatedAt), millis(inv.UpdatedAt))
		}, a),
	}}, nil
}
