// Package odp defines the datapath action model and the text format of
// datapath flow keys, masks and actions ("ODP" format: recirc_id(0),
// in_port(1),eth(src=...,dst=...),eth_type(0x0800),... actions:2), as printed
// by ovs-appctl dpctl/dump-flows and accepted by dpctl/add-flow.
//
// It imports only flow from govs.
package odp
