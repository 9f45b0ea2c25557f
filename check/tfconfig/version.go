package tfconfig

// Version constraints, as Terraform writes them in required_version
// (https://developer.hashicorp.com/terraform/language/expressions/version-constraints):
// comma-separated conditions, each an operator (=, !=, >, >=, <, <=, ~>) and
// a version of one to three numbers. Pre-release suffixes are dropped: the
// doctor only needs to know which release lines a constraint admits.

import (
	"fmt"
	"strconv"
	"strings"
)

// version is major.minor.patch.
type version [3]int

func (v version) less(w version) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] < w[i]
		}
	}
	return false
}

// String renders v as major.minor.patch.
func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2]) }

// parseVersion reads "1", "1.5" or "1.5.7" (with an optional v and a
// pre-release or build suffix, which are dropped). parts is how many
// numbers were given.
func parseVersion(s string) (v version, parts int, err error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	fields := strings.Split(s, ".")
	if len(fields) == 0 || len(fields) > 3 || s == "" {
		return v, 0, fmt.Errorf("%q is not a version", s)
	}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 9999 {
			return v, 0, fmt.Errorf("%q is not a version", s)
		}
		v[i] = n
	}
	return v, len(fields), nil
}

// condition is one operator and version of a constraint.
type condition struct {
	op    string
	v     version
	parts int
}

// parseConstraint reads a whole constraint string.
func parseConstraint(s string) ([]condition, error) {
	var out []condition
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		op := "="
		for _, o := range []string{">=", "<=", "!=", "~>", ">", "<", "="} {
			if strings.HasPrefix(part, o) {
				op, part = o, strings.TrimSpace(part[len(o):])
				break
			}
		}
		v, parts, err := parseVersion(part)
		if err != nil {
			return nil, err
		}
		out = append(out, condition{op: op, v: v, parts: parts})
	}
	return out, nil
}

// admits reports whether v satisfies the condition.
func (c condition) admits(v version) bool {
	switch c.op {
	case "=":
		return v == c.v
	case "!=":
		return v != c.v
	case ">":
		return c.v.less(v)
	case ">=":
		return !v.less(c.v)
	case "<":
		return v.less(c.v)
	case "<=":
		return !c.v.less(v)
	case "~>":
		// ~> 1.2.3 is >= 1.2.3, < 1.3.0; ~> 1.2 is >= 1.2, < 2.0.
		upper := c.v
		switch c.parts {
		case 3:
			upper = version{c.v[0], c.v[1] + 1, 0}
		default:
			upper = version{c.v[0] + 1, 0, 0}
		}
		return !v.less(c.v) && v.less(upper)
	}
	return false
}

func admitsAll(cs []condition, v version) bool {
	for _, c := range cs {
		if !c.admits(v) {
			return false
		}
	}
	return true
}

// candidates stands for every release a constraint could pick: each
// 0.12–0.15 and 1.0–1.40 minor with patches 0–40. It is a grid, not the
// release list, which is enough to tell which behaviour lines a constraint
// reaches.
var candidates = func() []version {
	var out []version
	for _, mm := range [][2]int{{0, 12}, {0, 13}, {0, 14}, {0, 15}} {
		for p := 0; p <= 40; p++ {
			out = append(out, version{mm[0], mm[1], p})
		}
	}
	for m := 0; m <= 40; m++ {
		for p := 0; p <= 40; p++ {
			out = append(out, version{1, m, p})
		}
	}
	return out
}()
