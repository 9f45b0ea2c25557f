package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// Hosts the emulator answers. Every name resolves to the one listener.
var (
	entraHosts = []string{"login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"}
	armHosts   = []string{"management.azure.com", "management.usgovcloudapi.net", "management.chinacloudapi.cn"}
)

func allHosts() []string {
	h := []string{IssuerHost}
	h = append(h, entraHosts...)
	h = append(h, armHosts...)
	for _, s := range blobSuffixes {
		h = append(h, "*"+s)
	}
	return h
}

// ca is a throwaway certificate authority.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(name string) (*ca, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"oidc-doctor emulator"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing CA certificate: %w", err)
	}
	return &ca{cert: cert, key: key}, nil
}

// leaf issues a server certificate for hosts.
func (c *ca) leaf(hosts []string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating leaf key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano() + 1),
		Subject:      pkix.Name{CommonName: hosts[0]},
		DNSNames:     hosts,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("creating leaf certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, c.cert.Raw}, PrivateKey: key}, nil
}

// Signing keys. RSA 2048 generation is slow (tens of milliseconds), so each
// process makes one set and every emulator shares it; the keys never leave
// the process.
var (
	keysOnce                        sync.Once
	keysErr                         error
	issuerKey, rotatedKey, entraKey *rsa.PrivateKey
)

func signingKeys() error {
	keysOnce.Do(func() {
		for _, k := range []**rsa.PrivateKey{&issuerKey, &rotatedKey, &entraKey} {
			if *k, keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
				keysErr = fmt.Errorf("generating RSA key: %w", keysErr)
				return
			}
		}
	})
	return keysErr
}
