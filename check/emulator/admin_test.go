package emulator

import (
	"strings"
	"testing"
)

// TestAdminChecks: the administrator's changes are refused where Graph and
// ARM refuse them.
func TestAdminChecks(t *testing.T) {
	dis, _ := Lookup("disabled-app")
	e, err := Start(dis, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.EnableServicePrincipal(OtherTenantID, ClientID); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("enabled from another tenant: %v", err)
	}
	if err := e.EnableServicePrincipal(TenantID, SPObjectID); err != nil {
		t.Fatal(err)
	}
	if e.Scenario().Entra.Tenants[0].Apps[0].Disabled {
		t.Error("still disabled")
	}
	if err := e.CreateServicePrincipal(TenantID, ClientID); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second service principal: %v", err)
	}
	nosp, _ := Lookup("no-service-principal")
	e2, err := Start(nosp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if err := e2.EnableServicePrincipal(TenantID, ClientID); err == nil {
		t.Error("enabled a service principal that does not exist")
	}
	if err := e2.CreateServicePrincipal(TenantID, AppObjectID); err != nil {
		t.Fatal(err)
	}
	if e2.Scenario().Entra.Tenants[0].Apps[0].NoServicePrincipal {
		t.Error("no service principal after creating it")
	}
	unreg, _ := Lookup("providers-unregistered")
	e3, err := Start(unreg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e3.Close()
	if err := e3.RegisterProvider(SubscriptionID, "Microsoft.Nope"); err == nil || !strings.Contains(err.Error(), "InvalidResourceNamespace") {
		t.Errorf("an unknown namespace: %v", err)
	}
	if err := e3.RegisterProvider(SubscriptionID, "microsoft.containerservice"); err != nil {
		t.Fatal(err)
	}
	if st := e3.Scenario().ARM.Subscriptions[0].Providers["Microsoft.ContainerService"]; st != "Registered" {
		t.Errorf("state %s", st)
	}
	e3.SetEnv("ARM_X", "1")
	if e3.Env()["ARM_X"] != "1" {
		t.Error("SetEnv")
	}
	e3.SetEnv("ARM_X", "")
	if _, ok := e3.Env()["ARM_X"]; ok {
		t.Error("SetEnv empty did not remove")
	}
}
