// Package tap implements netdev.Device on Linux TAP devices, for the OVS
// interface types "internal" (including each bridge's local port, named
// after the bridge) and "tap" on the userspace datapath. The switch holds
// the TAP file descriptor: what the host stack sends through the interface
// is what the switch receives (Rx), what the switch transmits (Tx) arrives
// at the host stack as if from a wire.
//
// # Persistence and adoption
//
// Open creates the TAP device, or adopts an existing one of that name
// (govs restarted), and marks it persistent (TUNSETPERSIST). Close detaches
// the file descriptor and leaves the interface in the kernel, with its
// addresses, routes, MAC and MTU and without carrier, so that the next Open
// adopts it unchanged and the host's configuration survives a restart.
// Delete removes the interface (exit --cleanup, or a port removed from the
// configuration). Open refuses to adopt an interface of that name that is
// not a single-queue TAP device, and a TAP device another process has open.
// The device lives in the network namespace of the thread that called
// Open, and keeps acting on that namespace.
//
// # Offloads
//
// The file descriptor always carries the 10-byte virtio-net header
// (IFF_VNET_HDR, TUNSETVNETHDRSZ 10, little-endian), and TUNSETOFFLOAD
// announces that the switch accepts partial checksums and TCP (and, where
// the kernel offers it, UDP) segmentation offload, so that TCP from the
// host stack keeps its offloads through the switch (pitfall P1). Received
// packets carry the header's state in packet.Meta (CsumPartial/CsumStart/
// CsumOffset, CsumVerified, GSOType/GSOSize); a GSO packet arrives whole,
// up to 64 KiB, in a big pool buffer. On transmit the packet's Meta becomes
// the header, so the kernel takes partial checksums and GSO packets as
// they are: Capabilities reports CapTxCsum, CapTSO4, CapTSO6, CapRxCsum,
// and CapTxUDPGSO when the kernel supports UDP segmentation offload.
//
// # Statistics
//
// The kernel counts a TAP device's traffic from the host's side; Stats
// swaps receive and transmit, as OVS does for taps on the userspace
// datapath, and adds the device's own drops and errors.
//
// The package owns the TAP file descriptors and their kernel
// configuration. It imports netdev, packet and packet/header from govs and
// must not import dpif, ofproto or anything above the datapath.
package tap
