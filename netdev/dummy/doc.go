// Package dummy implements the "dummy" network device of OVS's
// --enable-dummy mode: an in-memory device whose received packets are
// injected by Receive (ovs-appctl netdev-dummy/receive) and whose
// transmitted packets are counted, optionally kept in a bounded ring for
// tests and optionally written to pcap files (options:tx_pcap, rxq_pcap,
// pcap). It is also the in-memory fake that datapath tests run whole
// switches against.
//
// It imports only netdev and packet from govs and must not import dpif or
// anything above it.
package dummy
