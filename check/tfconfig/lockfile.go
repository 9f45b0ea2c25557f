package tfconfig

// The dependency lock file: which provider versions `terraform init` will
// install (https://developer.hashicorp.com/terraform/language/files/dependency-lock).

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

const lockFile = ".terraform.lock.hcl"

var lockSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "provider", LabelNames: []string{"source"}}}}

// Locked is one provider pinned by the lock file.
type Locked struct {
	// Source is the provider's full address: registry.terraform.io/hashicorp/azurerm.
	Source string
	// Version is the exact version init installs: "3.117.1".
	Version string
}

// Name is the provider's type, the last part of its source: "azurerm".
func (l Locked) Name() string { return l.Source[strings.LastIndexByte(l.Source, '/')+1:] }

// readLockFile reads the lock file's provider versions. A missing file is
// no problem (init writes it); an unreadable one is.
func readLockFile(dir string, budget *int64) ([]Locked, *Problem) {
	if _, err := os.Lstat(filepath.Join(dir, lockFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	src, p := readBounded(dir, lockFile, budget)
	if p != nil {
		return nil, p
	}
	f, p := parseHCL(lockFile, src, false)
	if p != nil {
		return nil, p
	}
	content, _, _ := f.Body.PartialContent(lockSchema)
	if content == nil {
		return nil, nil
	}
	var out []Locked
	for _, b := range content.Blocks {
		attrs, _ := b.Body.JustAttributes()
		l := Locked{Source: b.Labels[0]}
		if a, ok := attrs["version"]; ok {
			l.Version = valueOf("version", a, src, lockFile).Text
		}
		out = append(out, l)
	}
	return out, nil
}
