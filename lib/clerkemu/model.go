package clerkemu

import "encoding/json"

// Metadata is a free-form metadata object as Clerk stores it.
type Metadata = map[string]any

// Verification is the verification state of an identifier.
type Verification struct {
	Attempts *int64 `json:"attempts"`
	ExpireAt *int64 `json:"expire_at"`
	Status   string `json:"status"`
	Strategy string `json:"strategy"`
}

// EmailAddress is a user's e-mail identifier (id prefix idn_).
type EmailAddress struct {
	CreatedAt    int64             `json:"created_at"`
	EmailAddress string            `json:"email_address"`
	ID           string            `json:"id"`
	LinkedTo     []json.RawMessage `json:"linked_to"`
	Object       string            `json:"object"`
	Reserved     bool              `json:"reserved"`
	UpdatedAt    int64             `json:"updated_at"`
	Verification Verification      `json:"verification"`
}

// User is a Clerk user (id prefix user_) in its Backend API shape.
type User struct {
	BackupCodeEnabled             bool              `json:"backup_code_enabled"`
	Banned                        bool              `json:"banned"`
	CreateOrganizationEnabled     bool              `json:"create_organization_enabled"`
	CreatedAt                     int64             `json:"created_at"`
	DeleteSelfEnabled             bool              `json:"delete_self_enabled"`
	EmailAddresses                []EmailAddress    `json:"email_addresses"`
	ExternalAccounts              []json.RawMessage `json:"external_accounts"`
	ExternalID                    *string           `json:"external_id"`
	FirstName                     *string           `json:"first_name"`
	HasImage                      bool              `json:"has_image"`
	ID                            string            `json:"id"`
	ImageURL                      string            `json:"image_url"`
	LastActiveAt                  *int64            `json:"last_active_at"`
	LastName                      *string           `json:"last_name"`
	LastSignInAt                  *int64            `json:"last_sign_in_at"`
	LegalAcceptedAt               *int64            `json:"legal_accepted_at"`
	Locale                        *string           `json:"locale"`
	Locked                        bool              `json:"locked"`
	LockoutExpiresInSeconds       *int64            `json:"lockout_expires_in_seconds"`
	MFADisabledAt                 *int64            `json:"mfa_disabled_at"`
	MFAEnabledAt                  *int64            `json:"mfa_enabled_at"`
	Object                        string            `json:"object"`
	Passkeys                      []json.RawMessage `json:"passkeys"`
	PasswordEnabled               bool              `json:"password_enabled"`
	PhoneNumbers                  []json.RawMessage `json:"phone_numbers"`
	PrimaryEmailAddressID         *string           `json:"primary_email_address_id"`
	PrimaryPhoneNumberID          *string           `json:"primary_phone_number_id"`
	PrimaryWeb3WalletID           *string           `json:"primary_web3_wallet_id"`
	PrivateMetadata               Metadata          `json:"private_metadata"`
	ProfileImageURL               string            `json:"profile_image_url"`
	PublicMetadata                Metadata          `json:"public_metadata"`
	SAMLAccounts                  []json.RawMessage `json:"saml_accounts"`
	TOTPEnabled                   bool              `json:"totp_enabled"`
	TwoFactorEnabled              bool              `json:"two_factor_enabled"`
	UnsafeMetadata                Metadata          `json:"unsafe_metadata"`
	UpdatedAt                     int64             `json:"updated_at"`
	Username                      *string           `json:"username"`
	VerificationAttemptsRemaining int64             `json:"verification_attempts_remaining"`
	Web3Wallets                   []json.RawMessage `json:"web3_wallets"`
}

// primaryEmail returns the user's primary e-mail address or "".
func (u *User) primaryEmail() string {
	for _, a := range u.EmailAddresses {
		if u.PrimaryEmailAddressID != nil && a.ID == *u.PrimaryEmailAddressID {
			return a.EmailAddress
		}
	}
	return ""
}

// Session is a Clerk session (id prefix sess_). User is set only inside the
// session.created and session.revoked webhook payloads.
type Session struct {
	AbandonAt                int64           `json:"abandon_at"`
	Actor                    json.RawMessage `json:"actor"`
	ClientID                 string          `json:"client_id"`
	CreatedAt                int64           `json:"created_at"`
	ExpireAt                 int64           `json:"expire_at"`
	ID                       string          `json:"id"`
	LastActiveAt             int64           `json:"last_active_at"`
	LastActiveOrganizationID string          `json:"last_active_organization_id,omitempty"`
	Object                   string          `json:"object"`
	Status                   string          `json:"status"`
	UpdatedAt                int64           `json:"updated_at"`
	UserID                   string          `json:"user_id"`
	User                     *User           `json:"user,omitempty"`
}

