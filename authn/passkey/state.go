package passkey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/clientele/clientele"
)

// The ceremonies a state may belong to.
const (
	kindRegister = "register"
	kindLogin    = "login"
)

// state is the server side of a ceremony between Begin and Finish, kept by
// the caller as opaque JSON.
type state struct {
	Kind   string           `json:"kind"`
	RPID   string           `json:"rp_id"`
	Origin string           `json:"origin"`
	UserID clientele.UserID `json:"user_id,omitempty"`
	// Session is go-webauthn's session data; its Expires is stamped from
	// the injected clock.
	Session webauthn.SessionData `json:"session"`
}

func newState(kind string, rp RelyingParty, user clientele.UserID, session *webauthn.SessionData, expires time.Time) ([]byte, error) {
	s := state{Kind: kind, RPID: rp.ID, Origin: rp.Origin, UserID: user, Session: *session}
	s.Session.Expires = expires
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("passkey: encode state: %w", err)
	}
	return b, nil
}

// openState decodes raw and checks that it was made by kind's Begin for rp
// and user and has not expired at now. It returns the session data to give
// go-webauthn, with the expiry (already checked here) cleared, since
// go-webauthn would check it against its own clock, and with user
// verification required whatever the state recorded: go-webauthn checks
// the UV flag only when the session data says so, and a state written
// before this rule (or by a Begin that asked for less) must not let an
// unverified response through.
func openState(raw []byte, kind string, rp RelyingParty, user clientele.UserID, now time.Time) (webauthn.SessionData, error) {
	var s state
	if err := json.Unmarshal(raw, &s); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("%w: state does not decode", ErrVerify)
	}
	switch {
	case s.Kind != kind:
		return webauthn.SessionData{}, fmt.Errorf("%w: state is for a %q ceremony, not %q", ErrVerify, s.Kind, kind)
	case s.RPID != rp.ID || s.Origin != rp.Origin || s.Session.RelyingPartyID != rp.ID:
		return webauthn.SessionData{}, fmt.Errorf("%w: state is for another relying party", ErrVerify)
	case s.UserID != user || !bytes.Equal(s.Session.UserID, []byte(user)):
		return webauthn.SessionData{}, fmt.Errorf("%w: state is for another user", ErrVerify)
	case s.Session.Challenge == "" || s.Session.Expires.IsZero():
		return webauthn.SessionData{}, fmt.Errorf("%w: state is incomplete", ErrVerify)
	case !now.Before(s.Session.Expires):
		return webauthn.SessionData{}, fmt.Errorf("%w at %v", ErrExpired, s.Session.Expires.UTC().Format(time.RFC3339))
	}
	session := s.Session
	session.Expires = time.Time{}
	session.UserVerification = protocol.VerificationRequired
	return session, nil
}
