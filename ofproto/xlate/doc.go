// Package xlate translates OpenFlow processing of one flow into datapath
// actions (OVS's ofproto-dpif-xlate): it walks the OpenFlow tables from a
// datapath flow key, interprets every OpenFlow action, implements NORMAL (MAC
// learning, VLAN modes, flooding), follows patch ports into other bridges, and
// returns the datapath actions together with the megaflow mask (the bits of the
// key the result depended on) and an xlate cache of what the translation used
// (rules, MAC entries) for statistics and revalidation. It also produces the
// ofproto/trace report.
//
// Translation can freeze (OVS's ofproto-dpif-xlate freezing): a controller
// action, a controller pause or, later, ct and dp_hash groups record the
// pipeline context in a FrozenState whose recirculation id comes from the
// Config's FrozenTable; a packet that comes back with that recirc_id is
// thawed and resumes there. Results carry the ids they hold (Recircs).
//
// Translation reads an immutable Config snapshot and versioned classifier
// tables, so any number of handler goroutines translate concurrently. It
// never blocks on the control plane. Side effects (MAC learning) go to
// concurrency-safe tables.
//
// xlate imports flow, openflow, dpif/odp and ofproto/maclearn; it must not
// import ofproto (ofproto imports xlate) or dpif.
package xlate
