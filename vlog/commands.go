package vlog

import (
	"errors"
	"strings"

	"govs.dev/govs/unixctl"
)

// RegisterCommands registers OVS's vlog/* commands on s: vlog/set,
// vlog/list, vlog/list-pattern, vlog/enable-rate-limit,
// vlog/disable-rate-limit, vlog/reopen and vlog/close.
func RegisterCommands(s *unixctl.Server) {
	s.Register("vlog/set", "{spec | PATTERN:destination:pattern}", 0, unixctl.Unlimited,
		func(args []string) (string, error) {
			if len(args) == 0 {
				SetLevels(nil, anyDestination, LevelDbg)
			}
			for _, a := range args {
				if err := SetLevelsFromString(a); err != nil {
					return "", err
				}
			}
			return "", nil
		})
	s.Register("vlog/list", "", 0, 0, func([]string) (string, error) { return Levels(), nil })
	s.Register("vlog/list-pattern", "", 0, 0, func([]string) (string, error) { return Patterns(), nil })
	rateLimit := func(enable bool) unixctl.Handler {
		return func(args []string) (string, error) {
			if len(args) == 0 {
				SetRateLimiting(nil, enable)
			}
			for _, a := range args {
				if strings.EqualFold(a, "ANY") {
					SetRateLimiting(nil, enable)
					continue
				}
				m := Lookup(a)
				if m == nil {
					return "", errors.New("unknown module")
				}
				SetRateLimiting(m, enable)
			}
			return "", nil
		}
	}
	s.Register("vlog/enable-rate-limit", "[module]...", 0, unixctl.Unlimited, rateLimit(true))
	s.Register("vlog/disable-rate-limit", "[module]...", 0, unixctl.Unlimited, rateLimit(false))
	s.Register("vlog/reopen", "", 0, 0, func([]string) (string, error) {
		if LogFile() == "" {
			//lint:ignore ST1005 OVS's exact message, which scripts and tests match
			return "", errors.New("Logging to file not configured")
		}
		if err := ReopenLogFile(); err != nil {
			return "", errors.New(strerror(err))
		}
		return "", nil
	})
	s.Register("vlog/close", "", 0, 0, func([]string) (string, error) {
		CloseLogFile()
		return "", nil
	})
}
