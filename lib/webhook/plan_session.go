package webhook

import "errors"

var sessionColumns = []string{"id", "status", "last_active_at", "expire_at", "ended_at"}

// liveSessionStatuses are the statuses a session can leave; every other
// status is final and no later event undoes it.
var liveSessionStatuses = map[string]bool{"active": true, "pending": true}

func planSession(env *Envelope, a auditRow) (*plan, error) {
	var s Session
	if err := decodeData(env.Data, &s, func() string { return s.ID }); err != nil {
		return nil, err
	}
	if s.UserID == "" || s.Status == "" {
		return nil, errors.New("decode data: session without user_id or status")
	}
	a.subjectType, a.subjectID, a.actorID = "session", s.ID, s.UserID
	a.ids = map[string]string{"user_id": s.UserID}
	t := tracked{table: "sessions", where: "id = %s", keyArgs: []any{s.ID}, columns: sessionColumns}
	return &plan{subjectType: "session", subjectID: s.ID, steps: []step{
		ensureUser(s.UserID),
		changeWithAudit(t, func(q *query) {
			q.add(`INSERT INTO sessions AS s (id, user_id, status, last_active_at, expire_at,
				abandon_at, clerk_created_at, clerk_updated_at, ended_at)
				SELECT %s, %s, CASE WHEN gone AND %s THEN 'ended' ELSE %s END, %s, %s, %s, %s, %s,
					CASE WHEN %s AND NOT gone THEN NULL ELSE now() END
				  FROM (SELECT EXISTS (SELECT 1 FROM users WHERE id = %s
					AND deleted_at IS NOT NULL) AS gone) u
				ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,
					last_active_at = greatest(s.last_active_at, EXCLUDED.last_active_at),
					expire_at = EXCLUDED.expire_at, abandon_at = EXCLUDED.abandon_at,
					clerk_updated_at = EXCLUDED.clerk_updated_at,
					ended_at = coalesce(s.ended_at, EXCLUDED.ended_at), updated_at = now()
				WHERE (s.ended_at IS NULL OR EXCLUDED.ended_at IS NOT NULL)
					AND (s.clerk_updated_at IS NULL
						OR s.clerk_updated_at <= EXCLUDED.clerk_updated_at)`,
				s.ID, s.UserID, liveSessionStatuses[s.Status], s.Status, millis(s.LastActiveAt), millis(s.ExpireAt),
				millis(s.AbandonAt), millis(s.CreatedAt), millis(s.UpdatedAt),
				liveSessionStatuses[s.Status], s.UserID)
		}, a),
	}}, nil
}
