// Package emulator runs in-process emulations of the three services that a
// Spacelift run talks to when it federates into Azure: the Spacelift OIDC
// issuer (demo.app.spacelift.io), Microsoft Entra ID (login.microsoftonline.com
// and its national-cloud twins) and Azure Resource Manager
// (management.azure.com and twins).
//
// All three are served over TLS from one listener on 127.0.0.1 and keep their
// real host names, paths, JSON shapes, status codes and error texts, so real
// clients (azidentity, MSAL Go, the ARM SDK) run against them unmodified:
// give them Emulator.Client as their transport. A Scenario describes the
// world (tenants, apps, federated credentials, subscriptions, role
// assignments, the run's token and environment, faults); Scenarios lists the
// named presets used by the tests and by `oidc-doctor demo`.
//
// The emulator is product code, not a mock: where the real service's
// behaviour is known it is reproduced, and where it is not (marked
// UNCONFIRMED in comments) the emulator picks the most plausible behaviour.
//
// Clocks: Options.Now stands for the worker's clock. The services run on
// Now()+Scenario.ServiceClockAhead: Spacelift mints the token on it, Entra
// and ARM validate lifetimes on it, and the Date header reports it plus
// Options.ClockSkew. The clock-skew preset sets ServiceClockAhead to ten
// minutes, so the token's nbf lies in the worker's future while Entra,
// whose clock is right, accepts it.
//
// Entra fetches the issuer's discovery document and JWKS through the
// emulator's own client while it answers a token request, so certificate,
// reachability and fault scenarios on the issuer surface as the AADSTS codes
// the real service returns; those requests are recorded with Internal set.
//
// The RSA signing keys (Spacelift issuer, its rotated successor, Entra) are
// generated once per process and shared by every emulator; TLS certificates
// come from a fresh CA per emulator.
package emulator

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// maxBody bounds every request body the emulator reads.
const maxBody = 1 << 20

// internalHeader marks the emulated Entra's own requests to the issuer.
const internalHeader = "X-Oidc-Doctor-Emulator-Internal"

// Emulator is a running set of emulated services. Create it with Start and
// stop it with Close. Its methods are safe for concurrent use.
type Emulator struct {
	opts      Options
	ln        net.Listener
	srv       *http.Server
	transport *http.Transport
	token     string
	env       map[string]string
	secret    string // value of internalHeader
	done      chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	scn       Scenario // live state; Entra and ARM change through AddFIC and AddRoleAssignment
	reqs      []*Request
	faultHits map[string]int
}

// Start starts the emulator for scenario s.
func Start(s Scenario, o Options) (*Emulator, error) {
	if err := signingKeys(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	good, err := newCA("oidc-doctor emulator CA")
	if err != nil {
		return nil, err
	}
	leaf, err := good.leaf(allHosts())
	if err != nil {
		return nil, err
	}
	issuerCert := leaf
	if s.Issuer.WrongCertificate {
		bad, err := newCA("untrusted CA")
		if err != nil {
			return nil, err
		}
		if issuerCert, err = bad.leaf([]string{IssuerHost}); err != nil {
			return nil, err
		}
	}
	e := &Emulator{
		opts:      o,
		scn:       cloneScenario(s),
		env:       maps.Clone(s.Env),
		done:      make(chan struct{}),
		faultHits: map[string]int{},
	}
	var rnd [16]byte
	sum := sha256.Sum256(append(rnd[:], []byte(time.Now().String())...))
	e.secret = hex.EncodeToString(sum[:8])
	if e.token, err = mintToken(s.Token, e.serviceNow()); err != nil {
		return nil, err
	}

	tlsCfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if strings.EqualFold(hello.ServerName, IssuerHost) {
				return &issuerCert, nil
			}
			return &leaf, nil
		},
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	e.ln = tls.NewListener(raw, tlsCfg)
	e.srv = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // TLS failures are expected in the wrong-certificate scenario
		TLSNextProto:      map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	pool := x509.NewCertPool()
	pool.AddCert(good.cert)
	addr := raw.Addr().String()
	e.transport = &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, _, hostport string) (net.Conn, error) {
			if err := e.dialFault(ctx, hostport); err != nil {
				return nil, err
			}
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		},
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 8,
	}
	go func() { _ = e.srv.Serve(e.ln) }()
	return e, nil
}

// Close stops the emulator: hung requests return and connections close.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		close(e.done)
		_ = e.srv.Close()
		e.transport.CloseIdleConnections()
	})
}

