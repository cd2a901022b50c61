package authn

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address a request comes from, for rate limits. It
// is the connection's peer, unless that peer is one of trusted (the host's
// reverse proxies): then the right-most address of X-Forwarded-For that is
// not itself a trusted proxy. Headers from anyone else are ignored, so a
// client cannot choose its own address. An unparsable peer gives the zero
// Addr.
func ClientIP(r *http.Request, trusted []netip.Prefix) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !within(peer, trusted) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a malformed hop: trust nothing further left
		}
		a = a.Unmap()
		if !within(a, trusted) {
			return a
		}
	}
	return peer
}

func within(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
