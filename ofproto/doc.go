// Package ofproto is the OpenFlow switch: per bridge, 255 flow tables of
// versioned rules, flow-mod semantics (add, modify, delete, strict and loose,
// cookies, out_port, timeouts, check-overlap), rule and port statistics, the
// MAC learning table of NORMAL, and the OpenFlow connection manager. All
// bridges of one datapath type share a Backer, which owns the datapath and
// answers its upcalls by translating through ofproto/xlate.
//
// Concurrency: a Bridge's control-plane state is guarded by its mutex and
// changed only by the control plane (database reconciler, OpenFlow
// connections, unixctl). Handler goroutines translate against immutable
// xlate.Config snapshots and versioned classifiers and never take that lock.
//
// ofproto imports xlate, dpif, the classifier and openflow; it must not import
// bridge or cmd.
package ofproto
