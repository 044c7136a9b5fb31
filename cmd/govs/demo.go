package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// demo runs "govs demo": a private govs daemon (with the stock
// ovsdb-server as its database until govs serves its own) in a network
// namespace of its own, two more namespaces attached to a bridge over veth
// pairs with the kernel's default offloads, a ping and a short iperf3
// between them, then the datapath flows and an ofproto/trace. Everything it
// creates (namespaces, veths, daemons, the temporary directory) is removed
// on every exit path. It needs root.
func demo(args []string, stdout, stderr io.Writer) int {
	iperfSecs := "3"
	for _, a := range args {
		switch {
		case a == "--no-iperf":
			iperfSecs = ""
		case a == "-h" || a == "--help":
			fmt.Fprint(stdout, "usage: govs demo [--no-iperf]\n"+
				"Starts a private govs switch in its own network namespace, attaches two\n"+
				"namespaces to bridge br0, pings and runs iperf3 between them, prints the\n"+
				"datapath flows and an ofproto/trace, and cleans up. Needs root.\n")
			return 0
		default:
			fmt.Fprintf(stderr, "govs demo: unknown argument %q\n", a)
			return 1
		}
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "govs demo: needs root (network namespaces and veth pairs)")
		return 1
	}
	d := &demoRun{out: stdout, id: fmt.Sprintf("%d", os.Getpid()%100000)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := d.run(ctx, iperfSecs)
	d.cleanup()
	if err != nil {
		fmt.Fprintf(stderr, "govs demo: %v\n", err)
		if d.dir != "" {
			if b, rerr := os.ReadFile(filepath.Join(d.dir, "ovs-vswitchd.log")); rerr == nil {
				fmt.Fprintf(stderr, "--- switch log ---\n%s", b)
			}
		}
		return 1
	}
	return 0
}

// demoRun is the state of one demo, for clean-up.
type demoRun struct {
	out     io.Writer
	id      string
	dir     string
	netns   []string
	daemons []string // pidfiles of daemons started
	swNetns string
	ctx     context.Context
	environ []string
}

func (d *demoRun) say(format string, a ...any) { fmt.Fprintf(d.out, "==> "+format+"\n", a...) }

