package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Length limits of a password.
const (
	// MinLength is the fewest characters (runes) a password may have.
	MinLength = 8
	// MaxLength is the most bytes a password may have. It bounds the work
	// an attacker can ask for, yet allows 64 characters of any script (at
	// most 4 bytes each). A longer password is rejected, never truncated.
	MaxLength = 1024
)

// Errors of the package, matched with [errors.Is].
var (
	// ErrWeakPassword reports a password that [Validate] rejects: too
	// short or too long, not valid UTF-8, or commonly used; the wrapping
	// error says why.
	ErrWeakPassword = errors.New("password: too weak")
	// ErrMismatch reports a password that does not match a hash. It is
	// also the answer for a password too short, too long or not valid
	// UTF-8, so that a caller cannot tell the two apart.
	ErrMismatch = errors.New("password: mismatch")
	// ErrMalformedHash reports an encoded hash that is not a well-formed
	// argon2id PHC string with parameters in range.
	ErrMalformedHash = errors.New("password: malformed hash")
)

// Validate reports whether pw is acceptable as a new password: valid UTF-8,
// no NUL byte, at least [MinLength] characters, at most [MaxLength] bytes,
// and not a commonly used password. The last rule is NIST SP 800-63B's
// blocklist: pw, lowercased, must not be one of the common passwords,
// names and words that zxcvbn ranks (see the package documentation); only
// the whole password is compared, so "password1234" is refused but
// "password1234 for the portal" is not. Failures wrap [ErrWeakPassword]
// and say why. It is safe for concurrent use.
func Validate(pw string) error {
	if err := checkShape(pw); err != nil {
		return err
	}
	if isCommon(pw) {
		return fmt.Errorf("%w: is a commonly used password", ErrWeakPassword)
	}
	return nil
}

// checkShape applies the rules of [Validate] other than the blocklist:
// encoding and length. They bound the work of hashing, so [Hasher.Verify]
// applies them to every password it checks, while the blocklist applies
// only to new passwords.
func checkShape(pw string) error {
	switch {
	case len(pw) > MaxLength:
		return fmt.Errorf("%w: longer than %d bytes", ErrWeakPassword, MaxLength)
	case !utf8.ValidString(pw):
		return fmt.Errorf("%w: invalid UTF-8", ErrWeakPassword)
	case strings.IndexByte(pw, 0) >= 0:
		return fmt.Errorf("%w: contains a NUL byte", ErrWeakPassword)
	case utf8.RuneCountInString(pw) < MinLength:
		return fmt.Errorf("%w: shorter than %d characters", ErrWeakPassword, MinLength)
	}
	return nil
}

// Params are the argon2id cost parameters.
type Params struct {
	Memory  uint32 // in KiB
	Time    uint32 // iterations
	Threads uint8  // degree of parallelism
	SaltLen uint32 // in bytes
	KeyLen  uint32 // in bytes
}

// DefaultParams are OWASP's minimum for argon2id: m=19 MiB, t=2, p=1, with
// a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// The ranges accepted for parameters, both by [WithParams] and in encoded
// hashes, so that a stored hash cannot ask for absurd work.
const (
	maxMemory        = 4 * 1024 * 1024 // KiB: 4 GiB
	maxTime          = 100
	minSalt, maxSalt = 8, 64
	minKey, maxKey   = 16, 128
	// maxEncodedLen exceeds the longest valid encoding (about 300 bytes).
	maxEncodedLen = 512
)

// validate checks p against the accepted ranges.
func (p Params) validate() error {
	switch {
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time must be 1 to %d", maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory must be 8*threads to %d KiB", maxMemory)
	case p.SaltLen < minSalt || p.SaltLen > maxSalt:
		return fmt.Errorf("salt length must be %d to %d bytes", minSalt, maxSalt)
	case p.KeyLen < minKey || p.KeyLen > maxKey:
		return fmt.Errorf("key length must be %d to %d bytes", minKey, maxKey)
	}
	return nil
}

// encode returns the PHC string of an argon2id hash.
func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// decode parses a PHC string strictly: exactly the form encode writes, with
// parameters in the accepted ranges. Failures wrap [ErrMalformedHash].
func decode(s string) (p Params, salt, key []byte, err error) {
	if len(s) > maxEncodedLen {
		return Params{}, nil, nil, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: unsupported version", ErrMalformedHash)
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters", ErrMalformedHash)
	}
	m, okM := number(fields[0], "m=")
	t, okT := number(fields[1], "t=")
	th, okP := number(fields[2], "p=")
	salt, okS := base64Field(parts[4])
	key, okK := base64Field(parts[5])
	if !okM || !okT || !okP || !okS || !okK || m > maxMemory || t > maxTime || th > 255 {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters", ErrMalformedHash)
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// number parses prefix followed by a canonical decimal of at most 10 digits.
func number(field, prefix string) (uint64, bool) {
	s, ok := strings.CutPrefix(field, prefix)
	if !ok || s == "" || len(s) > 10 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// base64Field decodes unpadded standard base64 strictly. It checks the
// alphabet first because the decoder skips CR and LF.
func base64Field(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, false
		}
	}
	b, err := base64.RawStdEncoding.Strict().DecodeString(s)
	return b, err == nil
}
