package explain

import "strings"

// repair undoes, over the whole text, what changes codes and ids
// themselves: GitHub Actions log links that split them
// ("AADSTS700[21](https://github.com/…#step:6:22)1") and HTML entities.
// It copies the text only when there is something to repair.
func repair(s string) string {
	if strings.Contains(s, "](https://github.com/") {
		s = unlinkSteps(s)
	}
	if strings.Contains(s, "&#") || strings.Contains(s, "&quot;") || strings.Contains(s, "&amp;") {
		s = htmlEntities.Replace(s)
	}
	return s
}

var htmlEntities = strings.NewReplacer("&#34;", `"`, "&quot;", `"`, "&#39;", "'", "&#x27;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+")

// unlinkSteps replaces "[digits](https://github.com/…)" by the digits: the
// line links GitHub's log viewer puts into copied text.
func unlinkSteps(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.Index(s, "](https://github.com/")
		if i < 0 {
			break
		}
		j := i
		for j > 0 && s[j-1] >= '0' && s[j-1] <= '9' && i-j < 12 {
			j--
		}
		end := strings.IndexAny(s[i:min(len(s), i+400)], ") \n")
		if j == i || j == 0 || s[j-1] != '[' || end < 0 || s[i+end] != ')' {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:j-1])
		b.WriteString(s[j:i])
		s = s[i+end+1:]
	}
	b.WriteString(s)
	return b.String()
}
