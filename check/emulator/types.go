package emulator

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Host names and URLs of the emulated Spacelift account.
const (
	// IssuerURL is the iss claim of every token the emulated Spacelift account mints.
	IssuerURL = "https://demo.app.spacelift.io"
	// IssuerHost is the issuer's host name; it is also the token's aud.
	IssuerHost = "demo.app.spacelift.io"
	// Audience is the aud claim Spacelift puts in its tokens: the account host name.
	Audience = IssuerHost
)

// Stable, fake identifiers of the base scenario. They look like Azure GUIDs
// but belong to no real tenant, application or subscription.
const (
	TenantID       = "5c2a7e14-9b3d-4f61-8a0e-3d7c91b2e6f4"
	TenantDomain   = "oidcdoctordemo.onmicrosoft.com"
	OtherTenantID  = "a91f04d3-6e28-4c7b-b5d9-02e8f7c4a613"
	OtherDomain    = "oidcdoctorother.onmicrosoft.com"
	ClientID       = "2b8e6f1a-4c3d-4e9b-a7f2-6d1c0e5b9a38"
	AppObjectID    = "7d4c2e9f-1a6b-4b3e-9c8d-5f0a2e7b1c64"
	SPObjectID     = "c6e1f7a2-8b4d-4d5c-a3e9-9b2f6c0d7e15"
	SubscriptionID = "0f3e8d2c-5a1b-4c7e-8f6d-b4a9e2c1d705"
	// OtherSubscriptionID lives in OtherTenantID.
	OtherSubscriptionID = "e4b7c1d9-2f6a-4e3b-9d8c-71a5f0e3b2c6"
	// AppDisplayName is the display name of the base app registration.
	AppDisplayName = "spacelift-azure-infra"
	// RunID is the runId claim of the base token (a ULID, like real run IDs).
	RunID = "01JQ7V9ZK3M2X8E4RB6T5WNC0D"
	// StackID, SpaceID and AccountName describe the base run.
	StackID     = "azure-infra"
	SpaceID     = "root"
	AccountName = "demo"
	// ResourceGroup is the resource group used by the rbac-rg-only preset.
	ResourceGroup = "rg-azure-infra"
	// ManagementGroup is the subscription's parent in the rbac-mg-inherited preset.
	ManagementGroup = "mg-platform"
)

// Built-in role definition GUIDs (the real, global values).
const (
	RoleOwner                   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	RoleContributor             = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	RoleReader                  = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	RoleUserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
)

// Scenario is one complete, self-consistent world: a Spacelift account that
// mints a token, an Entra directory, Azure subscriptions with RBAC, the run's
// environment, and faults to inject.
type Scenario struct {
	// Name is the preset name ("ok", "subject-scope", ...); free-form for custom scenarios.
	Name string
	// Description is one line saying what is wrong in this scenario.
	Description string
	// Issuer holds faults of the Spacelift issuer endpoints.
	Issuer Issuer
	// Token says how the run's OIDC token is minted.
	Token TokenSpec
	// Entra is the directory state.
	Entra Entra
	// ARM is the Azure Resource Manager state.
	ARM ARM
	// Env is the environment the run sees: ARM_CLIENT_ID, ARM_TENANT_ID,
	// ARM_SUBSCRIPTION_ID, ARM_USE_OIDC, TF_VAR_spacelift_* ...
	Env map[string]string
	// Faults injects transport-level failures per endpoint. Keys are the
	// endpoint names listed in Endpoints.
	Faults map[string]Fault
	// Storage is the Azure Storage state: the accounts holding Terraform state.
	Storage Storage
	// Terraform is the stack's Terraform configuration, file name to
	// content. TerraformDir writes it into the run's workspace, with
	// /mnt/workspace rewritten like the environment.
	Terraform map[string]string
	// NoTokenFile leaves spacelift.oidc out of the workspace: the token is
	// only in SPACELIFT_OIDC_TOKEN.
	NoTokenFile bool
	// ServiceClockAhead is how far the real services' clocks (Spacelift,
	// Entra, ARM) run ahead of Options.Now, which stands for the worker's
	// clock. The token is minted, validated and Date-stamped on the service
	// clock. A positive value models a worker clock that is behind: the
	// token's nbf then lies in the worker's future while Entra accepts it.
	ServiceClockAhead time.Duration
}

// Endpoints lists the fault keys of Scenario.Faults, in request-flow order.
// entra-token-graph is a token request for a Microsoft Graph scope, and
// entra-token-storage one for Azure Storage (the state backend's); a fault
// on entra-token applies to them too unless they have their own.
var Endpoints = []string{
	"issuer-discovery", "issuer-jwks",
	"entra-instance", "entra-tenant", "entra-token", "entra-token-graph", "entra-token-storage",
	"arm-subscriptions", "arm-subscription", "arm-permissions", "arm-role-assignments", "arm-role-definitions", "arm-providers",
	"arm-resource-groups", "arm-rg-permissions",
	"arm-storage-account", "arm-storage-permissions", "arm-storage-listkeys", "storage-list-blobs",
	"graph-fic-list",
}

