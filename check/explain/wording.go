package explain

// The wordings that name an error without its code: wrappers that print
// only the message, pastes that cut the code off, and the tools (az,
// azurerm, Azure/login) that have no code at all. Each wording implies the
// code the catalogue files it under.

import (
	"sort"
	"strconv"
	"strings"
)

// wording is one recognised message.
type wording struct {
	phrase string // matched without regard to case, any whitespace run for a space
	code   string
	back   int    // bytes before the phrase that may hold its values
	line   bool   // the values before it are in the same line, not the same sentence
	need   string // when set, must follow within 160 bytes
	before string // when set, must precede within 40 bytes
	// pick, when set, decides the code from the text after the phrase.
	pick func(rest string) string
}

var wordings = []wording{
	// Entra ID.
	{phrase: "No matching federated identity record found for presented assertion", pick: pickFIC},
	{phrase: "has no configured federated identity credentials", code: "AADSTS70025", back: 200},
	{phrase: "Client assertion is not within its valid time range", code: "AADSTS700024"},
	{phrase: "Request to External OIDC endpoint failed", code: "AADSTS50166"},
	{phrase: "Failed to parse provider signing keys", code: "AADSTS900612"},
	{phrase: "used to sign the federated credential could not be found", code: "AADSTS7000272", back: 150},
	{phrase: "JWT token is invalid or malformed", code: "AADSTS50027"},
	{phrase: "Access has been blocked by Conditional Access policies", code: "AADSTS53003"},
	{phrase: "Invalid client secret provided", code: "AADSTS7000215"},
	{phrase: "The provided client secret keys", code: "AADSTS7000222", need: "expired"},
	{phrase: "was not found in the directory", code: "AADSTS700016", back: 200, before: "dentifier"},
	{phrase: "is missing service principal in the tenant", code: "AADSTS7000229", back: 150},
	{phrase: "No tenant-identifying information found", code: "AADSTS50059"},
	{phrase: "Unable to get ACTIONS_ID_TOKEN_REQUEST_", code: "NoOIDCToken"},

	// Azure Resource Manager.
	{phrase: "does not have authorization to perform action", code: "AuthorizationFailed", back: maxBack},
	{phrase: "does not have permission to perform action", back: maxBack, pick: pickPermission},
	{phrase: "is not authorized to access linked subscription", code: "LinkedAuthorizationFailed", back: maxBack},
	{phrase: "however the linked subscription", code: "LinkedAuthorizationFailed", back: maxBack},
	{phrase: "the access is denied because of the deny assignment", code: "DenyAssignmentAuthorizationFailed", back: maxBack},
	{phrase: "Permission to", code: "AuthorizationFailed", need: " is required"},
	{phrase: "The access token is from the wrong issuer", code: "InvalidAuthenticationTokenTenant"},
	{phrase: "The access token has been obtained for wrong audience", code: "InvalidAuthenticationTokenAudience"},
	{phrase: "The access token expiry UTC time", code: "ExpiredAuthenticationToken"},
	{phrase: "puid' or 'altsecid' or 'oid' should be present", code: "InvalidAuthenticationToken", back: 150},
	{phrase: "The 'Authorization' header is missing the access token", code: "AuthenticationFailedMissingToken"},
	{phrase: "The 'Authorization' header is provided in an invalid format", code: "AuthenticationFailedInvalidHeader"},
	{phrase: "The 'Authorization' header is missing", code: "AuthenticationFailed"},
	{phrase: "The subscription '", code: "SubscriptionNotFound", need: "could not be found"},
	{phrase: "Subscription", code: "SubscriptionNotFound", need: "was not found", pick: pickSubscriptionNotFound},
	{phrase: "The provided subscription identifier", code: "InvalidSubscriptionId"},
	{phrase: "is disabled and therefore marked as read only", code: "ReadOnlyDisabledSubscription", back: 200},
	{phrase: "Subscription is disabled", code: "ReadOnlyDisabledSubscription"},
	{phrase: "Resource group '", code: "ResourceGroupNotFound", need: "could not be found"},
	{phrase: "under resource group", code: "ResourceNotFound", back: 200, need: "was not found"},
	{phrase: "The subscription is not registered to use namespace", code: "MissingSubscriptionRegistration"},
	{phrase: "does not have the necessary permissions to register Resource Providers", code: "ProviderRegistrationFailed", back: 40},
	{phrase: "Error ensuring Resource Providers are registered", code: "ProviderRegistrationFailed"},
	{phrase: "Cannot register provider", code: "ProviderRegistrationFailed"},
	{phrase: "does not exist in the directory", code: "PrincipalNotFound", back: 100, before: "rincipal"},
	{phrase: "A valid principal ID must be provided for role assignment", code: "InvalidPrincipalId"},
	{phrase: "The role assignment already exists", code: "RoleAssignmentExists"},
	{phrase: "Encountered internal server error", code: "InternalServerError"},
	{phrase: "The request is being throttled", code: "TooManyRequests"},

	// Microsoft Graph and Azure Storage.
	{phrase: "Insufficient privileges to complete the operation", code: "Authorization_RequestDenied"},
	{phrase: "This request is not authorized to perform this operation", pick: pickStorage},
	{phrase: "Key based authentication is not permitted on this storage account", code: "KeyBasedAuthenticationNotPermitted"},
	{phrase: "Server failed to authenticate the request", code: "AuthenticationFailed"},
	{phrase: "The specified container does not exist", code: "ContainerNotFound"},

	// az and azurerm without a code.
	{phrase: "No subscriptions found", code: "NoSubscriptionsFound"},
	{phrase: "doesn't exist in cloud", code: "AzureCLISubscriptionNotFound", back: 200},
	{phrase: "is not known by Azure CLI", code: "AzureCLISubscriptionNotFound", back: 200},
	{phrase: "Please run 'az login'", code: "AzureCLINotLoggedIn", back: 300, line: true},
	{phrase: "Please run `az login`", code: "AzureCLINotLoggedIn", back: 300, line: true},
	{phrase: "Authorization Profile was not found", code: "AzureCLINotLoggedIn", back: 100},
	{phrase: "executable file not found", code: "AzureCLINotFound", before: `"az"`},
	{phrase: "Unable to locate executable file: 'az'", code: "AzureCLINotFound"},
	{phrase: "subscription ID could not be determined and was not specified", code: "SubscriptionIDNotSet"},
}

