//go:build linux

package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal of the given width and returns its
// controller and its terminal end.
func openPTY(t *testing.T, cols uint16) (ctl, tty *os.File) {
	t.Helper()
	ctl, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { ctl.Close() })
	if err := unix.IoctlSetPointerInt(int(ctl.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(int(ctl.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Skipf("naming the pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: 40}); err != nil {
		t.Fatal(err)
	}
	return ctl, tty
}

// readAll reads what the terminal end wrote, once it is closed.
func readAll(t *testing.T, ctl *os.File) string {
	t.Helper()
	ctl.SetReadDeadline(time.Now().Add(2 * time.Second))
	var b bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, err := ctl.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return strings.ReplaceAll(b.String(), "\r\n", "\n")
}

// TestTerminal: on a terminal the report wraps at its width (fix commands
// never) and a status line names the network step; in a pipe neither.
func TestTerminal(t *testing.T) {
	outCtl, outTTY := openPTY(t, 72)
	errCtl, errTTY := openPTY(t, 72)
	if got := terminalWidth(outTTY, func(string) string { return "" }); got != 72 {
		t.Errorf("terminal width = %d, want 72", got)
	}
	if got := terminalWidth(&bytes.Buffer{}, func(string) string { return "100" }); got != 0 {
		t.Errorf("a pipe wraps at %d, want 0 (no wrapping)", got)
	}
	if progressLine(&bytes.Buffer{}) != nil {
		t.Errorf("a status line on a non-terminal")
	}

	done := make(chan string)
	go func() { done <- readAll(t, outCtl) }() // a pseudo-terminal holds little: read as it writes
	code := run(t.Context(), []string{"demo", "subject-scope", "--color", "never"}, strings.NewReader(""), outTTY, errTTY, func(string) string { return "" })
	if code != exitFailed {
		t.Fatalf("exit %d", code)
	}
	outTTY.Close()
	out := <-done
	fixDepth := -1 // the indentation of the "fix:" line whose body is being read
	for _, l := range strings.Split(out, "\n") {
		depth := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case fixDepth >= 0 && depth > fixDepth:
			continue // a fix's body: never wrapped
		case strings.Contains(l, "fix: "):
			fixDepth = depth
		default:
			fixDepth = -1
		}
		// A line may be longer only when what overflows is one word that
		// wrapping could not break: a key and its one-word value, or a
		// word alone on its line.
		_, value, isFact := strings.Cut(l, ": ")
		if isFact && !strings.Contains(strings.TrimSpace(value), " ") {
			continue // a fact whose value is one word, too long to wrap
		}
		if words := strings.Fields(l); len([]rune(l)) > 72 && len(words) > 1 {
			t.Errorf("prose wider than the terminal (%d > 72): %q", len([]rune(l)), l)
		}
	}
	if !strings.Contains(out, "az ad app federated-credential create --id 2b8e6f1a-4c3d-4e9b-a7f2-6d1c0e5b9a38 --parameters") {
		t.Errorf("the fix is missing or wrapped:\n%s", out)
	}
	errTTY.Close()
	if status := readAll(t, errCtl); !strings.Contains(status, "exchanging the token with Entra ID…") || !strings.HasSuffix(status, "\r\x1b[K") {
		t.Errorf("status line on the terminal = %q", status)
	}
}
