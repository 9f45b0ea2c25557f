package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/oidc-doctor/oidc-doctor/check/redact"
)

// WriteFile writes what render produces to path (--output), through the
// redaction backstop, and returns the first error of rendering, writing,
// closing or renaming.
//
// A regular file, or a path that does not exist yet, is written to a
// temporary file in the same directory, mode 0600, then renamed into
// place: a reader never sees half a report, and a symlink at path is
// replaced, never followed onto another file. A path that is not a regular
// file (/dev/stdout, /dev/stderr, a FIFO, a terminal) is written directly.
// A path that is the same file as one in inputs (the token files the run
// found, a paste) is refused: the report must never overwrite the token
// or the text it explains.
func WriteFile(path string, inputs []string, render func(io.Writer) error) error {
	if t := sameAsAny(path, inputs); t != "" {
		return fmt.Errorf("it is %s, which this run read: give --output another path", t)
	}
	lst, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return writeReplacing(path, render)
	case err != nil:
		return err
	case lst.IsDir():
		return fmt.Errorf("%s is a directory", path)
	case lst.Mode().IsRegular():
		return writeReplacing(path, render)
	case lst.Mode()&fs.ModeSymlink != 0:
		if isStream(path) {
			return writeDirect(path, render)
		}
		if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
			return writeDirect(path, render)
		}
		return writeReplacing(path, render)
	}
	return writeDirect(path, render)
}

// isStream reports whether path names one of the process's own streams,
// which are written directly even when they lead to a regular file (a shell
// redirection): /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N.
func isStream(path string) bool {
	p := filepath.Clean(path)
	return p == "/dev/stdout" || p == "/dev/stderr" || strings.HasPrefix(p, "/dev/fd/") || strings.HasPrefix(p, "/proc/self/fd/")
}

// sameAsAny returns the token file that path is, or links to, or is linked
// to by, or "".
func sameAsAny(path string, tokens []string) string {
	outs := infos(path)
	for _, t := range tokens {
		for _, a := range outs {
			for _, b := range infos(t) {
				if os.SameFile(a, b) {
					return t
				}
			}
		}
	}
	return ""
}

// infos is what path is (Lstat) and what it leads to (Stat), those that exist.
func infos(path string) []fs.FileInfo {
	var out []fs.FileInfo
	if st, err := os.Lstat(path); err == nil {
		out = append(out, st)
	}
	if st, err := os.Stat(path); err == nil {
		out = append(out, st)
	}
	return out
}

// writeReplacing writes a temporary file next to path, mode 0600, and
// renames it onto path.
func writeReplacing(path string, render func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = firstErr(f.Chmod(0o600), write(f, render), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// writeDirect writes to path as it is. A FIFO is opened without blocking,
// so one that no process reads is an error instead of a hang.
func writeDirect(path string, render func(io.Writer) error) error {
	flags := os.O_WRONLY
	if st, err := os.Stat(path); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		flags |= syscall.O_NONBLOCK
	}
	f, err := os.OpenFile(path, flags, 0)
	if errors.Is(err, syscall.ENXIO) {
		return fmt.Errorf("%s is a FIFO that no process is reading", path)
	}
	if err != nil {
		return err
	}
	return firstErr(write(f, render), f.Close())
}

// write renders to f through the redaction backstop.
func write(f *os.File, render func(io.Writer) error) error {
	w := redact.NewWriter(f)
	return firstErr(render(w), w.Close())
}

// firstErr is the first non-nil error: a full disk fails the render, the
// flush and the close with the same error, and it is reported once.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
