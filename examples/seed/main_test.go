package main

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele/clientele"
)

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-db", "postgres://u@h/db", "-clients", "100000", "-users-per-client", "10",
		"-invitations-per-client", "10"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, Config{DSN: "postgres://u@h/db", Clients: 100000, UsersPerClient: 10, InvitationsPerClient: 10,
		AgencyName: defaultAgencyName, Password: defaultPassword}, cfg)

	for name, args := range map[string][]string{
		"no db":             {"-clients", "1", "-users-per-client", "1"},
		"unknown db":        {"-db", "oracle://x", "-clients", "1", "-users-per-client", "1"},
		"no clients":        {"-db", "sqlite:x", "-clients", "0", "-users-per-client", "1"},
		"no users":          {"-db", "sqlite:x", "-clients", "1"},
		"too many users":    {"-db", "sqlite:x", "-clients", "1", "-users-per-client", "1001"},
		"negative invites":  {"-db", "sqlite:x", "-clients", "1", "-users-per-client", "1", "-invitations-per-client", "-1"},
		"too many invites":  {"-db", "sqlite:x", "-clients", "1", "-users-per-client", "1", "-invitations-per-client", "1001"},
		"blank agency name": {"-db", "sqlite:x", "-clients", "1", "-users-per-client", "1", "-agency-name", " "},
		"weak password":     {"-db", "sqlite:x", "-clients", "1", "-users-per-client", "1", "-password", "short"},
	} {
		_, err := parseFlags(args, io.Discard)
		assert.ErrorIs(t, err, clientele.ErrInvalidArgument, name)
	}

	_, err = parseFlags([]string{"-clients", "x"}, io.Discard)
	assert.Error(t, err, "syntax")
	_, err = parseFlags([]string{"-h"}, io.Discard)
	assert.True(t, errors.Is(err, flag.ErrHelp))
}
