package check_test

// A fake az CLI over the emulator's state, so that the fixes a report
// prints can be run as an administrator would paste them: by a real POSIX
// shell (sh -e), with its quoting, pipes, $(...), grep and awk, where
// `az` is this test binary (TestMain), which hands its arguments to the
// test process. There they are carried out on the emulator, with the
// checks Microsoft Graph and ARM apply (see emulator's AddFIC, UpdateFIC,
// EnableServicePrincipal, CreateServicePrincipal, RegisterProvider,
// AddGraphPermissions, GrantAdminConsent, UpdateStorageNetwork,
// ConditionalAccessPolicy).
// az is signed in to the tenant that holds the scenario's app, as the
// administrator who manages it is.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/oidc-doctor/oidc-doctor/check/emulator"
	"github.com/oidc-doctor/oidc-doctor/check/roles"
)

const fakeAZEnv = "OIDC_DOCTOR_FAKE_AZ"

func TestMain(m *testing.M) {
	if url := os.Getenv(fakeAZEnv); url != "" {
		os.Exit(fakeAZClient(url, os.Args[1:]))
	}
	os.Exit(m.Run())
}

// azCall is one az invocation and its outcome.
type azCall struct {
	Args   []string `json:"args"`
	Stdout string   `json:"stdout"`
	Stderr string   `json:"stderr"`
	Code   int      `json:"code"`
}

// fakeAZClient is az in the shell: it asks the test process to run args.
func fakeAZClient(url string, args []string) int {
	b, _ := json.Marshal(azCall{Args: args})
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake az:", err)
		return 1
	}
	defer resp.Body.Close()
	var c azCall
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		fmt.Fprintln(os.Stderr, "fake az:", err)
		return 1
	}
	io.WriteString(os.Stdout, c.Stdout)
	io.WriteString(os.Stderr, c.Stderr)
	return c.Code
}

// shell runs scripts against one emulator, recording every az call.
type shell struct {
	t     *testing.T
	e     *emulator.Emulator
	dir   string
	url   string
	mu    sync.Mutex
	calls []azCall
	// signedIn is the tenant `az login --tenant` chose; "" is the app's.
	signedIn string
}

func newShell(t *testing.T, e *emulator.Emulator) *shell {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	sh := &shell{t: t, e: e, dir: t.TempDir()}
	if err := os.Symlink(exe, filepath.Join(sh.dir, "az")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var c azCall
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out, err := sh.az(c.Args)
		c.Stdout = out
		if err != nil {
			c.Stderr, c.Code = "ERROR: "+err.Error()+"\n", 1
			if errors.Is(err, errNotFound) {
				c.Code = 3 // az's exit code for a missing resource
			}
		}
		sh.mu.Lock()
		sh.calls = append(sh.calls, c)
		sh.mu.Unlock()
		json.NewEncoder(w).Encode(c)
	}))
	t.Cleanup(srv.Close)
	sh.url = srv.URL
	return sh
}

// run runs script with sh -e and returns its standard output; a failing
// command fails it.
func (s *shell) run(script string) (string, error) {
	cmd := exec.Command("sh", "-e", "-c", script)
	cmd.Env = append(os.Environ(), fakeAZEnv+"="+s.url, "PATH="+s.dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%v: %s", err, stderr.String())
	}
	return out.String(), nil
}

var errNotFound = errors.New("does not exist")

// azArgs splits az's arguments into the command words and the flags.
func azArgs(args []string) (cmd string, flags map[string]string) {
	flags = map[string]string{}
	var words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			v := ""
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				v = args[i+1]
				i++
			}
			// --api-permissions takes a list: "id=Role id=Role".
			for a == "--api-permissions" && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				v += " " + args[i+1]
				i++
			}
			flags[a] = v
			continue
		}
		words = append(words, a)
	}
	return strings.Join(words, " "), flags
}

// tenant is the tenant az is signed in to: the one holding the scenario's
// app, unless `az login --tenant` chose another.
func (s *shell) tenant() emulator.Tenant {
	sc := s.e.Scenario()
	s.mu.Lock()
	signedIn := s.signedIn
	s.mu.Unlock()
	for _, t := range sc.Entra.Tenants {
		if signedIn != "" && strings.EqualFold(t.ID, signedIn) {
			return t
		}
	}
	for _, t := range sc.Entra.Tenants {
		for _, a := range t.Apps {
			if a.ClientID == emulator.ClientID {
				return t
			}
		}
	}
	return sc.Entra.Tenants[0]
}

// app finds an app registration of az's tenant by client id or object id.
func (s *shell) app(id string) (emulator.App, error) {
	for _, a := range s.tenant().Apps {
		if id != "" && (strings.EqualFold(a.ClientID, id) || strings.EqualFold(a.AppObjectID, id)) {
			return a, nil
		}
	}
	return emulator.App{}, fmt.Errorf("resource '%s' %w or one of its queried reference-property objects are not present", id, errNotFound)
}

