package emulator

// What an administrator changes between two runs, with the checks the real
// services apply: the stack's environment and the account's subject
// template (Spacelift), a service principal enabled or created (Microsoft
// Graph), a resource provider registered (ARM), a container created or an
// account's network opened (Azure Storage). Tests apply the fixes a report
// prints through these, then run again.

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"regexp"
	"strings"
)

// SetEnv sets a variable of the run's environment, as an administrator
// edits the stack's environment; an empty value removes it.
func (e *Emulator) SetEnv(key, value string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if value == "" {
		delete(e.env, key)
		return
	}
	e.env[key] = value
}

// notFound is Graph's refusal of an id it does not know, as az prints it.
func notFound(id string) error {
	return fmt.Errorf("resource '%s' does not exist or one of its queried reference-property objects are not present", id)
}

// tenantLocked finds the live tenant with id; e.mu is held.
func (e *Emulator) tenantLocked(id string) *Tenant {
	for i := range e.scn.Entra.Tenants {
		if strings.EqualFold(e.scn.Entra.Tenants[i].ID, id) {
			return &e.scn.Entra.Tenants[i]
		}
	}
	return nil
}

// EnableServicePrincipal sets accountEnabled on a service principal of
// tenant tenantID, named by its object id or its app's client id, as
// `az ad sp update --set accountEnabled=true` does. Graph knows only the
// service principals of the tenant it is asked in.
func (e *Emulator) EnableServicePrincipal(tenantID, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.tenantLocked(tenantID)
	if t == nil {
		return notFound(id)
	}
	for i := range t.Apps {
		a := &t.Apps[i]
		if !a.NoServicePrincipal && (strings.EqualFold(a.ClientID, id) || strings.EqualFold(a.SPObjectID, id)) {
			a.Disabled = false
			return nil
		}
	}
	return notFound(id)
}

// CreateServicePrincipal creates the service principal of the app
// registration of tenant tenantID named by its client id or object id, as
// `az ad sp create --id` does. Graph refuses a second one for an app.
func (e *Emulator) CreateServicePrincipal(tenantID, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := e.tenantLocked(tenantID)
	if t == nil {
		return notFound(id)
	}
	for i := range t.Apps {
		a := &t.Apps[i]
		if !strings.EqualFold(a.ClientID, id) && !strings.EqualFold(a.AppObjectID, id) {
			continue
		}
		if !a.NoServicePrincipal {
			return fmt.Errorf("another object with the same value for property servicePrincipalNames already exists")
		}
		a.NoServicePrincipal = false
		if a.SPObjectID == "" {
			h := sha256.Sum256([]byte("sp:" + a.ClientID))
			a.SPObjectID = fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
		}
		return nil
	}
	return e.provisionLocked(t, id)
}

// RegisterProvider registers a resource provider namespace (any case) on a
// subscription, as `az provider register` does. ARM refuses a namespace it
// does not have.
func (e *Emulator) RegisterProvider(subscriptionID, namespace string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.scn.ARM.Subscriptions {
		sub := &e.scn.ARM.Subscriptions[i]
		if !strings.EqualFold(sub.ID, subscriptionID) {
			continue
		}
		for ns := range sub.Providers {
			if strings.EqualFold(ns, namespace) {
				sub.Providers[ns] = "Registered"
				return nil
			}
		}
		return fmt.Errorf("(InvalidResourceNamespace) the resource namespace '%s' is invalid", namespace)
	}
	return fmt.Errorf("(SubscriptionNotFound) the subscription '%s' could not be found", subscriptionID)
}

// CreateContainer creates a blob container in a storage account, as `az
// storage container create` does; an existing one is left as it is (az
// reports "created": false).
func (e *Emulator) CreateContainer(account, name string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.scn.Storage.Accounts {
		a := &e.scn.Storage.Accounts[i]
		if !strings.EqualFold(a.Name, account) {
			continue
		}
		for _, c := range a.Containers {
			if c.Name == name {
				return nil
			}
		}
		a.Containers = append(a.Containers, Container{Name: name})
		return nil
	}
	return fmt.Errorf("(StorageAccountNotFound) the storage account %s was not found", account)
}

// templateRE is what Spacelift accepts as a subject template: at most 1000
// characters of letters, digits and - _ : / | { }
// (https://docs.spacelift.io/integrations/cloud-providers/oidc/subject-template).
var templateRE = regexp.MustCompile(`^[A-Za-z0-9_:/|{}-]{0,1000}$`)

// templatePlaceholders are the placeholders a template may hold.
var templatePlaceholders = []string{"{spaceId}", "{spacePath}", "{callerType}", "{callerId}", "{runId}", "{runType}", "{scope}"}

// SetSubjectTemplate sets the account's OIDC subject template, as an
// account admin does in Organization Settings → Security, and mints the
// run's token again under it ("" is the default format). Spacelift refuses
// a template with other characters, or with a brace outside a placeholder.
func (e *Emulator) SetSubjectTemplate(tmpl string) error {
	bare := tmpl
	for _, p := range templatePlaceholders {
		bare = strings.ReplaceAll(bare, p, "")
	}
	if !templateRE.MatchString(tmpl) || strings.ContainsAny(bare, "{}") {
		return fmt.Errorf("invalid subject template %q", tmpl)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scn.Token.SubjectTemplate = tmpl
	delete(e.scn.Token.Claims, "sub")
	tok, err := mintToken(e.scn.Token, e.serviceNow())
	if err != nil {
		return err
	}
	e.token = tok
	return nil
}

// UpdateStorageNetwork sets an account's network access, as `az storage
// account update --public-network-access --default-action` does; "" leaves
// a setting as it is. The account is named by its ARM id. Public access
// Enabled also ends its private-endpoint-only name resolution; Disabled is
// not modelled.
func (e *Emulator) UpdateStorageNetwork(id, publicAccess, defaultAction string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range e.scn.Storage.Accounts {
		a := &e.scn.Storage.Accounts[i]
		if !strings.EqualFold(accountScope(*a), id) {
			continue
		}
		switch publicAccess {
		case "":
		case "Enabled":
			a.PrivateEndpoint = false
		default:
			return fmt.Errorf("emulator: public network access %q is not modelled", publicAccess)
		}
		switch defaultAction {
		case "":
		case "Allow", "Deny":
			a.Firewall = defaultAction == "Deny"
		default:
			return fmt.Errorf("argument --default-action: invalid choice: '%s' (choose from 'Allow', 'Deny')", defaultAction)
		}
		return nil
	}
	return fmt.Errorf("(ResourceNotFound) The Resource 'Microsoft.Storage/storageAccounts/%s' was not found", id[strings.LastIndexByte(id, '/')+1:])
}

// SetTerraformFile replaces one file of the stack's configuration, as a
// commit to its repository does; TerraformDir writes it for the next run.
func (e *Emulator) SetTerraformFile(name, content string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scn.Terraform = maps.Clone(e.scn.Terraform)
	if e.scn.Terraform == nil {
		e.scn.Terraform = map[string]string{}
	}
	e.scn.Terraform[name] = content
}
