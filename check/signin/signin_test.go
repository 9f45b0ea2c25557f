package signin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/explain"
)

// With no answer and nothing recorded, the error itself decides (a
// deadline is a timeout), and nothing of its text is kept when it quotes
// an answer.
func TestReadWithoutAnswer(t *testing.T) {
	x := explain.Exchange{ClientID: "c", TenantID: "t", AuthorityHost: "login.microsoftonline.com"}
	f := Read(context.DeadlineExceeded, nil, nil, x)
	if f.Answered || f.NoAnswer == nil || f.Cause != diag.CauseTimeout {
		t.Errorf("deadline: %+v", f)
	}
	f = Read(nil, nil, context.DeadlineExceeded, x)
	if f.Cause != diag.CauseTimeout {
		t.Errorf("the context's deadline: cause %s", f.Cause)
	}
	const tok = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
	f = Read(errors.New("json decode error: invalid character\nraw message was: {\"access_token\":\""+tok+"\"}"), nil, nil, x)
	if text := f.Summary + f.Hint; strings.Contains(text, "eyJ") {
		t.Errorf("the quoted answer is kept: %s", text)
	}
}

func TestStage(t *testing.T) {
	for path, want := range map[string]string{
		"/t/oauth2/v2.0/token":                     "token request (POST login.microsoftonline.com/t/oauth2/v2.0/token)",
		"/t/v2.0/.well-known/openid-configuration": "tenant discovery (GET login.microsoftonline.com/t/v2.0/.well-known/openid-configuration)",
		"/common/discovery/instance":               "instance discovery (GET login.microsoftonline.com/common/discovery/instance)",
	} {
		m := http.MethodGet
		if strings.HasSuffix(path, "/token") {
			m = http.MethodPost
		}
		req := &http.Request{Method: m, URL: &url.URL{Scheme: "https", Host: "login.microsoftonline.com", Path: path}}
		if got := Stage(req); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	if Stage(nil) != "request" || Host("") != "login.microsoftonline.com" || Host("https://login.microsoftonline.us/") != "login.microsoftonline.us" {
		t.Error("Stage(nil) or Host")
	}
}
