package main

import (
	"context"
	"fmt"
	"time"

	"govs.dev/govs/clock"
	"govs.dev/govs/ovsdb/vswitchdb"
	"govs.dev/govs/unixctl"
	"govs.dev/govs/vlog"
)

// engineOptions is what the daemon hands its engine; it mirrors
// bridge.Options.
type engineOptions struct {
	DBEndpoint                 string
	RunDir                     string
	Unixctl                    *unixctl.Server
	Clock                      *clock.Clock
	EnableDummy, DummyOverride bool
	DisableSystem              bool
	// Ready must be called once, when the first database configuration has
	// been applied; it completes --detach.
	Ready func()
	// Cleanup reports, when the engine stops, whether "exit --cleanup" was
	// requested.
	Cleanup func() bool
}

// runEngine runs the switch until ctx is cancelled. This placeholder only
// connects to the database and reports readiness; the lead replaces it with
// a call to bridge.Run.
var runEngine = func(ctx context.Context, o engineOptions) error {
	c, err := vswitchdb.Connect(ctx, o.DBEndpoint, vlog.Module("reconnect").Slog())
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("database %s: %w", o.DBEndpoint, err)
	}
	defer c.Close()
	vlog.Module("bridge").Info("%s (Open vSwitch) %s", programName, ovsVersion)
	o.Ready()
	<-ctx.Done()
	return nil
}

// memoryStats supplies the values of memory/show (OVS prints them sorted
// by name as "name:value"). The engine replaces it with its own counters
// (handlers, ports, revalidators, rules, udpif keys, ...).
var memoryStats = func() map[string]uint64 { return nil }

// statsInterval is how often the daemon advances the coverage history.
const statsInterval = time.Second
