package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSpaceliftHook runs the hooks of .spacelift/config.yml, as written, against
// a local HTTPS server that plays the GitHub release: the hook must pick the
// archive for `uname -m`, verify it against the sums pinned in the file, and
// run it only if they match. One `go build` serves every case.
func TestSpaceliftHook(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the hook is a POSIX shell line for Linux runners")
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	for _, tool := range []string{"go", "bash", "curl", "sha256sum", "tar"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	hooks := readHooks(t, ".spacelift/config.yml")
	initLine, applyLine := hooks["before_init"], hooks["before_apply"]
	initCore, initPolicy := splitPolicy(t, initLine)
	applyCore, applyPolicy := splitPolicy(t, applyLine)
	if initCore != applyCore {
		t.Fatalf("before_init and before_apply must download, verify and run the same thing; they differ before the policy:\n%s\n%s", initCore, applyCore)
	}
	v := submatch(t, initCore, `\bV=([0-9][^;]*);`)

	dir := t.TempDir()
	bin := filepath.Join(dir, "oidc-doctor")
	start := time.Now()
	// Same environment and flags as `go test` uses for the dependencies, so
	// they come from the build cache and only main is compiled and linked.
	build := exec.Command("go", "build", "-ldflags", "-X main.version="+v, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build: %v", time.Since(start).Round(time.Millisecond))
	binBytes, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	// Two archives with the same binary but different bytes (mtime), so a hook
	// that checked the arm64 download against the amd64 sum would be caught.
	amd64 := tarGz(t, binBytes, time.Unix(1700000000, 0))
	arm64 := tarGz(t, binBytes, time.Unix(1700000001, 0))
	// A tampered archive whose "binary" announces itself if anything runs it.
	tampered := tarGz(t, []byte("#!/bin/sh\necho TAMPERED-BINARY-RAN\nexit 0\n"), time.Unix(1700000000, 0))

	pinned := initCore
	pinned = replaceSum(t, pinned, "amd64", sha256Hex(amd64))
	pinned = replaceSum(t, pinned, "arm64", sha256Hex(arm64))
	pinnedInit, pinnedApply := pinned+initPolicy, pinned+applyPolicy

	path := func(arch string) string { return fmt.Sprintf("/v%s/oidc-doctor_%s_linux_%s.tar.gz", v, v, arch) }
	srv := newReleaseServer(t)
	caFile := filepath.Join(dir, "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, ca, 0o644); err != nil {
		t.Fatal(err)
	}

	type hookRun struct {
		code           int
		stdout, stderr string
		requests       []string
	}
	var runHookIn func(t *testing.T, shell []string, pathEnv, line, machine string, files map[string][]byte) hookRun
	runHook := func(t *testing.T, line, machine string, files map[string][]byte) hookRun {
		t.Helper()
		return runHookIn(t, []string{"bash", "-c"}, os.Getenv("PATH"), line, machine, files)
	}
	runHookIn = func(t *testing.T, shell []string, pathEnv, line, machine string, files map[string][]byte) hookRun {
		t.Helper()
		srv.serve(files)
		fakeBin, tmp := t.TempDir(), t.TempDir()
		// Every case fakes `uname -m`, so the test does not depend on the host.
		fake := "#!/bin/sh\necho " + machine + "\n"
		if err := os.WriteFile(filepath.Join(fakeBin, "uname"), []byte(fake), 0o755); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, shell[0], append(shell[1:], line)...)
		cmd.Dir = dir
		cmd.Env = []string{
			"PATH=" + fakeBin + string(os.PathListSeparator) + pathEnv,
			"HOME=" + tmp,
			"TMPDIR=" + tmp,
			"OIDC_DOCTOR_BASE_URL=" + srv.URL,
			"CURL_CA_BUNDLE=" + caFile,
			// Junk, so the doctor stops at token-format and needs no network.
			"SPACELIFT_OIDC_TOKEN=junk",
			// Belt and braces: anything but 127.0.0.1 goes to a closed port.
			"HTTPS_PROXY=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9",
			"HTTP_PROXY=http://127.0.0.1:9", "http_proxy=http://127.0.0.1:9",
			"NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1",
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if ctx.Err() != nil {
			t.Fatalf("hook did not finish in 30s\nstdout:\n%s\nstderr:\n%s", &stdout, &stderr)
		}
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("hook left %d entries in TMPDIR (first %q); it should remove its temporary directory", len(left), left[0].Name())
		}
		return hookRun{code, stdout.String(), stderr.String(), srv.requests()}
	}
	wantRequests := func(t *testing.T, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("requested %q, want %q", got, want)
		}
	}
	// The doctor ran: its report names the token-format check and its version.
	// With a junk token it exits 3 (a check failed); the hook must pass that
	// code through, because before_apply's policy depends on it.
	wantDoctorRan := func(t *testing.T, r hookRun) {
		t.Helper()
		if r.code != 3 {
			t.Errorf("exit code %d, want 3 (the doctor's \"a check failed\")\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
		}
		out := r.stdout + r.stderr
		for _, s := range []string{"token-format", v} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q; did the doctor run?\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
			}
		}
	}
	wantRefused := func(t *testing.T, r hookRun, msg string) {
		t.Helper()
		if r.code == 0 {
			t.Errorf("exit code 0, want non-zero")
		}
		if !strings.Contains(r.stderr, msg) {
			t.Errorf("stderr lacks %q:\n%s", msg, r.stderr)
		}
		for _, s := range []string{"TAMPERED-BINARY-RAN", "token-format"} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("output contains %q: the hook ran a binary it should have refused\n%s%s", s, r.stdout, r.stderr)
			}
		}
	}

	t.Run("x86_64 downloads amd64, verifies and runs", func(t *testing.T) {
		files := map[string][]byte{path("amd64"): amd64, path("arm64"): arm64}
		r := runHook(t, pinned, "x86_64", files)
		wantDoctorRan(t, r)
		wantRequests(t, r.requests, path("amd64"))
		if r := runHook(t, pinnedInit, "x86_64", files); r.code != 0 {
			t.Errorf("before_init exit code %d, want 0 (advisory)", r.code)
		}
		if r := runHook(t, pinnedApply, "x86_64", files); r.code == 0 {
			t.Errorf("before_apply exit code 0, want non-zero: a failed check must block the apply")
		}
	})
	t.Run("aarch64 downloads arm64", func(t *testing.T) {
		r := runHook(t, pinned, "aarch64", map[string][]byte{path("amd64"): amd64, path("arm64"): arm64})
		wantDoctorRan(t, r)
		wantRequests(t, r.requests, path("arm64"))
	})
	t.Run("tampered archive is refused", func(t *testing.T) {
		files := map[string][]byte{path("amd64"): tampered}
		r := runHook(t, pinned, "x86_64", files)
		wantRefused(t, r, "checksum mismatch")
		wantRequests(t, r.requests, path("amd64"))
		if r := runHook(t, pinnedInit, "x86_64", files); r.code != 0 {
			t.Errorf("before_init exit code %d, want 0 (advisory)", r.code)
		}
		if r := runHook(t, pinnedApply, "x86_64", files); r.code != 0 {
			t.Errorf("before_apply exit code %d, want 0: only a failed check blocks, and nothing ran", r.code)
		}
	})
	t.Run("the committed sums reject a locally built archive", func(t *testing.T) {
		// Placeholders (or a real release's sums) never match the test build.
		r := runHook(t, initCore, "x86_64", map[string][]byte{path("amd64"): amd64})
		wantRefused(t, r, "checksum mismatch")
	})
	t.Run("missing release is reported", func(t *testing.T) {
		r := runHook(t, pinned, "x86_64", nil)
		wantRefused(t, r, "could not download")
	})
	t.Run("busybox tools as on Alpine", func(t *testing.T) {
		// The default runner image is Alpine: sh, sha256sum, tar, mktemp and
		// cut are BusyBox applets there. Only curl comes from the host.
		bb, err := exec.LookPath("busybox")
		if err != nil {
			t.Skip("busybox not found")
		}
		curl, _ := exec.LookPath("curl")
		tools := t.TempDir()
		for _, name := range []string{"sh", "sha256sum", "tar", "mktemp", "cut", "rm", "cat"} {
			if err := os.Symlink(bb, filepath.Join(tools, name)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink(curl, filepath.Join(tools, "curl")); err != nil {
			t.Fatal(err)
		}
		// A BusyBox built with FEATURE_SH_STANDALONE (Debian's busybox-static)
		// runs its own uname applet whatever PATH says, so this case fakes the
		// host's real machine name.
		var archive []byte
		var machine string
		switch runtime.GOARCH {
		case "amd64":
			archive, machine = amd64, "x86_64"
		case "arm64":
			archive, machine = arm64, "aarch64"
		default:
			t.Skipf("no release archive for GOARCH %s", runtime.GOARCH)
		}
		sh := []string{filepath.Join(tools, "sh"), "-c"}
		r := runHookIn(t, sh, tools, pinned, machine, map[string][]byte{path(runtime.GOARCH): archive})
		wantDoctorRan(t, r)
		wantRequests(t, r.requests, path(runtime.GOARCH))
		r = runHookIn(t, sh, tools, pinned, machine, map[string][]byte{path(runtime.GOARCH): tampered})
		wantRefused(t, r, "checksum mismatch")
	})
	t.Run("before_apply blocks on exit 3 only", func(t *testing.T) {
		// A stand-in doctor that exits with each documented code: the hook
		// must pass the code through, before_init must never block, and
		// before_apply must block only on 3 (a misconfiguration), never on
		// 4 (inconclusive: a service or the network failed), 1 (the doctor
		// broke) or an interrupt.
		for _, code := range []int{0, 1, 3, 4, 130, 143} {
			stub := tarGz(t, []byte(fmt.Sprintf("#!/bin/sh\necho stand-in-doctor-exits-%d\nexit %d\n", code, code)), time.Unix(1700000000, 0))
			line := replaceSum(t, initCore, "amd64", sha256Hex(stub))
			files := map[string][]byte{path("amd64"): stub}
			r := runHook(t, line, "x86_64", files)
			if r.code != code || !strings.Contains(r.stdout, fmt.Sprintf("stand-in-doctor-exits-%d", code)) {
				t.Errorf("exit %d: the hook line exited %d (stdout %q); it must run the doctor and pass its code through", code, r.code, r.stdout)
			}
			if r := runHook(t, line+initPolicy, "x86_64", files); r.code != 0 {
				t.Errorf("exit %d: before_init exited %d, want 0 (advisory)", code, r.code)
			}
			r = runHook(t, line+applyPolicy, "x86_64", files)
			if blocked := r.code != 0; blocked != (code == 3) {
				t.Errorf("exit %d: before_apply exited %d; it must block (non-zero) on 3 only", code, r.code)
			}
		}
	})
	t.Run("unknown machine downloads nothing", func(t *testing.T) {
		r := runHook(t, pinned, "s390x", map[string][]byte{path("amd64"): amd64})
		wantRefused(t, r, "no linux build for machine s390x")
		wantRequests(t, r.requests)
	})
}

// readHooks returns the first entry of each hook list under stack_defaults, as
// the shell line YAML makes of it. It understands only the shape the file uses
// (a "- >-" folded string whose lines share one indentation, so YAML joins them
// with spaces into one line) and fails on anything else rather than guess.
func readHooks(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	hooks := map[string]string{}
	section := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(strings.TrimSpace(l), "#") || strings.TrimSpace(l) == "" {
			continue
		}
		if !strings.HasPrefix(l, " ") {
			section = strings.TrimSuffix(strings.TrimSpace(l), ":")
			continue
		}
		key := strings.TrimSuffix(strings.TrimSpace(l), ":")
		if section != "stack_defaults" || (key != "before_init" && key != "before_apply") {
			continue
		}
		if i+1 >= len(lines) || strings.TrimSpace(lines[i+1]) != "- >-" {
			t.Fatalf("%s:%d: %s: want a list whose first item is a folded string (- >-)", name, i+2, key)
		}
		itemIndent := indent(lines[i+1])
		var parts []string
		textIndent := -1
		for i += 2; i < len(lines) && strings.TrimSpace(lines[i]) != "" && indent(lines[i]) > itemIndent; i++ {
			if textIndent == -1 {
				textIndent = indent(lines[i])
			}
			if indent(lines[i]) != textIndent {
				t.Fatalf("%s:%d: %s: indentation changes inside the folded string, so YAML would keep a newline there", name, i+1, key)
			}
			parts = append(parts, strings.TrimSpace(lines[i]))
		}
		i--
		hooks[key] = strings.Join(parts, " ")
	}
	for _, k := range []string{"before_init", "before_apply"} {
		if hooks[k] == "" {
			t.Fatalf("%s: no stack_defaults.%s hook found", name, k)
		}
	}
	return hooks
}

