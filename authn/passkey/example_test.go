package passkey_test

import (
	"context"
	"fmt"

	"github.com/descope/virtualwebauthn"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

func ExampleWebAuthn() {
	ctx := context.Background()
	w, err := passkey.New() // ceremonies time out after 5 minutes
	if err != nil {
		fmt.Println(err)
		return
	}
	acme := clientele.Agency{ID: "agc_acme", Branding: clientele.Branding{Name: "Acme", CustomDomain: "portal.acme.com"}}
	rp, err := passkey.For(acme, "https://app.clientele.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("relying party:", rp.ID, rp.Origin)
	ada := passkey.User{ID: "usr_ada", Email: "ada@acme.com", Name: "Ada Lovelace"}

	// A browser with a platform authenticator at the portal.
	browser := virtualwebauthn.RelyingParty{ID: rp.ID, Name: rp.Name, Origin: rp.Origin}
	authenticator := virtualwebauthn.NewAuthenticatorWithOptions(virtualwebauthn.AuthenticatorOptions{UserHandle: []byte(ada.ID)})
	credential := virtualwebauthn.NewCredential(virtualwebauthn.KeyTypeEC2)

	// Registration: the state stays on the server between the two requests.
	options, state, err := w.BeginRegistration(ctx, rp, ada, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	creation, err := virtualwebauthn.ParseAttestationOptions(string(options))
	if err != nil {
		fmt.Println(err)
		return
	}
	response := virtualwebauthn.CreateAttestationResponse(browser, authenticator, credential, *creation)
	stored, err := w.FinishRegistration(ctx, rp, ada, state, []byte(response))
	if err != nil {
		fmt.Println(err)
		return
	}
	stored.AgencyID, stored.Name = acme.ID, "Laptop"
	fmt.Println("registered for:", stored.UserID)

	// Sign-in: no user is named; the authenticator answers with its handle.
	options, state, err = w.BeginLogin(ctx, rp)
	if err != nil {
		fmt.Println(err)
		return
	}
	request, err := virtualwebauthn.ParseAssertionOptions(string(options))
	if err != nil {
		fmt.Println(err)
		return
	}
	credential.Counter++
	response = virtualwebauthn.CreateAssertionResponse(browser, authenticator, credential, *request)
	lookup := func(ctx context.Context, credentialID, userHandle []byte) (clientele.Passkey, error) {
		// A store would find the credential by id, check its agency and
		// that userHandle is its user.
		if string(credentialID) != string(stored.ID) || string(userHandle) != string(stored.UserID) {
			return clientele.Passkey{}, clientele.ErrNotFound
		}
		return stored, nil
	}
	used, err := w.FinishLogin(ctx, rp, state, []byte(response), lookup)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in:", used.UserID, "with", used.Name, "sign count", used.SignCount)
	// Output:
	// relying party: portal.acme.com https://portal.acme.com
	// registered for: usr_ada
	// signed in: usr_ada with Laptop sign count 1
}
