// Package authn holds the credentials and sessions of client users; see its
// subpackages, such as [github.com/clientele/clientele/authn/password].
package authn
