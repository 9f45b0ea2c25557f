package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"
)

// entraErrorBody is the JSON every Entra endpoint answers on failure, in the
// field order the real service uses.
type entraErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
	ErrorURI         string `json:"error_uri,omitempty"`
	Suberror         string `json:"suberror,omitempty"`
	Claims           string `json:"claims,omitempty"`
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// entraError builds an AADSTS error response. The description ends with
// the Trace ID, Correlation ID and Timestamp joined by spaces, as every
// answer since 2024 does (bodies up to 2023 joined them with \r\n, e.g.
// https://github.com/external-secrets/external-secrets/issues/2783; later
// ones, e.g. https://github.com/Azure/azure-workload-identity/issues/1200, use spaces).
// code 0 means a description without an AADSTS prefix.
func entraError(status int, name string, code int, text string, now time.Time) response {
	return entraErrorCorr(status, name, code, text, now, "")
}

// noErrorURI are the codes whose real answers carry no error_uri
// (recorded 2022-2025: 700211, 70025, 90061, 50166, 900612, 5002727, 70011,
// 1002012, 90033).
var noErrorURI = map[int]bool{700211: true, 70025: true, 90061: true, 50166: true, 900612: true, 5002727: true, 70011: true, 1002012: true, 90033: true}

// entraErrorCorr is entraError with the correlation ID the client sent
// (client-request-id); Entra echoes it, and makes one up when it is absent.
func entraErrorCorr(status int, name string, code int, text string, now time.Time, corr string) response {
	return entraErrorBodyOf(aadsts{status: status, name: name, code: code, text: text}, now, corr)
}

// entraErrorBodyOf builds the answer for failure a.
func entraErrorBodyOf(a aadsts, now time.Time, corr string) response {
	status, name, code, text := a.status, a.name, a.code, a.text
	if !guidRE.MatchString(corr) {
		corr = newUUID()
	}
	trace := newUUID()
	ts := now.UTC().Format("2006-01-02 15:04:05Z")
	desc := text
	if code != 0 {
		desc = fmt.Sprintf("AADSTS%d: %s", code, text)
	}
	desc += fmt.Sprintf(" Trace ID: %s Correlation ID: %s Timestamp: %s", trace, corr, ts)
	body := entraErrorBody{
		Error:            name,
		ErrorDescription: desc,
		ErrorCodes:       []int{code},
		Timestamp:        ts,
		TraceID:          trace,
		CorrelationID:    corr,
		Suberror:         challenges[code][0],
		Claims:           challenges[code][1],
	}
	if code != 0 && !noErrorURI[code] {
		body.ErrorURI = fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", code)
	} else if code == 0 {
		body.ErrorCodes = []int{}
	}
	b, _ := json.Marshal(body)
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: b}
}

// aadsts is one failure of the token endpoint: status, OAuth error name,
// AADSTS code and text (without the AADSTS prefix).
type aadsts struct {
	status int
	name   string
	code   int
	text   string
}

// challenges are the suberror and claims that come with a code: a
// Conditional Access refusal names the blocking policies in capolids.
var challenges = map[int][2]string{
	53003: {"message_only", `{"access_token":{"capolids":{"essential":true,"values":["` + ConditionalAccessPolicyID + `"]}}}`},
}

// Texts are copied from real answers quoted in Microsoft's error reference
// (https://learn.microsoft.com/entra/identity-platform/reference-error-codes)
// and public issue threads; where they give no status
// code, the emulator uses 400 for request and directory errors and 401
// invalid_client for client-authentication (assertion) errors, the newer
// behaviour seen in recent threads (external-secrets/external-secrets#2783).
func errTenantNotFound(t string) aadsts {
	return aadsts{400, "invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", t)}
}

func errTenantMalformed(t string) aadsts {
	return aadsts{400, "invalid_request", 900023, fmt.Sprintf("Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", t)}
}

