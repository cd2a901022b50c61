package clientele

import "time"

// User is a person known to one agency, identified there by email. A user
// holds a membership in each client they belong to; credentials live in
// package authn.
type User struct {
	ID        UserID
	AgencyID  AgencyID
	Email     Email
	Name      string
	CreatedAt time.Time
}

// MemberStatus is the state of a membership.
type MemberStatus string

// The states of a membership. A removed membership no longer exists.
const (
	StatusActive      MemberStatus = "active"
	StatusDeactivated MemberStatus = "deactivated"
)

// Membership links a user to one client with a role.
type Membership struct {
	ClientID     ClientID
	UserID       UserID
	Role         Role
	Status       MemberStatus
	LastActiveAt *time.Time
	CreatedAt    time.Time
}

// Member is a membership together with the user's name and email, as seen
// from inside one client.
type Member struct {
	Membership
	Email Email
	Name  string
}
