package rbac

// The rbac-providers verdict, as azurerm judges providers: only the
// namespaces of the set it registers count (a real subscription lists
// hundreds, most NotRegistered, many third-party), and what it does depends
// on the release. When the release is unknown, every release whose
// behaviour differs is judged and the verdict says which holds for which.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/oidc-doctor/oidc-doctor/check/diag"
	"github.com/oidc-doctor/oidc-doctor/check/fixes"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

// factOtherNamespaces is the fact of the namespaces no applicable set has:
// evidence for --verbose, never a finding. The text renderer shows it only
// with --verbose.
const factOtherNamespaces = "other namespaces (not judged)"

// regOutcome is what one release does with these settings on this subscription.
type regOutcome struct {
	status diag.Status
	cause  diag.Cause
	// text says what it does, for facts; short says it without the set's
	// size, for the summary, where releases that differ only there merge.
	text, short string
	// judged: the set was compared with ARM's list (cite the set).
	judged bool
	plan   plan
	// register are the namespaces it will register; cannot and unknown
	// those the identity may not, or may or may not, register.
	register, cannot, unknown []string
	denied                    bool // it lists providers and ARM denied the list
}

func outcomeFor(rel release, s regSettings, w *world) regOutcome {
	p := planFor(rel, s)
	o := regOutcome{plan: p}
	switch {
	case p.err != "":
		o.status, o.cause = diag.StatusFail, diag.CauseOther
		o.text = "stops at start-up: " + p.err
	case !p.lists:
		o.status = diag.StatusPass
		o.text = "neither lists nor registers resource providers (" + p.why + ")"
	case w.provs.err != nil:
		o.status, o.cause, o.denied = diag.StatusFail, diag.CauseAuthorizationFailed, true
		o.text = "stops at start-up: it lists resource providers, and ARM denies " + actProvidersRead + " at subscription scope (\"populating Resource Provider cache: listing Resource Providers: …\")"
		if p.key == "none" && len(p.extra) == 0 {
			o.text += ", even with registrations none: resource provider enhanced validation lists them"
		}
	default:
		judgeSet(&o, w)
	}
	if o.short == "" {
		o.short = o.text
	}
	return o
}

// judgeSet compares the set with ARM's list. Look-ups are exact-case, as
// azurerm's are (internal/resourceproviders/requiring_registration.go): a
// namespace of the set that ARM does not return is skipped with a warning
// in azurerm's log, as on national clouds.
func judgeSet(o *regOutcome, w *world) {
	p := o.plan
	listed := map[string]string{}
	for _, pr := range w.provs.list {
		listed[pr.Namespace] = pr.State
	}
	for _, ns := range setNamespaces(p) {
		if st, ok := listed[ns]; ok && !strings.EqualFold(st, "registered") {
			o.register = append(o.register, ns)
		}
	}
	for _, ns := range o.register {
		switch {
		case w.perms.err != nil:
			o.unknown = append(o.unknown, ns)
		case !roles.Allowed(w.perms.perms, ns+"/register/action"):
			o.cannot = append(o.cannot, ns)
		}
	}
	o.judged = p.key != "none"
	o.status = diag.StatusPass
	say := func(format string, args ...any) {
		o.text = fmt.Sprintf(format, append([]any{describeSet(p)}, args...)...)
		o.short = fmt.Sprintf(format, append([]any{"its " + p.set + " set"}, args...)...)
	}
	switch {
	case p.key == "none" && len(p.extra) == 0:
		o.text = "lists resource providers and registers none (" + p.why + ")"
	case len(o.register) == 0:
		say("registers nothing: every namespace of %s that ARM lists is Registered")
	case len(o.cannot) > 0:
		o.status, o.cause = diag.StatusFail, diag.CauseProviderRegistration
		say("tries to register %[3]d namespace(s) of %[1]s that the identity may not (%[2]s), and Terraform stops with \"does not have the necessary permissions to register Resource Providers\"",
			strings.Join(armCap(o.cannot, 10), ", "), len(o.cannot))
	case len(o.unknown) > 0:
		o.status, o.cause = diag.StatusWarn, diag.CauseProviderRegistration
		say("tries to register %[2]d namespace(s) of %[1]s; whether the identity may is unknown", len(o.unknown))
	default:
		say("registers %[2]d namespace(s) of %[1]s at start-up, which the identity may do", len(o.register))
	}
}

