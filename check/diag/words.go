package diag

// Wording shared by every step, so the same thing reads the same everywhere.

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Absent is v, or "(absent)" when v is empty: a claim, header or setting
// that was looked for and not found.
func Absent(v string) string {
	if v == "" {
		return "(absent)"
	}
	return v
}

// Time is t in RFC 3339, UTC, or "(absent)" for nil.
func Time(t *time.Time) string {
	if t == nil {
		return "(absent)"
	}
	return t.UTC().Format(time.RFC3339)
}

// Duration renders 1h2m3s as "1h 2m", 59s as "59s", 50h as "2d 2h".
func Duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// Truncate cuts s to at most n bytes on a rune boundary, marking the cut
// with "…".
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// FirstNonEmpty returns the first of vs that is not empty, or "".
func FirstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// JSONType names the JSON type of a value decoded by encoding/json (with
// or without UseNumber): "a string", "a number", "an array", ...
func JSONType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64, interface{ Float64() (float64, error) }:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}
