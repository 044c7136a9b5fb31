// Package netdev defines Device, the batch-first interface between the
// datapath (package dpif) and a network device: a dummy, AF_PACKET socket,
// TAP device and, later, AF_XDP or vhost-user port.
//
// A Device moves packets in batches (packet.Batch) on numbered queues. Each
// rx queue is read by exactly one forwarding loop; each tx queue is written by
// one forwarding loop at a time (the datapath serialises loops that share a tx
// queue). Everything else (MAC, MTU, flags, statistics) may be called from any
// goroutine.
//
// This package owns the interface, the statistics and capability types and
// the registry of device types. It imports only packet from govs and must not
// import dpif, ofproto or anything above the datapath.
package netdev
