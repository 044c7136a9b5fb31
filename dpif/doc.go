// Package dpif is govs's userspace datapath: the "netdev"/"dummy" datapath
// that all bridges of one datapath_type share (dummy@ovs-dummy,
// netdev@ovs-netdev).
//
// It owns the datapath ports (datapath port numbers, chosen as OVS does), the
// forwarding loops (each on a locked OS thread owning its rx queues, an
// exact-match cache and a megaflow cache; by default a loop blocks in epoll
// when idle, and with SetPMDCPUMask (other_config:pmd-cpu-mask) loops are
// pinned to CPUs and busy-poll while packets flow), the software offload
// fallbacks of transmit (offload.go), the
// pending-miss tables and the bounded upcall queue to handler goroutines,
// datapath action execution (execute.go), the revalidator goroutine (stats
// push, idle and flow-limit eviction, revalidation), and the statistics that
// dpctl/show and dpif-netdev/pmd-stats-show print.
//
// Translation is not here: misses go to an UpcallHandler (implemented by
// ofproto/xlate through ofproto) on handler goroutines, never on a
// forwarding loop.
//
// It imports flow, packet, netdev (and netdev/dummy for the local port),
// dpif/odp and the leaf packages coverage and vlog. It must not import ofproto, xlate, bridge or anything above the
// datapath.
package dpif