func errAppNotFound(client, directory string) aadsts {
	return aadsts{400, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", client, directory)}
}

func errNoServicePrincipal(client, tenant string) aadsts {
	return aadsts{401, "invalid_client", 7000229, fmt.Sprintf("The client application %s is missing service principal in the tenant %s. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119", client, tenant)}
}

func errDisabled(client, name string) aadsts {
	return aadsts{400, "unauthorized_client", 7000112, fmt.Sprintf("Application '%s'(%s) is disabled.", client, name)}
}

func errPublicClient() aadsts {
	return aadsts{401, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."}
}

func errMissingParam(p string) aadsts {
	return aadsts{400, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", p)}
}

func errNoCredential() aadsts {
	return aadsts{401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
}

func errMalformed() aadsts {
	return aadsts{400, "invalid_request", 50027, "JWT token is invalid or malformed."}
}

func errTyp() aadsts {
	return aadsts{401, "invalid_client", 5002727, "Invalid JWT header type specified, must be 'JWT' or 'http://openid.net/specs/jwt/1.0'."}
}

func errMissingField(f string) aadsts {
	return aadsts{400, "invalid_request", 90014, fmt.Sprintf("The required field '%s' is missing from the credential. Ensure that you have all the necessary parameters for the login request.", f)}
}

func errLifetime(now, nbf, exp time.Time) aadsts {
	f := "2006-01-02T15:04:05.0000000Z"
	return aadsts{401, "invalid_client", 700024, fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, expiry time of assertion %s. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
		now.UTC().Format(f), nbf.UTC().Format(f), exp.UTC().Format(f))}
}

// errNoFICs is the 2024 wording, which names no app (older answers began
// "The client '{appId}'({appName}) has ...").
func errNoFICs() aadsts {
	return aadsts{401, "invalid_client", 70025, "Client application has no configured federated identity credentials."}
}

func errIssuerEndpoint() aadsts {
	return aadsts{401, "invalid_client", 50166, "Request to External OIDC endpoint failed."}
}

func errKidNotFound(kid, iss string) aadsts {
	return aadsts{401, "invalid_client", 7000272, fmt.Sprintf("The certificate with identifier %s used to sign the federated credential could not be found in the metadata of identity provider %s. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.", kid, iss)}
}

func errSignature() aadsts {
	return aadsts{401, "invalid_client", 700027, "Client assertion failed signature validation."}
}

func errNoIssuerMatch(iss string) aadsts {
	return aadsts{401, "invalid_client", 700211, fmt.Sprintf("No matching federated identity record found for presented assertion issuer '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", iss)}
}

func errNoAudienceMatch(aud string) aadsts {
	return aadsts{401, "invalid_client", 700212, fmt.Sprintf("No matching federated identity record found for presented assertion audience '%s'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", aud)}
}

func errNoSubjectMatch(sub string) aadsts {
	return aadsts{401, "invalid_client", 700213, fmt.Sprintf("No matching federated identity record found for presented assertion subject '%s'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation", sub)}
}

func errSubjectCase(sub string) aadsts {
	return aadsts{401, "invalid_client", 7002138, fmt.Sprintf("No matching federated identity record found for presented assertion subject '%s'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.", sub)}
}

// ConditionalAccessPolicyID is the id of the emulated Conditional Access
// policy that blocks workload identities.
const ConditionalAccessPolicyID = "5b6c3f2e-7d14-4a8e-9c31-0f2d8e6a4b97"

// errConditionalAccess is 53003; its answer carries suberror message_only
// and the blocking policy in claims' capolids (see challenges).
func errConditionalAccess() aadsts {
	return aadsts{400, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."}
}

// errSigningKeys is Entra's answer when the issuer's JWKS cannot be parsed.
func errSigningKeys() aadsts {
	return aadsts{status: 400, name: "invalid_request", code: 900612, text: "Failed to parse provider signing keys."}
}

// errLegacyNoMatch is the older 70021, quoting all three values, in its
// 2023 form (401 invalid_client, with the documentation link).
func errLegacyNoMatch(iss, sub, aud string) aadsts {
	return aadsts{status: 401, name: "invalid_client", code: 70021, text: fmt.Sprintf("No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation", iss, sub, aud)}
}

func errScopeNotDefault(scope string) aadsts {
	return aadsts{400, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope)}
}

func errUnknownResource(resource, tenant string) aadsts {
	return aadsts{400, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenant)}
}

func errTenantless() aadsts {
	return aadsts{400, "invalid_request", 9001023, "The grant type isn't supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint."}
}

func errGrantType(g string) aadsts {
	return aadsts{400, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", g)}
}

func errGetOnToken() aadsts {
	return aadsts{400, "invalid_request", 900561, "The endpoint only accepts POST, OPTIONS requests. Received a GET request."}
}