// sp finds a service principal of az's tenant by its object id or its app's client id.
func (s *shell) sp(id string) (emulator.App, error) {
	for _, a := range s.tenant().Apps {
		if id != "" && !a.NoServicePrincipal && (strings.EqualFold(a.ClientID, id) || strings.EqualFold(a.SPObjectID, id)) {
			return a, nil
		}
	}
	return emulator.App{}, fmt.Errorf("resource '%s' %w or one of its queried reference-property objects are not present", id, errNotFound)
}

// az carries out one az command and returns what it prints.
func (s *shell) az(args []string) (string, error) {
	cmd, f := azArgs(args)
	var data any
	switch cmd {
	case "account show":
		data = map[string]any{"tenantId": s.tenant().ID}
	case "login":
		s.mu.Lock()
		s.signedIn = f["--tenant"]
		s.mu.Unlock()
		return "", nil
	case "ad app show":
		a, err := s.app(f["--id"])
		if err != nil {
			return "", err
		}
		data = map[string]any{"appId": a.ClientID, "id": a.AppObjectID, "displayName": a.DisplayName, "publisherDomain": s.tenant().Domain}
	case "ad sp show":
		a, err := s.sp(f["--id"])
		if err != nil {
			return "", err
		}
		data = map[string]any{"appId": a.ClientID, "id": a.SPObjectID, "accountEnabled": !a.Disabled, "appOwnerOrganizationId": s.tenant().ID}
	case "ad sp update":
		if f["--set"] != "accountEnabled=true" {
			return "", fmt.Errorf("fake az: only --set accountEnabled=true is supported, not %q", f["--set"])
		}
		return "", s.e.EnableServicePrincipal(s.tenant().ID, f["--id"])
	case "ad sp create":
		return "", s.e.CreateServicePrincipal(s.tenant().ID, f["--id"])
	case "ad app federated-credential list":
		a, err := s.app(f["--id"])
		if err != nil {
			return "", err
		}
		list := []any{}
		for _, c := range a.FICs {
			auds := []any{}
			for _, x := range c.Audiences {
				auds = append(auds, x)
			}
			list = append(list, map[string]any{"name": c.Name, "issuer": c.Issuer, "subject": c.Subject, "audiences": auds})
		}
		data = list
	case "ad app federated-credential create", "ad app federated-credential update":
		return "", s.ficWrite(cmd, f)
	case "role assignment create":
		return "", s.assignRole(f)
	case "ad app permission add":
		return "", s.e.AddGraphPermissions(s.tenant().ID, f["--id"], f["--api"], strings.Fields(f["--api-permissions"]))
	case "ad app permission admin-consent":
		return "", s.e.GrantAdminConsent(s.tenant().ID, f["--id"])
	case "provider register":
		return "", s.e.RegisterProvider(f["--subscription"], f["--namespace"])
	case "storage account show", "storage account update", "storage account list", "storage container create":
		v, err := s.azStorage(cmd, f)
		if err != nil || v == nil {
			return "", err
		}
		data = v
	case "rest":
		v, err := s.graphGet(f)
		if err != nil {
			return "", err
		}
		data = v
	default:
		return "", fmt.Errorf("fake az: %q is not supported", cmd)
	}
	if q, ok := f["--query"]; ok {
		v, err := jmesSearch(q, data)
		if err != nil {
			return "", err
		}
		data = plain(v)
	}
	return azOutput(data, f["-o"])
}

// azStorage carries out the storage commands: what they print, nil for
// nothing.
func (s *shell) azStorage(cmd string, f map[string]string) (any, error) {
	switch cmd {
	case "storage container create":
		if f["--auth-mode"] != "login" {
			return nil, fmt.Errorf("fake az: a container is created with --auth-mode login here, not %q", f["--auth-mode"])
		}
		return nil, s.e.CreateContainer(f["--account-name"], f["--name"])
	case "storage account list":
		list := []any{}
		for _, a := range s.e.Scenario().Storage.Accounts {
			if rg := f["--resource-group"]; rg == "" || strings.EqualFold(a.ResourceGroup, rg) {
				list = append(list, map[string]any{"name": a.Name, "resourceGroup": a.ResourceGroup})
			}
		}
		return list, nil
	}
	a, err := s.storageAccount(f)
	if err != nil {
		return nil, err
	}
	id := "/subscriptions/" + a.SubscriptionID + "/resourceGroups/" + a.ResourceGroup + "/providers/Microsoft.Storage/storageAccounts/" + a.Name
	if cmd == "storage account update" {
		if err := s.e.UpdateStorageNetwork(id, f["--public-network-access"], f["--default-action"]); err != nil {
			return nil, err
		}
		a, _ = s.storageAccount(map[string]string{"--ids": id})
	}
	return storageAccountJSON(a, id), nil
}

