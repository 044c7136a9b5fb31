package main

import (
	"context"
	"time"

	"govs.dev/govs/bridge"
	"govs.dev/govs/clock"
	"govs.dev/govs/unixctl"
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

// runEngine runs the switch until ctx is cancelled: the bridge reconciler
// with the datapaths, OpenFlow switches and their unixctl commands.
var runEngine = func(ctx context.Context, o engineOptions) error {
	return bridge.Run(ctx, bridge.Options{
		DBEndpoint: o.DBEndpoint, RunDir: o.RunDir, Unixctl: o.Unixctl, Clock: o.Clock,
		EnableDummy: o.EnableDummy, DummyOverride: o.DummyOverride, DisableSystem: o.DisableSystem,
		Ready: o.Ready, Cleanup: o.Cleanup,
	})
}

// memoryStats supplies the values of memory/show (OVS prints them sorted
// by name as "name:value"). The engine replaces it with its own counters
// (handlers, ports, revalidators, rules, udpif keys, ...).
var memoryStats = bridge.Memory

// statsInterval is how often the daemon advances the coverage history.
const statsInterval = time.Second
