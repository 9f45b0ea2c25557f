// Package transport carries every request of the diagnosis: the production
// HTTP client, an observer that remembers what each host last said, the
// bounded retry policy of the Azure SDK clients, one pager for every list
// call, and what a request that got no answer means at the network level
// (DNS, TLS, reset, timeout, proxy). What an answer means (any status and
// body, 5xx and 429 included) is package explain's business.
package transport

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// NewDefaultClient is the production HTTP client: proxy settings from the
// environment (HTTPS_PROXY, NO_PROXY), system roots (SSL_CERT_FILE), TLS 1.2+,
// and bounded dial, handshake and header waits so no step can hang.
func NewDefaultClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		IdleConnTimeout:       30 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}}
}

// RetryOptions bound azcore's retries (which MSAL's requests go through too)
// so that their sum fits a step: a Retry-After longer than MaxRetryDelay is
// not honoured and the 429 is reported instead of waited out.
var RetryOptions = policy.RetryOptions{
	MaxRetries:    2,
	RetryDelay:    400 * time.Millisecond,
	MaxRetryDelay: 2 * time.Second,
	TryTimeout:    10 * time.Second,
}

// SDK adapts c to azcore's policy.Transporter, for the ClientOptions of
// azidentity and the ARM clients.
func SDK(c *http.Client) policy.Transporter { return sdkTransport{c} }

type sdkTransport struct{ c *http.Client }

func (t sdkTransport) Do(req *http.Request) (*http.Response, error) { return t.c.Do(req) }
