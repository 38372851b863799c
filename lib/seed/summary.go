package seed

import (
	"fmt"
	"io"
)

// Kind names a kind of seeded object.
type Kind string

// The kinds, in the order they are seeded.
const (
	KindUser          Kind = "user"
	KindTenant        Kind = "tenant"
	KindMembership    Kind = "membership"
	KindOrgInvitation Kind = "organization_invitation"
	KindAppInvitation Kind = "application_invitation"
)

// Kinds lists every kind in seeding order.
var Kinds = []Kind{KindUser, KindTenant, KindMembership, KindOrgInvitation, KindAppInvitation}

// Item is one object of the seed file as found or created in Clerk.
type Item struct {
	Kind    Kind
	ID      string
	Created bool
}

// Summary is what a run found and created.
type Summary struct {
	Items []Item
}

func (s *Summary) add(kind Kind, id string, created bool) {
	s.Items = append(s.Items, Item{Kind: kind, ID: id, Created: created})
}

// Count returns how many objects of kind were created and how many were
// already present.
func (s *Summary) Count(kind Kind) (created, present int) {
	for _, it := range s.Items {
		switch {
		case it.Kind != kind:
		case it.Created:
			created++
		default:
			present++
		}
	}
	return created, present
}

// Created returns the number of objects created, of every kind.
func (s *Summary) Created() int {
	n := 0
	for _, it := range s.Items {
		if it.Created {
			n++
		}
	}
	return n
}

// Write prints one line per object (outcome, kind, Clerk id) and the
// counts per kind. It prints ids only, never addresses or names.
func (s *Summary) Write(w io.Writer) error {
	for _, it := range s.Items {
		outcome := "present"
		if it.Created {
			outcome = "created"
		}
		if _, err := fmt.Fprintf(w, "%-8s %-24s %s\n", outcome, it.Kind, it.ID); err != nil {
			return err
		}
	}
	for _, k := range Kinds {
		created, present := s.Count(k)
		if _, err := fmt.Fprintf(w, "%-24s %d created, %d already present\n",
			string(k)+"s", created, present); err != nil {
			return err
		}
	}
	return nil
}
