package main

// What main asks of the terminal, decided once: colour, the width prose
// wraps at, and a one-line status while a network step runs.

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
)

// useColor decides colour once: --color, then NO_COLOR, then whether stdout is a terminal.
func useColor(when string, getenv func(string) string, stdout io.Writer) bool {
	switch {
	case when != "auto":
		return when == "always"
	case getenv("NO_COLOR") != "" || getenv("TERM") == "dumb":
		return false
	}
	return isTerminal(stdout)
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// terminalWidth is the width prose wraps at: the terminal's columns when
// stdout is a terminal (its size, else $COLUMNS), and 0 (no wrapping) when
// stdout is a file or a pipe, as in a hook's log.
func terminalWidth(stdout io.Writer, getenv func(string) string) int {
	if !isTerminal(stdout) {
		return 0
	}
	if n := winsize(stdout.(*os.File)); n > 0 {
		return n
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

// progressLine shows the network step that runs as one line on stderr,
// rewritten in place and cleared at the end, when stderr is a terminal;
// otherwise it is nil and nothing is shown. The steps' words are fixed, so
// they go straight to stderr.
func progressLine(stderr io.Writer) func(string) {
	if !isTerminal(stderr) {
		return nil
	}
	var mu sync.Mutex
	return func(step string) {
		mu.Lock()
		defer mu.Unlock()
		if step == "" {
			fmt.Fprint(stderr, "\r\x1b[K")
			return
		}
		fmt.Fprintf(stderr, "\r\x1b[K%s…", step)
	}
}