// cmd runs a command bounded in time and returns its combined output.
func (d *demoRun) cmd(timeout time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(d.ctx, timeout)
	defer cancel()
	c := exec.CommandContext(ctx, name, args...)
	c.Env = d.environ
	c.Dir = d.dir
	c.WaitDelay = time.Second
	out, err := c.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (d *demoRun) in(ns string, name string, args ...string) (string, error) {
	return d.cmd(30*time.Second, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

func (d *demoRun) run(ctx context.Context, iperfSecs string) error {
	d.ctx = ctx
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("locate the govs binary: %w", err)
	}
	for _, tool := range []string{"ip", "ovsdb-server", "ovsdb-tool", "ovs-vsctl", "ovs-appctl", "ping"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (Debian: openvswitch-switch, iproute2, iputils-ping; `make deps` installs them)", tool)
		}
	}
	if iperfSecs != "" {
		if _, err := exec.LookPath("iperf3"); err != nil {
			return errors.New("iperf3 is not installed (apt-get install iperf3, or run with --no-iperf)")
		}
	}
	if d.dir, err = os.MkdirTemp("", "govs-demo-"); err != nil {
		return err
	}
	d.environ = append(os.Environ(), "OVS_RUNDIR="+d.dir, "OVS_DBDIR="+d.dir, "OVS_LOGDIR="+d.dir, "OVS_SYSCONFDIR="+d.dir)
	d.swNetns = "govs-demo-" + d.id + "-sw"
	ns := []string{"govs-demo-" + d.id + "-a", "govs-demo-" + d.id + "-b"}
	for _, n := range append([]string{d.swNetns}, ns...) {
		if _, err := d.cmd(10*time.Second, "ip", "netns", "add", n); err != nil {
			return err
		}
		d.netns = append(d.netns, n)
		if _, err := d.in(n, "ip", "link", "set", "lo", "up"); err != nil {
			return err
		}
	}
	d.say("namespaces: switch %s, hosts %s and %s; state in %s", d.swNetns, ns[0], ns[1], d.dir)
	db := filepath.Join(d.dir, "conf.db")
	if _, err := d.cmd(10*time.Second, "ovsdb-tool", "create", db, "/usr/share/openvswitch/vswitch.ovsschema"); err != nil {
		return err
	}
	if _, err := d.cmd(10*time.Second, "ovsdb-server", db, "--remote=punix:"+filepath.Join(d.dir, "db.sock"),
		"--pidfile", "--detach", "--no-chdir", "--log-file"); err != nil {
		return err
	}
	d.daemons = append(d.daemons, filepath.Join(d.dir, "ovsdb-server.pid"))
	if _, err := d.cmd(10*time.Second, "ovs-vsctl", "--no-wait", "init"); err != nil {
		return err
	}
	if _, err := d.in(d.swNetns, self, "vswitchd", "--pidfile", "--detach", "--no-chdir", "--log-file"); err != nil {
		return err
	}
	d.daemons = append([]string{filepath.Join(d.dir, "ovs-vswitchd.pid")}, d.daemons...)
	d.say("govs vswitchd running in %s", d.swNetns)
	vsctl := []string{"--timeout=20", "add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev"}
	for i, n := range ns {
		host, port := fmt.Sprintf("veth%d", i+1), fmt.Sprintf("gd%s-p%d", d.id, i+1)
		if _, err := d.cmd(10*time.Second, "ip", "link", "add", host, "netns", n, "type", "veth", "peer", "name", port, "netns", d.swNetns); err != nil {
			return err
		}
		steps := [][]string{
			{n, "ip", "link", "set", host, "address", fmt.Sprintf("02:00:00:00:00:%02x", i+1)},
			{n, "ip", "addr", "add", fmt.Sprintf("10.0.0.%d/24", i+1), "dev", host},
			{n, "ip", "link", "set", host, "up"},
			{d.swNetns, "ip", "link", "set", port, "up"},
		}
		for _, s := range steps {
			if _, err := d.in(s[0], s[1], s[2:]...); err != nil {
				return err
			}
		}
		vsctl = append(vsctl, "--", "add-port", "br0", port, "--", "set", "interface", port, fmt.Sprintf("ofport_request=%d", i+1))
	}
	if _, err := d.cmd(30*time.Second, "ovs-vsctl", vsctl...); err != nil {
		return err
	}
	show, _ := d.cmd(10*time.Second, "ovs-vsctl", "show")
	d.say("ovs-vsctl show\n%s", show)
	out, err := d.in(ns[0], "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.0.2")
	d.say("ping 10.0.0.1 -> 10.0.0.2\n%s", out)
	if err != nil {
		return errors.New("ping failed")
	}
	if iperfSecs != "" {
		srv := exec.CommandContext(ctx, "ip", "netns", "exec", ns[1], "iperf3", "-s", "-1")
		if err := srv.Start(); err != nil {
			return err
		}
		time.Sleep(300 * time.Millisecond) // iperf3 has no readiness signal; the client retries below
		var res string
		for try := 0; try < 10; try++ {
			res, err = d.in(ns[0], "iperf3", "-c", "10.0.0.2", "-t", iperfSecs, "--connect-timeout", "3000")
			if err == nil || !strings.Contains(res, "refused") {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		_ = srv.Process.Kill()
		_ = srv.Wait()
		d.say("iperf3 TCP %ss, 10.0.0.1 -> 10.0.0.2, veth offloads on (the kernel default)\n%s", iperfSecs, res)
		if err != nil {
			return errors.New("iperf3 failed")
		}
		cov, _ := d.cmd(10*time.Second, "ovs-appctl", "coverage/show")
		var lines []string
		for _, l := range strings.Split(cov, "\n") {
			if strings.HasPrefix(l, "netdev_soft") || strings.HasPrefix(l, "netdev_gso") {
				lines = append(lines, l)
			}
		}
		d.say("offload counters (coverage/show)\n%s", strings.Join(lines, "\n"))
	}
	flows, err := d.cmd(10*time.Second, "ovs-appctl", "dpctl/dump-flows")
	d.say("ovs-appctl dpctl/dump-flows\n%s", flows)
	if err != nil {
		return err
	}
	trace, err := d.cmd(10*time.Second, "ovs-appctl", "ofproto/trace", "br0",
		"in_port=1,icmp,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,nw_src=10.0.0.1,nw_dst=10.0.0.2")
	d.say("ovs-appctl ofproto/trace br0 in_port=1,icmp,...\n%s", trace)
	if err != nil {
		return err
	}
	d.say("done; cleaning up")
	return nil
}

// cleanup stops the daemons by their pidfile PIDs, deletes the namespaces
// (and with them the veths and taps) and the directory. It is best effort
// and bounded in time.
func (d *demoRun) cleanup() {
	d.ctx = context.Background()
	for _, pf := range d.daemons {
		b, err := os.ReadFile(pf)
		if err != nil {
			continue
		}
		var pid int
		if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &pid); err != nil || pid <= 0 {
			continue
		}
		if strings.HasSuffix(pf, "ovs-vswitchd.pid") {
			_, _ = d.cmd(10*time.Second, "ovs-appctl", "-t", filepath.Join(d.dir, fmt.Sprintf("ovs-vswitchd.%d.ctl", pid)), "exit", "--cleanup")
		} else {
			_, _ = d.cmd(10*time.Second, "ovs-appctl", "-t", filepath.Join(d.dir, fmt.Sprintf("ovsdb-server.%d.ctl", pid)), "exit")
		}
		for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		if syscall.Kill(pid, 0) == nil {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, n := range d.netns {
		_, _ = d.cmd(10*time.Second, "ip", "netns", "del", n)
	}
	if d.dir != "" {
		_ = os.RemoveAll(d.dir)
	}
}