// Client returns an HTTP client that trusts the emulator's CA and dials the
// emulator for every host name, like crane's internal/httptest transport. It
// uses no proxy and honours request context deadlines. It has no overall
// timeout: callers bound requests with contexts.
func (e *Emulator) Client() *http.Client {
	return &http.Client{Transport: e.transport}
}

// Addr is the listener's address (127.0.0.1:port).
func (e *Emulator) Addr() string { return e.ln.Addr().String() }

// Token returns the OIDC token minted for this scenario. It is a secret in
// the real world: never print it.
func (e *Emulator) Token() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.token
}

// Env returns a copy of the scenario's environment.
func (e *Emulator) Env() map[string]string { return maps.Clone(e.env) }

// Scenario returns a copy of the live scenario, including credentials and
// role assignments added since Start.
func (e *Emulator) Scenario() Scenario {
	e.mu.Lock()
	defer e.mu.Unlock()
	return cloneScenario(e.scn)
}

// Requests returns every request served so far, in arrival order.
func (e *Emulator) Requests() []Request {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Request, len(e.reqs))
	for i, r := range e.reqs {
		out[i] = *r
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (e *Emulator) ResetRequests() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reqs = nil
}

// ficName is Graph's credential-name rule, compiled on first use (its
// counted repetition is costly to compile at every start-up).
var ficName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$`) })

// AddFIC adds a federated identity credential to the app with this client ID,
// with the checks Microsoft Graph applies: a valid name, at most 20
// credentials per app, a unique (issuer, subject) pair and exactly one
// audience. Values are not otherwise validated, as in Entra.
func (e *Emulator) AddFIC(clientID string, f FIC) error {
	if !ficName().MatchString(f.Name) {
		return fmt.Errorf("adding federated credential %q: invalid name", f.Name)
	}
	if len(f.Audiences) != 1 {
		return fmt.Errorf("adding federated credential %q: exactly one audience is required", f.Name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	app := e.appLocked(clientID)
	if app == nil {
		return fmt.Errorf("adding federated credential %q: no application with client ID %q", f.Name, clientID)
	}
	if len(app.FICs) >= 20 {
		return fmt.Errorf("adding federated credential %q: the app already has the maximum of 20", f.Name)
	}
	for _, old := range app.FICs {
		if old.Issuer == f.Issuer && old.Subject == f.Subject {
			return fmt.Errorf("adding federated credential %q: %q already has this issuer and subject", f.Name, old.Name)
		}
		if old.Name == f.Name {
			return fmt.Errorf("adding federated credential %q: name already in use", f.Name)
		}
	}
	f.Audiences = append([]string(nil), f.Audiences...)
	app.FICs = append(app.FICs, f)
	return nil
}

// UpdateFIC replaces the issuer, subject and audiences of the app's
// credential called name, as `az ad app federated-credential update` does
// (a credential's name cannot change).
func (e *Emulator) UpdateFIC(clientID, name string, f FIC) error {
	if len(f.Audiences) != 1 {
		return fmt.Errorf("updating federated credential %q: exactly one audience is required", name)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	app := e.appLocked(clientID)
	if app == nil {
		return fmt.Errorf("updating federated credential %q: no application with client ID %q", name, clientID)
	}
	for i, old := range app.FICs {
		if old.Name == name {
			app.FICs[i] = FIC{Name: name, Issuer: f.Issuer, Subject: f.Subject, Audiences: append([]string(nil), f.Audiences...)}
			return nil
		}
	}
	return fmt.Errorf("updating federated credential %q: no such credential", name)
}

// appLocked finds the live app with clientID in any tenant; e.mu is held.
func (e *Emulator) appLocked(clientID string) *App {
	for ti := range e.scn.Entra.Tenants {
		apps := e.scn.Entra.Tenants[ti].Apps
		for ai := range apps {
			if apps[ai].ClientID == clientID {
				return &apps[ai]
			}
		}
	}
	return nil
}

// AddRoleAssignment adds a role assignment to the live ARM state.
func (e *Emulator) AddRoleAssignment(ra RoleAssignment) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scn.ARM.RoleAssignments = append(e.scn.ARM.RoleAssignments, ra)
}

// now is the worker clock; serviceNow the services' clock.
func (e *Emulator) now() time.Time        { return e.opts.Now() }
func (e *Emulator) serviceNow() time.Time { return e.opts.Now().Add(e.scn.ServiceClockAhead) }
