package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"

	"govs.dev/govs/unixctl"
)

// profileMu serialises CPU profiles: the runtime allows one at a time.
var profileMu sync.Mutex

// registerProfile adds govs/pprof-cpu SECONDS FILE, which records a CPU
// profile of the whole daemon (forwarding loops included) for SECONDS
// seconds into FILE, for `go tool pprof`. It replies once the profile is
// written; other unixctl connections are served meanwhile.
func registerProfile(srv *unixctl.Server) {
	srv.Register("govs/pprof-cpu", "SECONDS FILE", 2, 2, func(args []string) (string, error) {
		secs, err := strconv.ParseFloat(args[0], 64)
		if err != nil || secs <= 0 || secs > 600 {
			return "", fmt.Errorf("%q: SECONDS must be a number in (0, 600]", args[0])
		}
		if !filepath.IsAbs(args[1]) {
			return "", errors.New("FILE must be an absolute path")
		}
		if !profileMu.TryLock() {
			return "", errors.New("a CPU profile is already being recorded")
		}
		defer profileMu.Unlock()
		f, err := os.Create(args[1])
		if err != nil {
			return "", err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return "", fmt.Errorf("start CPU profile: %w", err)
		}
		time.Sleep(time.Duration(secs * float64(time.Second)))
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return "", err
		}
		return fmt.Sprintf("CPU profile of %gs written to %s\n", secs, args[1]), nil
	})
}
