package emulator

import (
	"os"
	"path/filepath"
	"strings"
)

// RunEnv lays out a Spacelift-like workspace in dir, as a real run sees it:
// the token in dir/spacelift.oidc and in SPACELIFT_OIDC_TOKEN, and the
// scenario's environment with /mnt/workspace rewritten to dir. It returns the
// environment and the token file's path (the run's default token path).
func (e *Emulator) RunEnv(dir string) (env map[string]string, tokenPath string, err error) {
	tokenPath = filepath.Join(dir, "spacelift.oidc")
	if err := os.WriteFile(tokenPath, []byte(e.Token()+"\n"), 0o600); err != nil {
		return nil, "", err
	}
	env = e.Env()
	for k, v := range env {
		if v == "/mnt/workspace" || strings.HasPrefix(v, "/mnt/workspace/") {
			env[k] = dir + strings.TrimPrefix(v, "/mnt/workspace")
		}
	}
	env["SPACELIFT_OIDC_TOKEN"] = e.Token()
	return env, tokenPath, nil
}