// Issuer configures faults of the emulated Spacelift OIDC issuer.
type Issuer struct {
	// DiscoveryIssuer is the issuer field of the discovery document; "" means IssuerURL.
	DiscoveryIssuer string
	// KeysUnreachable makes the JWKS endpoint reset every connection, for
	// every client including the emulated Entra (AADSTS50166).
	KeysUnreachable bool
	// RotatedKeys makes the JWKS publish only a new key, so the token's kid
	// is missing (AADSTS7000272).
	RotatedKeys bool
	// WrongCertificate serves the issuer host with a certificate from a CA
	// that no client of the emulator trusts.
	WrongCertificate bool
	// HTMLDiscovery answers the discovery document with an HTML page.
	HTMLDiscovery bool
	// MalformedJWKS serves a JWKS whose key has no modulus, which Entra
	// cannot parse (AADSTS900612).
	MalformedJWKS bool
}

// TokenSpec says how the run's OIDC token is minted.
type TokenSpec struct {
	// Claims overrides the default Spacelift claims; a nil value deletes the
	// claim. When sub is not overridden it is rendered from the (overridden)
	// claims through SubjectTemplate.
	Claims map[string]any
	// Header overrides JWT header fields; a nil value deletes the field.
	Header map[string]any
	// IssuedAgo is how long before the service clock the token was issued
	// (negative: in the future). Default 0.
	IssuedAgo time.Duration
	// Lifetime is exp-iat; 0 means one hour, like Spacelift.
	Lifetime time.Duration
	// TamperSignature corrupts the signature after signing.
	TamperSignature bool
	// Raw, when set, is used verbatim as the token.
	Raw string
	// SubjectTemplate is the account's custom OIDC subject template, from
	// which sub is rendered when Claims does not set it; "" is Spacelift's
	// default format.
	SubjectTemplate string
}

// Entra is the directory state: tenants with their applications.
type Entra struct {
	Tenants []Tenant
}

// Tenant is one Entra ID tenant.
type Tenant struct {
	// ID is the tenant GUID; Domain its initial domain (name.onmicrosoft.com).
	ID, Domain string
	// Apps are the app registrations (and managed identities) of the tenant.
	Apps []App
	// ConditionalAccessBlock makes a Conditional Access policy for workload
	// identities block every token issuance (AADSTS53003, with suberror
	// and claims naming the policy in capolids).
	ConditionalAccessBlock bool
	// ConditionalAccessExcluded are the resources (as a token's aud,
	// "https://management.core.windows.net/") the blocking policy
	// excludes: a policy on All resources with exclusions lets those
	// through and blocks the rest, Microsoft Graph included. UNCONFIRMED
	// that a policy for workload identities may exclude resources (the
	// documented set-up targets All resources); it stands for any policy
	// that treats Graph apart from ARM.
	ConditionalAccessExcluded []string
	// LegacyFICErrors makes the tenant answer a credential mismatch with
	// the older AADSTS70021, which quotes issuer, subject and audience
	// together, instead of 700211, 700212 or 700213.
	LegacyFICErrors bool
}

// App is an app registration (or a user-assigned managed identity) together
// with its service principal.
type App struct {
	// DisplayName is the app's name; when empty, access tokens carry no
	// app_displayname claim (it is optional).
	DisplayName string
	// ClientID is the application (client) ID; AppObjectID the application
	// object's ID; SPObjectID the service principal's object ID (the oid).
	ClientID, AppObjectID, SPObjectID string
	// NoServicePrincipal: the app registration has no enterprise application.
	NoServicePrincipal bool
	// Disabled: the service principal is disabled for sign-in.
	Disabled bool
	// PublicClient: "Allow public client flows" is on.
	PublicClient bool
	// ManagedIdentity marks a user-assigned managed identity.
	ManagedIdentity bool
	// FICs are the federated identity credentials.
	FICs []FIC
	// GraphRoles are the Microsoft Graph application permissions granted
	// with admin consent ("Application.Read.All"): the roles claim of its
	// Graph tokens.
	GraphRoles []string
	// DirectoryRoles are the template ids of the built-in directory roles
	// assigned to the service principal: the wids claim of its Graph
	// tokens, after the id every app-only token carries.
	DirectoryRoles []string
	// SelfOwned: the service principal is an owner of its own app
	// registration, so Application.ReadWrite.OwnedBy reaches it.
	SelfOwned bool
	// MultiTenant: the app accepts accounts in any organizational
	// directory, so its service principal can be created in other tenants.
	MultiTenant bool
	// RequestedGraphRoles are Graph application permissions the app
	// registration asks for (requiredResourceAccess) that no administrator
	// has consented to yet: tokens do not carry them.
	RequestedGraphRoles []string
}

// FIC is a federated identity credential. Matching is exact and case-sensitive.
type FIC struct {
	Name, Issuer, Subject string
	Audiences             []string
}

