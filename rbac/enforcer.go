package rbac

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v3"
	"github.com/casbin/casbin/v3/model"
	"github.com/clientele/clientele"
)

// The Casbin model and the default policy, embedded: nothing is read from
// the file system at run time.
var (
	//go:embed model.conf
	modelConf string
	//go:embed policy.csv
	defaultPolicy string
)

// noPermission stands for an empty [Rule.Requires] in policy lines.
const noPermission = "-"

// builtinPermissions are known to every Authorizer.
var builtinPermissions = []clientele.Permission{
	clientele.PermManageBilling, clientele.PermViewReports, clientele.PermExportData,
}

// newEnforcer returns a Casbin enforcer of the embedded model with no
// policy and no adapter. It is not safe for concurrent use.
func newEnforcer() (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("rbac: casbin model: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("rbac: casbin enforcer: %w", err)
	}
	e.AddFunction("hasPerm", hasPerm)
	return e, nil
}

// hasPerm is the matcher function hasPerm(r.perms, p.perm): whether the
// request's clientele.PermissionSet holds the permission.
func hasPerm(args ...any) (any, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("rbac: hasPerm wants 2 arguments, got %d", len(args))
	}
	set, ok := args[0].(clientele.PermissionSet)
	if !ok {
		return false, fmt.Errorf("rbac: hasPerm: permissions are %T, want clientele.PermissionSet", args[0])
	}
	perm, ok := args[1].(string)
	if !ok {
		return false, fmt.Errorf("rbac: hasPerm: permission is %T, want string", args[1])
	}
	return set.Has(clientele.Permission(perm)), nil
}

// lines turns rules into Casbin policy lines (sub, act, perm).
func lines(rules []Rule) [][]string {
	out := make([][]string, len(rules))
	for i, r := range rules {
		perm := string(r.Requires)
		if perm == "" {
			perm = noPermission
		}
		out[i] = []string{string(r.Subject), string(r.Action), perm}
	}
	return out
}

// parsePolicy reads policy text of "p, sub, act, perm" lines; blank lines
// and lines starting with # are skipped.
func parsePolicy(text string) ([]Rule, error) {
	var rules []Rule
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if len(fields) != 4 || fields[0] != "p" {
			return nil, fmt.Errorf("%w: policy line %d: want \"p, sub, act, perm\"", clientele.ErrInvalidArgument, n+1)
		}
		r, err := ruleFromLine(fields[1:])
		if err != nil {
			return nil, fmt.Errorf("policy line %d: %w", n+1, err)
		}
		rules = append(rules, r)
	}
	return rules, nil
}
