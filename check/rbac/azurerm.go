package rbac

// What the azurerm provider does about resource providers when Terraform
// configures it, release by release, read from its source
// (hashicorp/terraform-provider-azurerm: internal/resourceproviders/required.go
// for the sets; internal/provider/provider.go buildClient and
// internal/resourceproviders/registration.go for when it lists and
// registers). The sets are data (azurerm_sets.json, each with the tag and
// commit it was read at); the rules that choose a set are code, one row of
// releases per behaviour.

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Azurerm is what is known of the azurerm provider block and version this
// run uses, read from the Terraform configuration. The zero value means
// nothing is known: then every release whose behaviour differs is judged,
// and the result says which releases it holds for. Environment variables
// (ARM_RESOURCE_PROVIDER_REGISTRATIONS, ARM_SKIP_PROVIDER_REGISTRATION,
// ARM_PROVIDER_ENHANCED_VALIDATION*) come from Input.Getenv; a value set here
// wins over them, as it does in azurerm, where they are only defaults.
type Azurerm struct {
	// Version is the provider version the run installs ("4.27.0", or "4" or
	// "4.27" when only that much is known, as from a "~> 4.27" constraint
	// with no lock file); "" when unknown.
	Version string
	// Registrations is resource_provider_registrations from the provider
	// block; "" when the block does not set it.
	Registrations string
	// ProvidersToRegister is resource_providers_to_register (4.x and 5.x).
	ProvidersToRegister []string
	// SkipRegistration is skip_provider_registration from the block; nil
	// when the block does not set it.
	SkipRegistration *bool
	// EnhancedValidation is features { enhanced_validation {
	// resource_providers } }; nil when not set.
	EnhancedValidation *bool
	// Source names where these were read ("main.tf, .terraform.lock.hcl"),
	// for the facts; "" when nothing was read.
	Source string
	// Unused reports that the whole configuration was read, its modules
	// included, and names no azurerm provider anywhere: init installs none,
	// so nothing registers resource providers as azurerm does at start-up.
	// False when nothing was read (then azurerm may well be in use).
	Unused bool
}

//go:embed azurerm_sets.json
var azurermSetsJSON []byte

// regSet is one of azurerm's registration sets, with where it was read.
type regSet struct {
	Func       string   `json:"func"`
	Tag        string   `json:"tag"`
	Commit     string   `json:"commit"`
	SameAt     string   `json:"same_at"`
	Namespaces []string `json:"namespaces"`
}

// source is the set's citation for a fact.
func (s regSet) source() string {
	return fmt.Sprintf("%s in hashicorp/terraform-provider-azurerm internal/resourceproviders/required.go at %s (%s)", s.Func, s.Tag, s.Commit[:min(8, len(s.Commit))])
}

// azurermSets decodes the embedded sets once; a test decodes them too, so
// a failure is a build mistake.
var azurermSets = sync.OnceValue(func() map[string]regSet {
	var d struct {
		Sets map[string]regSet `json:"sets"`
	}
	if err := json.Unmarshal(azurermSetsJSON, &d); err != nil {
		panic("rbac: the embedded azurerm sets do not decode: " + err.Error())
	}
	d.Sets["none"] = regSet{Func: "none", Tag: "every release", Commit: ""}
	return d.Sets
})

// skipRule is what skip_provider_registration (ARM_SKIP_PROVIDER_REGISTRATION) does.
type skipRule int

const (
	// skipOff: registration does not run at all, and neither does the
	// fatal list (3.0–3.111: `if !skipProviderRegistration { EnsureRegistered }`).
	skipOff skipRule = iota
	// skipToNone: the set becomes none; the list still runs when enhanced
	// validation is on (3.112–3.117).
	skipToNone
	// skipUnlessLegacy: the set becomes none when it is legacy; with any
	// other set azurerm stops with an error (4.x buildClient).
	skipUnlessLegacy
	// skipRemoved: the property is gone and the variable is ignored (5.x).
	skipRemoved
)

// release is a range of azurerm versions that behave alike here.
type release struct {
	lo, hi     string // for labels: "4.27", "4.x"
	from, to   version
	legacy     string // the key of the set its legacy means
	setting    bool   // has resource_provider_registrations and resource_providers_to_register
	defaultSet string
	skip       skipRule
	enhanced   bool // resource provider enhanced validation on by default
}

