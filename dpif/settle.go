package dpif

import "time"

// Settle waits until no forwarding loop has an upcall in flight (a miss or
// a userspace action such as a packet-in) or a recirculation pending, that
// is until every packet the loops have read was forwarded, the megaflows of
// its misses installed and its userspace upcalls handled, or until
// timeout; it reports whether the datapath settled. Packets still queued
// on a device are not covered: the caller waits for them to be read first.
// netdev-dummy/receive uses it so that, as in OVS (whose datapath threads
// handle misses inline), a packet injected after another one sees the
// flows the first one installed. Safe for concurrent use; not for the
// hot path.
//
// A loop's entries in flight (pendAct) hold every packet parked behind a
// miss, so they are all there is to wait for besides recirculation.
func (dp *Datapath) Settle(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		busy := false
		for _, l := range dp.loops {
			if err := l.call(func(l *loop) { busy = busy || len(l.pendAct) > 0 || len(l.recirc) > 0 }); err != nil {
				return false
			}
		}
		if !busy {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Microsecond)
	}
}
