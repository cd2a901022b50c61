package mailmsg

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Parsed is a message read back by Parse, for the adapters' tests.
type Parsed struct {
	Header mail.Header
	// From is the decoded From address, Subject the decoded subject.
	From    *mail.Address
	Subject string
	// Type is the top-level media type; Text and HTML the decoded bodies.
	Type string
	Text string
	HTML string
}

// Parse reads an RFC 5322 message as Build makes it: headers, and a
// text/plain body or a multipart/alternative of text/plain and text/html,
// each quoted-printable, base64 or 7/8bit.
func Parse(r io.Reader) (Parsed, error) {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: m.Header}
	if p.From, err = mail.ParseAddress(m.Header.Get("From")); err != nil {
		return Parsed{}, fmt.Errorf("from: %w", err)
	}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return Parsed{}, fmt.Errorf("subject: %w", err)
	}
	typ, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return Parsed{}, fmt.Errorf("content type: %w", err)
	}
	p.Type = typ
	if !strings.HasPrefix(typ, "multipart/") {
		p.Text, err = decode(m.Body, m.Header.Get("Content-Transfer-Encoding"))
		return p, err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return Parsed{}, err
		}
		body, err := decode(part, part.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return Parsed{}, err
		}
		switch pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); pt {
		case "text/plain":
			p.Text = body
		case "text/html":
			p.HTML = body
		}
	}
}

func decode(r io.Reader, encoding string) (string, error) {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // line breaks are skipped
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
