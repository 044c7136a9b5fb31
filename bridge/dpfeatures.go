package bridge

import (
	"errors"
	"maps"
	"strconv"
	"strings"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"govs.dev/govs/flow"
	"govs.dev/govs/ovsdb/vswitchdb"
)

// dpFeature is one datapath capability, as dpif/show-dp-features prints it
// and as Datapath.capabilities holds it (OVS's names for both). govs
// reports what its datapath really does: features that come with later
// work (conntrack, tunnels, MPLS, check_pkt_len, ...) say "No"/"false", so
// that a controller such as ovn-controller does not program actions govs
// would refuse.
type dpFeature struct {
	text string // dpif/show-dp-features label; "" if not shown there
	key  string // Datapath.capabilities key; "" if not written there
	on   bool   // for yes/no features
	num  int    // for numeric features (num >= 0)
	isN  bool
}

// dpFeatures lists the datapath's features in show-dp-features order.
func dpFeatures() []dpFeature {
	yes := func(text, key string) dpFeature { return dpFeature{text: text, key: key, on: true} }
	no := func(text, key string) dpFeature { return dpFeature{text: text, key: key} }
	n := func(text, key string, v int) dpFeature { return dpFeature{text: text, key: key, num: v, isN: true} }
	return []dpFeature{
		yes("Masked set action", "masked_set_action"),
		no("Tunnel push pop", "tnl_push_pop"),
		yes("Ufid", "ufid"),
		yes("Truncate action", "trunc"),
		yes("Clone action", "clone"),
		n("Sample nesting", "", 0),
		no("", "sample_nesting"),
		no("Conntrack eventmask", "ct_eventmask"),
		no("Conntrack clear", "ct_clear"),
		n("Max dp_hash algorithm", "max_hash_alg", 0),
		no("Check pkt length action", "check_pkt_len"),
		no("Conntrack timeout policy", "ct_timeout"),
		yes("Explicit Drop action", "explicit_drop_action"),
		no("Optimized Balance TCP mode", "lb_output_action"),
		no("Conntrack all-zero IP SNAT", "ct_zero_snat"),
		no("MPLS Label add", "add_mpls"),
		n("Max VLAN headers", "max_vlan_headers", flow.MaxVLANHeaders),
		n("Max MPLS depth", "max_mpls_depth", 0),
		yes("Recirc", "recirc"),
		no("CT state", "ct_state"),
		no("CT zone", "ct_zone"),
		no("CT mark", "ct_mark"),
		no("CT label", "ct_label"),
		no("CT state NAT", "ct_state_nat"),
		no("CT orig tuple", "ct_orig_tuple"),
		no("CT orig tuple for IPv6", "ct_orig_tuple6"),
		no("IPv6 ND Extension", "nd_ext"),
		no("", "ct_flush"),
	}
}

// dpCapabilities is the Datapath.capabilities map of govs's datapaths.
func dpCapabilities() map[string]string {
	m := map[string]string{}
	for _, f := range dpFeatures() {
		switch {
		case f.key == "":
		case f.isN:
			m[f.key] = strconv.Itoa(f.num)
		default:
			m[f.key] = strconv.FormatBool(f.on)
		}
	}
	return m
}

// cmdShowDPFeatures is dpif/show-dp-features BRIDGE.
func (s *switchd) cmdShowDPFeatures(args []string) (string, error) {
	if _, err := s.bridge(args[0]); err != nil {
		return "", errors.New("no such bridge")
	}
	var lines []string
	for _, f := range dpFeatures() {
		switch {
		case f.text == "":
		case f.isN:
			lines = append(lines, f.text+": "+strconv.Itoa(f.num))
		case f.on:
			lines = append(lines, f.text+": Yes")
		default:
			lines = append(lines, f.text+": No")
		}
	}
	// Like OVS, the last line has no newline.
	return strings.Join(lines, "\n"), nil
}

// datapathCapabilities returns the writes that fill the capabilities of
// the Datapath records Open_vSwitch.datapaths names for datapath types govs
// runs. Caller holds s.mu.
func (s *switchd) datapathCapabilities(root *vswitchdb.OpenvSwitch, dps map[string]*vswitchdb.Datapath) []ovsdb.Operation {
	want := dpCapabilities()
	var ops []ovsdb.Operation
	for typ, u := range root.Datapaths {
		dp := dps[u]
		if dp == nil {
			continue
		}
		if _, err := s.dpTypeOf(typ); err != nil {
			continue
		}
		if maps.Equal(dp.Capabilities, want) {
			continue
		}
		r := *dp
		r.Capabilities = want
		if op, err := s.db.Where(&r).Update(&r, &r.Capabilities); err == nil {
			ops = append(ops, op...)
		}
	}
	return ops
}
