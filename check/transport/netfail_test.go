package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// urlErr wraps err the way http.Client does, with a URL holding a query that
// must never reach the text.
func urlErr(err error) error {
	return &url.Error{Op: "Get", URL: "https://id.example.com/.well-known/jwks?sig=SECRETQUERY", Err: err}
}

func dialErr(err error) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: err}}
}

func TestDescribeNetErr(t *testing.T) {
	cert := &x509.Certificate{
		Subject:   pkix.Name{CommonName: "proxy.corp.example"},
		Issuer:    pkix.Name{CommonName: "Corp Inspection CA"},
		DNSNames:  []string{"other.example.com"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	tests := []struct {
		name    string
		err     error
		kind    Kind
		summary []string // substrings
		hint    []string
	}{
		{"dns not found", urlErr(&net.DNSError{Err: "no such host", Name: "id.example.com", IsNotFound: true}),
			KindDNS, []string{"DNS lookup of id.example.com", "no such host"}, []string{"nslookup id.example.com"}},
		{"dns timeout", urlErr(&net.DNSError{Err: "i/o timeout", Name: "id.example.com", IsTimeout: true}),
			KindDNS, []string{"resolver timed out"}, []string{"resolv.conf"}},
		{"refused", urlErr(dialErr(syscall.ECONNREFUSED)),
			KindRefused, []string{"refused", "id.example.com"}, []string{"port 443"}},
		{"reset while waiting", urlErr(&StepError{Step: netStepWait, Err: dialErr(syscall.ECONNRESET)}),
			KindReset, []string{"reset", "while waiting for the response headers"}, []string{"firewall or proxy"}},
		{"eof", urlErr(io.EOF),
			KindEOF, []string{"closed the connection"}, nil},
		{"unexpected eof in body", &StepError{Step: netStepBody, Err: io.ErrUnexpectedEOF},
			KindEOF, []string{"closed the connection", "while reading the response body"}, nil},
		{"unknown authority", urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: cert}}),
			KindUnknownCA, []string{"authority this worker does not trust", "Corp Inspection CA"}, []string{"TLS-inspecting proxy", "SSL_CERT_FILE"}},
		{"expired", urlErr(&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}}),
			KindCertExpired, []string{"expired or not yet valid", "2021-01-01T00:00:00Z"}, []string{"renew", "date -u"}},
		{"hostname mismatch", urlErr(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: cert, Host: "id.example.com"}}),
			KindCertHostname, []string{"not valid for that name", "other.example.com"}, []string{"openssl s_client -connect id.example.com:443"}},
		{"not tls", urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}),
			KindNotTLS, []string{"did not answer with TLS"}, nil},
		{"deadline while connecting", urlErr(&StepError{Step: netStepConnect, Err: context.DeadlineExceeded}),
			KindTimeout, []string{"timed out", "while connecting"}, []string{"silently drop"}},
		{"deadline waiting", urlErr(&StepError{Step: netStepWait, Err: context.DeadlineExceeded}),
			KindTimeout, []string{"timed out", "while waiting for the response headers"}, []string{"slow to answer"}},
		{"os deadline", urlErr(os.ErrDeadlineExceeded),
			KindTimeout, []string{"timed out"}, nil},
		{"proxy refused", urlErr(&net.OpError{Op: "proxyconnect", Net: "tcp", Err: dialErr(syscall.ECONNREFUSED)}),
			KindProxy, []string{"HTTPS proxy", "id.example.com", "connection refused"}, []string{"HTTPS_PROXY", "NO_PROXY", "SPACELIFT_WHITELIST_ENVS"}},
		{"proxy dns", urlErr(&net.OpError{Op: "proxyconnect", Net: "tcp", Err: &net.DNSError{Name: "proxy", IsNotFound: true}}),
			KindProxy, []string{"HTTPS proxy", "does not resolve"}, []string{"HTTPS_PROXY"}},
		{"unreachable", urlErr(dialErr(syscall.EHOSTUNREACH)),
			KindUnreachable, []string{"no route to id.example.com"}, nil},
		{"cancelled", urlErr(context.Canceled),
			KindCancelled, []string{"cancelled"}, nil},
		{"other keeps cause without query", urlErr(fmt.Errorf("stopped after https://id.example.com/x?token=SECRETQUERY#frag")),
			KindOther, []string{"failed: stopped after https://id.example.com/x"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.kind {
				t.Errorf("Classify = %q, want %q", got, tt.kind)
			}
			summary, hint := Describe("id.example.com", tt.err)
			for _, s := range tt.summary {
				if !strings.Contains(summary, s) {
					t.Errorf("summary %q lacks %q", summary, s)
				}
			}
			for _, s := range tt.hint {
				if !strings.Contains(hint, s) {
					t.Errorf("hint %q lacks %q", hint, s)
				}
			}
			if hint == "" {
				t.Error("empty hint")
			}
			for _, text := range []string{summary, hint} {
				if strings.Contains(text, "SECRETQUERY") || strings.Contains(text, "?") && strings.Contains(text, "sig=") {
					t.Errorf("text leaks the URL query: %q", text)
				}
			}
		})
	}
}

func TestDescribeNetErrNil(t *testing.T) {
	if s, h := Describe("x", nil); s != "" || h != "" {
		t.Errorf("Describe(nil) = %q, %q; want empty", s, h)
	}
}

func TestNetStripURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{`Get "https://u:p@h.example/p?q=1#f": boom`, `Get "https://h.example/p": boom`},
		{"http and https://a.example?x=1 end", "http and https://a.example end"},
		{"httpd says hi", "httpd says hi"},
	}
	for _, tt := range tests {
		if got := StripURLs(tt.in); got != tt.want {
			t.Errorf("StripURLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNetStepErrorUnwraps(t *testing.T) {
	err := &StepError{Step: netStepTLS, Err: context.DeadlineExceeded}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("StepError does not unwrap")
	}
}

// TestSafeCauseDropsQuotedAnswers: MSAL quotes an answer it could not
// decode whole; SafeCause keeps the error and drops the quote, whatever it
// holds (a marker that is no JWT, so the mask cannot be what removes it),
// and masks a token anywhere else. GUIDs and URLs without secrets stay.
func TestSafeCauseDropsQuotedAnswers(t *testing.T) {
	const marker = "SECRET-MARKER-not-a-jwt"
	for _, quote := range []string{"raw message was:", "json message bytes were:"} {
		err := fmt.Errorf("json decode error: invalid character '}'\n%s {\"access_token\":%q}", quote, marker)
		got := SafeCause(err)
		if strings.Contains(got, marker) || strings.Contains(got, "[REDACTED") {
			t.Errorf("%s: %q", quote, got)
		}
		if !strings.HasPrefix(got, "json decode error: invalid character '}'") {
			t.Errorf("%s: the error itself is gone: %q", quote, got)
		}
	}
	const id = "5c2a7e14-9b3d-4f61-8a0e-3d7c91b2e6f4"
	err := errors.New("tenant " + id + " at https://login.microsoftonline.com/" + id + "/v2.0 refused eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ")
	got := SafeCause(err)
	if strings.Contains(got, "eyJ") || !strings.Contains(got, "tenant "+id+" at https://login.microsoftonline.com/"+id+"/v2.0 refused") {
		t.Errorf("%q", got)
	}
}