func indent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// splitPolicy splits "( ... ) || POLICY" into the subshell and " || POLICY".
func splitPolicy(t *testing.T, line string) (core, policy string) {
	t.Helper()
	i := strings.LastIndex(line, ") ||")
	if !strings.HasPrefix(line, "(") || i < 0 {
		t.Fatalf("hook is not of the form \"( ... ) || POLICY\":\n%s", line)
	}
	return line[:i+1], line[i+1:]
}

func submatch(t *testing.T, s, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("hook has no match for %s:\n%s", re, s)
	}
	return m[1]
}

// replaceSum swaps the pinned SHA-256 for arch (a placeholder until the first
// release) for the sum of the test's archive.
func replaceSum(t *testing.T, line, arch, sum string) string {
	t.Helper()
	re := regexp.MustCompile(`\bSUM_` + arch + `=[0-9a-f]{64};`)
	if len(re.FindAllString(line, -1)) != 1 {
		t.Fatalf("hook must pin exactly one SUM_%s=<64 hex digits>;\n%s", arch, line)
	}
	return re.ReplaceAllLiteralString(line, "SUM_"+arch+"="+sum+";")
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tarGz packs bin as the release archives do: oidc-doctor at the top level.
func tarGz(t *testing.T, bin []byte, mtime time.Time) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Name: "oidc-doctor", Mode: 0o755, Size: int64(len(bin)), ModTime: mtime, Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write(bin); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// releaseServer is a TLS server on 127.0.0.1 that serves a set of files by
// path and records every request path.
type releaseServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	reqs  []string
}

func newReleaseServer(t *testing.T) *releaseServer {
	s := &releaseServer{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.URL.Path)
		b, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

// serve replaces the files and forgets earlier requests.
func (s *releaseServer) serve(files map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files, s.reqs = files, nil
}

func (s *releaseServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}