// ARM is the Azure Resource Manager state.
type ARM struct {
	Subscriptions   []Subscription
	RoleAssignments []RoleAssignment
	// CustomRoles are role definitions in addition to the built-in ones.
	CustomRoles []RoleDefinition
	// ManagementGroup is the name of the subscriptions' parent management
	// group (for example "mg-platform"); its parent is the tenant root group.
	ManagementGroup string
	// PageSize splits list responses into pages linked by nextLink; 0 = no paging.
	PageSize int
	// SubscriptionVisibleFromBelow lets a principal whose roles all lie
	// below a subscription (on its resource groups or resources) GET it and
	// find it in GET /subscriptions. Without it that principal gets 403
	// AuthorizationFailed (Microsoft.Resources/subscriptions/read).
	// UNCONFIRMED which of the two real ARM does; a scenario exists for each.
	SubscriptionVisibleFromBelow bool
}

// Subscription is one Azure subscription.
type Subscription struct {
	ID, TenantID, DisplayName string
	// State is Enabled, Warned, PastDue, Disabled or Deleted; "" means Enabled.
	State string
	// Providers maps a resource provider namespace to Registered,
	// NotRegistered or Registering.
	Providers map[string]string
	// ResourceGroups are the names of the subscription's resource groups.
	ResourceGroups []string
	// ManagedByTenants are the tenants that manage the subscription through
	// Azure Lighthouse: ARM accepts their tokens, and GET /subscriptions/{id}
	// lists them in managedByTenants while tenantId stays the customer's.
	ManagedByTenants []string
}

// RoleAssignment grants a role at a scope ("/", a management group
// "/providers/Microsoft.Management/managementGroups/{name}", a subscription
// "/subscriptions/{id}" or a resource group below it).
type RoleAssignment struct {
	Scope, PrincipalID string
	// RoleDefinitionID is the role's GUID.
	RoleDefinitionID string
	// Delegated marks an authorization of an Azure Lighthouse delegation:
	// it grants its role like any assignment, but the role assignments API
	// does not list it ("role assignments authorized by that service
	// provider won't be shown", https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest).
	Delegated bool
}

// RoleDefinition is a custom role.
type RoleDefinition struct {
	// ID is the role GUID; Name its roleName.
	ID, Name            string
	Actions, NotActions []string
}

// Fault is a failure injected at one endpoint. Fields combine in this order:
// Delay, Hang, Reset, then Status/RetryAfter/ContentType/Body replace parts of
// the response, then Truncate.
type Fault struct {
	// Delay sleeps before answering (cut short by the request context).
	Delay time.Duration
	// Hang blocks until the request context ends or the emulator closes.
	Hang bool
	// Status replaces the status code; the body becomes the service's error
	// shape for that status unless Body is set.
	Status int
	// RetryAfter sets a Retry-After header.
	RetryAfter string
	// Reset hijacks and closes the connection without a response.
	Reset bool
	// Truncate sends half the body with the full Content-Length, then closes.
	Truncate bool
	// ContentType overrides the Content-Type header.
	ContentType string
	// Body replaces the response body.
	Body string
	// Times limits the fault to the first Times requests; 0 means every request.
	Times int
}

// Options tune a running emulator.
type Options struct {
	// Now is the emulator clock; nil means time.Now. It stands for the
	// worker's clock; services run at Now()+Scenario.ServiceClockAhead.
	Now func() time.Time
	// ClockSkew is added to the Date header of every response.
	ClockSkew time.Duration
}

// Request is one request the emulator served.
type Request struct {
	// Time is the emulator clock when the request arrived.
	Time time.Time
	// Endpoint is the fault key of the route ("entra-token", ...); "" if unrouted.
	Endpoint           string
	Method, Host, Path string
	Query              url.Values
	// Form holds the token POST's form fields, without client_assertion.
	Form url.Values
	// AssertionPresent reports whether the form had a non-empty client_assertion.
	AssertionPresent bool
	// AssertionFingerprint is "sha256:" and 8 hex digits of the assertion; never the assertion itself.
	AssertionFingerprint string
	// Bearer reports whether an Authorization: Bearer header was sent.
	Bearer bool
	// Internal marks requests the emulated Entra made to fetch issuer keys.
	Internal bool
	// Status is the status code answered; 0 when the connection was reset, hung or truncated.
	Status int
	// Fault names the fault applied, if any.
	Fault string
}

// String renders the request on one line without secrets.
func (r Request) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s https://%s%s", r.Method, r.Host, r.Path)
	if len(r.Query) > 0 {
		b.WriteString("?" + r.Query.Encode())
	}
	if len(r.Form) > 0 {
		keys := make([]string, 0, len(r.Form))
		for k := range r.Form {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%q", k, r.Form.Get(k))
		}
	}
	if r.AssertionPresent {
		fmt.Fprintf(&b, " client_assertion=%s", r.AssertionFingerprint)
	}
	if r.Internal {
		b.WriteString(" (internal)")
	}
	fmt.Fprintf(&b, " -> %d", r.Status)
	if r.Fault != "" {
		fmt.Fprintf(&b, " fault=%s", r.Fault)
	}
	return b.String()
}
