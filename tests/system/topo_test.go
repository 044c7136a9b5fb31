package system

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

const cmdTimeout = 20 * time.Second

// host is one endpoint namespace attached to the bridge.
type host struct {
	ns      string // namespace
	ifname  string // its end of the veth
	port    string // the switch's end, the bridge port
	ofport  int
	mac     string
	ip, ip6 string
}

// topo is a switch namespace running one switch with bridge br0
// (datapath_type=netdev) and hosts attached to it.
type topo struct {
	t     *testing.T
	env   *tn.Env
	sw    string
	hosts []*host
}

// newTopo starts impl in a new switch namespace with bridge br0 and n hosts
// on ports 1..n, addressed 10.77.0.i/24 and fd77::i/64. With quiet, IPv6 is
// disabled in the hosts so that no unsolicited traffic creates flows.
func newTopo(t *testing.T, impl tn.Impl, n int, quiet bool) *topo {
	t.Helper()
	tn.RequireRoot(t)
	for _, tool := range []string{"ovsdb-server", "ovs-vsctl", "ping", "iperf3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed (make test installs it)", tool)
		}
	}
	sw := tn.NewNetns(t, "gs")
	tp := &topo{t: t, sw: sw}
	for i := 1; i <= n; i++ {
		h := &host{ns: tn.NewNetns(t, "gh"), ofport: i,
			mac: fmt.Sprintf("02:00:00:00:00:%02x", i),
			ip:  fmt.Sprintf("10.77.0.%d", i), ip6: fmt.Sprintf("fd77::%d", i)}
		h.ifname, h.port = tn.Veth(t, h.ns, sw)
		if quiet {
			tp.in(h.ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
		}
		tp.in(h.ns, "ip", "link", "set", h.ifname, "address", h.mac)
		tp.in(h.ns, "ip", "addr", "add", h.ip+"/24", "dev", h.ifname)
		if !quiet {
			tp.in(h.ns, "ip", "-6", "addr", "add", h.ip6+"/64", "dev", h.ifname, "nodad")
		}
		tp.in(sw, "sysctl", "-qw", "net.ipv6.conf."+h.port+".disable_ipv6=1")
		tp.hosts = append(tp.hosts, h)
	}
	tp.env = tn.New(t)
	tp.env.Netns = sw
	tp.env.StartDB()
	tp.env.StartSwitch(impl)
	args := []string{"add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"}
	for _, h := range tp.hosts {
		args = append(args, "--", "add-port", "br0", h.port, "--", "set", "interface", h.port,
			"ofport_request="+strconv.Itoa(h.ofport))
	}
	tp.env.MustVsctl(args...)
	for _, h := range tp.hosts {
		if got := strings.TrimSpace(tp.env.MustVsctl("get", "interface", h.port, "ofport")); got != strconv.Itoa(h.ofport) {
			t.Fatalf("port %s: ofport %s, want %d (error: %s)", h.port, got, h.ofport,
				tp.env.MustVsctl("get", "interface", h.port, "error"))
		}
	}
	return tp
}

// in runs a command in namespace ns and fails the test on error.
func (tp *topo) in(ns string, cmd ...string) string {
	tp.t.Helper()
	out, err := tn.ExecIn(ns, cmdTimeout, cmd...)
	if err != nil {
		tp.t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// ping sends count echo requests from a to dst and returns how many were
// answered.
func (tp *topo) ping(ns, dst string, count int) int {
	tp.t.Helper()
	args := []string{"ping", "-c", strconv.Itoa(count), "-i", "0.2", "-W", "2", "-q", dst}
	if strings.Contains(dst, ":") {
		args = append([]string{"ping", "-6"}, args[1:]...)
	}
	out, _ := tn.ExecIn(ns, cmdTimeout, args...)
	for _, l := range strings.Split(out, "\n") {
		if i := strings.Index(l, " received"); i > 0 {
			f := strings.Fields(l[:i])
			n, _ := strconv.Atoi(f[len(f)-1])
			return n
		}
	}
	return 0
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// counter reads a coverage counter of the switch.
func (tp *topo) counter(name string) int64 {
	tp.t.Helper()
	n, err := strconv.ParseInt(strings.TrimSpace(tp.env.MustAppctl("coverage/read-counter", name)), 10, 64)
	if err != nil {
		tp.t.Fatalf("coverage/read-counter %s: %v", name, err)
	}
	return n
}

// snmp returns the /proc/net/snmp counter proto.field of namespace ns.
func (tp *topo) snmp(ns, proto, field string) int64 {
	tp.t.Helper()
	out := tp.in(ns, "cat", "/proc/net/snmp")
	var names []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || f[0] != proto+":" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == field && i < len(f) {
				v, _ := strconv.ParseInt(f[i], 10, 64)
				return v
			}
		}
	}
	tp.t.Fatalf("no %s %s in /proc/net/snmp", proto, field)
	return 0
}

// iperfResult is what iperf3 -J reports that the tests look at.
type iperfResult struct {
	bytes   int64
	bps     float64
	retrans int64
}

// iperf runs an iperf3 TCP test of secs seconds from host a to host b.
func (tp *topo) iperf(a, b *host, secs int) (iperfResult, error) {
	tp.t.Helper()
	port := strconv.Itoa(5201 + int(time.Now().UnixNano()%500))
	srvDone := make(chan struct{})
	go func() {
		defer close(srvDone)
		tn.ExecIn(b.ns, time.Duration(secs+25)*time.Second, "iperf3", "-s", "-1", "-p", port)
	}()
	defer func() { <-srvDone }()
	listening := waitFor(15*time.Second, func() bool {
		out, err := tn.ExecIn(b.ns, 5*time.Second, "ss", "-Htln", "sport = :"+port)
		return err == nil && strings.Contains(out, ":"+port)
	})
	if !listening {
		return iperfResult{}, fmt.Errorf("iperf3 server in %s not listening on port %s", b.ns, port)
	}
	out, err := tn.ExecIn(a.ns, time.Duration(secs+20)*time.Second, "iperf3", "-c", b.ip, "-p", port,
		"-t", strconv.Itoa(secs), "-J", "--connect-timeout", "3000")
	var j struct {
		Error string `json:"error"`
		End   struct {
			SumReceived struct {
				Bytes float64 `json:"bytes"`
				BPS   float64 `json:"bits_per_second"`
			} `json:"sum_received"`
			SumSent struct {
				Retransmits int64 `json:"retransmits"`
			} `json:"sum_sent"`
		} `json:"end"`
	}
	if jerr := json.Unmarshal([]byte(out), &j); jerr != nil {
		return iperfResult{}, fmt.Errorf("iperf3: %v (%v)\n%s", err, jerr, out)
	}
	if j.Error != "" {
		return iperfResult{}, fmt.Errorf("iperf3: %s", j.Error)
	}
	return iperfResult{bytes: int64(j.End.SumReceived.Bytes), bps: j.End.SumReceived.BPS, retrans: j.End.SumSent.Retransmits}, nil
}
