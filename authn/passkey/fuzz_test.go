package passkey_test

import (
	"context"
	"errors"
	"testing"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/authn/passkey"
)

// FuzzFinishLogin feeds arbitrary responses to FinishLogin against a valid
// state and a registered passkey: it never panics, and anything but the
// seeded genuine assertion is refused.
func FuzzFinishLogin(f *testing.F) {
	ctx := context.Background()
	w := newWebAuthn(f, newClock())
	d := newDevice(acme, ada)
	store := &lookupOf{stored: []clientele.Passkey{register(f, w, acme, ada, d)}}
	options, state, err := w.BeginLogin(ctx, acme)
	if err != nil {
		f.Fatal(err)
	}
	genuine := d.get(f, options)

	f.Add(genuine)
	f.Add(resign(genuine))
	f.Add([]byte(""))
	f.Add([]byte("{}"))
	f.Add([]byte("null"))
	f.Add([]byte(`{"id":"","rawId":"","type":"public-key","response":{}}`))
	f.Add([]byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"authenticatorData":"AA","clientDataJSON":"e30","signature":"AA","userHandle":"AA"}}`))

	f.Fuzz(func(t *testing.T, response []byte) {
		lookup := func(ctx context.Context, id, handle []byte) (clientele.Passkey, error) {
			return store.stored[0], nil
		}
		_, err := w.FinishLogin(ctx, acme, state, response, lookup)
		if err != nil && !errors.Is(err, passkey.ErrVerify) && !errors.Is(err, passkey.ErrCounter) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
