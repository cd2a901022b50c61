package main

import (
	"time"

	"github.com/uptrace/bun"
)

// The rows written, mirroring adapters/bunstore's models (which are not
// exported) and its migrations. Each model lists its columns for COPY in
// the order of values(); a test checks them against bun's view of the
// struct.

type agencyRow struct {
	bun.BaseModel `bun:"table:clientele_agencies"`

	ID           string    `bun:"id,pk"`
	Name         string    `bun:"name"`
	LogoURL      string    `bun:"logo_url"`
	PrimaryColor string    `bun:"primary_color"`
	CustomDomain *string   `bun:"custom_domain"`
	CreatedAt    time.Time `bun:"created_at"`
}

var agencyColumns = []string{"id", "name", "logo_url", "primary_color", "custom_domain", "created_at"}

func (r *agencyRow) values() []any {
	return []any{r.ID, r.Name, r.LogoURL, r.PrimaryColor, r.CustomDomain, r.CreatedAt}
}

type clientRow struct {
	bun.BaseModel `bun:"table:clientele_clients"`

	ID          string    `bun:"id,pk"`
	AgencyID    string    `bun:"agency_id"`
	Name        string    `bun:"name"`
	Permissions string    `bun:"permissions"`
	CreatedAt   time.Time `bun:"created_at"`
}

var clientColumns = []string{"id", "agency_id", "name", "permissions", "created_at"}

func (r *clientRow) values() []any {
	return []any{r.ID, r.AgencyID, r.Name, r.Permissions, r.CreatedAt}
}

type userRow struct {
	bun.BaseModel `bun:"table:clientele_users"`

	ID           string    `bun:"id,pk"`
	AgencyID     string    `bun:"agency_id"`
	Email        string    `bun:"email"`
	Name         string    `bun:"name"`
	PasswordHash string    `bun:"password_hash"`
	CreatedAt    time.Time `bun:"created_at"`
}

var userColumns = []string{"id", "agency_id", "email", "name", "password_hash", "created_at"}

func (r *userRow) values() []any {
	return []any{r.ID, r.AgencyID, r.Email, r.Name, r.PasswordHash, r.CreatedAt}
}

type membershipRow struct {
	bun.BaseModel `bun:"table:clientele_memberships"`

	ClientID     string     `bun:"client_id,pk"`
	UserID       string     `bun:"user_id,pk"`
	Email        string     `bun:"email"`
	Name         string     `bun:"name"` // the user's, as bunstore keeps it (schema version 6)
	Role         string     `bun:"role"`
	Status       string     `bun:"status"`
	LastActiveAt *time.Time `bun:"last_active_at"`
	CreatedAt    time.Time  `bun:"created_at"`
}

var membershipColumns = []string{"client_id", "user_id", "email", "name", "role", "status", "last_active_at", "created_at"}

func (r *membershipRow) values() []any {
	return []any{r.ClientID, r.UserID, r.Email, r.Name, r.Role, r.Status, r.LastActiveAt, r.CreatedAt}
}

type invitationRow struct {
	bun.BaseModel `bun:"table:clientele_invitations"`

	ID         string    `bun:"id,pk"`
	AgencyID   string    `bun:"agency_id"`
	ClientID   string    `bun:"client_id"`
	Email      string    `bun:"email"`
	Role       string    `bun:"role"`
	Status     string    `bun:"status"`
	TokenHash  []byte    `bun:"token_hash"`
	InvitedBy  string    `bun:"invited_by"`
	ReplacedBy string    `bun:"replaced_by"`
	AcceptedBy string    `bun:"accepted_by"`
	CreatedAt  time.Time `bun:"created_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
}

var invitationColumns = []string{"id", "agency_id", "client_id", "email", "role", "status", "token_hash",
	"invited_by", "replaced_by", "accepted_by", "created_at", "expires_at"}

func (r *invitationRow) values() []any {
	return []any{r.ID, r.AgencyID, r.ClientID, r.Email, r.Role, r.Status, r.TokenHash,
		r.InvitedBy, r.ReplacedBy, r.AcceptedBy, r.CreatedAt, r.ExpiresAt}
}
