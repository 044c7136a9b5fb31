// Package bridge is the reconciler between the Open_vSwitch database and the
// switch (OVS's vswitchd/bridge.c): it follows the Open_vSwitch, Bridge, Port
// and Interface rows, creates and reconfigures bridges, ports and datapath
// ports through ofproto and dpif, and writes back what the daemon reports:
// ofport, mac_in_use, link_state, error, status, statistics, iface_types,
// datapath_types and cur_cfg (only once a configuration is applied).
//
// It also registers the unixctl commands that look at bridges and datapaths
// (ofproto/trace, fdb/*, dpif/*, dpctl/*, netdev-dummy/*, revalidator/*).
//
// bridge sits at the top of the data path imports; nothing in govs but cmd
// imports it.
package bridge
