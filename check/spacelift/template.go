package spacelift

// TemplateChars are the characters a subject template may hold around its
// placeholders: letters, digits and - _ : / | { }
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template,
// "Validation"). The claim values it puts in (space, stack and module
// slugs, ULIDs, run types, scopes, space paths) are made of the same.
const TemplateChars = "-_:/|{}"

// Untemplatable returns the first character of sub that no Spacelift
// subject can hold, and its byte offset; -1 when there is none. A subject
// with one is not Spacelift's, whatever its template.
func Untemplatable(sub string) (rune, int) {
	for i, r := range sub {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r < 0x80 && containsByte(TemplateChars, byte(r)):
		default:
			return r, i
		}
	}
	return 0, -1
}

func containsByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}