// storageAccount finds the account that --ids, or --name with or without
// --resource-group, names, as az's storage commands look it up.
func (s *shell) storageAccount(f map[string]string) (emulator.StorageAccount, error) {
	for _, a := range s.e.Scenario().Storage.Accounts {
		id := "/subscriptions/" + a.SubscriptionID + "/resourceGroups/" + a.ResourceGroup + "/providers/Microsoft.Storage/storageAccounts/" + a.Name
		switch {
		case f["--ids"] != "":
			if strings.EqualFold(f["--ids"], id) {
				return a, nil
			}
		case strings.EqualFold(f["--name"], a.Name) && (f["--resource-group"] == "" || strings.EqualFold(f["--resource-group"], a.ResourceGroup)):
			return a, nil
		}
	}
	return emulator.StorageAccount{}, fmt.Errorf("(ResourceNotFound) the storage account %s%s %w", f["--ids"], f["--name"], errNotFound)
}

// storageAccountJSON is the account as az storage account show prints it:
// the fields the fixes query.
func storageAccountJSON(a emulator.StorageAccount, id string) map[string]any {
	public, def := "Enabled", "Allow"
	if a.PrivateEndpoint {
		public, def = "Disabled", "Deny"
	}
	if a.Firewall {
		def = "Deny"
	}
	return map[string]any{"id": id, "name": a.Name, "resourceGroup": a.ResourceGroup, "publicNetworkAccess": public,
		"networkRuleSet": map[string]any{"defaultAction": def, "bypass": "AzureServices"}}
}

// graphGet is `az rest --method get` on the Microsoft Graph requests the
// fixes print: a Conditional Access policy of az's tenant.
func (s *shell) graphGet(f map[string]string) (any, error) {
	const prefix = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies/"
	u := f["--url"] + f["--uri"]
	if !strings.EqualFold(f["--method"], "get") || !strings.HasPrefix(u, prefix) {
		return nil, fmt.Errorf("fake az: rest %s %s is not modelled", f["--method"], u)
	}
	return s.e.ConditionalAccessPolicy(s.tenant().ID, strings.TrimPrefix(u, prefix))
}

// ficWrite creates or updates a federated credential from --parameters.
func (s *shell) ficWrite(cmd string, f map[string]string) error {
	a, err := s.app(f["--id"])
	if err != nil {
		return err
	}
	var p struct {
		Name, Issuer, Subject string
		Audiences             []string
	}
	if err := json.Unmarshal([]byte(f["--parameters"]), &p); err != nil {
		return fmt.Errorf("--parameters: %v", err)
	}
	fic := emulator.FIC{Name: p.Name, Issuer: p.Issuer, Subject: p.Subject, Audiences: p.Audiences}
	if strings.HasSuffix(cmd, "create") {
		return s.e.AddFIC(a.ClientID, fic)
	}
	id := f["--federated-credential-id"]
	if id == "" {
		return errors.New("argument --federated-credential-id: expected one argument")
	}
	return s.e.UpdateFIC(a.ClientID, id, fic)
}

// assignRole creates a role assignment, resolving the role by name as az
// does, and refusing a principal the tenant does not have.
func (s *shell) assignRole(f map[string]string) error {
	oid := f["--assignee-object-id"]
	if _, err := s.sp(oid); err != nil {
		return fmt.Errorf("(PrincipalNotFound) principal %s does not exist in the directory %s", oid, s.tenant().ID)
	}
	role := f["--role"]
	id := ""
	for _, d := range roles.Builtin() {
		if strings.EqualFold(d.Name, role) || strings.EqualFold(d.ID, role) {
			id = d.ID
		}
	}
	for _, c := range s.e.Scenario().ARM.CustomRoles {
		if strings.EqualFold(c.Name, role) || strings.EqualFold(c.ID, role) {
			id = c.ID
		}
	}
	if id == "" {
		return fmt.Errorf("role '%s' doesn't exist", role)
	}
	scope := f["--scope"]
	if !strings.HasPrefix(scope, "/") {
		return fmt.Errorf("invalid scope %q", scope)
	}
	s.e.AddRoleAssignment(emulator.RoleAssignment{Scope: scope, PrincipalID: oid, RoleDefinitionID: id})
	return nil
}

// azOutput renders a result as az does for -o tsv (values, tab-separated,
// one row a line; null prints nothing) and json (the default).
func azOutput(v any, format string) (string, error) {
	if format != "tsv" {
		b, err := json.MarshalIndent(v, "", "  ")
		return string(b) + "\n", err
	}
	var b strings.Builder
	var row func(any) []string
	row = func(x any) []string {
		switch y := x.(type) {
		case nil:
			return nil
		case []any:
			var out []string
			for _, z := range y {
				out = append(out, row(z)...)
			}
			return out
		case map[string]any:
			keys := make([]string, 0, len(y))
			for k := range y {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var out []string
			for _, k := range keys {
				out = append(out, row(y[k])...)
			}
			return out
		}
		return []string{fmt.Sprint(x)}
	}
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if r := row(x); len(r) > 0 {
				b.WriteString(strings.Join(r, "\t") + "\n")
			}
		}
		return b.String(), nil
	}
	if r := row(v); len(r) > 0 {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	return b.String(), nil
}