// setNamespaces is the set a plan registers, with resource_providers_to_register.
func setNamespaces(p plan) []string {
	out := append([]string(nil), azurermSets()[p.key].Namespaces...)
	for _, x := range p.extra {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func describeSet(p plan) string {
	d := fmt.Sprintf("the %s set (%d namespaces", p.set, len(azurermSets()[p.key].Namespaces))
	if len(p.extra) > 0 {
		d += fmt.Sprintf(", plus %d in resource_providers_to_register", len(p.extra))
	}
	return d + ")"
}

// span is consecutive releases with the same outcome.
type span struct {
	first, last release
	out         regOutcome
}

// spansOf merges consecutive releases whose outcomes have the same key.
func spansOf(rs []release, outs []regOutcome, key func(regOutcome) string) []span {
	var out []span
	for i, rel := range rs {
		if n := len(out); n > 0 && key(out[n-1].out) == key(outs[i]) {
			out[n-1].last = rel
			continue
		}
		out = append(out, span{first: rel, last: rel, out: outs[i]})
	}
	return out
}

// label names a span: "azurerm 3.0-4.x", "every azurerm release", or the
// version the configuration gave.
func (sp span) label(ver string, known bool) string {
	switch {
	case known && sp.first.lo == sp.last.lo && ver != "":
		return "azurerm " + strings.TrimPrefix(ver, "v")
	case sp.first.lo == releases[0].lo && sp.last.hi == releases[len(releases)-1].hi:
		return "every azurerm release"
	}
	return "azurerm " + rangeLabel(sp.first, sp.last)
}

// rangeLabel is "3.0-4.x", or "5.x" for a whole major version.
func rangeLabel(first, last release) string {
	if major, ok := strings.CutSuffix(last.hi, ".x"); ok && first.lo == major+".0" {
		return last.hi
	}
	return first.lo + "-" + last.hi
}

func byText(o regOutcome) string  { return string(o.status) + o.text }
func byShort(o regOutcome) string { return string(o.status) + o.short }

func judgeProviders(w *world) diag.Result {
	in := w.in
	if in.Azurerm.Unused {
		return diag.Skipped(idRBACProviders, titleRBACProviders,
			"the configuration uses no azurerm provider, whose start-up lists and registers resource providers")
	}
	if w.provs.err != nil && !isDenied(w.provs.err) {
		r := failedCall(idRBACProviders, titleRBACProviders, "GET "+in.subscriptionScope()+"/providers", w.host, w.provs.err)
		r.Elapsed = w.provs.elapsed
		return r
	}
	s := settingsOf(in)
	rs, known := candidates(in.Azurerm.Version)
	outs := make([]regOutcome, len(rs))
	for i, rel := range rs {
		outs[i] = outcomeFor(rel, s, w)
	}
	r := diag.Result{ID: idRBACProviders, Title: titleRBACProviders, Elapsed: w.provs.elapsed}
	r.Facts = providerFacts(w, s, rs, known, spansOf(rs, outs, byText))
	providersVerdict(&r, w, spansOf(rs, outs, byShort), known)
	return r
}

// providerFacts: the version and settings judged, what ARM lists, one line
// per span, the namespaces judged, and (verbose) the others.
func providerFacts(w *world, s regSettings, rs []release, known bool, spans []span) []diag.Fact {
	ver := w.in.Azurerm.Version
	var fs []diag.Fact
	switch {
	case known:
		fs = append(fs, diag.F("azurerm version", strings.TrimSpace(ver+" "+sourceNote(w.in.Azurerm.Source))))
	case ver != "":
		fs = append(fs, diag.F("azurerm version", fmt.Sprintf("%q is not a version oidc-doctor reads; judged for every release whose behaviour differs", ver)))
	default:
		var ls []string
		for _, rel := range rs {
			ls = append(ls, rangeLabel(rel, rel))
		}
		fs = append(fs, diag.F("azurerm version", "unknown here: judged for every release whose behaviour differs ("+strings.Join(ls, ", ")+")"))
	}
	fs = append(fs, diag.F("registration settings", settingsText(s)))
	if w.provs.err != nil {
		fs = append(fs, diag.F("providers listed", "none: ARM denied the list (AuthorizationFailed on "+actProvidersRead+")"))
	} else {
		fs = append(fs, diag.F("providers listed", fmt.Sprintf("%d, %d not registered", len(w.provs.list), countUnregistered(w.provs.list))))
	}
	judged := map[string]bool{}
	var register, cannot, unknown []string
	for _, sp := range spans {
		v := sp.out.text
		if sp.out.judged {
			v = azurermSets()[sp.out.plan.key].source() + ": " + v
		}
		fs = append(fs, diag.F(sp.label(ver, known), v))
		if sp.out.plan.err == "" && sp.out.plan.lists {
			for _, ns := range setNamespaces(sp.out.plan) {
				judged[ns] = true
			}
		}
		register, cannot, unknown = union(register, sp.out.register), union(cannot, sp.out.cannot), union(unknown, sp.out.unknown)
	}
	fs = append(fs, registerFacts(w, register, cannot, unknown)...)
	if other := otherUnregistered(w.provs.list, judged); len(other) > 0 {
		fs = append(fs, diag.F(factOtherNamespaces, fmt.Sprintf("%d not registered, in no set azurerm registers here (only a resource of theirs would need them): %s", len(other), strings.Join(other, ", "))))
	}
	return fs
}

func registerFacts(w *world, register, cannot, unknown []string) []diag.Fact {
	if len(register) == 0 {
		return nil
	}
	state := map[string]string{}
	for _, p := range w.provs.list {
		state[p.Namespace] = p.State
	}
	var each []string
	for _, ns := range register {
		each = append(each, ns+" ("+state[ns]+")")
	}
	may := "yes"
	switch {
	case len(cannot) > 0:
		may = "no: " + strings.Join(cannot, ", ")
	case len(unknown) > 0:
		may = "unknown: its permissions could not be read"
	}
	return []diag.Fact{diag.F("in the set, not registered", strings.Join(each, ", ")), diag.F("identity may register them", may)}
}

func providersVerdict(r *diag.Result, w *world, spans []span, known bool) {
	var texts []string
	status := spans[0].out.status
	var c regOutcome // the first outcome that is not a pass, for cause and fixes
	for _, sp := range spans {
		texts = append(texts, sp.label(w.in.Azurerm.Version, known)+" "+sp.out.short)
		if sp.out.status != status {
			status = diag.StatusWarn
		}
		if c.status == "" && sp.out.status != diag.StatusPass {
			c = sp.out
		}
	}
	r.Status = status
	r.Summary = strings.Join(texts, "; ")
	if mixed(spans) {
		prefix := "depends on the azurerm release, which is not known here: "
		if known {
			prefix = "depends on the azurerm release: "
		}
		r.Summary = prefix + r.Summary
	}
	if status == diag.StatusPass {
		return
	}
	r.Cause = c.cause
	providersAdvice(r, w, spans, known)
}

// providersAdvice sets the hint and fixes for what the spans found.
func providersAdvice(r *diag.Result, w *world, spans []span, known bool) {
	var hints []string
	for _, sp := range spans {
		o := sp.out
		switch {
		case o.plan.err != "":
			hints = appendOnce(hints, "Remove skip_provider_registration from the provider block and unset ARM_SKIP_PROVIDER_REGISTRATION: resource_provider_registrations replaces it (and ARM_PROVIDER_ENHANCED_VALIDATION is gone in 5.x).")
		case o.denied:
			hints = appendOnce(hints, "azurerm lists resource providers at start-up, which needs "+actProvidersRead+" at subscription scope (Reader has it): grant it (least privilege, below), or stop the list with ARM_RESOURCE_PROVIDER_REGISTRATIONS=none and ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS=false (4.x; 5.x does not list by default).")
			r.Fixes = appendFixes(r.Fixes, roles.Grant(w.in.ObjectID, []string{actProvidersRead}, w.in.subscriptionScope())...)
			r.Fixes = appendFixes(r.Fixes, diag.Fix{Title: "stop azurerm listing and registering resource providers (stack environment variables, azurerm 4.x)", Lang: "text",
				Text: "ARM_RESOURCE_PROVIDER_REGISTRATIONS=none\nARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS=false"})
		case len(o.cannot) > 0:
			hints = appendOnce(hints, "Register them once as an administrator (below), or stop azurerm registering them: ARM_RESOURCE_PROVIDER_REGISTRATIONS=none.")
			r.Fixes = appendFixes(r.Fixes, fixes.ProviderRegister(o.cannot)...)
			r.Fixes = appendFixes(r.Fixes, noneFix)
		case len(o.unknown) > 0:
			hints = appendOnce(hints, "See rbac-permissions. If the stack uses these namespaces, register them once as an administrator.")
			r.Fixes = appendFixes(r.Fixes, fixes.ProviderRegister(o.unknown)...)
		}
	}
	if len(spans) > 1 && !known {
		hints = append(hints, "Which applies depends on the azurerm version the run installs: pin it in required_providers.")
	}
	r.Hint = strings.Join(hints, " ")
}

var noneFix = diag.Fix{Title: "stop the azurerm provider registering resource providers (stack environment variable)", Lang: "text", Text: "ARM_RESOURCE_PROVIDER_REGISTRATIONS=none"}

func mixed(spans []span) bool {
	for _, sp := range spans[1:] {
		if sp.out.status != spans[0].out.status {
			return true
		}
	}
	return false
}

func settingsText(s regSettings) string {
	var parts []string
	if s.az.Registrations != "" {
		parts = append(parts, "resource_provider_registrations = \""+s.az.Registrations+"\"")
	}
	if len(s.az.ProvidersToRegister) > 0 {
		parts = append(parts, "resource_providers_to_register = ["+strings.Join(s.az.ProvidersToRegister, ", ")+"]")
	}
	if s.az.SkipRegistration != nil {
		parts = append(parts, fmt.Sprintf("skip_provider_registration = %v", *s.az.SkipRegistration))
	}
	if s.az.EnhancedValidation != nil {
		parts = append(parts, fmt.Sprintf("enhanced_validation.resource_providers = %v", *s.az.EnhancedValidation))
	}
	for _, kv := range [][2]string{{"ARM_RESOURCE_PROVIDER_REGISTRATIONS", s.envSet}, {"ARM_SKIP_PROVIDER_REGISTRATION", s.envSkip},
		{"ARM_PROVIDER_ENHANCED_VALIDATION", s.envEV}, {"ARM_PROVIDER_ENHANCED_VALIDATION_RESOURCE_PROVIDERS", s.envEVRP}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "none set: each release's default (3.x and 4.x legacy, 5.x none)"
	}
	return strings.Join(parts, ", ")
}

func sourceNote(src string) string {
	if src == "" {
		return ""
	}
	return "(from " + src + ")"
}

func countUnregistered(list []providerState) int {
	n := 0
	for _, p := range list {
		if !strings.EqualFold(p.State, "registered") {
			n++
		}
	}
	return n
}

func otherUnregistered(list []providerState, judged map[string]bool) []string {
	var out []string
	for _, p := range list {
		if !judged[p.Namespace] && !strings.EqualFold(p.State, "registered") {
			out = append(out, p.Namespace)
		}
	}
	sort.Strings(out)
	return out
}

func union(a, b []string) []string {
	for _, x := range b {
		if !contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

func appendOnce(xs []string, s string) []string {
	if contains(xs, s) {
		return xs
	}
	return append(xs, s)
}

func appendFixes(fs []diag.Fix, more ...diag.Fix) []diag.Fix {
	for _, f := range more {
		dup := false
		for _, g := range fs {
			dup = dup || g.Text == f.Text
		}
		if !dup {
			fs = append(fs, f)
		}
	}
	return fs
}

// azurermLists reports whether some release the run may use lists resource
// providers at start-up with these settings, which needs
// Microsoft.Resources/subscriptions/providers/read at subscription scope.
func azurermLists(in Input) bool {
	rs, _ := candidates(in.Azurerm.Version)
	s := settingsOf(in)
	for _, rel := range rs {
		if p := planFor(rel, s); p.err == "" && p.lists {
			return true
		}
	}
	return false
}

// azurermNeeds says what azurerm itself needs at subscription scope with
// these settings, release by release where they differ.
func azurermNeeds(in Input) string {
	rs, known := candidates(in.Azurerm.Version)
	s := settingsOf(in)
	outs := make([]regOutcome, len(rs))
	for i, rel := range rs {
		p := planFor(rel, s)
		outs[i] = regOutcome{plan: p, status: diag.StatusPass, text: "no"}
		if p.err == "" && p.lists {
			outs[i].text = "yes"
		}
	}
	var lists, not []string
	for _, sp := range spansOf(rs, outs, byText) {
		if sp.out.text == "yes" {
			lists = append(lists, sp.label(in.Azurerm.Version, known))
		} else {
			not = append(not, sp.label(in.Azurerm.Version, known))
		}
	}
	rg := "; creating resource groups needs " + actRGWrite + " there"
	switch {
	case len(not) == 0:
		return actProvidersRead + " (Reader has it): " + strings.Join(lists, ", ") + " lists resource providers at start-up" + rg
	case len(lists) == 0:
		return "nothing for the provider itself: with these settings it neither lists nor registers resource providers" + rg
	}
	return actProvidersRead + " for " + strings.Join(lists, ", ") + ", which list resource providers at start-up; " +
		strings.Join(not, ", ") + " does not with these settings" + rg
}
