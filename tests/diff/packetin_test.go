package diff

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	tn "govs.dev/govs/internal/testnet"
)

// packetInGovsReady is TestPacketIn's GovsReady flag.
const packetInGovsReady = true

// monitorPhase is one "ovs-ofctl monitor" session of TestPacketIn: the
// monitor's arguments, then packets injected and outputs compared while it
// runs.
type monitorPhase struct {
	args  []string
	steps []tn.Step
}

// packetInPhases returns the scenario: controller actions of every kind
// (plain, max_len, reason, userdata, controller id, in a goto_table chain,
// in a table-miss rule) and a table miss without any rule, seen by
// monitors of different versions and packet-in formats. Between sessions
// the megaflows are purged: stock OVS does not revalidate them when the
// set of connections changes, govs does, and a purge makes both
// translate the next packets afresh.
func packetInPhases() (setup []tn.Step, phases []monitorPhase) {
	arpIn := "arp,in_port=1,dl_src=" + mac(1) + ",dl_dst=ff:ff:ff:ff:ff:ff"
	setup = []tn.Step{
		vsctl(bridge("br0", true, port{name: "p1", ofport: 1}, port{name: "p2", ofport: 2})...),
		ofctl("add-flow", "br0", "cookie=0x5,priority=10,tcp,in_port=1,actions=load:0x7->NXM_NX_REG3[],"+
			"controller(reason=invalid_ttl,max_len=20,userdata=01.02.03),controller:30,controller(id=3),goto_table:3"),
		ofctl("-O", "OpenFlow13", "add-flow", "br0", "table=3,cookie=0x6,actions=controller(userdata=aa.bb),write_metadata:0x99,goto_table:4"),
		ofctl("add-flow", "br0", "table=4,actions=controller(reason=no_match)"),
		ofctl("add-flow", "br0", "priority=10,udp,in_port=1,actions=goto_table:6"),
		ofctl("add-flow", "br0", "table=6,priority=0,cookie=0x7,actions=controller"),
		// No connection wants misses: the ARP miss is dropped.
		trace("br0", arpIn),
	}
	traffic := []tn.Step{
		receive("p1", tcp(1, 2, 64)),
		receive("p1", udp(1, 2)),
		receive("p1", arp(1, 2)),
		receive("p1", tcp(1, 2, 64)),
	}
	withTraffic := func(extra ...tn.Step) []tn.Step {
		return append(append([]tn.Step{}, traffic...), extra...)
	}
	phases = []monitorPhase{
		// OpenFlow 1.0, NXT_PACKET_IN2 (ovs-ofctl's choice), invalid_ttl
		// packet-ins enabled: the miss goes to the controller.
		{args: []string{"65534", "invalid_ttl"}, steps: withTraffic(trace("br0", arpIn), wait, dpctlFlows())},
		{args: []string{"65534", "-P", "nxt_packet_in"}, steps: withTraffic()},
		{args: []string{"65534", "-P", "standard"}, steps: withTraffic()},
		// Without a miss_send_len a service connection gets nothing.
		{args: nil, steps: withTraffic()},
		// OpenFlow 1.3: no packet-in for the miss, which is dropped.
		{args: []string{"-O", "OpenFlow13", "65534"}, steps: withTraffic(trace("br0", arpIn), wait, dpctlFlows())},
		{args: []string{"-O", "OpenFlow13", "65534", "-P", "standard"}, steps: withTraffic()},
		{args: []string{"-O", "OpenFlow15", "65534", "-P", "standard"}, steps: withTraffic()},
		{args: []string{"-O", "OpenFlow15", "65534"}, steps: withTraffic()},
	}
	return setup, phases
}

// monitor is one detached "ovs-ofctl monitor" writing what it receives to
// a file.
type monitor struct {
	e       *tn.Env
	pidfile string
	ctl     string
	out     string
}

// startMonitor runs "ovs-ofctl monitor br0 ARGS --detach": ovs-ofctl
// returns once the monitor is connected and configured. The daemon is
// killed by PID at cleanup if the test did not stop it.
func startMonitor(t *testing.T, e *tn.Env, n int, args []string) *monitor {
	t.Helper()
	m := &monitor{e: e,
		pidfile: filepath.Join(e.Dir, fmt.Sprintf("mon%d.pid", n)),
		ctl:     filepath.Join(e.Dir, fmt.Sprintf("mon%d.ctl", n)),
		out:     filepath.Join(e.Dir, fmt.Sprintf("mon%d.out", n)),
	}
	f, err := os.Create(m.out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var full []string
	var rest []string
	for i := 0; i < len(args); i++ {
		// Options before the bridge, monitor arguments after it.
		if args[i] == "-O" || args[i] == "-P" {
			full = append(full, args[i], args[i+1])
			i++
			continue
		}
		rest = append(rest, args[i])
	}
	full = append(full, "monitor", "br0")
	full = append(full, rest...)
	full = append(full, "--detach", "--no-chdir", "--pidfile="+m.pidfile, "--unixctl="+m.ctl)
	cmd := exec.Command("ovs-ofctl", full...)
	cmd.Env = e.Environ()
	cmd.Stderr = f // the monitor prints what it receives on stderr
	t.Cleanup(m.kill)
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start monitor: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ovs-ofctl %s: %v", strings.Join(full, " "), err)
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("ovs-ofctl %s did not detach in 10s", strings.Join(full, " "))
	}
	return m
}

