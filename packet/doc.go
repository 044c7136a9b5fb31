// Package packet is the packet layer of the userspace datapath: packet
// buffers in an off-heap pool addressed by uint32 handles, batches, per-packet
// metadata (datapath metadata and offload state as carried by the virtio-net
// header), flow-key extraction with the semantics of Open vSwitch's
// flow_extract, packet composition from a flow key (OVS's flow_compose),
// Internet checksums, software checksum completion and TCP segmentation.
//
// Ownership: a Packet belongs to exactly one holder at a time. Whoever holds
// it may read and write its bytes and metadata without locking; handing it
// on (to a batch, a queue, a device) hands on ownership. A packet is returned
// to its pool exactly once, by Cache.Free on the cache's goroutine or by
// Pool.Free from any goroutine.
//
// Typed views of individual protocol headers live in packet/header.
//
// This package imports only flow and packet/header from govs. It must not
// import dpif, netdev, ofproto or anything above them in the data path.
package packet
