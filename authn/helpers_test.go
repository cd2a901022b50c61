package authn_test

import (
	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn"
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

// inviteAccept is the acceptance of a new account named name, with the
// environment's password.
func inviteAccept(token, name string) invite.AcceptRequest {
	return invite.AcceptRequest{Token: token, Name: name, Password: clienteletest.Password}
}

// acceptAt is inviteAccept at agency's portal, from the office's address.
func acceptAt(agency clientele.AgencyID, token, name string) authn.AcceptRequest {
	return authn.AcceptRequest{AgencyID: agency, Token: token, Name: name, Password: clienteletest.Password, IP: office}
}
