package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/clientele/clientele"
	"github.com/clientele/clientele/invite"
)

func TestNewNoticeAndCheckNotice(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := invite.NewNotice("agy_1", "cli_1", "usr_1", invite.NoticePasskeyRemoved, now)
	assert.Equal(t, invite.Delivery{ID: d.ID, Kind: invite.KindNotice, AgencyID: "agy_1", ClientID: "cli_1", UserID: "usr_1",
		Notice: invite.NoticePasskeyRemoved, NextAttemptAt: now, CreatedAt: now}, d, "due now")
	assert.Regexp(t, `^dlv_[a-z0-9]+$`, d.ID)
	assert.NotEqual(t, d.ID, invite.NewNotice("agy_1", "cli_1", "usr_1", invite.NoticePasskeyRemoved, now).ID, "fresh ids")
	assert.NoError(t, invite.CheckNotice(d))

	for name, change := range map[string]func(*invite.Delivery){
		"no id":          func(d *invite.Delivery) { d.ID = "" },
		"malformed id":   func(d *invite.Delivery) { d.ID = "dlv 1" },
		"invitation":     func(d *invite.Delivery) { d.Kind = invite.KindInvitation },
		"no kind":        func(d *invite.Delivery) { d.Kind = "" },
		"an invitation":  func(d *invite.Delivery) { d.InvitationID = "inv_1" },
		"no agency":      func(d *invite.Delivery) { d.AgencyID = "" },
		"no client":      func(d *invite.Delivery) { d.ClientID = "" },
		"no user":        func(d *invite.Delivery) { d.UserID = "" },
		"malformed user": func(d *invite.Delivery) { d.UserID = "usr\x00" },
		"no notice":      func(d *invite.Delivery) { d.Notice = "" },
		"unknown notice": func(d *invite.Delivery) { d.Notice = "account_deleted" },
		"attempted":      func(d *invite.Delivery) { d.Attempts = 1 },
		"failed":         func(d *invite.Delivery) { d.LastError = "smtp 451" },
		"sent":           func(d *invite.Delivery) { d.SentAt = &now },
		"no due time":    func(d *invite.Delivery) { d.NextAttemptAt = time.Time{} },
		"no created":     func(d *invite.Delivery) { d.CreatedAt = time.Time{} },
	} {
		bad := d
		change(&bad)
		assert.ErrorIs(t, invite.CheckNotice(bad), clientele.ErrInvalidArgument, name)
	}

	inv := clientele.Invitation{ID: "inv_1", AgencyID: "agy_1", ClientID: "cli_1"}
	q := invite.Delivery{ID: "dlv_1", Kind: invite.KindInvitation, AgencyID: "agy_1", ClientID: "cli_1", InvitationID: "inv_1",
		NextAttemptAt: now, CreatedAt: now}
	assert.NoError(t, invite.CheckQueued(q, inv))
	assert.ErrorIs(t, invite.CheckQueued(d, inv), clientele.ErrInvalidArgument, "a notice is not an invitation's delivery")
}