// barrier returns once the monitor got the reply to a barrier it sent.
func (m *monitor) barrier(t *testing.T) {
	t.Helper()
	if _, stderr, err := m.e.Run("ovs-appctl", "-t", m.ctl, "ofctl/barrier"); err != nil {
		t.Fatalf("ofctl/barrier: %v: %s", err, stderr)
	}
}

// output returns what the monitor printed so far.
func (m *monitor) output(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(m.out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// stop asks the monitor to exit and waits until it is gone.
func (m *monitor) stop(t *testing.T) {
	t.Helper()
	_, _, _ = m.e.Run("ovs-appctl", "-t", m.ctl, "exit")
	pid := m.pid()
	deadline := time.Now().Add(5 * time.Second)
	for pid > 0 && syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Errorf("monitor %d still running 5s after exit", pid)
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (m *monitor) pid() int {
	b, err := os.ReadFile(m.pidfile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// kill ends the monitor by the PID of its pidfile, if it still runs.
func (m *monitor) kill() {
	if pid := m.pid(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGTERM)
	}
}

// countPacketIns counts packet-in messages in monitor output.
func countPacketIns(s string) int {
	return strings.Count(s, "PACKET_IN")
}

// runPacketIn runs the scenario on impl. want, when not nil, holds the
// number of packet-ins stock printed in each phase: the run then waits
// (bounded) until its monitor printed as many, since a packet-in may
// still be on its way when the barrier reply arrives.
func runPacketIn(t *testing.T, impl tn.Impl, want []int) (tn.Transcript, []int) {
	t.Helper()
	e := tn.New(t)
	e.StartDB()
	e.StartSwitch(impl)
	setup, phases := packetInPhases()
	tr := tn.Script{Name: "packet-in", Steps: setup}.Run(e)
	var counts []int
	for i, ph := range phases {
		if _, stderr, err := e.Appctl("revalidator/purge"); err != nil {
			t.Fatalf("revalidator/purge: %v: %s", err, stderr)
		}
		m := startMonitor(t, e, i, ph.args)
		part := tn.Script{Name: "packet-in", Steps: ph.steps}.Run(e)
		m.barrier(t)
		out := m.output(t)
		if want != nil && i < len(want) {
			deadline := time.Now().Add(5 * time.Second)
			for countPacketIns(out) < want[i] && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
				m.barrier(t)
				out = m.output(t)
			}
		}
		counts = append(counts, countPacketIns(out))
		m.stop(t)
		// The barrier replies are part of the output; their number
		// depends on the polling above, so they are left out.
		var keep []string
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "OFPT_BARRIER_REPLY") {
				keep = append(keep, l)
			}
		}
		for _, r := range part.Results {
			r.Index = len(tr.Results)
			tr.Results = append(tr.Results, r)
		}
		tr.Unexpected = append(tr.Unexpected, part.Unexpected...)
		tr.Results = append(tr.Results, tn.Result{
			Index: len(tr.Results), Cmd: "ovs-ofctl monitor br0 " + strings.Join(ph.args, " ") + " (output)",
			OK: true, Compared: true, Stdout: tn.Trim(strings.Join(keep, "\n")),
		})
	}
	e.Stop()
	e.CheckLog()
	if impl == tn.Govs {
		if se := e.SwitchStderr(); strings.TrimSpace(se) != "" {
			t.Errorf("govs wrote to stderr:\n%s", se)
		}
	}
	return tr, counts
}

// TestPacketIn compares packet-ins, their formats and the table-miss
// behaviour (trace and datapath flows with and without an OpenFlow 1.0
// connection) between stock OVS and govs. Stock runs first: its packet-in
// counts bound how long govs's run waits for its own.
func TestPacketIn(t *testing.T) {
	requireStock(t)
	impls := implsFor(packetInGovsReady)
	var tr [2]tn.Transcript
	var counts []int
	for i, impl := range impls {
		ok := t.Run(fmt.Sprintf("%v%d", impl, i), func(t *testing.T) {
			tr[i], counts = runPacketIn(t, impl, counts)
		})
		if !ok {
			return
		}
	}
	for _, u := range tr[0].Unexpected {
		t.Errorf("stock: unexpected outcome: %s", u)
	}
	if !tn.Diff(t, tr[0], tr[1]) || testing.Verbose() {
		t.Logf("full transcript of the first run:\n%s", tr[0])
	}
}
