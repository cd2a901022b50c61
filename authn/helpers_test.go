package authn_test

import (
	"github.com/clientele/clientele/clienteletest"
	"github.com/clientele/clientele/invite"
)

func inviteAccept(token, name string) invite.AcceptRequest {
	return invite.AcceptRequest{Token: token, Name: name, Password: clienteletest.Password}
}
