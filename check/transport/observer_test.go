package transport

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultServer answers /ok with JSON, cuts /truncate mid-body and resets /reset.
func faultServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/truncate":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, `{"access_token":`)
			w.(http.Flusher).Flush()
			hijackClose(t, w)
		case "/reset":
			hijackClose(t, w)
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func hijackClose(t *testing.T, w http.ResponseWriter) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	_ = c.Close()
}

// get sends GET path under its own Observe context and reads the body.
func get(c *http.Client, url string) *Calls {
	ctx, calls := Observe(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if resp, err := c.Do(req); err == nil {
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	return calls
}

// TestObserverPerCall: what one call met is its own, even when other calls
// to the same host fail at the same time; a body cut short is recorded.
func TestObserverPerCall(t *testing.T) {
	srv := faultServer(t)
	_, c := NewObserver(&http.Client{Timeout: 5 * time.Second}, time.Now)
	var wg sync.WaitGroup
	got := map[string][]*Calls{}
	var mu sync.Mutex
	for range 5 {
		for _, p := range []string{"/ok", "/truncate", "/reset"} {
			wg.Go(func() {
				calls := get(c, srv.URL+p)
				mu.Lock()
				got[p] = append(got[p], calls)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for _, calls := range got["/ok"] {
		if err := calls.lastErr(); err != nil {
			t.Errorf("/ok: lastErr = %v, want nil", err)
		}
		if st, ct, ok := calls.lastResponse(); !ok || st != 200 || ct != "application/json" {
			t.Errorf("/ok: lastResponse = %d %q %v", st, ct, ok)
		}
	}
	for _, calls := range got["/truncate"] {
		if err := calls.lastErr(); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("/truncate: lastErr = %v, want unexpected EOF", err)
		}
		if Cause(calls.lastErr()) != "network_fault" {
			t.Errorf("/truncate: cause %s, want network_fault", Cause(calls.lastErr()))
		}
	}
	for _, calls := range got["/reset"] {
		if err := calls.lastErr(); err == nil {
			t.Errorf("/reset: lastErr = nil")
		}
		if _, _, ok := calls.lastResponse(); ok {
			t.Errorf("/reset: a response is recorded")
		}
	}
	var none *Calls
	if none.lastErr() != nil {
		t.Error("a nil Calls has an error")
	}
}

// TestObserverLastBody: Calls keeps the first HeadBytes of the latest
// response's body, as far as it was read, and only the latest's.
func TestObserverLastBody(t *testing.T) {
	big := strings.Repeat("x", HeadBytes+100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			_, _ = io.WriteString(w, big)
			return
		}
		_, _ = io.WriteString(w, `{"message":"hi"}`)
	}))
	t.Cleanup(srv.Close)
	_, c := NewObserver(&http.Client{Timeout: 5 * time.Second}, time.Now)
	if u := get(c, srv.URL+"/small").Unanswered(nil, nil); string(u.Body) != `{"message":"hi"}` || !u.Whole {
		t.Errorf("/small: body %q, whole %v; want all of it", u.Body, u.Whole)
	}
	if u := get(c, srv.URL+"/big").Unanswered(nil, nil); string(u.Body) != big[:HeadBytes] || u.Whole {
		t.Errorf("/big: body of %d bytes, whole %v; want the first %d, not whole", len(u.Body), u.Whole, HeadBytes)
	}
	// A body its reader stopped reading is not whole either.
	ctx0, part := Observe(context.Background())
	req0, _ := http.NewRequestWithContext(ctx0, http.MethodGet, srv.URL+"/small", nil)
	if resp, err := c.Do(req0); err == nil {
		_, _ = resp.Body.Read(make([]byte, 3))
		_ = resp.Body.Close()
	}
	if u := part.Unanswered(nil, nil); u.Whole {
		t.Errorf("a body read in part: whole, body %q", u.Body)
	}
	ctx, calls := Observe(context.Background())
	for _, p := range []string{"/big", "/small"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+p, nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
	}
	if got := string(calls.lastBody()); got != `{"message":"hi"}` {
		t.Errorf("after /big then /small: lastBody = %q, want the second's", got)
	}
	if got := get(c, faultServer(t).URL+"/reset").lastBody(); got != nil {
		t.Errorf("/reset: lastBody = %q, want none", got)
	}
	var none *Calls
	if none.lastBody() != nil {
		t.Error("a nil Calls has a body")
	}
}

// TestUnanswered: why a failed call got no readable answer, from what its
// requests met: the latest request's error first, then the context's, then
// the response that came, then the call's own error.
func TestUnanswered(t *testing.T) {
	srv := faultServer(t)
	_, c := NewObserver(&http.Client{Timeout: 5 * time.Second}, time.Now)
	callErr := errors.New("the SDK's error")
	expired, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	for _, tt := range []struct {
		name  string
		calls *Calls
		ctx   context.Context
		want  Unanswered
		is    error
	}{
		{"a body cut short", get(c, srv.URL+"/truncate"), expired, Unanswered{}, io.ErrUnexpectedEOF},
		{"a response the client could not read", get(c, srv.URL+"/ok"), context.Background(),
			Unanswered{Response: true, Status: 200, ContentType: "application/json"}, nil},
		{"a deadline after the response", get(c, srv.URL+"/ok"), expired, Unanswered{}, context.DeadlineExceeded},
		{"nothing recorded", &Calls{}, context.Background(), Unanswered{}, callErr},
		{"no Calls at all", nil, context.Background(), Unanswered{}, callErr},
	} {
		got := tt.calls.Unanswered(tt.ctx.Err(), callErr)
		if tt.is != nil {
			if !errors.Is(got.Err, tt.is) || got.Response {
				t.Errorf("%s: %+v, want an error that is %v", tt.name, got, tt.is)
			}
			continue
		}
		if got.Err != tt.want.Err || got.Response != tt.want.Response || got.Status != tt.want.Status || got.ContentType != tt.want.ContentType {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
		if got.Response && len(got.Body) == 0 {
			t.Errorf("%s: a response without its body", tt.name)
		}
	}
	if u := get(c, srv.URL+"/reset").Unanswered(nil, callErr); u.Err == nil || u.Err == callErr || Cause(u.Err) != "network_fault" {
		t.Errorf("a reset: %+v", u)
	}
}
