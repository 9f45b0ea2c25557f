package check

import (
	"net/url"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// environment lists where the doctor runs, for the report's environment
// section. Proxy URLs lose any user:password part. Each value is masked
// whole, so a token folded across its lines is masked as one.
func environment(cfg Config) []diag.Fact {
	var f []diag.Fact
	for _, k := range []string{"TF_VAR_spacelift_account_name", "TF_VAR_spacelift_run_id", "TF_VAR_spacelift_stack_id",
		"TF_VAR_spacelift_space_id", "TF_VAR_spacelift_run_type", "TF_VAR_spacelift_workspace_root"} {
		if v := cfg.env(k); v != "" {
			f = append(f, diag.F(strings.TrimPrefix(k, "TF_VAR_"), redact.String(v)))
		}
	}
	proxies := false
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "NO_PROXY", "no_proxy"} {
		if v := cfg.env(k); v != "" {
			proxies = true
			f = append(f, diag.F(k, redact.String(stripUserinfo(v))))
		}
	}
	if !proxies {
		f = append(f, diag.F("proxy", "none (HTTPS_PROXY unset; on private workers, launcher variables reach runs only when listed in SPACELIFT_WHITELIST_ENVS)"))
	}
	return f
}

func stripUserinfo(v string) string {
	s := v
	if !strings.Contains(v, "://") {
		s = "http://" + v // as net/http reads a proxy given without a scheme
	}
	u, err := url.Parse(s)
	if err != nil {
		if i := strings.LastIndexByte(v, '@'); i >= 0 {
			return "REDACTED" + v[i:]
		}
		return v
	}
	if u.User == nil {
		return v
	}
	u.User = url.User("REDACTED")
	if s != v {
		return strings.TrimPrefix(u.String(), "http://")
	}
	return u.String()
}