// releases are the behaviours, oldest first. Sources, all in
// hashicorp/terraform-provider-azurerm: internal/provider/provider.go at
// v3.111.0, v3.117.1, v4.81.0 and v5.2.0; internal/features/defaults.go
// (ResourceProviders: !FivePointOh()); the 5.0 upgrade guide
// (website/docs/guides/5.0-upgrade-guide.html.markdown: "now defaults to
// none instead of legacy", "skip_provider_registration ... removed").
// Before 3.90 the legacy set differed by a few namespaces (the 3.0.0 list has
// Microsoft.ServiceFabricMesh and Microsoft.StoragePool and lacks
// Microsoft.AppConfiguration, Microsoft.DataFactory, Microsoft.SignalRService);
// the 3.90 set stands for all of 3.0–3.111.
var releases = []release{
	{lo: "3.0", hi: "3.111", from: version{3, 0, 0}, to: version{3, 112, 0}, legacy: "legacy-68", defaultSet: "legacy", skip: skipOff, enhanced: true},
	{lo: "3.112", hi: "3.117", from: version{3, 112, 0}, to: version{4, 0, 0}, legacy: "legacy-68", defaultSet: "legacy", skip: skipToNone, enhanced: true},
	{lo: "4.0", hi: "4.4", from: version{4, 0, 0}, to: version{4, 5, 0}, legacy: "legacy-68", setting: true, defaultSet: "legacy", skip: skipUnlessLegacy, enhanced: true},
	{lo: "4.5", hi: "4.26", from: version{4, 5, 0}, to: version{4, 27, 0}, legacy: "legacy-67", setting: true, defaultSet: "legacy", skip: skipUnlessLegacy, enhanced: true},
	{lo: "4.27", hi: "4.x", from: version{4, 27, 0}, to: version{5, 0, 0}, legacy: "legacy-66", setting: true, defaultSet: "legacy", skip: skipUnlessLegacy, enhanced: true},
	{lo: "5.0", hi: "5.x", from: version{5, 0, 0}, to: version{6, 0, 0}, legacy: "legacy-66", setting: true, defaultSet: "none", skip: skipRemoved, enhanced: false},
}

// version is a provider version; a part of -1 is unknown ("4" is {4,-1,-1}).
type version struct{ major, minor, patch int }

// parseVersion reads "4.27.0", "v4.27.0", "=4.27.0", "4.27" or "4". ok is
// false for anything else, including constraints with several bounds.
func parseVersion(s string) (version, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "="), "v")
	s, _, _ = strings.Cut(strings.TrimSpace(s), "-") // pre-release: judged as its release
	parts := strings.Split(s, ".")
	if s == "" || len(parts) > 3 {
		return version{}, false
	}
	v := []int{-1, -1, -1}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return version{}, false
		}
		v[i] = n
	}
	return version{v[0], v[1], v[2]}, true
}

func (v version) less(w version) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

// overlaps reports whether any version that v stands for lies in [r.from, r.to).
func (r release) overlaps(v version) bool {
	lo, hi := v, v // the smallest and largest versions v stands for
	if v.minor < 0 {
		lo.minor, hi.minor = 0, 1<<30
	}
	if v.patch < 0 {
		lo.patch, hi.patch = 0, 1<<30
	}
	return !hi.less(r.from) && lo.less(r.to)
}

