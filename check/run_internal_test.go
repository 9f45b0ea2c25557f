package check

import "testing"

func TestStripUserinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://alice:s3cret@proxy.corp:3128", "http://REDACTED@proxy.corp:3128"},
		{"alice:s3cret@proxy.corp:3128", "REDACTED@proxy.corp:3128"},
		{"alice:p#ss@proxy.corp:3128", "REDACTED@proxy.corp:3128"},
		{"http://proxy.corp:3128", "http://proxy.corp:3128"},
		{"proxy.corp:3128", "proxy.corp:3128"},
		{"localhost,.corp,10.0.0.0/8", "localhost,.corp,10.0.0.0/8"},
	}
	for _, tt := range tests {
		if got := stripUserinfo(tt.in); got != tt.want {
			t.Errorf("stripUserinfo(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
