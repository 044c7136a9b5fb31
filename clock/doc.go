// Package clock is govs's one source of time (DESIGN.md, "Time"). Every
// timeout in the daemon (idle timeouts, conntrack expiry, neighbour
// retries, statistics intervals) reads this clock and uses its timers, so
// that `ovs-appctl time/stop` freezes it and `time/warp` moves it forward,
// running the timers that fall due and the registered warp hooks before the
// command returns.
//
// The clock is monotonic; warping it does not change the wall clock (Wall),
// as in OVS. The package must not import any other govs package except
// unixctl.
package clock
