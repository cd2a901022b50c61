package mailfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/clientele/clientele/adapters/mailfile"
	"github.com/clientele/clientele/invite"
)

// Each email becomes one .eml file that any mail program opens.
func Example() {
	dir, err := os.MkdirTemp("", "outbox")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()

	m, err := mailfile.New(dir, "no-reply@portal.example.com")
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
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(names), "file")
	// Output: 1 file
}
