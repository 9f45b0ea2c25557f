package tfconfig

// Reading the configuration's files: bounded, never following a symlink out
// of the directory, and naming each file that could not be read.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Bounds on what is read. Real root modules are a few files of a few KiB;
// anything past these is not a Terraform configuration worth reading whole.
const (
	maxFileBytes  = 2 << 20
	maxFiles      = 256
	maxTotalBytes = 16 << 20
	// maxNesting bounds bracket depth: the HCL parsers recurse per level.
	maxNesting = 256
)

// Problem is one file (or setting) the doctor could not read as Terraform
// would, with where and why.
type Problem struct {
	// File is the file's name relative to the directory ("main.tf").
	File string
	// Line is the 1-based line of a syntax error; 0 when not known.
	Line int
	// Msg says what is wrong, lower case.
	Msg string
}

// String renders "main.tf:12: msg" or "main.tf: msg".
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	if p.File == "" {
		return p.Msg
	}
	return p.File + ": " + p.Msg
}

// configFile is one *.tf or *.tf.json file in the directory.
type configFile struct {
	name     string // relative to the directory
	json     bool
	override bool // *_override.tf and override.tf: merged after the others
}

// listFiles lists the directory's configuration files the way Terraform
// orders them: normal files by name, then override files by name
// (https://developer.hashicorp.com/terraform/language/files/override).
func listFiles(dir string) ([]configFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []configFile
	for _, e := range entries {
		n := e.Name()
		var base string
		var isJSON bool
		switch {
		case strings.HasPrefix(n, "."):
			continue // Terraform ignores hidden files (and editor droppings like .#main.tf)
		case strings.HasSuffix(n, ".tf.json"):
			base, isJSON = strings.TrimSuffix(n, ".tf.json"), true
		case strings.HasSuffix(n, ".tf"):
			base = strings.TrimSuffix(n, ".tf")
		default:
			continue
		}
		if e.IsDir() {
			continue
		}
		out = append(out, configFile{name: n, json: isJSON, override: base == "override" || strings.HasSuffix(base, "_override")})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].override != out[j].override {
			return !out[i].override
		}
		return out[i].name < out[j].name
	})
	return out, nil
}

// readBounded reads dir/name, refusing what Terraform's configuration
// cannot be: a symlink out of dir, a non-regular file, a file over
// maxFileBytes, binary content, or nesting past maxNesting.
func readBounded(dir, name string, budget *int64) ([]byte, *Problem) {
	bad := func(format string, a ...any) ([]byte, *Problem) {
		return nil, &Problem{File: name, Msg: fmt.Sprintf(format, a...)}
	}
	path := filepath.Join(dir, name)
	if p := outsideLink(dir, name); p != "" {
		return bad("a symlink to %s, outside the directory: not read (Terraform reads it; the doctor does not follow links out of the configuration)", p)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return bad("permission denied: the run user must be able to read it")
		}
		return bad("cannot be opened: %v", unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return bad("cannot be read: %v", unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return bad("not a regular file")
	}
	if st.Size() > maxFileBytes {
		return bad("larger than %d MiB: not read (a Terraform file is a few KiB)", maxFileBytes>>20)
	}
	if *budget-st.Size() < 0 {
		return bad("not read: the directory's files exceed %d MiB together", maxTotalBytes>>20)
	}
	src, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return bad("cannot be read: %v", unwrapPath(err))
	}
	if len(src) > maxFileBytes {
		return bad("larger than %d MiB: not read (a Terraform file is a few KiB)", maxFileBytes>>20)
	}
	*budget -= int64(len(src))
	if p := checkContent(name, src); p != nil {
		return nil, p
	}
	return src, nil
}

// checkContent refuses binary content and pathological nesting, which the
// recursive parsers would pay for.
func checkContent(name string, src []byte) *Problem {
	if bytes.IndexByte(src, 0) >= 0 || !utf8.Valid(src) {
		return &Problem{File: name, Msg: "binary or not UTF-8: not a Terraform file (Terraform refuses it too)"}
	}
	depth, line, deepest := 0, 1, 0
	for _, c := range src {
		switch c {
		case '\n':
			line++
		case '{', '[', '(':
			depth++
			if depth > maxNesting {
				deepest = line
			}
		case '}', ']', ')':
			depth--
		}
		if deepest > 0 {
			return &Problem{File: name, Line: deepest, Msg: fmt.Sprintf("brackets nested more than %d deep: not read", maxNesting)}
		}
	}
	return nil
}

// outsideLink returns the target of dir/name when it is a symlink that
// leads out of dir (or cannot be resolved), else "".
func outsideLink(dir, name string) string {
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return ""
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "a missing or looping target"
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return target
	}
	rel, err := filepath.Rel(root, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return target
	}
	return ""
}

// unwrapPath drops the *fs.PathError wrapper, whose path the message
// already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
