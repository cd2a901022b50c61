package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionsFileRoundTrip(t *testing.T) {
	ms := []member{{"cli_1", "usr_1", "admin"}, {"cli_1", "usr_2", "member"}, {"cli_2", "usr_3", "admin"}}
	path := filepath.Join(t.TempDir(), "sessions.tsv")
	require.NoError(t, writeMembersFile(path, ms))

	all, err := readSessions(path, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, all.Len())
	assert.Equal(t, ms, all.Members(10))
	assert.Equal(t, ms[2], all.At(2))

	first, err := readSessions(path, 2)
	require.NoError(t, err)
	assert.Equal(t, ms[:2], first.Members(10))

	for name, body := range map[string]string{
		"two fields":  "cli_1\tusr_1\n",
		"four fields": "cli_1\tusr_1\tadmin\tx\n",
	} {
		_, err := parseSessions(strings.NewReader(body), 0)
		assert.Error(t, err, name)
	}
	empty, err := parseSessions(strings.NewReader(""), 0)
	require.NoError(t, err)
	assert.Zero(t, empty.Len())
	noNewline, err := parseSessions(strings.NewReader("a\tb\tmember"), 0)
	require.NoError(t, err)
	assert.Equal(t, []member{{"a", "b", "member"}}, noNewline.Members(5))
}

func TestPickFlipSet(t *testing.T) {
	warm := []member{
		{"c1", "u1", "admin"}, {"c1", "u2", "member"}, {"c1", "u3", "admin"},
		{"c2", "u4", "member"}, {"c2", "u5", "admin"}, {"c2", "u6", "member"},
		{"c3", "u7", "member"},
	}
	all := pickFlipSet(warm, 100)
	assert.Equal(t, []member{{"c1", "u2", "member"}, {"c1", "u3", "admin"}, {"c2", "u4", "member"},
		{"c2", "u6", "member"}, {"c3", "u7", "member"}}, all, "every user but each client's first Admin")
	two := pickFlipSet(warm, 2)
	assert.Equal(t, []member{all[0], all[2]}, two, "spread evenly")
	assert.Empty(t, pickFlipSet(warm, 0))
}

func TestColdOrderVisitsEverySessionOnce(t *testing.T) {
	for _, n := range []int{1, 2, 10, 1000, 999983, 1000000 - 10000} {
		o := newColdOrder(10000, n)
		require.Equal(t, uint64(1), gcd(o.stride, uint64(n)), "n=%d", n)
		seen := make([]bool, n)
		for i := range uint64(n) {
			s := o.At(i) - 10000
			if s < 0 || s >= n || seen[s] {
				t.Fatalf("n=%d: request %d: session %d out of range or twice", n, i, s+10000)
			}
			seen[s] = true
		}
		assert.Equal(t, o.At(0), o.At(uint64(n)), "n=%d: wraps around", n)
	}
}
