package tenancy

import "errors"

// ErrLastAdmin reports a removal or demotion by a client user
// that would leave the client without an active Admin. The agency admin is
// not bound by it.
var ErrLastAdmin = errors.New("tenancy: the client's last active admin")
