package webhook

var userColumns = []string{"id", "email", "first_name", "last_name", "banned", "locked", "deleted_at"}

func planUser(env *Envelope, a auditRow) (*plan, error) {
	var u User
	if err := decodeData(env.Data, &u, func() string { return u.ID }); err != nil {
		return nil, err
	}
	updated := millis(u.UpdatedAt)
	email := u.PrimaryEmail()
	a.subjectType, a.subjectID = "user", u.ID
	p := &plan{subjectType: "user", subjectID: u.ID}
	if email != nil {
		p.steps = append(p.steps, userEmail.release(u.ID, *email, updated))
	}
	t := tracked{table: "users", where: "id = %s", keyArgs: []any{u.ID}, columns: userColumns}
	p.steps = append(p.steps,
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO users AS u (id, email, first_name, last_name, banned, locked,
				clerk_updated_at)
				VALUES (%s, `, u.ID)
			userEmail.value(q, u.ID, email, updated)
			q.add(`, %s, %s, %s, %s, %s)
				ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email,
					first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
					banned = EXCLUDED.banned, locked = EXCLUDED.locked,
					clerk_updated_at = EXCLUDED.clerk_updated_at, updated_at = now()
				WHERE u.deleted_at IS NULL AND (u.clerk_updated_at IS NULL
					OR u.clerk_updated_at < EXCLUDED.clerk_updated_at
					OR (u.clerk_updated_at = EXCLUDED.clerk_updated_at
						AND (EXCLUDED.banned OR NOT u.banned)
						AND (EXCLUDED.locked OR NOT u.locked)))`,
				u.FirstName, u.LastName, u.Banned, u.Locked, updated)
		}, a),
		revokeUserSessions(u.ID, a.svixID,
			"u.banned AND u.deleted_at IS NULL AND u.clerk_updated_at = %s", updated),
	)
	return p, nil
}

func planUserDeleted(env *Envelope, a auditRow) (*plan, error) {
	var d Deleted
	if err := decodeData(env.Data, &d, func() string { return d.ID }); err != nil {
		return nil, err
	}
	a.subjectType, a.subjectID = "user", d.ID
	t := tracked{table: "users", where: "id = %s", keyArgs: []any{d.ID}, columns: userColumns}
	var endMemberships, endSessions query
	endMemberships.add(`UPDATE memberships SET deleted_at = now(), updated_at = now()
		WHERE user_id = %s AND deleted_at IS NULL`, d.ID)
	endSessions.add(`UPDATE sessions SET status = 'ended', ended_at = now(), updated_at = now()
		WHERE user_id = %s AND ended_at IS NULL`, d.ID)
	return &plan{subjectType: "user", subjectID: d.ID, steps: []step{
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO users AS u (id, deleted_at) VALUES (%s, now())
				ON CONFLICT (id) DO UPDATE SET email = NULL, first_name = NULL,
					last_name = NULL, banned = false, locked = false,
					deleted_at = coalesce(u.deleted_at, now()),
					updated_at = now()`, d.ID)
		}, a),
		endMemberships.step(),
		endSessions.step(),
		revokeUserSessions(d.ID, a.svixID, "u.deleted_at IS NOT NULL"),
	}}, nil
}
