package entra

import "testing"

func TestWellKnownAuthority(t *testing.T) {
	for _, tt := range []struct {
		authority string
		want      bool
	}{
		{"https://login.microsoftonline.com/", true},
		{"https://login.microsoftonline.com", true},
		{"https://LOGIN.microsoftonline.us/", true},
		{"https://login.chinacloudapi.cn/", true},
		// Anything else keeps MSAL's authority validation.
		{"http://login.microsoftonline.com/", false},
		{"https://login.microsoftonline.com/tenant/", false},
		{"https://login.microsoftonline.com.evil.example/", false},
		{"https://adfs.contoso.com/adfs/", false},
		{"https://login.windows-ppe.net/", false},
		{"", false},
	} {
		if got := wellKnownAuthority(tt.authority); got != tt.want {
			t.Errorf("wellKnownAuthority(%q) = %v, want %v", tt.authority, got, tt.want)
		}
	}
}
