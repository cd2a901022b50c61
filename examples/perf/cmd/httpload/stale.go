package main

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
)

// state is what GET /api/v1/me can show of a flip-set user: its role, or
// that it was removed (401).
type state struct {
	Removed bool
	Role    string
}

func (s state) String() string {
	if s.Removed {
		return "removed"
	}
	return s.Role
}

// Op kinds of the flip log.
const (
	opRole   = "role"
	opRemove = "remove"
)

// flipOp is one line of the flip log: a write through tenancy.Service with
// the wall clock (UnixNano) just before the call and just after it
// returned, then the very next request's answer.
type flipOp struct {
	User    string `json:"user"`
	Client  string `json:"client"`
	Op      string `json:"op"`             // opRole or opRemove
	Role    string `json:"role,omitempty"` // the new role of opRole
	StartNS int64  `json:"start_ns"`
	EndNS   int64  `json:"end_ns"`
	Err     string `json:"err,omitempty"`
	// The GET /api/v1/me sent with the user's session right after the op
	// returned: its status, role, and whether it showed the op's result.
	NextStatus int    `json:"next_status"`
	NextRole   string `json:"next_role,omitempty"`
	NextOK     bool   `json:"next_ok"`
}

// result is the state the op leaves.
func (o flipOp) result() state {
	if o.Op == opRemove {
		return state{Removed: true}
	}
	return state{Role: o.Role}
}

// answer is one recorded response of the load to a flip-set user, with
// the wall clock (UnixNano) just before sending and after the body was
// read.
type answer struct {
	User   string
	SendNS int64
	RecvNS int64
	Status int    // 0 for a transport error
	Role   string // of a 200
}

// observed is the state an answer shows; false for an answer that shows
// none (neither 200 nor 401).
func (a answer) observed() (state, bool) {
	switch a.Status {
	case http.StatusOK:
		return state{Role: a.Role}, true
	case http.StatusUnauthorized:
		return state{Removed: true}, true
	}
	return state{}, false
}

// verdict classes of an answer.
type verdict int

const (
	fresh        verdict = iota // the state before the request, or one an overlapping op set
	stale                       // a state the user had earlier but no longer had when the request was sent
	wrong                       // a state the user never had (a 401 without a removal)
	unclassified                // neither 200 nor 401: shows no state
)

func (v verdict) String() string {
	return [...]string{fresh: "fresh", stale: "stale", wrong: "wrong", unclassified: "unclassified"}[v]
}

// checkTally counts verdicts; Examples keeps the first few bad answers.
type checkTally struct {
	Checked, Fresh, Stale, Wrong, Unclassified int
	Examples                                   []string
}

// checker judges answers against the flip log. The rule: for an answer
// whose request was sent at send and read by recv, let S0 be the user's
// state after the last op that ended at or before send (its initial state
// when none did); any op whose [start, end] overlaps [send, recv] may also
// show its result. An answer showing none of these is stale when it shows
// a state the user held before send, else wrong. Failed ops (Err set)
// change nothing: the library's writes are transactions.
type checker struct {
	initial map[string]state
	ops     map[string][]flipOp // by user, by end time
}

// newChecker indexes ops; initial holds each flip-set user's state before
// the first op.
func newChecker(initial map[string]state, ops []flipOp) *checker {
	c := &checker{initial: initial, ops: make(map[string][]flipOp)}
	for _, o := range ops {
		if o.Err == "" {
			c.ops[o.User] = append(c.ops[o.User], o)
		}
	}
	for _, l := range c.ops {
		slices.SortFunc(l, func(a, b flipOp) int { return cmp.Compare(a.EndNS, b.EndNS) })
	}
	return c
}

// judge classifies a.
func (c *checker) judge(a answer) verdict {
	got, ok := a.observed()
	if !ok {
		return unclassified
	}
	s0, known := c.initial[a.User]
	if !known {
		return wrong
	}
	held := []state{s0} // every state before send, s0 last
	allowed := []state{}
	for _, o := range c.ops[a.User] {
		if o.EndNS <= a.SendNS {
			s0 = o.result()
			held = append(held, s0)
			continue
		}
		if o.StartNS < a.RecvNS { // and it ends after send: overlaps
			allowed = append(allowed, o.result())
		}
	}
	if got == s0 || slices.Contains(allowed, got) {
		return fresh
	}
	if slices.Contains(held, got) {
		return stale
	}
	return wrong
}

// check judges every answer.
func (c *checker) check(answers []answer) checkTally {
	var t checkTally
	for _, a := range answers {
		t.Checked++
		v := c.judge(a)
		switch v {
		case fresh:
			t.Fresh++
		case stale:
			t.Stale++
		case wrong:
			t.Wrong++
		case unclassified:
			t.Unclassified++
		}
		if (v == stale || v == wrong) && len(t.Examples) < 5 {
			got, _ := a.observed()
			t.Examples = append(t.Examples, fmt.Sprintf("%s: user %s sent %d received %d: %d %s",
				v, a.User, a.SendNS, a.RecvNS, a.Status, got))
		}
	}
	return t
}

// nextTally counts the flip log's very-next-request checks.
type nextTally struct {
	Ops, Failed, Mismatches int
}

// tallyNext counts ops, failed ops and successful ops whose very next
// request did not show their result.
func tallyNext(ops []flipOp) nextTally {
	var t nextTally
	for _, o := range ops {
		t.Ops++
		switch {
		case o.Err != "":
			t.Failed++
		case !o.NextOK:
			t.Mismatches++
		}
	}
	return t
}

// nextShows reports whether the very next answer (status, role) shows the
// result of op.
func nextShows(o flipOp, status int, role string) bool {
	got, ok := answer{Status: status, Role: role}.observed()
	return ok && got == o.result()
}