// pickFIC tells the federation codes apart by what follows "presented
// assertion": issuer, audience or subject name the 70021x codes; the old
// form (a period, then "Assertion Issuer:") is 70021.
func pickFIC(rest string) string {
	r := strings.TrimLeft(rest, " \n\t")
	switch {
	case hasPrefixFold(r, "issuer"):
		return "AADSTS700211"
	case hasPrefixFold(r, "audience"):
		return "AADSTS700212"
	case hasPrefixFold(r, "subject"):
		w := rest[:min(len(rest), 2800)]
		if indexLabel(w, "case-insensitive comparison", 0) >= 0 {
			return "AADSTS7002138"
		}
		if indexLabel(w, "federated identity credential Subject is", 0) >= 0 {
			return "AADSTS7002137"
		}
		return "AADSTS700213"
	}
	return "AADSTS70021"
}

// pickPermission: "does not have permission to perform action" is
// LinkedAuthorizationFailed when a linked scope follows, else the template
// validation form of AuthorizationFailed.
func pickPermission(rest string) string {
	if indexLabel(rest[:min(len(rest), 800)], "linked scope", 0) >= 0 {
		return "LinkedAuthorizationFailed"
	}
	return "AuthorizationFailed"
}

// pickStorage tells AuthorizationPermissionMismatch ("... using this
// permission") from AuthorizationFailure.
func pickStorage(rest string) string {
	if hasPrefixFold(strings.TrimLeft(rest, " \n"), "using this permission") {
		return "AuthorizationPermissionMismatch"
	}
	return "AuthorizationFailure"
}

