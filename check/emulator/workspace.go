package emulator

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
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
	interpolate(env)
	return env, tokenPath, nil
}

// interpolateRE is a reference to another variable in a value: ${NAME}.
var interpolateRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// interpolate fills ${NAME} in each value with NAME's value, as Spacelift
// does on the worker, across the stack's, the contexts' and its own
// computed variables
// (https://docs.spacelift.io/concepts/configuration/environment#environment-variable-interpolation).
// UNCONFIRMED: what Spacelift makes of a reference to a variable that is
// not set; here it is left as written.
func interpolate(env map[string]string) {
	src := maps.Clone(env)
	for k, v := range env {
		env[k] = interpolateRE.ReplaceAllStringFunc(v, func(ref string) string {
			if x, ok := src[ref[2:len(ref)-1]]; ok {
				return x
			}
			return ref
		})
	}
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
	e.mu.Lock()
	files := maps.Clone(e.scn.Terraform)
	e.mu.Unlock()
	for name, content := range files {
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
