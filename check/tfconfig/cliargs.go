package tfconfig

// -backend-config given through TF_CLI_ARGS and TF_CLI_ARGS_init, the way
// Spacelift documents passing extra flags to a phase
// (https://docs.spacelift.io/vendors/opentofu/workflow-tool: "use
// TF_CLI_ARGS_<command> for the extra flags").
//
// Terraform inserts TF_CLI_ARGS, then TF_CLI_ARGS_init, after the command
// name, each split with go-shellwords without expanding $VARS or backticks
// (https://github.com/hashicorp/terraform/blob/v1.15.9/main.go, mergeEnvArgs).
// Each -backend-config is either key=value or a file of top-level
// attributes, native syntax or JSON by its .json suffix; later ones win, and
// an empty -backend-config="" clears those before it
// (https://github.com/hashicorp/terraform/blob/v1.15.9/internal/command/init.go,
// backendConfigOverrideBody).

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
)

// cliVars are the variables init reads its extra arguments from, in order.
var cliVars = []string{"TF_CLI_ARGS", "TF_CLI_ARGS_init"}

// CLI is what TF_CLI_ARGS and TF_CLI_ARGS_init add to `terraform init`.
type CLI struct {
	// Vars names the variables that were set.
	Vars []string
	// BackendConfig is the merged -backend-config: key=value pairs and
	// the attributes of the files given, the last one winning.
	BackendConfig map[string]Value
	// BackendDisabled is -backend=false: init configures no backend.
	BackendDisabled bool
}

var errUnterminated = errors.New("unterminated quote")

// shellWords splits s as go-shellwords does with ParseEnv and ParseBacktick
// off: white space separates words, '…' is literal, "…" and a bare
// backslash escape the next character. Parsing stops at an unquoted ; & | <
// or > (go-shellwords treats them as the end of the command).
func shellWords(s string) ([]string, error) {
	var (
		words          []string
		buf            strings.Builder
		got            bool
		escaped        bool
		single, double bool
	)
	flush := func() {
		if got {
			words = append(words, buf.String())
		}
		buf.Reset()
		got = false
	}
loop:
	for _, r := range s {
		switch {
		case escaped:
			buf.WriteRune(r)
			escaped, got = false, true
		case r == '\\' && !single:
			escaped = true
		case r == '\\':
			buf.WriteRune(r)
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if single || double {
				buf.WriteRune(r)
			} else {
				flush()
			}
		case r == '"' && !single:
			double, got = !double, true
		case r == '\'' && !double:
			single, got = !single, true
		case strings.ContainsRune(";&|<>", r) && !single && !double:
			break loop
		default:
			buf.WriteRune(r)
			got = true
		}
	}
	if single || double || escaped {
		return nil, errUnterminated
	}
	flush()
	return words, nil
}

// backendFlags extracts -backend-config values (in order) and -backend from
// init's arguments. Go's flag package accepts -name=value, --name=value and,
// for non-boolean flags, -name value.
func backendFlags(args []string) (configs []string, disabled bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		switch name {
		case "backend-config":
			if !hasVal {
				if i+1 >= len(args) {
					continue
				}
				i++
				val = args[i]
			}
			configs = append(configs, val)
		case "backend":
			b, err := strconv.ParseBool(val)
			disabled = hasVal && err == nil && !b
		}
	}
	return configs, disabled
}

// readCLI reads TF_CLI_ARGS and TF_CLI_ARGS_init, and the -backend-config
// files they name (relative to dir, where init runs).
func readCLI(dir string, getenv func(string) string, budget *int64) (CLI, []Problem) {
	var cli CLI
	var probs []Problem
	var args []string
	for _, v := range cliVars {
		s := getenv(v)
		if s == "" {
			continue
		}
		cli.Vars = append(cli.Vars, v)
		words, err := shellWords(s)
		if err != nil {
			probs = append(probs, Problem{File: v, Msg: "has an unterminated quote: Terraform refuses to start (Error parsing extra CLI args from " + v + ")"})
			continue
		}
		args = append(args, words...)
	}
	configs, disabled := backendFlags(args)
	cli.BackendDisabled = disabled
	if len(configs) == 0 {
		return cli, probs
	}
	cli.BackendConfig = map[string]Value{}
	origin := strings.Join(cli.Vars, ", ")
	for _, item := range configs {
		k, v, isPair := strings.Cut(item, "=")
		switch {
		case item == "":
			clear(cli.BackendConfig)
		case isPair:
			val := Value{Kind: Literal, Text: v, Pos: "-backend-config in " + origin}
			if sensitive[k] {
				val.Text = ""
			}
			cli.BackendConfig[k] = val
		default:
			attrs, p := readBackendFile(dir, item, origin, budget)
			if p != nil {
				probs = append(probs, *p)
				continue
			}
			for name, val := range attrs {
				cli.BackendConfig[name] = val
			}
		}
	}
	return cli, probs
}

// readBackendFile reads a -backend-config file: top-level attributes only,
// JSON when the name ends in .json
// (https://github.com/hashicorp/terraform/blob/v1.15.9/internal/configs/parser.go, LoadHCLFile).
func readBackendFile(dir, path, origin string, budget *int64) (map[string]Value, *Problem) {
	rel := path
	if filepath.IsAbs(path) {
		dir, rel = filepath.Dir(path), filepath.Base(path)
	} else if strings.Contains(filepath.ToSlash(path), "/") {
		dir, rel = filepath.Join(dir, filepath.Dir(path)), filepath.Base(path)
	}
	src, p := readBounded(dir, rel, budget)
	if p != nil {
		p.File = path
		p.Msg = "-backend-config file (" + origin + ") " + p.Msg
		return nil, p
	}
	f, p := parseHCL(path, src, strings.HasSuffix(path, ".json"))
	if p != nil {
		return nil, p
	}
	return attrsOf(f.Body, src, path), nil
}
