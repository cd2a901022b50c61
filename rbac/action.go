package rbac

// Action is something a principal may be allowed to do, such as
// [ActionUseBilling]. A valid action is 1 to 64 bytes of printable ASCII
// without spaces or commas. Hosts may define their own actions through
// rules.
type Action string

// The actions of the agency: managing clients and the agency itself.
const (
	ActionListClients    Action = "clients.list"
	ActionCreateClient   Action = "clients.create"
	ActionSetPermissions Action = "clients.set_permissions"
	ActionSetBranding    Action = "agency.set_branding"
	ActionViewClient     Action = "clients.view"
)

// The actions on the users of one client.
const (
	ActionListUsers        Action = "users.list"
	ActionInvite           Action = "invitations.create"
	ActionResendInvitation Action = "invitations.resend"
	ActionCancelInvitation Action = "invitations.cancel"
	ActionChangeRole       Action = "users.change_role"
	ActionRemoveUser       Action = "users.remove"
	ActionDeactivateUser   Action = "users.deactivate"
	ActionReactivateUser   Action = "users.reactivate"
)

// The client's features, which also need the client's permission.
const (
	ActionUseBilling Action = "billing.use"
	ActionUseReports Action = "reports.use"
	ActionExportData Action = "data.export"
	ActionViewAudit  Action = "audit.view"
)

// maxNameLen bounds actions and subjects, as clientele does permissions.
const maxNameLen = 64

// valid reports whether a is 1 to 64 bytes of printable ASCII other than
// space and comma (Casbin keys policy lines by their comma-joined fields).
func (a Action) valid() bool {
	if len(a) == 0 || len(a) > maxNameLen {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; c <= ' ' || c >= 0x7f || c == ',' {
			return false
		}
	}
	return true
}