// Organization is a Clerk organization (id prefix org_). The counts are set
// only where Clerk embeds the organization in a membership.
type Organization struct {
	AdminDeleteEnabled      bool     `json:"admin_delete_enabled"`
	CreatedAt               int64    `json:"created_at"`
	CreatedBy               string   `json:"created_by"`
	HasImage                bool     `json:"has_image"`
	ID                      string   `json:"id"`
	ImageURL                string   `json:"image_url"`
	LogoURL                 *string  `json:"logo_url"`
	MaxAllowedMemberships   int64    `json:"max_allowed_memberships"`
	Name                    string   `json:"name"`
	Object                  string   `json:"object"`
	PublicMetadata          Metadata `json:"public_metadata"`
	Slug                    string   `json:"slug"`
	UpdatedAt               int64    `json:"updated_at"`
	PrivateMetadata         Metadata `json:"private_metadata"`
	MembersCount            *int64   `json:"members_count,omitempty"`
	PendingInvitationsCount *int64   `json:"pending_invitations_count,omitempty"`
}

// MemberOrganization is the organization as embedded in a membership: with
// its member and pending invitation counts, without private metadata.
type MemberOrganization struct {
	Organization
	// PrivateMetadata hides the organization's private metadata.
	PrivateMetadata Metadata `json:"private_metadata,omitempty"`
}

// PublicUserData is the member summary embedded in a membership.
type PublicUserData struct {
	FirstName       *string `json:"first_name"`
	HasImage        bool    `json:"has_image"`
	Identifier      string  `json:"identifier"`
	ImageURL        string  `json:"image_url"`
	LastName        *string `json:"last_name"`
	ProfileImageURL string  `json:"profile_image_url"`
	UserID          string  `json:"user_id"`
}

// Membership is a Clerk organization membership (id prefix orgmem_). The
// stored form keeps only ids; Organization and PublicUserData are filled in
// when it is rendered.
type Membership struct {
	CreatedAt      int64               `json:"created_at"`
	ID             string              `json:"id"`
	Object         string              `json:"object"`
	Organization   *MemberOrganization `json:"organization,omitempty"`
	OrganizationID string              `json:"organization_id,omitempty"`
	Permissions    []string            `json:"permissions"`
	PublicMetadata Metadata            `json:"public_metadata"`
	PublicUserData *PublicUserData     `json:"public_user_data,omitempty"`
	UserID         string              `json:"user_id,omitempty"`
	Role           string              `json:"role"`
	RoleName       string              `json:"role_name"`
	UpdatedAt      int64               `json:"updated_at"`
}

// OrgInvitation is a Clerk organization invitation (id prefix orginv_).
type OrgInvitation struct {
	CreatedAt       int64    `json:"created_at"`
	EmailAddress    string   `json:"email_address"`
	ExpiresAt       int64    `json:"expires_at"`
	ID              string   `json:"id"`
	Object          string   `json:"object"`
	OrganizationID  string   `json:"organization_id"`
	PrivateMetadata Metadata `json:"private_metadata"`
	PublicMetadata  Metadata `json:"public_metadata"`
	Role            string   `json:"role"`
	RoleName        string   `json:"role_name"`
	Status          string   `json:"status"`
	UpdatedAt       int64    `json:"updated_at"`
	URL             *string  `json:"url"`
	UserID          string   `json:"user_id,omitempty"`
}

// Invitation is a Clerk application invitation (id prefix inv_).
type Invitation struct {
	CreatedAt      int64    `json:"created_at"`
	EmailAddress   string   `json:"email_address"`
	ExpiresAt      *int64   `json:"expires_at"`
	ID             string   `json:"id"`
	Object         string   `json:"object"`
	PublicMetadata Metadata `json:"public_metadata"`
	Revoked        bool     `json:"revoked"`
	Status         string   `json:"status"`
	UpdatedAt      int64    `json:"updated_at"`
	URL            *string  `json:"url"`
}

// deletedObject is what Clerk answers and sends for a deleted resource.
type deletedObject struct {
	Deleted bool   `json:"deleted"`
	ID      string `json:"id"`
	Object  string `json:"object"`
}

// listBody is Clerk's paginated list envelope.
type listBody[T any] struct {
	Data       []T   `json:"data"`
	TotalCount int64 `json:"total_count"`
}
