//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the binary as a process (the copy testscript puts on
// PATH), for what only a process shows: signals, a closed stdout, the
// process's own /dev/stdout.

func doctor(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	bin, err := exec.LookPath("oidc-doctor")
	if err != nil {
		t.Skipf("oidc-doctor is not on PATH: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	return cmd
}

// TestSignalMidRun sends SIGTERM (and SIGINT) to a demo whose token
// endpoint never answers: the run stops, renders what it knows, removes the
// demo's workspace with its token, and exits 143 (130).
func TestSignalMidRun(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := doctor(t, "demo", "entra-hang", "--timeout", "5m")
			cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Mid-run: the demo's workspace exists, so the token is written
			// and the diagnosis under way.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				if m, _ := filepath.Glob(filepath.Join(tmp, "oidc-doctor-demo-*")); len(m) > 0 {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the demo never started")
				}
			}
			time.Sleep(300 * time.Millisecond)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the run did not end after the signal")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.want {
				t.Errorf("exit: %v, want %d\nstderr: %s", err, tc.want, errb.String())
			}
			for _, want := range []string{"entra-exchange", "interrupted", "checks:"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report lacks %q:\n%s", want, out.String())
				}
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// TestOutputBeforeBrokenPipe: with stdout a pipe nobody reads, the process
// dies of SIGPIPE at its first write to stdout; --output is written before.
func TestOutputBeforeBrokenPipe(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.md")
	cmd := doctor(t, "--offline", "--token-file", filepath.Join(dir, "missing"), "--format", "markdown", "--output", file)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd.Stdout = w
	err = cmd.Run()
	w.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("the run succeeded writing to a closed pipe: %v", err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("--output was not written: %v", err)
	}
	if !strings.Contains(string(b), "# oidc-doctor report") || !strings.Contains(string(b), "## Environment") {
		t.Errorf("--output holds %q, want the whole report", b)
	}
}

// TestOutputToDevStdout: /dev/stdout is written directly, so the report
// appears twice on stdout.
func TestOutputToDevStdout(t *testing.T) {
	dir := t.TempDir()
	cmd := doctor(t, "--offline", "--token-file", filepath.Join(dir, "missing"), "--fail-on", "never", "--output", "/dev/stdout")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if n := strings.Count(out.String(), "checks:"); n != 2 {
		t.Errorf("the report appears %d times on stdout, want 2:\n%s", n, out.String())
	}
}

// runWithin runs the doctor in process, failing the test if it has not
// returned within a minute: a FIFO opened for reading would block forever.
func runWithin(t *testing.T, args []string, env map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(t.Context(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	}()
	select {
	case code = <-done:
	case <-time.After(time.Minute):
		t.Fatalf("%v did not return: a read blocked", args)
	}
	return code, out.String(), errb.String()
}

// TestFIFOAtEachTokenSource: a named pipe nobody writes, at each place a
// token may come from, is named and never opened, with --timeout 2s.
func TestFIFOAtEachTokenSource(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "spacelift.oidc")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	tok := mintForTest(t)
	good := filepath.Join(dir, "good.jwt")
	if err := os.WriteFile(good, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"--token-file", []string{"--offline", "--token-file", fifo}, nil},
		{"ARM_OIDC_TOKEN_FILE_PATH", []string{"--offline"}, map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": fifo}},
		{"ARM_OIDC_TOKEN_FILE_PATH after --token-file", []string{"--offline", "--token-file", good}, map[string]string{"ARM_OIDC_TOKEN_FILE_PATH": fifo}},
		{"workspace root", []string{"--offline"}, map[string]string{"TF_VAR_spacelift_workspace_root": dir}},
		{"workspace root after SPACELIFT_OIDC_TOKEN", []string{"--offline"}, map[string]string{"SPACELIFT_OIDC_TOKEN": tok, "TF_VAR_spacelift_workspace_root": dir}},
		{"explain --token-file", []string{"explain", "--token-file", fifo, "-"}, nil},
		{"subjects --token-file", []string{"subjects", "--token-file", fifo}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errb := runWithin(t, append(tc.args, "--timeout", "2s"), tc.env)
			if !strings.Contains(out+errb, "is a named pipe (FIFO), not a regular file") {
				t.Errorf("the FIFO is not named:\nstdout: %s\nstderr: %s", out, errb)
			}
			if strings.Contains(out+errb, "deadline") {
				t.Errorf("the run waited for its deadline:\n%s%s", out, errb)
			}
		})
	}
}

// TestOutputFlag: mode 0600, never onto the token file, and an error
// printed once.
func TestOutputFlag(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "token.jwt")
	tok := mintForTest(t)
	if err := os.WriteFile(tokFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(dir, "report.txt")
	if code, _, errb := runWithin(t, []string{"--offline", "--fail-on", "never", "--token-file", tokFile, "--output", report}, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if st, err := os.Stat(report); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("--output: %v %v, want mode 0600", st.Mode(), err)
	}

	code, out, errb := runWithin(t, []string{"--offline", "--token-file", tokFile, "--output", tokFile}, nil)
	if code != 1 || !strings.Contains(errb, "which this run read") || !strings.Contains(out, "checks:") {
		t.Errorf("onto the token file: exit %d, stderr %q", code, errb)
	}
	if b, _ := os.ReadFile(tokFile); string(b) != tok {
		t.Error("the token file was overwritten")
	}
	code, _, errb = runWithin(t, []string{"subjects", "--token-file", tokFile, "--output", tokFile}, nil)
	if code != 1 || !strings.Contains(errb, "which this run read") {
		t.Errorf("subjects onto the token file: exit %d, stderr %q", code, errb)
	}

	if _, err := os.Stat("/dev/full"); err == nil {
		code, out, errb := runWithin(t, []string{"--offline", "--token-file", tokFile, "--output", "/dev/full"}, nil)
		if code != 1 || strings.Count(errb, "oidc-doctor: error:") != 1 || strings.Count(errb, "no space left") != 1 {
			t.Errorf("a full disk: exit %d, stderr %q, want one error", code, errb)
		}
		if !strings.Contains(out, "checks:") {
			t.Errorf("stdout lost the report: %q", out)
		}
	}
}
