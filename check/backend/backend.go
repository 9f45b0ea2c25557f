// Package backend checks the azurerm state backend before `terraform init`
// meets it: first offline, from the backend block, -backend-config and the
// environment, in the precedence each Terraform and OpenTofu release
// implements (lines.go); then live, with the identity the exchange signed
// in as: the storage account through ARM, the identity's permissions on
// the container, and the very call init makes first, List Blobs on the
// state container, with a storage-scoped token. It never asks for account
// keys: whether the identity could is a question to the permissions API.
//
// It owns the check ids backend-settings, backend-auth, backend-account,
// backend-data and backend-lock.
package backend

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
)

// Timeout bounds the live part of the step (ARM reads, the storage token
// and List Blobs), retries included. It runs beside the RBAC step.
const Timeout = 15 * time.Second

// Check ids and titles.
const (
	idSettings = "backend-settings"
	idAuth     = "backend-auth"
	idAccount  = "backend-account"
	idData     = "backend-data"
	idLock     = "backend-lock"
)

var titles = map[string]string{
	idSettings: "State backend settings",
	idAuth:     "State backend sign-in",
	idAccount:  "State storage account",
	idData:     "State blob access",
	idLock:     "State lock",
}

var order = []string{idSettings, idAuth, idAccount, idData, idLock}

// Kinds of Attr.
const (
	Literal    = "literal"
	Expression = "expression"
)

// Attr is one backend attribute as written (package tfconfig's Value).
type Attr struct {
	// Kind is Literal or Expression; "" means not written.
	Kind string
	// Text is the literal; empty for a sensitive attribute, whose value is never kept.
	Text string
	// Pos is where it is written: "versions.tf:9", "-backend-config in TF_CLI_ARGS_init".
	Pos string
}

// Input is what the step needs. Package check fills it from package
// tfconfig (the configuration) and from the exchange (the identity).
type Input struct {
	// Block and Overrides are the backend block's attributes and the
	// -backend-config ones, by name.
	Block, Overrides map[string]Attr
	// BlockPos is where the backend block starts.
	BlockPos string
	// Complete reports that the whole configuration was read.
	Complete bool
	// ArgsElsewhere names another place init may get backend arguments
	// from (.spacelift/workflow.yml of a CUSTOM workflow); "" when none.
	ArgsElsewhere string
	// Getenv reads the ARM_* variables the backend reads.
	Getenv func(string) string
	// Lines are the ids of the release lines that may run init (see
	// Lines); empty means every line.
	Lines []string
	// Runtime says what the repository says about the tool and version, for a fact.
	Runtime string
	// ProviderUseOIDC and ProviderTokenFile name where a provider block
	// sets use_oidc = true and oidc_token_file_path ("" when none does):
	// the backend never reads them.
	ProviderUseOIDC, ProviderTokenFile string

	// Offline skips the live checks.
	Offline bool
	// Unavailable says why the live checks cannot run (the exchange
	// failed, say); empty when Cred is set. Upstream is the id of the
	// failure that caused it, the root of the skipped checks.
	Unavailable, Upstream string
	// Cred is the exchange's credential: one assertion, tokens per scope.
	Cred azcore.TokenCredential
	// StorageToken, when set, returns the token for Azure Storage that the
	// caller requested from Cred beside the exchange; nil means List Blobs
	// asks Cred itself.
	StorageToken func(context.Context) (azcore.AccessToken, error)
	// ClientOptions carries the shared transport, the cloud and the retry policy.
	ClientOptions arm.ClientOptions
	// ClientID, TenantID and ObjectID are who the exchange signed in as.
	ClientID, TenantID, ObjectID string
	// LookupHost resolves a host name; nil means the system resolver.
	LookupHost func(ctx context.Context, host string) ([]string, error)
}

func (in Input) env(k string) string {
	if in.Getenv == nil {
		return ""
	}
	return in.Getenv(k)
}

// Skipped is the step's result when no azurerm backend is configured (or
// the step cannot run); why says which. One result stands for the step.
func Skipped(why string) []diag.Result {
	return []diag.Result{diag.Skipped(idSettings, titles[idSettings], why)}
}

func skip(id, why string) diag.Result { return diag.Skipped(id, titles[id], why) }

// Check runs the step: the offline lint, then, unless offline or without
// an identity, the live checks under their own deadline.
func Check(ctx context.Context, in Input) []diag.Result {
	plans := in.plans()
	settings, auth := judgeSettings(in, plans), judgeAuth(in, plans)
	out := []diag.Result{settings, auth}
	why := in.liveBlocker(plans)
	if why != "" {
		var skipped []diag.Result
		for _, id := range order[2:] {
			skipped = append(skipped, skip(id, why))
		}
		return append(out, diag.Caused(skipped, in.blockerRoot(plans, out))...)
	}
	lctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	live := in.probe(lctx, plans)
	return keepFailedRoots(append(out, judgeAccount(in, plans, live), judgeData(in, plans, live), judgeLock(in, plans, live)))
}

// blockerRoot is the failure that keeps the live checks from running, when
// one does: the exchange's (Upstream), or the step's own settings and
// sign-in when they leave no way to the state with the OIDC token.
func (in Input) blockerRoot(plans []plan, own []diag.Result) string {
	switch {
	case in.Offline:
		return ""
	case in.Unavailable != "" || in.Cred == nil:
		return in.Upstream
	case oidcPlan(plans) == nil:
		return diag.FirstFailure(own)
	}
	return ""
}

// keepFailedRoots drops a root that did not fail: a skip follows from a
// failure only.
func keepFailedRoots(rs []diag.Result) []diag.Result {
	failed := map[string]bool{}
	for _, r := range rs {
		failed[r.ID] = r.Status == diag.StatusFail
	}
	for i := range rs {
		if !failed[rs[i].RootCause] {
			rs[i].RootCause = ""
		}
	}
	return rs
}
