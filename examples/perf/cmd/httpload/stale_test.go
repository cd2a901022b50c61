package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The timelines below are in nanoseconds on one clock. User "u" starts as
// a member; op a makes it an admin during [100, 200]; op b makes it a
// member again during [300, 400]; op c removes it during [500, 600].
var (
	opA = flipOp{User: "u", Op: opRole, Role: "admin", StartNS: 100, EndNS: 200}
	opB = flipOp{User: "u", Op: opRole, Role: "member", StartNS: 300, EndNS: 400}
	opC = flipOp{User: "u", Op: opRemove, StartNS: 500, EndNS: 600}
)

func TestCheckerJudge(t *testing.T) {
	initial := map[string]state{"u": {Role: "member"}, "v": {Role: "admin"}}
	ops := []flipOp{opC, opA, opB} // any order: sorted by end
	ok := func(role string) answer { return answer{User: "u", Status: 200, Role: role} }
	gone := answer{User: "u", Status: 401}
	at := func(a answer, send, recv int64) answer { a.SendNS, a.RecvNS = send, recv; return a }
	tests := []struct {
		name string
		a    answer
		want verdict
	}{
		{"initial role before any op", at(ok("member"), 10, 50), fresh},
		{"new role before its op started", at(ok("admin"), 10, 50), wrong},
		{"401 with no removal at all", at(gone, 10, 50), wrong},
		{"old role while the op runs", at(ok("member"), 150, 160), fresh},
		{"new role while the op runs", at(ok("admin"), 150, 160), fresh},
		{"request spanning the op's start", at(ok("admin"), 50, 120), fresh},
		{"request ending exactly at the op's start", at(ok("admin"), 50, 100), wrong},
		{"request spanning the op's end", at(ok("member"), 190, 250), fresh},
		{"new role after the op returned", at(ok("admin"), 210, 250), fresh},
		{"old role after the op returned", at(ok("member"), 210, 250), stale},
		{"sent exactly when the op returned", at(ok("member"), 200, 250), stale},
		{"role of two ops back, during the next op", at(ok("member"), 350, 360), fresh},
		{"request spanning two ops", at(ok("member"), 150, 350), fresh},
		{"request spanning two ops, their middle state", at(ok("admin"), 150, 350), fresh},
		{"role after the next op returned", at(ok("admin"), 450, 480), stale},
		{"200 while the removal runs", at(ok("member"), 550, 560), fresh},
		{"401 while the removal runs", at(gone, 550, 560), fresh},
		{"401 after the removal returned", at(gone, 650, 700), fresh},
		{"200 after the removal returned", at(ok("member"), 650, 700), stale},
		{"200 with the role of two ops back after the removal", at(ok("admin"), 650, 700), stale},
		{"401 before the removal started", at(gone, 450, 480), wrong},
		{"a role never set", at(ok("owner"), 10, 50), wrong},
		{"500 shows no state", at(answer{User: "u", Status: 500}, 650, 700), unclassified},
		{"transport error shows no state", at(answer{User: "u"}, 650, 700), unclassified},
		{"user without ops keeps its role", answer{User: "v", Status: 200, Role: "admin", SendNS: 650, RecvNS: 700}, fresh},
		{"user without ops answering 401", answer{User: "v", Status: 401, SendNS: 650, RecvNS: 700}, wrong},
		{"user not in the flip set", answer{User: "w", Status: 200, Role: "admin", SendNS: 650, RecvNS: 700}, wrong},
	}
	c := newChecker(initial, ops)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, c.judge(tt.a), "%+v", tt.a)
		})
	}
}

func TestCheckerIgnoresFailedOps(t *testing.T) {
	failed := opA
	failed.Err = "tenancy: change role: boom"
	c := newChecker(map[string]state{"u": {Role: "member"}}, []flipOp{failed})
	assert.Equal(t, fresh, c.judge(answer{User: "u", Status: 200, Role: "member", SendNS: 250, RecvNS: 260}))
	assert.Equal(t, wrong, c.judge(answer{User: "u", Status: 200, Role: "admin", SendNS: 150, RecvNS: 160}),
		"a failed op's role is not allowed even while it runs")
}

func TestCheckTally(t *testing.T) {
	c := newChecker(map[string]state{"u": {Role: "member"}}, []flipOp{opA, opC})
	got := c.check([]answer{
		{User: "u", Status: 200, Role: "member", SendNS: 10, RecvNS: 20},   // fresh
		{User: "u", Status: 200, Role: "admin", SendNS: 250, RecvNS: 260},  // fresh
		{User: "u", Status: 200, Role: "member", SendNS: 250, RecvNS: 260}, // stale
		{User: "u", Status: 401, SendNS: 10, RecvNS: 20},                   // wrong
		{User: "u", Status: 503, SendNS: 10, RecvNS: 20},                   // unclassified
	})
	assert.Equal(t, 5, got.Checked)
	assert.Equal(t, 2, got.Fresh)
	assert.Equal(t, 1, got.Stale)
	assert.Equal(t, 1, got.Wrong)
	assert.Equal(t, 1, got.Unclassified)
	require.Len(t, got.Examples, 2)
	assert.Contains(t, got.Examples[0], "stale")
	assert.Contains(t, got.Examples[1], "wrong")
}

func TestNextShows(t *testing.T) {
	tests := []struct {
		name   string
		op     flipOp
		status int
		role   string
		want   bool
	}{
		{"new role", opA, 200, "admin", true},
		{"old role", opA, 200, "member", false},
		{"401 after a role change", opA, 401, "", false},
		{"401 after a removal", opC, 401, "", true},
		{"200 after a removal", opC, 200, "member", false},
		{"server error", opA, 500, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nextShows(tt.op, tt.status, tt.role))
		})
	}
}

func TestTallyNext(t *testing.T) {
	okOp := opA
	okOp.NextOK = true
	missed := opB
	failed := opC
	failed.Err = "boom"
	assert.Equal(t, nextTally{Ops: 3, Failed: 1, Mismatches: 1}, tallyNext([]flipOp{okOp, missed, failed}))
}

func TestPlanOp(t *testing.T) {
	tests := []struct {
		role   string
		remove bool
		want   flipOp
	}{
		{"member", false, flipOp{User: "u", Client: "c", Op: opRole, Role: "admin"}},
		{"admin", false, flipOp{User: "u", Client: "c", Op: opRole, Role: "member"}},
		{"admin", true, flipOp{User: "u", Client: "c", Op: opRemove}},
		{"member", true, flipOp{User: "u", Client: "c", Op: opRemove}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, planOp(member{"c", "u", tt.role}, tt.remove), "%s remove=%v", tt.role, tt.remove)
	}
}
