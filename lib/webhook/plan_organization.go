package webhook

var tenantColumns = []string{"id", "name", "slug", "deleted_at"}

func planOrganization(env *Envelope, a auditRow) (*plan, error) {
	var o Organization
	if err := decodeData(env.Data, &o, func() string { return o.ID }); err != nil {
		return nil, err
	}
	updated := millis(o.UpdatedAt)
	a.subjectType, a.subjectID, a.tenantID = "tenant", o.ID, o.ID
	p := &plan{subjectType: "tenant", subjectID: o.ID}
	if o.Slug != nil {
		p.steps = append(p.steps, tenantSlug.release(o.ID, *o.Slug, updated))
	}
	t := tracked{table: "tenants", where: "id = %s", keyArgs: []any{o.ID}, columns: tenantColumns}
	p.steps = append(p.steps, changeWithAudit(t, func(q *query) {
		q.add(`INSERT INTO tenants AS t (id, name, slug, clerk_updated_at)
			VALUES (%s, %s, `, o.ID, o.Name)
		tenantSlug.value(q, o.ID, o.Slug, updated)
		q.add(`, %s)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
				slug = CASE WHEN t.deleted_at IS NULL THEN EXCLUDED.slug END,
				clerk_updated_at = EXCLUDED.clerk_updated_at, updated_at = now()
			WHERE t.clerk_updated_at IS NULL OR t.clerk_updated_at <= EXCLUDED.clerk_updated_at`,
			updated)
	}, a))
	return p, nil
}

func planOrganizationDeleted(env *Envelope, a auditRow) (*plan, error) {
	var d Deleted
	if err := decodeData(env.Data, &d, func() string { return d.ID }); err != nil {
		return nil, err
	}
	a.subjectType, a.subjectID, a.tenantID = "tenant", d.ID, d.ID
	t := tracked{table: "tenants", where: "id = %s", keyArgs: []any{d.ID}, columns: tenantColumns}
	var endMemberships, revokeInvitations query
	endMemberships.add(`WITH ended AS (
			UPDATE memberships SET deleted_at = now(), updated_at = now()
			WHERE tenant_id = %s AND deleted_at IS NULL RETURNING user_id)
		INSERT INTO clerk_actions (kind, target_id, svix_id)
		SELECT 'revoke_user_sessions', user_id, %s FROM ended`, d.ID, a.svixID)
	endMemberships.sql.WriteString(onConflictRequeue)
	revokeInvitations.add(`UPDATE invitations SET status = 'revoked', updated_at = now()
		WHERE tenant_id = %s AND status = 'pending'`, d.ID)
	return &plan{subjectType: "tenant", subjectID: d.ID, steps: []step{
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO tenants AS t (id, deleted_at) VALUES (%s, now())
				ON CONFLICT (id) DO UPDATE SET slug = NULL,
					deleted_at = coalesce(t.deleted_at, now()), updated_at = now()`, d.ID)
		}, a),
		endMemberships.queueStep(),
		revokeInvitations.step(),
	}}, nil
}
