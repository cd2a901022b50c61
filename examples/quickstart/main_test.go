package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuickstartWalksTheLifecycle(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	s := out.String()
	for _, want := range []string{
		"Ada Lovelace is now admin of Globex",
		"Bob may not invite: rbac: denied",
		"Bob billing now: true",
		"old link: invite: invitation replaced by a newer one",
		"new link, 8 days later: invite: invitation expired",
		"carol@globex.example   member  pending",
		"Bob's membership is gone: true",
		"refused, last Admin: true",
		"9 events; newest: member.remove of Bob by Ada (before: admin)",
		"the agency's whole log is the agency's: true",
	} {
		assert.Contains(t, s, want)
	}
}
