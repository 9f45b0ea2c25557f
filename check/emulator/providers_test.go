package emulator

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestRealProviderList holds the Go copy of the real provider list to the
// transcription in testdata, entry by entry.
func TestRealProviderList(t *testing.T) {
	b, err := os.ReadFile("testdata/subscription-providers-2017.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Source    string `json:"source"`
		Providers []struct {
			Namespace         string `json:"namespace"`
			RegistrationState string `json:"registrationState"`
		} `json:"providers"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Providers) != 99 || len(realProviders) != len(rec.Providers) || !strings.HasPrefix(rec.Source, "https://github.com/") {
		t.Fatalf("recorded %d providers (source %q), Go copy %d", len(rec.Providers), rec.Source, len(realProviders))
	}
	for i, p := range rec.Providers {
		if realProviders[i].Namespace != p.Namespace || realProviders[i].State != p.RegistrationState {
			t.Errorf("entry %d: Go copy %v, recorded %v", i, realProviders[i], p)
		}
	}
	got := subscriptionProviders()
	for _, ns := range azurermRegistered {
		if _, ok := got[ns]; !ok || got[ns] != "Registered" {
			t.Errorf("%s is %q in the base list", ns, got[ns])
		}
	}
}
