package main

import (
	"os"

	"github.com/oidc-doctor/oidc-doctor/check"
	"github.com/oidc-doctor/oidc-doctor/check/emulator"
)

// demoConfig points the diagnosis at the emulator: a temporary workspace
// holding its token, its environment and its Terraform directory, its HTTP
// client and its name resolution. The diagnosis sees
// only what a real run would.
func demoConfig(e *emulator.Emulator, cfg check.Config) (check.Config, func(), error) {
	dir, err := os.MkdirTemp("", "oidc-doctor-demo-")
	if err != nil {
		return cfg, nil, err
	}
	env, path, err := e.RunEnv(dir)
	if err != nil {
		os.RemoveAll(dir)
		return cfg, nil, err
	}
	if cfg.Dir, err = e.TerraformDir(dir); err != nil {
		os.RemoveAll(dir)
		return cfg, nil, err
	}
	cfg.Getenv = func(k string) string { return env[k] }
	cfg.HTTPClient = e.Client()
	cfg.LookupHost = e.LookupHost
	cfg.DefaultTokenPath = path
	return cfg, func() { os.RemoveAll(dir) }, nil
}
