package testnet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds "go build ./cmd/govs".
const buildTimeout = 5 * time.Minute

var govsBuild struct {
	once sync.Once
	dir  string // temporary directory holding the built binary
	bin  string
	err  error
}

// GovsBinary returns the path of the govs binary: $GOVS_BIN if set,
// otherwise a binary built from the module's ./cmd/govs, once per test
// binary, into a temporary directory (removed by Main). It is safe for
// concurrent use.
func GovsBinary() (string, error) {
	if b := os.Getenv("GOVS_BIN"); b != "" {
		if _, err := os.Stat(b); err != nil {
			return "", fmt.Errorf("GOVS_BIN: %w", err)
		}
		return b, nil
	}
	govsBuild.once.Do(func() {
		govsBuild.bin, govsBuild.err = buildGovs()
	})
	return govsBuild.bin, govsBuild.err
}

func buildGovs() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("build govs: %w", err)
	}
	dir, err := os.MkdirTemp("", "govs-bin-")
	if err != nil {
		return "", fmt.Errorf("build govs: %w", err)
	}
	govsBuild.dir = dir
	bin := filepath.Join(dir, "govs")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/govs")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build govs: go build ./cmd/govs in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory holding go.mod, starting at the working
// directory (a test runs in its package directory).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Main runs the tests of m and then removes the govs binary built by
// GovsBinary, if any. Call it from TestMain:
//
//	func TestMain(m *testing.M) { testnet.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if d := govsBuild.dir; d != "" && strings.Contains(d, "govs-bin-") {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}
