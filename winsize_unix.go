//go:build unix

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// winsize is the terminal's width in columns, or 0 when it is not known.
func winsize(f *os.File) int {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}
