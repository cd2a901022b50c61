package password_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele/clientele/authn/password"
)

func ExampleHasher() {
	ctx := context.Background()
	h, err := password.New() // DefaultParams, one computation per CPU at a time
	if err != nil {
		fmt.Println(err)
		return
	}

	encoded, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("stored:", strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$"))

	needsRehash, err := h.Verify(ctx, "correct horse battery staple", encoded)
	fmt.Println("verified:", err == nil, "needs rehash:", needsRehash)

	_, err = h.Verify(ctx, "Correct horse battery staple", encoded)
	fmt.Println("wrong password:", errors.Is(err, password.ErrMismatch))

	_, err = h.Hash(ctx, "short")
	fmt.Println(err)
	// Output:
	// stored: true
	// verified: true needs rehash: false
	// wrong password: true
	// password: too weak: shorter than 8 characters
}

func ExampleValidate() {
	for _, pw := range []string{"Password1234", "iloveyou", "correct horse battery staple", "short"} {
		err := password.Validate(pw)
		fmt.Printf("%-30q weak: %-5v %v\n", pw, errors.Is(err, password.ErrWeakPassword), err)
	}
	// Output:
	// "Password1234"                 weak: true  password: too weak: is a commonly used password
	// "iloveyou"                     weak: true  password: too weak: is a commonly used password
	// "correct horse battery staple" weak: false <nil>
	// "short"                        weak: true  password: too weak: shorter than 8 characters
}
