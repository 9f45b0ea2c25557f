package emulator

import (
	"net/http"
	"time"
)

func (e *Emulator) entraRoute(r *http.Request, host string) (string, handlerFunc) {
	return "", func(*http.Request) response { return entraError(404, "not_found", 0, "", e.serviceNow()) }
}
func (e *Emulator) armRoute(r *http.Request, host string) (string, handlerFunc) {
	return "", func(*http.Request) response { return armError(404, "NotFound", "") }
}
func entraError(status int, name string, code int, text string, now time.Time) response {
	return jsonResponse(status, map[string]any{"error": name})
}
func armError(status int, code, msg string) response {
	return jsonResponse(status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
func cloneScenario(s Scenario) Scenario { return s }

// Scenarios returns the named presets in a stable order.
func Scenarios() []Scenario { return []Scenario{Base()} }

// Lookup returns the preset called name.
func Lookup(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// Base returns the working set-up every preset starts from ("ok").
func Base() Scenario { return Scenario{Name: "ok"} }