// pickSubscriptionNotFound reads "Subscription <id> was not found", the
// wording without quotes.
func pickSubscriptionNotFound(rest string) string {
	r := strings.TrimLeft(rest, " ")
	i := strings.IndexAny(r, " \n")
	if i <= 0 || i > 100 || !hasPrefixFold(strings.TrimLeft(r[i:], " \n"), "was not found") {
		return ""
	}
	return "SubscriptionNotFound"
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// wordingsByFirst indexes wordings by their first word, lower case.
var wordingsByFirst = func() map[string][]int {
	m := map[string][]int{}
	for i, w := range wordings {
		m[firstWord(w.phrase)] = append(m[firstWord(w.phrase)], i)
	}
	// Longer phrases first, so that a specific wording wins over a short
	// one with the same first word ("Subscription is disabled" over
	// "Subscription <id> was not found").
	for _, is := range m {
		sort.SliceStable(is, func(a, b int) bool { return len(wordings[is[a]].phrase) > len(wordings[is[b]].phrase) })
	}
	return m
}()

// wordingSecond is, per wording, the lower-cased byte that follows its
// first word and the whitespace after it (0 when the phrase is one word or
// goes on without a space), to reject most candidates before matchLabel.
var wordingSecond = func() []byte {
	out := make([]byte, len(wordings))
	for i, w := range wordings {
		f := len(firstWord(w.phrase))
		if f < len(w.phrase) && w.phrase[f] == ' ' && f+1 < len(w.phrase) {
			out[i] = lowerASCII(w.phrase[f+1])
		}
	}
	return out
}()

// nextByte is the lower-cased byte after the whitespace at s[i:], or 0.
func nextByte(s string, i int) byte {
	if i >= len(s) || (s[i] != ' ' && s[i] != '\n' && s[i] != '\t') {
		return 0
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
		i++
	}
	if i == len(s) {
		return 0
	}
	return lowerASCII(s[i])
}

// firstWord is the leading run of letters of s, lower case.
func firstWord(s string) string {
	i := 0
	for i < len(s) && isLetter(s[i]) {
		i++
	}
	return strings.ToLower(s[:i])
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// scanWords finds, in one pass over the words of s, the known codes
// (exactly as printed) and the wordings (by their first word, then the
// whole phrase).
func scanWords(s string, from, to int, emit func(occurrence)) {
	var low [24]byte
	for i := from; i < to; i++ {
		if !isWordByte(s[i]) {
			continue
		}
		j := i + 1
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		if i > 0 && isWordByte(s[i-1]) {
			i = j - 1
			continue
		}
		if s[i] == 'A' && strings.HasPrefix(s[i:j], "AADSTS") {
			i = j - 1 // scanAADSTS's
			continue
		}
		if c := s[i]; c >= 'A' && c <= 'Z' && j-i >= 9 && j-i <= 40 && knownNames[s[i:j]] {
			emit(occurrence{start: i, end: j, kind: kindKnown, code: s[i:j]})
		}
		k := i
		for k < j && isLetter(s[k]) && k-i < len(low) {
			low[k-i] = s[k] | 0x20
			k++
		}
		if ws, ok := wordingsByFirst[string(low[:k-i])]; ok && k-i >= 2 {
			next := nextByte(s, k)
			for _, wi := range ws {
				if c := wordingSecond[wi]; c != 0 && c != next {
					continue // cheaply: the second word does not start alike
				}
				if o, ok := matchWording(s, i, wi); ok {
					emit(o)
					break
				}
			}
		}
		i = j - 1
	}
}

// matchWording checks wording wi at s[i:].
func matchWording(s string, i, wi int) (occurrence, bool) {
	w := wordings[wi]
	n := matchLabel(s[i:], w.phrase)
	if n < 0 {
		return occurrence{}, false
	}
	end := i + n
	if last := w.phrase[len(w.phrase)-1]; isLetter(last) && end < len(s) && isWordByte(s[end]) {
		return occurrence{}, false
	}
	if w.need != "" && indexLabel(s[end:min(len(s), end+160)], w.need, 0) < 0 {
		return occurrence{}, false
	}
	if w.before != "" && !strings.Contains(s[max(0, i-40):i], w.before) {
		return occurrence{}, false
	}
	return occurrence{start: i, end: end, kind: kindWording, back: w.back, line: w.line, wording: wi}, true
}

// resolve is the code a wording occurrence implies ("" when its pick
// says the text is not that error after all), decided from the text up to
// limit (where the next occurrence starts), only for the wordings that
// matter.
func resolve(s string, o occurrence, limit int) string {
	w := wordings[o.wording]
	if w.pick == nil {
		return w.code
	}
	return w.pick(s[o.end:max(o.end, min(len(s), limit, o.end+maxWindow))])
}

// atoiOr0 is strconv.Atoi without the error.
func atoiOr0(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
