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
	if !e.scn.NoTokenFile {
		if err := os.WriteFile(tokenPath, []byte(e.Token()+"\n"), 0o600); err != nil {
			return nil, "", err
		}
	}
	env = e.Env()
	for k, v := range env {
		if v == workspaceRoot || strings.HasPrefix(v, workspaceRoot+"/") {
			env[k] = dir + strings.TrimPrefix(v, workspaceRoot)
		}
	}
	env["SPACELIFT_OIDC_TOKEN"] = e.Token()
	return env, tokenPath, nil
}

// workspaceRoot is where Spacelift mounts the run's workspace.
const workspaceRoot = "/mnt/workspace"

// TerraformDir writes the scenario's Terraform configuration into
// dir/source, the project root of a run whose workspace is dir, with
// /mnt/workspace rewritten to dir as RunEnv rewrites the environment. The
// directory is created even when the scenario has no configuration, so a
// demo never reads the caller's own files.
func (e *Emulator) TerraformDir(dir string) (string, error) {
	root := filepath.Join(dir, "source")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", err
	}
	for name, content := range e.scn.Terraform {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(content, workspaceRoot, dir)), 0o600); err != nil {
			return "", err
		}
	}
	return root, nil
}
