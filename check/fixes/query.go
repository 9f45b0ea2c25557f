package fixes

import "strings"

// JMESString is s as a JMESPath raw string literal, for az's --query
// (https://jmespath.org/specification.html#raw-string-literals): single
// quotes, with ' and \ escaped by a backslash.
func JMESString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Query quotes a JMESPath expression for a POSIX shell: in double quotes
// when nothing in it means anything there (so its single-quoted literals
// stay readable, as in Microsoft's examples), else single-quoted as Shell
// does. A ! is left in double quotes only before =, where even bash's
// history expansion ignores it.
func Query(q string) string {
	if strings.ContainsAny(q, "\"$`\\\n") {
		return Shell(q)
	}
	for i := 0; i < len(q); i++ {
		if q[i] == '!' && (i+1 == len(q) || q[i+1] != '=') {
			return Shell(q)
		}
	}
	return `"` + q + `"`
}
