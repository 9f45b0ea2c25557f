package explain

// The context around an error in a paste: what the tool printed before it
// asked Entra. Azure/login prints the token's issuer, subject and audience
// ("Federated token details") and its inputs; the token endpoint's URL
// names the tenant; az and scripts name the client id. These fill the
// fields an Entra error leaves out, and through them its fixes.

import "strings"

// loginHosts are the sign-in hosts whose URLs name the tenant.
var loginHosts = []string{"login.microsoftonline.com/", "login.windows.net/", "login.microsoft.com/", "login.microsoftonline.us/",
	"login.partner.microsoftonline.cn/", "login.chinacloudapi.cn/", "login.microsoftonline.de/"}

// pasteContext reads the context of the whole text. Each label is looked
// for once, so the cost is a fixed number of substring searches.
func pasteContext(s string) fieldSet {
	var fs fieldSet
	if i := indexLabel(s, "Federated token details", 0); i >= 0 {
		w := s[i:min(len(s), i+3000)]
		fs.set("issuer", lineAfter(w, "issuer -"))
		fs.set("subject", lineAfter(w, "subject claim -"))
		fs.set("audience", lineAfter(w, "audience -"))
	}
	if indexLabel(s, "azure/login", 0) >= 0 {
		fs.set("client_id", lineAfter(s, "client-id:"))
		fs.set("tenant", lineAfter(s, "tenant-id:"))
		fs.set("audience", lineAfter(s, "audience:"))
	}
	fs.set("tenant", tenantInURL(s))
	fs.word(s, "tenant", "Trying credential under tenant", "--tenant", "ARM_TENANT_ID=", "AZURE_TENANT_ID=")
	fs.word(s, "client_id", "--username", "ARM_CLIENT_ID=", "AZURE_CLIENT_ID=")
	if v := wordAfter(s, "--service-principal -u"); v != "" {
		fs.set("client_id", v)
	}
	if v := wordAfter(s, "client_id="); v != "" {
		v, _, _ = strings.Cut(v, "&")
		fs.set("client_id", v)
	}
	return fs
}

// lineAfter is the rest of the line after label, trimmed.
func lineAfter(s, label string) string {
	i := indexLabel(s, label, 0)
	if i < 0 {
		return ""
	}
	rest := s[i+matchLabel(s[i:], label):]
	if j := strings.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	v := strings.Trim(strings.TrimSpace(rest), `"'`)
	if len(v) > maxQuoted || strings.ContainsAny(v, " \t") {
		return ""
	}
	return v
}

// tenantInURL is the tenant in the first sign-in URL of s that names one:
// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token, or its
// discovery documents.
func tenantInURL(s string) string {
	for _, h := range loginHosts {
		for from, n := 0, 0; n < 20; n++ {
			i := strings.Index(s[from:], h)
			if i < 0 {
				break
			}
			from += i + len(h)
			rest := s[from:min(len(s), from+200)]
			end := strings.IndexAny(rest, "/ \n\"'")
			if end <= 0 || rest[end] != '/' {
				continue
			}
			tail := rest[end:]
			for _, p := range []string{"/oauth2", "/v2.0/.well-known", "/.well-known", "/discovery"} {
				if strings.HasPrefix(tail, p) {
					return rest[:end]
				}
			}
		}
	}
	return ""
}
