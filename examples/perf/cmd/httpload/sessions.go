package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// member is one active membership, and so one session of prepare's.
type member struct {
	Client, User, Role string
}

// The sessions file that prepare writes lists one membership per line,
// "client_id TAB user_id TAB role", in the order of (client_id, user_id):
// line i is session i. The run reads its first lines as the warm set and
// all of them for cold requests.

// writeMember writes m as one line of a sessions file.
func writeMember(w *bufio.Writer, m member) error {
	_, err := fmt.Fprintf(w, "%s\t%s\t%s\n", m.Client, m.User, m.Role)
	return err
}

// sessionList is a sessions file held in memory: the file's bytes and the
// offset of each line, so a million sessions cost a few tens of MB and no
// allocation per line.
type sessionList struct {
	data []byte
	off  []uint32 // start of line i; off[len] is len(data)
}

// readSessions reads the first max lines of the sessions file at path
// (all of them when max <= 0).
func readSessions(path string, limit int) (*sessionList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return parseSessions(f, limit)
}

// parseSessions reads the first limit lines of a sessions file from r (all
// when limit <= 0). A line without three tab-separated fields is an error.
func parseSessions(r io.Reader, limit int) (*sessionList, error) {
	var data []byte
	if limit > 0 {
		var buf bytes.Buffer
		sc := bufio.NewScanner(r)
		for n := 0; n < limit && sc.Scan(); n++ {
			buf.Write(sc.Bytes())
			buf.WriteByte('\n')
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
		data = buf.Bytes()
	} else {
		var err error
		if data, err = io.ReadAll(r); err != nil {
			return nil, err
		}
	}
	if len(data) > 1<<32-1 {
		return nil, fmt.Errorf("sessions file of %d bytes is too large", len(data))
	}
	l := &sessionList{data: data, off: make([]uint32, 0, bytes.Count(data, []byte{'\n'})+1)}
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		if bytes.Count(data[start:start+end], []byte{'\t'}) != 2 {
			return nil, fmt.Errorf("sessions file line %d: want client_id, user_id and role separated by tabs", len(l.off)+1)
		}
		l.off = append(l.off, uint32(start))
		start += end + 1
	}
	l.off = append(l.off, uint32(len(data)))
	return l, nil
}

// Len is the number of sessions.
func (l *sessionList) Len() int { return len(l.off) - 1 }

// At returns session i's membership.
func (l *sessionList) At(i int) member {
	line := strings.TrimSuffix(string(l.data[l.off[i]:l.off[i+1]]), "\n")
	c, rest, _ := strings.Cut(line, "\t")
	u, role, _ := strings.Cut(rest, "\t")
	return member{Client: c, User: u, Role: role}
}

// Members returns the first n sessions' memberships (all when n exceeds
// Len).
func (l *sessionList) Members(n int) []member {
	n = min(n, l.Len())
	ms := make([]member, n)
	for i := range ms {
		ms[i] = l.At(i)
	}
	return ms
}

// writeMembersFile writes ms as a sessions file at path.
func writeMembersFile(path string, ms []member) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	w := bufio.NewWriter(f)
	for _, m := range ms {
		if err := writeMember(w, m); err != nil {
			return err
		}
	}
	return w.Flush()
}

// pickFlipSet chooses n users among warm whose roles may be flipped and
// who may be removed: every user but the first Admin listed of each client,
// so no client loses its last Admin. They are spread evenly over the
// candidates, in list order; fewer than n when there are not enough.
func pickFlipSet(warm []member, n int) []member {
	kept := make(map[string]bool)
	var cands []member
	for _, m := range warm {
		if m.Role == "admin" && !kept[m.Client] {
			kept[m.Client] = true
			continue
		}
		cands = append(cands, m)
	}
	if n >= len(cands) {
		return cands
	}
	out := make([]member, 0, n)
	for i := range n {
		out = append(out, cands[i*len(cands)/n])
	}
	return out
}

// coldOrder visits the n sessions after the first skip in an order that
// repeats no session before it has used all n: session skip + (i*stride)
// mod n for the i-th request, with stride prime to n.
type coldOrder struct {
	skip, n, stride uint64
}

// newColdOrder returns the order over sessions skip..skip+n-1 (n > 0).
func newColdOrder(skip, n int) coldOrder {
	s := uint64(n)*618/1000 + 1
	for gcd(s, uint64(n)) != 1 {
		s++
	}
	return coldOrder{skip: uint64(skip), n: uint64(n), stride: s}
}

// At returns the session of the i-th request.
func (o coldOrder) At(i uint64) int {
	return int(o.skip + (i%o.n)*o.stride%o.n)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
