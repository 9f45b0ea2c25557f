package token

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"time"
)

// Reading a token file so that nothing can hang the run: a named pipe
// blocks on open and on read until a writer comes, a device may never end,
// a file on a stuck network mount may never answer. Only a regular file is
// opened, it is looked at before (Stat) and after (Fstat) opening, the
// opening itself cannot block (O_NONBLOCK), and the read is bounded in size
// and runs under the run's deadline. Only the source used is waited for.

// maxTokenBytes bounds every token read. A Spacelift token is about 1 KiB;
// a custom subject template can add at most 2 KiB.
const maxTokenBytes = 64 << 10

// statToken looks at path without opening it. It returns fs.ErrNotExist
// when there is nothing there, and says what the path is when it is not a
// regular file.
func statToken(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fs.ErrNotExist
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("reading %s: permission denied (the run user, uid 1983 on Spacelift's image, must be able to read it)", path)
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	case !st.Mode().IsRegular():
		return st, notRegular(path, st.Mode())
	}
	return st, nil
}

// notRegular says what path is instead of a token file.
func notRegular(path string, m fs.FileMode) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		return fmt.Errorf("%s is a directory, not a token file", path)
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a block device"
	}
	return fmt.Errorf("%s is %s, not a regular file: oidc-doctor does not read it, since reading it could block the run", path, what)
}

// compareGrace is how long the sources after the one used may take to be
// read once it is: they are read only to compare with it, and a slow one
// must never delay the run. A local file takes microseconds.
const compareGrace = 250 * time.Millisecond

// readFile reads one regular token file; tests replace it to make a read hang.
var readFile = readRegular

// readFiles reads, all at once, the regular files among srcs. The source at
// used (-1 for none) is waited for until ctx ends; the others until it is
// read and compareGrace more. A read left behind finishes on its own and its
// result is dropped.
func readFiles(ctx context.Context, srcs []source, used int) {
	type result struct {
		i   int
		v   string
		err error
	}
	results := make(chan result, len(srcs))
	waiting := map[int]bool{}
	read := readFile // a read left behind must not see a test put readFile back
	for i, s := range srcs {
		if s.st == nil {
			continue
		}
		waiting[i] = true
		go func() {
			v, err := read(s.Path, s.st)
			results <- result{i, v, err}
		}()
	}
	var grace <-chan time.Time
	if !waiting[used] {
		grace = time.After(compareGrace)
	}
	for len(waiting) > 0 {
		select {
		case r := <-results:
			delete(waiting, r.i)
			srcs[r.i].Value, srcs[r.i].Err = strings.TrimSpace(r.v), r.err
			if r.i == used {
				grace = time.After(compareGrace)
			}
		case <-grace:
			for i := range waiting {
				srcs[i].slow = true
				srcs[i].Err = fmt.Errorf("reading %s took longer than %s after the token used was read", srcs[i].Path, compareGrace)
			}
			return
		case <-ctx.Done():
			for i := range waiting {
				srcs[i].slow = i != used
				srcs[i].Err = fmt.Errorf("reading %s did not finish before the run's deadline (a file on a stuck network mount?)", srcs[i].Path)
			}
			return
		}
	}
}

// readRegular opens path without blocking, checks it is still the regular
// file st, and reads it.
func readRegular(path string, st fs.FileInfo) (string, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return "", fmt.Errorf("reading %s: permission denied (the run user, uid 1983 on Spacelift's image, must be able to read it)", path)
		}
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	now, err := f.Stat()
	switch {
	case err != nil:
		return "", fmt.Errorf("reading %s: %w", path, err)
	case !now.Mode().IsRegular():
		return "", notRegular(path, now.Mode())
	case !os.SameFile(now, st):
		return "", fmt.Errorf("reading %s: the file was replaced while it was read; run oidc-doctor again", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if len(b) > maxTokenBytes {
		return "", fmt.Errorf("%s is larger than %d KiB: not a token file (a Spacelift token is about 1 KiB)", path, maxTokenBytes>>10)
	}
	return string(b), nil
}
