package smtpmail_test

import (
	"context"
	"fmt"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"

	"github.com/clientele/clientele/adapters/smtpmail"
	"github.com/clientele/clientele/invite"
)

// A Mailer configured by one URL sends to the server; here a local mock.
func Example() {
	server := smtpmock.New(smtpmock.ConfigurationAttr{HostAddress: "127.0.0.1", MultipleMessageReceiving: true})
	if err := server.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = server.Stop() }()

	m, err := smtpmail.New(fmt.Sprintf("smtp://127.0.0.1:%d", server.PortNumber()), "no-reply@portal.example.com",
		smtpmail.WithHELO("localhost"))
	if err != nil {
		fmt.Println(err)
		return
	}
	err = m.Send(context.Background(), invite.Message{To: "ada@example.com", FromName: "Acme", Subject: "Hello",
		Text: "Hello Ada", HTML: "<p>Hello Ada</p>"})
	if err != nil {
		fmt.Println(err)
		return
	}
	msgs, err := server.WaitForMessages(1, 5*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(msgs), "message received")
	// Output: 1 message received
}