// candidates are the releases the run may use: those matching the known
// version, or all of them.
func candidates(ver string) (rs []release, known bool) {
	v, ok := parseVersion(ver)
	if !ok {
		return releases, false
	}
	for _, r := range releases {
		if r.overlaps(v) {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return releases, false
	}
	return rs, true
}

// regSettings are the registration settings as azurerm reads them.
type regSettings struct {
	az Azurerm
	// env are the ARM_* variables azurerm reads here, as set.
	envSet, envSkip, envEV, envEVRP string
}

func settingsOf(in Input) regSettings {
	g := in.getenv
	return regSettings{az: in.Azurerm,
		envSet: strings.TrimSpace(g("ARM_RESOURCE_PROVIDER_REGISTRATIONS")), envSkip: strings.TrimSpace(g("ARM_SKIP_PROVIDER_REGISTRATION")),
		envEV: strings.TrimSpace(g("ARM_PROVIDER_ENHANCED_VALIDATION")), envEVRP: strings.TrimSpace(g("ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS"))}
}

// skip is skip_provider_registration: the block's value, else the variable's.
func (s regSettings) skip() bool {
	if s.az.SkipRegistration != nil {
		return *s.az.SkipRegistration
	}
	b, err := strconv.ParseBool(s.envSkip)
	return err == nil && b
}

// plan is what one release does with these settings at configure time.
type plan struct {
	// err is the configuration error azurerm stops with; "" when none.
	err string
	// set is the name of the set it registers ("legacy", "none", ...) and
	// key the data it stands for; extra are resource_providers_to_register.
	set, key string
	extra    []string
	// lists: it lists resource providers and a failure stops it.
	lists bool
	// why says where the set came from, for facts.
	why string
}

var setNames = []string{"core", "extended", "all", "none", "legacy"}

// planFor applies release r's rules to s.
func planFor(r release, s regSettings) plan {
	p := plan{set: r.defaultSet, why: "its default"}
	if r.setting {
		switch {
		case s.az.Registrations != "":
			p.set, p.why = s.az.Registrations, "resource_provider_registrations = \""+s.az.Registrations+"\""
			if !contains(setNames, p.set) { // the schema's StringInSlice is case-sensitive
				p.err = fmt.Sprintf("resource_provider_registrations = %q is not one of %s", p.set, strings.Join(setNames, ", "))
				return p
			}
		case s.envSet != "":
			p.set, p.why = strings.ToLower(s.envSet), "ARM_RESOURCE_PROVIDER_REGISTRATIONS="+s.envSet
			if !contains(setNames, p.set) { // GetResourceProvidersSet lower-cases
				p.err = fmt.Sprintf("ARM_RESOURCE_PROVIDER_REGISTRATIONS=%s: unsupported value for resource_provider_registrations (%s)", s.envSet, strings.Join(setNames, ", "))
				return p
			}
		}
		p.extra = s.az.ProvidersToRegister
	} else if s.envSet != "" {
		p.why += "; 3.x ignores ARM_RESOURCE_PROVIDER_REGISTRATIONS"
	}
	if e := skipPlan(r, s, &p); e != "" {
		p.err = e
		return p
	}
	p.key = p.set
	if p.set == "legacy" {
		p.key = r.legacy
	}
	registers := p.key != "none" || len(p.extra) > 0
	switch {
	case r.skip == skipOff && s.skip():
		p.lists = false // EnsureRegistered is not called; the prefetch ignores failures
	default:
		p.lists = registers || enhancedFor(r, s)
	}
	if r.skip == skipRemoved && s.envEV != "" {
		p.err = "the environment variable ARM_PROVIDER_ENHANCED_VALIDATION has been removed in v5.0 of the AzureRM Provider"
	}
	return p
}

// skipPlan applies skip_provider_registration; it returns azurerm's error, if any.
func skipPlan(r release, s regSettings, p *plan) string {
	if r.skip == skipRemoved && s.az.SkipRegistration != nil { // the 5.x schema has no such argument
		return "An argument named \"skip_provider_registration\" is not expected here (removed in 5.0)"
	}
	if !s.skip() {
		return ""
	}
	skip := "ARM_SKIP_PROVIDER_REGISTRATION=" + s.envSkip
	if s.az.SkipRegistration != nil {
		skip = "skip_provider_registration = true"
	}
	switch r.skip {
	case skipOff, skipToNone:
		p.set, p.why = "none", skip
	case skipUnlessLegacy:
		if p.set != "legacy" {
			return "provider property `skip_provider_registration` cannot be set at the same time as `resource_provider_registrations`, please remove `skip_provider_registration` from your configuration or unset the `ARM_SKIP_PROVIDER_REGISTRATION` environment variable"
		}
		p.set, p.why = "none", skip+", with the legacy set"
	case skipRemoved:
		p.why += "; 5.x ignores ARM_SKIP_PROVIDER_REGISTRATION"
	}
	return ""
}

// enhancedFor is resource provider enhanced validation, which makes azurerm
// list providers (and fail when it cannot) even when it registers none.
// 3.x and 4.x read ARM_PROVIDER_ENHANCED_VALIDATION; 4.x and 5.x read
// ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS and the features block,
// which win.
func enhancedFor(r release, s regSettings) bool {
	if s.az.EnhancedValidation != nil && r.major() >= 4 {
		return *s.az.EnhancedValidation
	}
	on := r.enhanced
	if b, err := strconv.ParseBool(s.envEV); err == nil && r.major() < 5 {
		on = b
	}
	if b, err := strconv.ParseBool(s.envEVRP); err == nil && r.major() >= 4 {
		on = b
	}
	return on
}

func (r release) major() int { return r.from.major }

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
