// Package afpacket implements the datapath port of a kernel network
// interface (OVS interface type "system", or ""): a netdev.Device over an
// AF_PACKET socket bound to the interface.
//
// # Sockets and batching
//
// One SOCK_RAW, ETH_P_ALL socket per device, non-blocking, bound to the
// interface's ifindex, with PACKET_IGNORE_OUTGOING so that the device does
// not read back its own transmissions. Rx reads up to a batch with one
// recvmmsg call and Tx sends a batch with one sendmmsg call; the message
// arrays, iovecs and control buffers are preallocated per queue, so neither
// allocates on the Go heap.
//
// Why not a TPACKET_V3 ring: on veth, measured on the 2-core VMs govs is
// built on, AF_PACKET moves about the same 220-270 kpps whatever the API
// (recvmmsg, TPACKET_V3, even AF_XDP in generic mode): the kernel's path
// dominates, so the win is in CPU per packet and batching, which recvmmsg
// gives without the ring's copy out of shared memory, its block retirement
// latency, and its limits on frame size (GSO super-packets do not fit a
// ring frame).
//
// # The virtio-net header (pitfall P1)
//
// The socket has PACKET_VNET_HDR on, always. A container's veth sends with
// checksum offload and TSO by default, so frames reach the socket with a
// partial checksum or as GSO super-packets of up to 64 KiB; the header
// describes both, and Rx turns it into packet.Meta offload state
// (CsumPartial/CsumStart/CsumOffset, CsumVerified, GSOType/GSOSize) instead
// of delivering frames with bad checksums. On transmit the header carries
// the same state back to the kernel, which completes checksums or segments
// only where the final receiver needs it. Hence the device's capabilities:
// partial checksums, TCP GSO for IPv4 and IPv6, and UDP GSO (the kernel
// accepts VIRTIO_NET_HDR_GSO_UDP_L4 on AF_PACKET; the tests check it).
//
// Each received message is scattered over three iovecs: the 10-byte
// header, an MTU-size pool buffer (posted before the call and kept for the
// next call when unused), and a 64 KiB overflow slice of a per-device
// mmap'd area (one slice per batch slot, 2 MiB in all, touched only when
// large frames arrive). A frame that spilled into the overflow is copied
// into a 64 KiB pool buffer; most frames never spill. A header the packet
// layer rejects (unknown GSO type, checksum offsets outside the frame)
// drops the frame and counts an rx error.
//
// # VLAN tags
//
// The kernel moves a received frame's outer 802.1Q/802.1ad tag into skb
// metadata before packet sockets see it. PACKET_AUXDATA reports it
// (TP_STATUS_VLAN_VALID, tp_vlan_tci, tp_vlan_tpid), and Rx puts the tag
// back into the frame, in the buffer's headroom, moving a partial
// checksum's start by the tag's 4 bytes. Transmitted frames keep their tags
// in the frame.
//
// # Interface lifetime
//
// MAC, MTU, flags and the kernel counters go through netdev/link, on a
// link.Handle bound to the namespace the device was opened in. When the
// interface disappears, Rx and Tx return errors wrapping ErrGone (and
// netdev.ErrClosed); the device then discards what its socket still held,
// so the dead socket never wakes an epoll loop, and the owner closes the
// device and opens a new one when the interface comes back. An interface
// that is merely down makes Tx drop (counted) and Rx return nothing.
//
// PACKET_QDISC_BYPASS is available as an option and off by default: on
// veth (qdisc noqueue) it measured no faster.
//
// The package imports netdev, netdev/link and packet from govs; it must
// not import dpif or anything above the datapath.
package afpacket
