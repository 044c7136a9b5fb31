// Package ofctl is the ovs-ofctl flow syntax: it parses flow specifications
// ("priority=10,ip,nw_src=10.0.0.0/8,actions=output:2") into a flow.Match
// and the action model of package openflow, and formats matches, actions
// and flow statistics exactly as Open vSwitch 3.1's ovs-ofctl prints them
// (dump-flows, parse-flow). Its tests compare against stock ovs-ofctl.
//
// It owns the text syntax only: no wire encoding (package openflow), no
// flow tables (ofproto). Every function is a pure function of its
// arguments and safe for concurrent use; returned values belong to the
// caller.
//
// This package imports only flow and openflow from govs; it must not import
// ofproto, xlate, dpif or anything on the data path.
package ofctl
