package webhook

// liveUnique is a column that is unique among live rows (deleted_at IS
// NULL), such as a user's e-mail or a tenant's slug. Clerk keeps it unique
// at any moment, but events arrive out of order, so the mirror must settle
// who holds a value by each row's Clerk updated_at.
type liveUnique struct{ table, column string }

var (
	userEmail  = liveUnique{table: "users", column: "email"}
	tenantSlug = liveUnique{table: "tenants", column: "slug"}
)

// release takes value away from other live rows whose state is older than
// the event (updated): an older holder must have given it up since, in an
// event still in flight.
func (u liveUnique) release(id, value string, updated any) step {
	var q query
	q.add(`UPDATE `+u.table+` SET `+u.column+` = NULL, updated_at = now()
		WHERE `+u.column+` = %s AND id <> %s AND deleted_at IS NULL
		  AND (clerk_updated_at IS NULL OR clerk_updated_at <= %s)`, value, id, updated)
	return q.step()
}

// value appends to q the value to store for row id: value itself, or NULL
// when a live row with newer state holds it (this event is the older one).
func (u liveUnique) value(q *query, id string, value *string, updated any) {
	q.add(`CASE WHEN EXISTS (SELECT 1 FROM `+u.table+` o WHERE o.`+u.column+` = %s
		AND o.id <> %s AND o.deleted_at IS NULL AND o.clerk_updated_at > %s)
		THEN NULL ELSE %s::citext END`, value, id, updated, value)
}
