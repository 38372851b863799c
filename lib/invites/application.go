package invites

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clerk/clerk-sdk-go/v2"
	"github.com/clerk/clerk-sdk-go/v2/invitation"

	"github.com/portal-auth/portal-auth/lib/clerkapi"
)

// upsertApplicationSQL records application invitations as Clerk lists them.
// It never changes the status of a known row, so an invitation this cron
// already expired stays expired while Clerk still lists it as pending.
const upsertApplicationSQL = `
INSERT INTO invitations (id, kind, email, status, expires_at, clerk_created_at, clerk_updated_at)
SELECT id, 'application', nullif(email, ''), 'pending', expires_at, created_at, updated_at
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
       AS p(id, email, expires_at, created_at, updated_at)
ON CONFLICT (id) DO UPDATE
   SET email = excluded.email, expires_at = excluded.expires_at,
       clerk_created_at = excluded.clerk_created_at,
       clerk_updated_at = excluded.clerk_updated_at, updated_at = now()
 WHERE invitations.kind = 'application' AND invitations.status = 'pending'
   AND invitations.clerk_updated_at IS DISTINCT FROM excluded.clerk_updated_at`

// syncApplicationInvitations pages through Clerk's pending application
// invitations (Clerk sends no webhook for them), records each page and
// expires the stale ones on it. A 429 pauses the listing for its
// Retry-After when that fits the budget; another Clerk failure ends the
// listing for this run. A complete listing then settles the rows pending
// here that Clerk no longer lists as pending.
func (r *run) syncApplicationInvitations(ctx context.Context) error {
	offset, total := 0, -1
	defer func() {
		if total < 0 {
			r.partial = true // not a page read: the size of the rest is unknown
			return
		}
		r.appLeft = max(total-offset, 0)
	}()
	for r.timeLeft() && r.clerkAvailable(ctx) {
		list, err := r.listApplicationInvitations(ctx, offset)
		if _, limited := clerkapi.RetryAfter(err); limited {
			r.res.RateLimited = true
			continue
		}
		if err != nil {
			r.logger.WarnContext(ctx, "list application invitations failed",
				"offset", offset, "err", err.Error())
			return nil
		}
		total = int(list.TotalCount)
		if err := r.storeApplicationPage(ctx, list.Invitations); err != nil {
			return err
		}
		offset += len(list.Invitations)
		if len(list.Invitations) < r.settings.PageSize || offset >= total {
			total = offset // the last page: nothing is left to read
			return r.reconcileApplicationInvitations(ctx, r.listed)
		}
	}
	return nil
}

// listApplicationInvitations reads one page of pending invitations.
func (r *run) listApplicationInvitations(ctx context.Context,
	offset int) (*clerk.InvitationList, error) {
	limit, off := int64(r.settings.PageSize), int64(offset)
	list, err := r.clerk.Invitations.List(ctx, &invitation.ListParams{
		ListParams: clerk.ListParams{Limit: &limit, Offset: &off},
		Statuses:   []string{"pending"},
	})
	if err != nil {
		return nil, fmt.Errorf("list application invitations: %w", err)
	}
	if list == nil {
		return nil, errors.New("list application invitations: empty answer")
	}
	return list, nil
}

// storeApplicationPage upserts one page, then expires its stale
// invitations. Rows are written in id order so that overlapping runs lock
// them in the same order.
func (r *run) storeApplicationPage(ctx context.Context, page []*clerk.Invitation) error {
	page = slices.DeleteFunc(slices.Clone(page), func(i *clerk.Invitation) bool {
		return i == nil || i.ID == ""
	})
	slices.SortFunc(page, func(a, b *clerk.Invitation) int { return strings.Compare(a.ID, b.ID) })
	if len(page) == 0 {
		return nil
	}
	cols := applicationColumns(page)
	r.res.ApplicationSynced += len(page)
	r.listed = append(r.listed, cols.ids...)

	_, err := r.pool.Exec(ctx, upsertApplicationSQL,
		cols.ids, cols.emails, cols.expiresAt, cols.createdAt, cols.updatedAt)
	if err != nil {
		return fmt.Errorf("record application invitations: %w", err)
	}
	for {
		if !r.timeLeft() {
			r.partial = true // stale ones on this page wait for the next run
			return nil
		}
		n, err := r.expireBatch(ctx, kindApplication, cols.ids)
		if err != nil || n < r.settings.BatchSize {
			return err
		}
	}
}

// applicationPage holds a page of invitations as column arrays.
type applicationPage struct {
	ids, emails                     []string
	expiresAt, createdAt, updatedAt []*time.Time
}

func applicationColumns(page []*clerk.Invitation) applicationPage {
	var c applicationPage
	for _, inv := range page {
		c.ids = append(c.ids, inv.ID)
		c.emails = append(c.emails, inv.EmailAddress)
		c.createdAt = append(c.createdAt, fromMillis(&inv.CreatedAt))
		c.updatedAt = append(c.updatedAt, fromMillis(&inv.UpdatedAt))
		c.expiresAt = append(c.expiresAt, fromMillis(inv.ExpiresAt))
	}
	return c
}

// fromMillis converts Clerk's Unix milliseconds; nil or zero is unknown.
func fromMillis(ms *int64) *time.Time {
	if ms == nil || *ms == 0 {
		return nil
	}
	t := time.UnixMilli(*ms).UTC()
	return &t
}
