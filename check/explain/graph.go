package explain

// Microsoft Graph's answers: the Graph token azurerm asks for first (a
// refusal is Entra's, in Entra's words, but Terraform meets it at
// start-up, before any ARM call), and the answers of Graph's API to the
// one read the doctor makes, the app's federated credentials.
//
// azurerm (v3.44.0 and later, through v5.2.0) builds its account by asking
// for a Microsoft Graph token and reading its claims
// (https://github.com/hashicorp/terraform-provider-azurerm/blob/v5.2.0/internal/clients/auth.go,
// NewResourceManagerAccount), so a refused Graph token stops it with
// "building account: could not acquire access token to parse claims: ..."
// (internal/clients/builder.go), whose innermost part is go-azure-sdk's
// "clientCredentialsToken: received HTTP status %d with response: %s"
// (sdk/auth/client_credentials.go, as vendored there).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// maxGraphBody bounds how much of a Graph answer is read.
const maxGraphBody = 256 << 10

// AzurermGraphError is what azurerm prints when the Graph token request
// gets status and body back (status 0: no answer, why says what happened).
// azurerm quotes the body whole; this quotes only Entra's error fields, so
// a body that holds a token never reaches the report, and shows any other
// body by its shape (jsonShape) or kind.
func AzurermGraphError(status int, body []byte, why string) string {
	const prefix = "building account: could not acquire access token to parse claims: clientCredentialsToken: "
	if status == 0 {
		return prefix + "cannot request token: " + why
	}
	return prefix + fmt.Sprintf("received HTTP status %d with response: %s", status, diag.Truncate(errorFields(body), 300))
}

// errorFields is Entra's error body re-written with its own fields only,
// in Entra's order (entraError), or an ARM-style {"error": {"code",
// "message"}} with those two; any other JSON by its shape, and other text
// by its kind and size.
func errorFields(body []byte) string {
	var ee entraError
	if json.Unmarshal(body, &ee) == nil && ee.Error != "" {
		return compactJSON(ee)
	}
	var ae struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message,omitempty"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &ae) == nil && ae.Error.Code != "" {
		return compactJSON(ae)
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return jsonShape(body) // JSON, whole or cut short
	}
	if k := bodyKind("", body); k == kindHTML || len(body) == 0 {
		return "(" + k + ")"
	}
	return fmt.Sprintf("(a text body of %d bytes)", len(body))
}

// compactJSON is v as JSON on one line, with < > & as they are (as Entra
// writes them).
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return ""
	}
	return strings.TrimSpace(b.String())
}

// GraphToken is what a refused Graph token means: v is Entra's verdict on
// its answer (Entra), status and body the answer itself (status 0 when
// none came; v's summary then says why).
func GraphToken(v Verdict, status int, body []byte) Verdict {
	out := v
	verb := "refused"
	if v.Cause.Fault() {
		verb = "did not issue" // a 5xx or a 429 refuses nothing
	}
	out.Summary = "Entra " + verb + " the Microsoft Graph token, the first one Terraform's azurerm provider asks for: " + v.Summary
	out.Facts = append([]diag.Fact{diag.F("azurerm stops with", AzurermGraphError(status, body, v.Summary))}, v.Facts...)
	out.ListSubjects = false
	return out
}

// GraphAnswer is one answer of Microsoft Graph's API.
type GraphAnswer struct {
	// Request names the request: "GET graph.microsoft.com/v1.0/...".
	Request string
	Status  int
	// ContentType and Body are what came back.
	ContentType string
	Body        []byte
	// RequestID is the request-id header, which Microsoft support asks for.
	RequestID string
}

// graphError is Graph's error envelope
// (https://learn.microsoft.com/graph/errors): a code, a message, and
// innerError with the request's ids and date.
type graphError struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

// Graph says what a failed answer of Graph's API means.
func Graph(a GraphAnswer) Verdict {
	body := a.Body[:min(len(a.Body), maxGraphBody)]
	var ge graphError
	_ = json.Unmarshal(body, &ge)
	e := ge.Error
	v := Verdict{ErrorCode: e.Code, Cause: diag.CauseOther}
	add := func(k, val string) {
		if val != "" {
			v.Facts = append(v.Facts, diag.F(k, val))
		}
	}
	add("failed request", a.Request)
	add("HTTP status", fmt.Sprintf("%d %s", a.Status, http.StatusText(a.Status)))
	add("Graph says", diag.Truncate(e.Message, 500))
	add("request id", diag.FirstNonEmpty(e.InnerError.RequestID, a.RequestID))
	add("date", e.InnerError.Date)
	ci, known := LookupARM(e.Code)
	switch {
	case e.Code == "":
		v.Summary = fmt.Sprintf("Microsoft Graph answered HTTP %d with %s", a.Status, contentKind(a.ContentType, body))
	case known:
		v.Summary = fmt.Sprintf("Microsoft Graph answered HTTP %d %s: %s", a.Status, e.Code, ci.Title)
		v.Hint, v.Cause = ci.Explanation+" "+ci.Fix, ci.Cause
	default:
		v.Summary = fmt.Sprintf("Microsoft Graph answered HTTP %d %s: %s", a.Status, e.Code, diag.Truncate(e.Message, 200))
	}
	if a.Status == http.StatusTooManyRequests || a.Status >= 500 {
		v.Cause = diag.CauseServiceFault
	}
	return v
}

// Credential is one federated identity credential, as Graph lists it
// (https://learn.microsoft.com/graph/api/resources/federatedidentitycredential).
type Credential struct {
	Name      string   `json:"name"`
	Issuer    string   `json:"issuer"`
	Subject   string   `json:"subject"`
	Audiences []string `json:"audiences"`
}

// Credentials reads a successful answer to GET
// /applications(appId='{appId}')/federatedIdentityCredentials.
func Credentials(body []byte) ([]Credential, error) {
	if len(body) > maxGraphBody {
		return nil, fmt.Errorf("the answer is larger than %d KiB", maxGraphBody>>10)
	}
	var list struct {
		Value *[]Credential `json:"value"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("the answer is not Graph's JSON list: %v", err)
	}
	if list.Value == nil {
		return nil, fmt.Errorf("the answer has no value list")
	}
	return *list.Value, nil
}

// Coverage is which subjects an app's credentials cover.
type Coverage struct {
	// Missing are the subjects no credential holds for the issuer and audience.
	Missing []string
	// Near says, for a missing subject that a credential holds with
	// another issuer or audience, which credential and what differs.
	Near map[string]string
}

// Cover checks each subject against the credentials: Entra matches
// issuer, subject and audience exactly (case-sensitively).
func Cover(creds []Credential, issuer, audience string, subjects []string) Coverage {
	c := Coverage{Near: map[string]string{}}
	for _, s := range subjects {
		found := false
		for _, cr := range creds {
			if cr.Subject != s {
				continue
			}
			aud := contains(cr.Audiences, audience)
			if cr.Issuer == issuer && aud {
				found = true
				break
			}
			switch {
			case cr.Issuer != issuer:
				c.Near[s] = fmt.Sprintf("credential %q has this subject but issuer %s", cr.Name, cr.Issuer)
			default:
				c.Near[s] = fmt.Sprintf("credential %q has this subject but audience %s", cr.Name, strings.Join(cr.Audiences, ", "))
			}
		}
		if !found {
			c.Missing = append(c.Missing, s)
		}
	}
	return c
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
