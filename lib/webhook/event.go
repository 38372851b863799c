package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Envelope is the outer shape of every Clerk webhook body.
type Envelope struct {
	Type       string          `json:"type"`
	Object     string          `json:"object"`
	Data       json.RawMessage `json:"data"`
	Timestamp  int64           `json:"timestamp"`
	InstanceID string          `json:"instance_id"`
	Attributes struct {
		HTTPRequest struct {
			ClientIP  string `json:"client_ip"`
			UserAgent string `json:"user_agent"`
		} `json:"http_request"`
	} `json:"event_attributes"`
}

// DecodeEnvelope parses the envelope and checks the fields every event needs.
func DecodeEnvelope(body []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("decode envelope: %w", err)
	}
	if env.Type == "" {
		return nil, errors.New("decode envelope: no event type")
	}
	if len(env.Data) == 0 || env.Data[0] != '{' {
		return nil, errors.New("decode envelope: data is not an object")
	}
	return &env, nil
}

// millis converts Clerk's Unix milliseconds; zero means unknown.
func millis(ms int64) *time.Time {
	if ms <= 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// EmailAddress is one of a user's addresses.
type EmailAddress struct {
	ID           string `json:"id"`
	EmailAddress string `json:"email_address"`
}

// User is the data of user.created and user.updated.
type User struct {
	ID                    string         `json:"id"`
	FirstName             *string        `json:"first_name"`
	LastName              *string        `json:"last_name"`
	PrimaryEmailAddressID *string        `json:"primary_email_address_id"`
	EmailAddresses        []EmailAddress `json:"email_addresses"`
	Banned                bool           `json:"banned"`
	Locked                bool           `json:"locked"`
	UpdatedAt             int64          `json:"updated_at"`
}

// PrimaryEmail returns the primary address, or nil when there is none.
func (u *User) PrimaryEmail() *string {
	if u.PrimaryEmailAddressID == nil {
		return nil
	}
	for _, e := range u.EmailAddresses {
		if e.ID == *u.PrimaryEmailAddressID && e.EmailAddress != "" {
			return &e.EmailAddress
		}
	}
	return nil
}

// Deleted is the data of user.deleted and organization.deleted.
type Deleted struct {
	ID string `json:"id"`
}

// Session is the data of session events; user is embedded only sometimes.
type Session struct {
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	Status       string `json:"status"`
	LastActiveAt int64  `json:"last_active_at"`
	ExpireAt     int64  `json:"expire_at"`
	AbandonAt    int64  `json:"abandon_at"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

// Organization is the data of organization.created and .updated.
type Organization struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Slug      *string `json:"slug"`
	UpdatedAt int64   `json:"updated_at"`
}

// Membership is the data of organizationMembership events.
type Membership struct {
	ID             string       `json:"id"`
	Role           string       `json:"role"`
	UpdatedAt      int64        `json:"updated_at"`
	Organization   Organization `json:"organization"`
	PublicUserData struct {
		UserID string `json:"user_id"`
	} `json:"public_user_data"`
}

// Invitation is the data of organizationInvitation events.
type Invitation struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organization_id"`
	EmailAddress   string `json:"email_address"`
	Role           string `json:"role"`
	Status         string `json:"status"`
	ExpiresAt      int64  `json:"expires_at"`
	CreatedAt      int64  `json:"created_at"`
	UpdatedAt      int64  `json:"updated_at"`
}

// decodeData parses data into v and requires a non-empty id.
func decodeData(raw json.RawMessage, v any, id func() string) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode data: %w", err)
	}
	if id() == "" {
		return errors.New("decode data: no id")
	}
	return nil
}
